package main

import (
	"encoding/xml"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// What the healthy deployment of the test environment (testdata/template.json) answers.
const (
	stackName       = "private-bedrock-dev"
	callerArn       = "arn:aws:sts::111111111111:assumed-role/PlatformDeployer/verify"
	vpcID           = "vpc-0a1b2c3d4e5f6a7b8"
	endpointID      = "vpce-0123456789abcdef0"
	functionName    = "private-bedrock-dev-Invoker2DD914D7-AbC123"
	invokerRole     = "arn:aws:iam::111111111111:role/private-bedrock-dev-InvokerRoleB87900DB-AbCdEf"
	accessRole      = "arn:aws:iam::111111111111:role/BedrockExecutionRole"
	clientRole      = "arn:aws:iam::111111111111:role/ReportingApp"
	deliveryRoleArn = "arn:aws:iam::111111111111:role/private-bedrock-dev-InvocationLoggingDeliveryRole7-QwErTy"
	logGroup        = "/private-bedrock-dev/bedrock-model-invocations"
	logBucket       = "private-bedrock-dev-invocationloggingbucketf12b41-abc"
	vault           = "private-bedrock-dev-invocationloggingvaultf2278d7-def"
	topic           = "arn:aws:sns:us-east-1:111111111111:private-bedrock-dev-AlertsE664E991-XyZ"
	guardrailArn    = "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123def456"
	// logBase is where Bedrock writes the environment's log objects; logObject the name of the one the
	// fake delivers.
	logBase   = "bedrock-invocation-logs/AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/"
	logObject = "1767225600_5f0c2d3e.json.gz"
)

// The test environment (testdata/environments.json, "dev"), and a model it does not configure.
const (
	account   = "111111111111"
	region    = "us-east-1"
	haiku     = "anthropic.claude-3-haiku-20240307-v1:0"
	profileID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
	unlisted  = "anthropic.claude-3-opus-20240229-v1:0"
)

func testEnv(t *testing.T) config.Environment { return checklisttest.Environment(t, "dev") }

var outputs = map[string]string{
	outputVpc:                           vpcID,
	outputEndpoint:                      endpointID,
	outputFunction:                      functionName,
	outputInvokerRole:                   invokerRole,
	outputLogGroup:                      logGroup,
	outputLogBucket:                     logBucket,
	outputVault:                         vault,
	outputAlertTopic:                    topic,
	outputGuardrail:                     guardrailArn,
	outputGuardrailVer:                  "1",
	"AccessRoleBedrockExecutionRoleArn": accessRole,
}

// physicalIDs are the physical IDs of the template's resources.
var physicalIDs = map[string]string{
	"Network6E62CE96":                        vpcID,
	"AccessRoleBedrockExecutionRoleB9A86821": "BedrockExecutionRole",
	"InvokerRoleB87900DB":                    "private-bedrock-dev-InvokerRoleB87900DB-AbCdEf",
	"InvocationLoggingDeliveryRole7BF940C7":  "private-bedrock-dev-InvocationLoggingDeliveryRole7-QwErTy",
	"Guardrail91D61981":                      guardrailArn,
	"GuardrailVersionb01c9912BEF174DA":       guardrailArn + ":1",
	"NetworkLogsEndpoint0A1B2C3D":            "vpce-0fedcba9876543210",
	"BedrockRuntimeFAE2B7F3":                 endpointID,
	"InvocationLoggingConfigurationF4938977": "private-bedrock-dev-invocation-logging",
}

// livePolicy is the endpoint policy EC2 returns for the template's: the same statements resolved, in
// another order, with one principal as a string.
const livePolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"ApplyTheGuardrail","Effect":"Allow","Principal":{"AWS":["` + invokerRole + `","` + clientRole + `","` + accessRole + `"]},` +
	`"Action":"bedrock:ApplyGuardrail","Resource":"` + guardrailArn + `"},` +
	`{"Sid":"InvokeNamedModelsWithTheGuardrail","Effect":"Allow","Principal":{"AWS":"` + invokerRole + `"},` +
	`"Action":["bedrock:InvokeModelWithResponseStream","bedrock:InvokeModel"],"Resource":` + modelArns + `,` +
	`"Condition":{"StringEquals":{"bedrock:GuardrailIdentifier":"` + guardrailArn + `:1"}}},` +
	`{"Sid":"InvokeNamedModelsByNamedPrincipals","Effect":"Allow","Principal":{"AWS":["` + accessRole + `","` + clientRole + `"]},` +
	`"Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],"Resource":` + modelArns + `}]}`

const modelArns = `["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",` +
	`"arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",` +
	`"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",` +
	`"arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",` +
	`"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]`

var allAlarms = []string{"GuardrailInterventions", "PromptAttacks", "SensitiveInformation", "InvocationClientErrors",
	"InvocationServerErrors", "InvocationThrottles", "FunctionAccessDenied", "UndeliveredAlerts"}

// healthy registers the answers of a deployment where every check passes; a test replaces one to
// break it.
func healthy(t *testing.T, f *fakeaws.Server) {
	f.Answer("sts", "GetCallerIdentity", caller(account))
	f.Answer("cloudformation", "DescribeStacks", stack("UPDATE_COMPLETE", outputs))
	f.Answer("cloudformation", "GetTemplate", template(t, "testdata/template.json"))
	f.Answer("cloudformation", "ListStackResources", resources(physicalIDs))
	f.Answer("cloudformation", "DetectStackDrift", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"))
	f.Answer("cloudformation", "DescribeStackDriftDetectionStatus", driftStatus("DETECTION_COMPLETE", "IN_SYNC", 0))
	f.Answer("ec2", "DescribeVpcEndpoints", endpoint("available", true, livePolicy))
	f.Answer("ec2", "DescribeSecurityGroups", defaultGroup(""))
	f.Answer("bedrock", "GetModelInvocationLoggingConfiguration", loggingConfig(logBucket, "bedrock-invocation-logs", true, deliveryRoleArn))
	f.Answer("bedrock", "ListEnforcedGuardrailsConfiguration", enforced("ACCOUNT", guardrailArn, "1"))
	f.Answer("monitoring", "DescribeAlarms", alarms(allAlarms, topic))
	f.Handle("lambda", "Invoke", byModel(t, map[string]fakeaws.Reply{
		haiku:     answered("req-haiku-1", false),
		profileID: answered("req-profile-1", false),
		unlisted:  accessDenied(unlisted),
	}))
	f.Answer("logs", "FilterLogEvents", logEvents(1))
	f.Handle("s3", "ListObjectsV2", objects("2099-01-01T00:00:00.000Z"))
}

func caller(account string) fakeaws.Reply { return checklisttest.Caller(account, "verify") }

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func stack(status string, outputs map[string]string) fakeaws.Reply {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(outputs)) {
		fmt.Fprintf(&b, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", k, escape(outputs[k]))
	}
	return fakeaws.OK("<Stacks><member><StackName>" + stackName + "</StackName><CreationTime>2025-01-02T09:00:00Z</CreationTime>" +
		"<LastUpdatedTime>2025-01-06T10:00:00Z</LastUpdatedTime><StackStatus>" + status + "</StackStatus><Outputs>" + b.String() +
		"</Outputs></member></Stacks>")
}

func template(t *testing.T, path string) fakeaws.Reply {
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fakeaws.OK("<TemplateBody>" + escape(string(body)) + "</TemplateBody>")
}

func resources(ids map[string]string) fakeaws.Reply {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		fmt.Fprintf(&b, "<member><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId>"+
			"<ResourceType>AWS::CloudFormation::WaitConditionHandle</ResourceType><LastUpdatedTimestamp>2025-01-06T10:00:00Z</LastUpdatedTimestamp>"+
			"<ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member>", id, escape(ids[id]))
	}
	return fakeaws.OK("<StackResourceSummaries>" + b.String() + "</StackResourceSummaries>")
}

func driftStatus(detection, drift string, drifted int) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf("<StackId>arn:aws:cloudformation:us-east-1:111111111111:stack/%s/1</StackId>"+
		"<StackDriftDetectionId>drift-1</StackDriftDetectionId><StackDriftStatus>%s</StackDriftStatus><DetectionStatus>%s</DetectionStatus>"+
		"<DetectionStatusReason>Failed to detect drift on resource [Guardrail91D61981]</DetectionStatusReason>"+
		"<DriftedStackResourceCount>%d</DriftedStackResourceCount><Timestamp>2025-01-06T10:00:00Z</Timestamp>", stackName, drift, detection, drifted))
}

func endpoint(state string, privateDNS bool, policy string) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf("<vpcEndpointSet><item><vpcEndpointId>%s</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType>"+
		"<vpcId>%s</vpcId><serviceName>com.amazonaws.us-east-1.bedrock-runtime</serviceName><state>%s</state>"+
		"<policyDocument>%s</policyDocument><privateDnsEnabled>%v</privateDnsEnabled></item></vpcEndpointSet>",
		endpointID, vpcID, state, escape(policy), privateDNS))
}

// defaultGroup answers DescribeSecurityGroups with the VPC's default group and the rules, as EC2's
// <item> elements of ipPermissionsEgress.
func defaultGroup(egress string) fakeaws.Reply {
	return fakeaws.OK("<securityGroupInfo><item><groupId>sg-0default</groupId><groupName>default</groupName><vpcId>" + vpcID +
		"</vpcId><ipPermissions/><ipPermissionsEgress>" + egress + "</ipPermissionsEgress></item></securityGroupInfo>")
}

func loggingConfig(bucket, prefix string, text bool, role string) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf(`{"loggingConfig":{"cloudWatchConfig":{"logGroupName":%q,"roleArn":%q,`+
		`"largeDataDeliveryS3Config":{"bucketName":%[3]q,"keyPrefix":"%[4]s/large-data"}},"s3Config":{"bucketName":%[3]q,"keyPrefix":%[4]q},`+
		`"textDataDeliveryEnabled":%[5]v,"imageDataDeliveryEnabled":false,"embeddingDataDeliveryEnabled":false}}`, logGroup, role, bucket, prefix, text))
}

func enforced(owner, arn, version string) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf(`{"guardrailsConfig":[{"configId":"c1","guardrailArn":%q,"guardrailId":"abc123def456",`+
		`"guardrailVersion":%q,"owner":%q}]}`, arn, version, owner))
}

func alarms(names []string, action string) fakeaws.Reply {
	var list []string
	for _, n := range names {
		list = append(list, fmt.Sprintf(`{"AlarmName":"%s-%s","AlarmActions":[%q],"StateValue":"OK"}`, stackName, n, action))
	}
	return fakeaws.OK(`{"MetricAlarms":[` + strings.Join(list, ",") + `]}`)
}

// answered is the test function's answer to a call that went through.
func answered(requestID string, intervened bool) fakeaws.Reply {
	stop, actions := "end_turn", ""
	if intervened {
		stop, actions = "guardrail_intervened", `,"guardrailIntervened":true,"guardrailActions":["input: contentPolicy PROMPT_ATTACK BLOCKED"]`
	}
	return fakeaws.OK(fmt.Sprintf(`{"text":"OK","modelId":"m","stopReason":%q%s,"usage":{"inputTokens":14,"outputTokens":4,"totalTokens":18},`+
		`"latencyMs":412,"elapsedMs":530,"attempts":1,"requestId":%q}`, stop, actions, requestID))
}

// failed is the test function's report of an error, as the Lambda Go runtime sends it.
func failed(errorType, message string) fakeaws.Reply {
	return fakeaws.Reply{
		Body:   fmt.Sprintf(`{"errorMessage":%q,"errorType":%q}`, message, errorType),
		Header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
	}
}

// notAllowed is what lambda/invoker answers for a model outside its ALLOWED_MODEL_IDS.
func notAllowed(model string) fakeaws.Reply {
	return failed("inputError", fmt.Sprintf("model %q is not allowed; allowed models: %s, %s", model, haiku, profileID))
}

func accessDenied(model string) fakeaws.Reply {
	return failed("bedrockError", fmt.Sprintf("access denied invoking model %q (request id req-denied): check the function role "+
		"policy's aws:SourceVpce condition, the bedrock-runtime VPC endpoint policy (principal and model), and that the account "+
		"has access to the model: User is not authorized to perform: bedrock:InvokeModel", model))
}

// byModel answers each test call by the model in its payload.
func byModel(t *testing.T, replies map[string]fakeaws.Reply) fakeaws.Handler {
	return func(c fakeaws.Call) fakeaws.Reply {
		if c.Input.Get("FunctionName") != functionName || c.Input.Get("prompt") == "" {
			t.Errorf("Invoke of %q with %s, want %s with a prompt", c.Input.Get("FunctionName"), c.Body, functionName)
		}
		model := c.Input.Get("modelId")
		r, ok := replies[model]
		if !ok {
			t.Errorf("test call of unexpected model %q", model)
		}
		// Only a call that must be refused, of a model not configured, asks the function to skip its own
		// list of models.
		if want := strconv.FormatBool(model != haiku && model != profileID); c.Input.Get("expectDenied") != want {
			t.Errorf("test call of %s with expectDenied %q, want %s", model, c.Input.Get("expectDenied"), want)
		}
		return r
	}
}

func logEvents(n int) fakeaws.Reply {
	var events []string
	for i := range n {
		events = append(events, fmt.Sprintf(`{"logStreamName":"aws/bedrock/modelinvocations","timestamp":1767225600000,`+
			`"message":"{\"requestId\":\"req-haiku-1\"}","ingestionTime":1767225601000,"eventId":"%d"}`, i))
	}
	return fakeaws.OK(`{"events":[` + strings.Join(events, ",") + `],"searchedLogStreams":[]}`)
}

// objects answers ListObjectsV2 like S3 for a delivery bucket that holds one log object in every hour
// listed, modified at the time given, and a vault that holds its copies.
func objects(modified string) fakeaws.Handler {
	return func(c fakeaws.Call) fakeaws.Reply {
		prefix := c.Input.Get("prefix")
		key := prefix + logObject
		switch {
		case c.Input.Get("Bucket") == logBucket && strings.HasPrefix(prefix, logBase):
		case c.Input.Get("Bucket") == vault && strings.HasPrefix(prefix, logBase) && strings.HasSuffix(prefix, logObject):
			key = prefix
		default:
			return fakeaws.OK(`<ListBucketResult><Name>` + c.Input.Get("Bucket") + `</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`)
		}
		return fakeaws.OK(`<ListBucketResult><Name>` + c.Input.Get("Bucket") + `</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>` +
			`<Contents><Key>` + key + `</Key><LastModified>` + modified + `</LastModified><Size>2048</Size></Contents></ListBucketResult>`)
	}
}
