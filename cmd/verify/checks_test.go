package main

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// awsConfig sends every call to the fake, and lets the SDK retry at once: throttling tests do not wait.
func awsConfig(f *fakeaws.Server) aws.Config {
	cfg := f.Config(region)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	return cfg
}

// want is what a row must say, written without keys in the tables.
type want checklisttest.Want

const pass, warn, fail = checklist.OK, checklist.Warning, checklist.Failure

var expect = checklisttest.Expect[want]

// deployed reads the deployment from the fake, as verify does after the stack check.
func deployed(t *testing.T, f *fakeaws.Server, env config.Environment) *deployment {
	t.Helper()
	return loadDeployment(context.Background(), cloudformation.NewFromConfig(awsConfig(f)), stackName, env, outputs)
}

// clock hands out waiters that never wait, and records what they would have slept.
type clock struct{ slept atomic.Int64 }

func (c *clock) waiter(timeout, interval time.Duration) waiter {
	return waiter{timeout: timeout, interval: interval, sleep: func(context.Context, time.Duration) error {
		c.slept.Add(int64(interval))
		return nil
	}}
}

// sequence answers the calls of an operation with the replies in turn, the last one from then on.
func sequence(replies ...fakeaws.Reply) fakeaws.Handler {
	var n atomic.Int32
	return func(fakeaws.Call) fakeaws.Reply {
		return replies[min(int(n.Add(1))-1, len(replies)-1)]
	}
}

// given tells a reply a test case sets from the zero value that leaves the default.
func given(r fakeaws.Reply) bool { return r.Body != "" || r.Code != "" }

func templateWith(t *testing.T, old, new string) fakeaws.Reply {
	body, err := os.ReadFile("testdata/template.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), old) {
		t.Fatalf("template lacks %q", old)
	}
	return fakeaws.OK("<TemplateBody>" + escape(strings.Replace(string(body), old, new, 1)) + "</TemplateBody>")
}

func TestCheckRegion(t *testing.T) {
	row, ok := checkRegion("us-east-1", testEnv(t))
	expect(t, row, want{pass, "us-east-1, the environment's", ""})
	if !ok {
		t.Error("ok = false for the environment's region")
	}
	row, ok = checkRegion("eu-west-1", testEnv(t))
	expect(t, row, want{fail, "says eu-west-1, but environment dev is in us-east-1", "export AWS_PROFILE=bedrock-dev"})
	if ok {
		t.Error("ok = true for another region")
	}
}

func TestCheckStack(t *testing.T) {
	const deploy = "npm run cdk -- deploy -c env=dev private-bedrock-dev"
	tests := []struct {
		name  string
		reply fakeaws.Handler
		want
		ok    bool
		calls int
	}{
		{"deployed", sequence(stack("UPDATE_COMPLETE", outputs)), want{pass, "private-bedrock-dev UPDATE_COMPLETE, last deployed 2025-01-06 10:00 UTC", ""}, true, 1},
		{"update rolled back", sequence(stack("UPDATE_ROLLBACK_COMPLETE", outputs)),
			want{pass, "UPDATE_ROLLBACK_COMPLETE, last deployed 2025-01-06 10:00 UTC (its last update rolled back", ""}, true, 1},
		{"not deployed", sequence(fakeaws.Error(400, "ValidationError", "Stack with id private-bedrock-dev does not exist")),
			want{fail, "private-bedrock-dev is not deployed in account 111111111111, region us-east-1; the other checks did not run", deploy}, false, 1},
		{"failed create", sequence(stack("ROLLBACK_COMPLETE", nil)), want{fail, "is ROLLBACK_COMPLETE; the other checks did not run", "must be deleted first"}, false, 1},
		{"failed rollback", sequence(stack("UPDATE_ROLLBACK_FAILED", outputs)), want{fail, "is UPDATE_ROLLBACK_FAILED", deploy}, false, 1},
		{"in progress", sequence(stack("UPDATE_IN_PROGRESS", outputs)), want{fail, "is UPDATE_IN_PROGRESS", "wait for the stack operation to finish"}, false, 1},
		{"access denied", sequence(fakeaws.Error(403, "AccessDenied", "not authorized to perform: cloudformation:DescribeStacks")),
			want{fail, "could not check: AccessDenied: not authorized to perform: cloudformation:DescribeStacks; the other checks did not run",
				"verify needs cloudformation:DescribeStacks: allow it"}, false, 1},
		{"throttled, then answered", sequence(fakeaws.Error(400, "Throttling", "Rate exceeded"), stack("CREATE_COMPLETE", outputs)),
			want{pass, "CREATE_COMPLETE", ""}, true, 2},
		{"throttled beyond the retries", sequence(fakeaws.Error(400, "Throttling", "Rate exceeded")),
			want{fail, "could not check: Throttling: Rate exceeded (still throttled after 3 attempts); the other checks did not run",
				"AWS throttled cloudformation:DescribeStacks beyond the SDK's retries: wait a minute, then run verify again"}, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Handle("cloudformation", "DescribeStacks", tt.reply)
			row, got, ok := checkStack(context.Background(), cloudformation.NewFromConfig(awsConfig(f)), stackName, testEnv(t))
			expect(t, row, tt.want)
			if ok != tt.ok || ok && got[outputEndpoint] != endpointID {
				t.Errorf("ok = %v, outputs = %v; want %v with the stack's outputs", ok, got, tt.ok)
			}
			if calls := f.Calls(); len(calls) != tt.calls || calls[0].Input.Get("StackName") != stackName {
				t.Errorf("calls = %v, want %d of DescribeStacks for %s", f.Operations(), tt.calls, stackName)
			}
		})
	}
}

func TestCheckDrift(t *testing.T) {
	inProgress := driftStatus("DETECTION_IN_PROGRESS", "UNKNOWN", 0)
	drifts := fakeaws.OK("<StackResourceDrifts>" +
		"<member><StackId>s</StackId><LogicalResourceId>BedrockRuntimeFAE2B7F3</LogicalResourceId><ResourceType>AWS::EC2::VPCEndpoint</ResourceType>" +
		"<StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus><Timestamp>2025-01-06T10:00:00Z</Timestamp></member>" +
		"<member><StackId>s</StackId><LogicalResourceId>DetectionPromptAttacksC50D04F0</LogicalResourceId><ResourceType>AWS::CloudWatch::Alarm</ResourceType>" +
		"<StackResourceDriftStatus>DELETED</StackResourceDriftStatus><Timestamp>2025-01-06T10:00:00Z</Timestamp></member></StackResourceDrifts>")
	tests := []struct {
		name   string
		start  fakeaws.Reply
		status fakeaws.Handler
		drifts fakeaws.Reply
		want
		polls int
	}{
		{"in sync", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"), sequence(driftStatus("DETECTION_COMPLETE", "IN_SYNC", 0)),
			fakeaws.Reply{}, want{pass, "IN_SYNC: the resources that support drift detection match the template", ""}, 1},
		{"in sync after a while", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"),
			sequence(inProgress, inProgress, driftStatus("DETECTION_COMPLETE", "IN_SYNC", 0)), fakeaws.Reply{}, want{pass, "IN_SYNC", ""}, 3},
		{"drifted", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"), sequence(driftStatus("DETECTION_COMPLETE", "DRIFTED", 2)), drifts,
			want{fail, "2 resources differ from the template: BedrockRuntimeFAE2B7F3 (MODIFIED), DetectionPromptAttacksC50D04F0 (DELETED)",
				"--stack-name private-bedrock-dev --stack-resource-drift-status-filters MODIFIED DELETED; undo the change"}, 1},
		{"drifted, resources not listed", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"),
			sequence(driftStatus("DETECTION_COMPLETE", "DRIFTED", 1)), fakeaws.Error(403, "AccessDenied", "denied"),
			want{fail, "1 resource differs from the template", "undo the change"}, 1},
		{"still running", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"), sequence(inProgress), fakeaws.Reply{},
			want{fail, "the drift detection was still running after 12s", "run verify again with a longer -wait"}, 3},
		{"detection failed", fakeaws.OK("<StackDriftDetectionId>drift-1</StackDriftDetectionId>"),
			sequence(driftStatus("DETECTION_FAILED", "IN_SYNC", 0)), fakeaws.Reply{},
			want{warn, "no drift found, but the detection failed for some resources: Failed to detect drift on resource [Guardrail91D61981]",
				"drift detection reads them with the caller's permissions"}, 1},
		{"not allowed to detect", fakeaws.Error(403, "AccessDenied", "not authorized to perform: cloudformation:DetectStackDrift"), nil, fakeaws.Reply{},
			want{fail, "could not check: AccessDenied", "verify needs cloudformation:DetectStackDrift"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("cloudformation", "DetectStackDrift", tt.start)
			if tt.status != nil {
				f.Handle("cloudformation", "DescribeStackDriftDetectionStatus", tt.status)
			}
			if given(tt.drifts) {
				f.Answer("cloudformation", "DescribeStackResourceDrifts", tt.drifts)
			}
			var c clock
			expect(t, checkDrift(context.Background(), cloudformation.NewFromConfig(awsConfig(f)), stackName, c.waiter(12*time.Second, 5*time.Second)), tt.want)
			var polls int
			for _, call := range f.Calls() {
				if call.Operation == "DescribeStackDriftDetectionStatus" {
					polls++
					if call.Input.Get("StackDriftDetectionId") != "drift-1" {
						t.Errorf("polled detection %q, want drift-1", call.Input.Get("StackDriftDetectionId"))
					}
				}
			}
			if polls != tt.polls || time.Duration(c.slept.Load()) != time.Duration(max(tt.polls-1, 0))*5*time.Second {
				t.Errorf("polled %d times, slept %s; want %d polls 5s apart", polls, time.Duration(c.slept.Load()), tt.polls)
			}
		})
	}
}

func TestCheckEndpoint(t *testing.T) {
	const usWest2 = `,"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]`
	invokerInOpenStatement := strings.Replace(
		strings.Replace(livePolicy, `"Principal":{"AWS":"`+invokerRole+`"}`, `"Principal":{"AWS":"`+clientRole+`"}`, 1),
		`"Principal":{"AWS":["`+accessRole+`","`+clientRole+`"]}`, `"Principal":{"AWS":["`+accessRole+`","`+invokerRole+`"]}`, 1)
	tests := []struct {
		name             string
		endpoint         fakeaws.Reply
		template         fakeaws.Reply // default: testdata/template.json
		outputs          map[string]string
		want             want
		notWantInDetails []string
	}{
		{"as deployed", endpoint("available", true, livePolicy), fakeaws.Reply{}, nil,
			want{pass, "vpce-0123456789abcdef0: available, private DNS on; the policy admits 3 principals to the 5 configured model ARNs, " +
				"as configured and as in the deployed template", ""}, nil},
		{"URL-encoded policy", endpoint("available", true, strings.NewReplacer(`{`, "%7B", `"`, "%22", `:`, "%3A").Replace(livePolicy)),
			fakeaws.Reply{}, nil, want{pass, "as configured and as in the deployed template", ""}, nil},
		{"pending", endpoint("pending", true, livePolicy), fakeaws.Reply{}, nil, want{fail, "vpce-0123456789abcdef0: state pending", "undo the change"}, nil},
		{"private DNS off", endpoint("available", false, livePolicy), fakeaws.Reply{}, nil,
			want{fail, "private DNS is off: clients in the VPC reach the public bedrock-runtime endpoint instead",
				"if environments.json changed since the last deployment, deploy it (npm run cdk -- deploy -c env=dev private-bedrock-dev)"}, nil},
		{"a principal added", endpoint("available", true, strings.Replace(livePolicy, `"`+clientRole+`","`+accessRole+`"]`,
			`"`+clientRole+`","`+accessRole+`","arn:aws:iam::111111111111:role/Intruder"]`, 1)), fakeaws.Reply{}, nil,
			want{fail, "the policy admits principals the configuration does not list: arn:aws:iam::111111111111:role/Intruder; " +
				"statement ApplyTheGuardrail differs from the deployed template's", "the EndpointChanges alert names the caller"}, nil},
		{"everyone admitted", endpoint("available", true, strings.Replace(livePolicy, `"Principal":{"AWS":"`+invokerRole+`"}`, `"Principal":"*"`, 1)),
			fakeaws.Reply{}, nil, want{fail, "the policy admits principals the configuration does not list: *", ""}, []string{"does not admit"}},
		{"a model removed", endpoint("available", true, strings.Replace(livePolicy, usWest2, "]", 1)), fakeaws.Reply{}, nil,
			want{fail, "statement InvokeNamedModelsWithTheGuardrail does not name the configured models " +
				"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0", ""}, nil},
		{"deny", endpoint("available", true, strings.ReplaceAll(livePolicy, `"Effect":"Allow"`, `"Effect":"Deny"`)), fakeaws.Reply{}, nil,
			want{fail, "statement ApplyTheGuardrail has effect Deny, the configuration says Allow", ""}, nil},
		{"every action", endpoint("available", true, strings.Replace(livePolicy, `"Action":"bedrock:ApplyGuardrail"`, `"Action":"bedrock:*"`, 1)),
			fakeaws.Reply{}, nil, want{fail, "statement ApplyTheGuardrail covers more than the stack's do (bedrock:*)", ""}, nil},
		{"principals moved between statements", endpoint("available", true, invokerInOpenStatement), fakeaws.Reply{}, nil,
			want{fail, "vpce-0123456789abcdef0: statement InvokeNamedModelsByNamedPrincipals differs from the deployed template's; " +
				"statement InvokeNamedModelsWithTheGuardrail differs from the deployed template's", ""}, []string{"configuration"}},
		{"template beyond the resolver", endpoint("available", true, livePolicy),
			templateWith(t, `"arn:aws:iam::111111111111:role/ReportingApp", {"Fn::GetAtt"`, `{"Fn::ImportValue": "shared-role"}, {"Fn::GetAtt"`), nil,
			want{warn, `as configured; not compared with the deployed template: cannot resolve {"Fn::ImportValue":"shared-role"}`,
				"compare the policy with the stack's template by hand"}, nil},
		{"template not readable", endpoint("available", true, livePolicy),
			fakeaws.Error(403, "AccessDenied", "not authorized to perform: cloudformation:GetTemplate"), nil,
			want{fail, "vpce-0123456789abcdef0: the deployed template: could not check: AccessDenied", "verify needs cloudformation:GetTemplate"}, nil},
		{"deleted", fakeaws.Error(400, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist"),
			fakeaws.Reply{}, nil, want{fail, "vpce-0123456789abcdef0: no such endpoint", "DeleteVpcEndpoints"}, nil},
		{"no output", endpoint("available", true, livePolicy), fakeaws.Reply{}, map[string]string{outputInvokerRole: invokerRole},
			want{fail, "the stack has no output BedrockRuntimeEndpointId", "deploy it again"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			healthy(t, f)
			f.Answer("ec2", "DescribeVpcEndpoints", tt.endpoint)
			if given(tt.template) {
				f.Answer("cloudformation", "GetTemplate", tt.template)
			}
			d := deployed(t, f, testEnv(t))
			if tt.outputs != nil {
				d.outputs = tt.outputs
			}
			row := checkEndpoint(context.Background(), ec2.NewFromConfig(awsConfig(f)), testEnv(t), d)
			expect(t, row, tt.want)
			for _, s := range tt.notWantInDetails {
				if strings.Contains(row.Detail, s) {
					t.Errorf("detail says %q: %s", s, row.Detail)
				}
			}
		})
	}
}

func TestCheckDefaultSecurityGroup(t *testing.T) {
	const allOut = "<item><ipProtocol>-1</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item>"
	tests := []struct {
		name  string
		reply fakeaws.Reply
		want
	}{
		{"no rules", defaultGroup(""), want{pass, "sg-0default of vpc-0a1b2c3d4e5f6a7b8: no inbound or outbound rules", ""}},
		{"EC2's default egress rule", defaultGroup(allOut), want{fail, "sg-0default of vpc-0a1b2c3d4e5f6a7b8 has 0 inbound and 1 outbound rules",
			"revoke them (aws ec2 revoke-security-group-ingress and revoke-security-group-egress --group-id sg-0default)"}},
		{"no group", fakeaws.OK("<securityGroupInfo/>"), want{fail, "vpc-0a1b2c3d4e5f6a7b8 has no default security group", "DeleteVpc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("ec2", "DescribeSecurityGroups", tt.reply)
			expect(t, checkDefaultSecurityGroup(context.Background(), ec2.NewFromConfig(awsConfig(f)), &deployment{outputs: outputs}), tt.want)
			in := f.Calls()[0].Input
			if in.Get("Filter.1.Name") != "vpc-id" || in.Get("Filter.1.Value.1") != vpcID || in.Get("Filter.2.Name") != "group-name" || in.Get("Filter.2.Value.1") != "default" {
				t.Errorf("filters = %v, want the VPC's group named default", in)
			}
		})
	}
}

func TestCheckLogging(t *testing.T) {
	const restore = "put the stack's back with aws bedrock put-model-invocation-logging-configuration --region us-east-1"
	tests := []struct {
		name     string
		reply    fakeaws.Reply
		template fakeaws.Reply
		want
	}{
		{"the stack's", loggingConfig(logBucket, "bedrock-invocation-logs", true, deliveryRoleArn), fakeaws.Reply{},
			want{pass, "the stack's: log group /private-bedrock-dev/bedrock-model-invocations, bucket " + logBucket +
				" under bedrock-invocation-logs/, delivery of text", ""}},
		{"none", fakeaws.OK(`{}`), fakeaws.Reply{}, want{fail, "no model invocation logging configuration in us-east-1: no call is logged", restore}},
		{"changed", loggingConfig("org-bedrock-logs", "bedrock", false, deliveryRoleArn), fakeaws.Reply{},
			want{fail, "cloudWatchConfig.largeDataDeliveryS3Config.bucketName is org-bedrock-logs, the stack puts " + logBucket +
				"; cloudWatchConfig.largeDataDeliveryS3Config.keyPrefix is bedrock/large-data, the stack puts bedrock-invocation-logs/large-data; " +
				"s3Config.bucketName is org-bedrock-logs, the stack puts " + logBucket + "; s3Config.keyPrefix is bedrock, the stack puts " +
				"bedrock-invocation-logs; textDataDeliveryEnabled is false, the stack puts true", "the InvocationLoggingChanges alert names the caller"}},
		{"another delivery role", loggingConfig(logBucket, "bedrock-invocation-logs", true, "arn:aws:iam::111111111111:role/Other"), fakeaws.Reply{},
			want{fail, "cloudWatchConfig.roleArn is arn:aws:iam::111111111111:role/Other, the stack puts " + deliveryRoleArn, restore}},
		{"S3 only", fakeaws.OK(`{"loggingConfig":{"s3Config":{"bucketName":"` + logBucket + `","keyPrefix":"bedrock-invocation-logs"},"textDataDeliveryEnabled":true}}`),
			fakeaws.Reply{}, want{fail, "cloudWatchConfig.logGroupName is not set, the stack puts /private-bedrock-dev/bedrock-model-invocations", restore}},
		{"role not readable", loggingConfig(logBucket, "bedrock-invocation-logs", true, deliveryRoleArn),
			fakeaws.Error(403, "AccessDenied", "not authorized to perform: cloudformation:GetTemplate"),
			want{warn, "delivery of text; the delivery role was not compared: operation error CloudFormation: GetTemplate", "see the Endpoint row"}},
		{"access denied", fakeaws.Error(403, "AccessDeniedException", "not authorized"), fakeaws.Reply{},
			want{fail, "could not check: AccessDeniedException", "verify needs bedrock:GetModelInvocationLoggingConfiguration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			healthy(t, f)
			f.Answer("bedrock", "GetModelInvocationLoggingConfiguration", tt.reply)
			if given(tt.template) {
				f.Answer("cloudformation", "GetTemplate", tt.template)
			}
			expect(t, checkLogging(context.Background(), bedrock.NewFromConfig(awsConfig(f)), testEnv(t), deployed(t, f, testEnv(t))), tt.want)
		})
	}
}

func TestCheckEnforcedGuardrail(t *testing.T) {
	const ours = "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123def456 version 1"
	tests := []struct {
		name  string
		reply fakeaws.Reply
		want
	}{
		{"the stack's", enforced("ACCOUNT", guardrailArn, "1"), want{pass, "the account enforces the stack's guardrail, " + ours, ""}},
		{"another version", enforced("ACCOUNT", guardrailArn, "2"),
			want{fail, "the account enforces " + guardrailArn + " version 2, not the stack's guardrail, " + ours, "enforce " + ours + " again"}},
		{"none", fakeaws.OK(`{"guardrailsConfig":[]}`),
			want{fail, "the account enforces no guardrail in us-east-1: calls that do not name the guardrail go unguarded", "the GuardrailChanges alert"}},
		{"the organisation's only", enforced("ORGANIZATION", "arn:aws:bedrock:us-east-1:999999999999:guardrail/central", "3"),
			want{fail, "the account enforces no guardrail in us-east-1", ""}},
		{"access denied", fakeaws.Error(403, "AccessDeniedException", "not authorized"),
			want{fail, "could not check: AccessDeniedException", "verify needs bedrock:ListEnforcedGuardrailsConfiguration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("bedrock", "ListEnforcedGuardrailsConfiguration", tt.reply)
			expect(t, checkEnforcedGuardrail(context.Background(), bedrock.NewFromConfig(awsConfig(f)), testEnv(t), &deployment{outputs: outputs}), tt.want)
		})
	}
}

func TestCheckAlarms(t *testing.T) {
	tests := []struct {
		name    string
		replies []fakeaws.Reply
		want
	}{
		{"all there", []fakeaws.Reply{alarms(allAlarms, topic)}, want{pass, "all 8 alarms the configuration implies exist and notify the alert topic", ""}},
		{"throttled, then answered", []fakeaws.Reply{fakeaws.Error(400, "Throttling", "Rate exceeded"), alarms(allAlarms, topic)}, want{pass, "all 8 alarms", ""}},
		{"one deleted", []fakeaws.Reply{alarms(slices.DeleteFunc(slices.Clone(allAlarms), func(a string) bool { return a == "PromptAttacks" }), topic)},
			want{fail, "of the 8 alarms private-bedrock-dev-<name> the configuration implies, missing: PromptAttacks", "CloudTrail: DeleteAlarms"}},
		{"notifying elsewhere", []fakeaws.Reply{alarms(allAlarms, "arn:aws:sns:us-east-1:111111111111:other")},
			want{fail, "not notifying the alert topic: GuardrailInterventions, PromptAttacks", "deploy it (npm run cdk -- deploy"}},
		{"access denied", []fakeaws.Reply{fakeaws.Error(403, "AccessDenied", "not authorized")}, want{fail, "could not check: AccessDenied", "verify needs cloudwatch:DescribeAlarms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Handle("monitoring", "DescribeAlarms", sequence(tt.replies...))
			expect(t, checkAlarms(context.Background(), cloudwatch.NewFromConfig(awsConfig(f)), testEnv(t), &deployment{stack: stackName, outputs: outputs}), tt.want)
			if got := f.Calls()[0].Input.Get("AlarmNamePrefix"); got != stackName+"-" {
				t.Errorf("AlarmNamePrefix = %q, want %s-", got, stackName)
			}
		})
	}
}

func TestCheckTestCalls(t *testing.T) {
	const secondAuthorization = "us.anthropic.claude-3-5-haiku-20241022-v1:0: answered through the endpoint (stop reason end_turn); " +
		"Bedrock's second authorization, of the model in the destination region, passed with the role's aws:SourceVpce condition " +
		"(AWS does not document whether aws:SourceVpce is present there)"
	healthyReplies := map[string]fakeaws.Reply{haiku: answered("req-haiku-1", false), profileID: answered("req-profile-1", false), unlisted: accessDenied(unlisted)}
	with := func(model string, r fakeaws.Reply) map[string]fakeaws.Reply {
		m := maps.Clone(healthyReplies)
		m[model] = r
		return m
	}
	tests := []struct {
		name    string
		replies map[string]fakeaws.Reply
		deny    bool
		rows    []want
		traced  string // the request ID of the call checkDelivery looks for
	}{
		{"as it should", healthyReplies, false, []want{
			{pass, haiku + ": answered through the endpoint (stop reason end_turn)", ""},
			{pass, secondAuthorization, ""},
			{pass, unlisted + ": refused with access denied: the endpoint and the role admit only the configured models", ""},
		}, "req-haiku-1"},
		{"guardrail intervened", with(haiku, answered("req-haiku-1", true)), false, []want{
			{pass, haiku + ": the guardrail intervened (input: contentPolicy PROMPT_ATTACK BLOCKED), so the call went through the endpoint", ""},
			{pass, secondAuthorization, ""}, {pass, "refused with access denied", ""},
		}, "req-haiku-1"},
		{"model denied", with(haiku, accessDenied(haiku)), false, []want{
			{fail, haiku + `: Bedrock refused the call: access denied invoking model "` + haiku + `" (request id req-denied)`,
				"the Endpoint row compares the endpoint policy, and npm run preflight -- dev checks the account's model access"},
			{pass, secondAuthorization, ""}, {pass, "refused with access denied", ""},
		}, "req-profile-1"},
		{"deny test", map[string]fakeaws.Reply{haiku: accessDenied(haiku), profileID: accessDenied(profileID), unlisted: accessDenied(unlisted)}, true, []want{
			{fail, "Bedrock refused the call", "expected: endpointPolicyEffect is Deny"},
			{fail, "Bedrock refused the call", "expected: endpointPolicyEffect is Deny"},
			{pass, "refused with access denied", ""},
		}, ""},
		{"function deployed with other models", with(profileID, notAllowed(profileID)), false, []want{
			{pass, "answered", ""},
			{fail, profileID + ": the test function does not accept it: model", "deploy the configuration, which gives the function its models: npm run cdk -- deploy"},
			{pass, "refused with access denied", ""},
		}, "req-haiku-1"},
		{"throttled by Bedrock", with(haiku, failed("bedrockError", `bedrock throttled model "x" after 4 attempts with ThrottlingException`)), false, []want{
			{fail, haiku + ": the test function failed: bedrock throttled", "read the function's log group /private-bedrock-dev/invoker"},
			{pass, "answered", ""}, {pass, "refused", ""},
		}, "req-profile-1"},
		{"unlisted model refused by a test function that predates expectDenied", with(unlisted, notAllowed(unlisted)), false, []want{
			{pass, "answered", ""}, {pass, "answered", ""},
			{fail, unlisted + ": the test function refused the verification call itself", "deploy the current stack"},
		}, "req-haiku-1"},
		{"unlisted model answered", with(unlisted, answered("req-opus-1", false)), false, []want{
			{pass, "answered", ""}, {pass, "answered", ""},
			{fail, unlisted + ": the call went through: the endpoint and the function's role admit a model the configuration does not list", "undo the change"},
		}, "req-haiku-1"},
		{"unlisted model failing otherwise", with(unlisted, failed("runtime.ExitError", "Runtime exited with error: signal: killed")), false, []want{
			{pass, "answered", ""}, {pass, "answered", ""},
			{fail, unlisted + ": the test function failed: Runtime exited with error", "then run verify again"},
		}, "req-haiku-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Handle("lambda", "Invoke", byModel(t, tt.replies))
			env := testEnv(t)
			if tt.deny {
				env.EndpointPolicyEffect = "Deny"
			}
			before := time.Now()
			rows, call := checkTestCalls(context.Background(), lambda.NewFromConfig(awsConfig(f)), env, &deployment{env: env, stack: stackName, outputs: outputs})
			if len(rows) != len(tt.rows) {
				t.Fatalf("%d rows, want %d: %v", len(rows), len(tt.rows), rows)
			}
			for i, w := range tt.rows {
				expect(t, rows[i], w)
			}
			switch {
			case tt.traced == "" && call != nil:
				t.Errorf("traced call %+v, want none", call)
			case tt.traced != "" && (call == nil || call.requestID != tt.traced):
				t.Errorf("traced call %+v, want request %s", call, tt.traced)
			case call != nil && (call.since.Before(before.Add(-2*time.Second)) || call.since.After(time.Now())):
				t.Errorf("call started %s, want between %s and now, by the server's clock", call.since, before)
			}
		})
	}
}

func TestUnlistedModelIsNotConfigured(t *testing.T) {
	f := fakeaws.New(t)
	f.Handle("lambda", "Invoke", byModel(t, map[string]fakeaws.Reply{"amazon.titan-text-express-v1": accessDenied("amazon.titan-text-express-v1")}))
	env := testEnv(t)
	env.Models = append(env.Models, unlisted)
	expect(t, unlistedModelRow(context.Background(), lambda.NewFromConfig(awsConfig(f)), env, functionName, "/x/invoker"),
		want{pass, "amazon.titan-text-express-v1: refused with access denied", ""})

	env.Models = append(env.Models, unlistedModels...)
	expect(t, unlistedModelRow(context.Background(), lambda.NewFromConfig(awsConfig(f)), env, functionName, "/x/invoker"),
		want{warn, "every candidate (" + strings.Join(unlistedModels, ", ") + ") is configured: no call was made", "nothing to do"})
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestInvokeNotAllowed(t *testing.T) {
	f := fakeaws.New(t)
	f.Answer("lambda", "Invoke", fakeaws.Error(403, "AccessDeniedException", "User is not authorized to perform: lambda:InvokeFunction"))
	rows, call := checkTestCalls(context.Background(), lambda.NewFromConfig(awsConfig(f)), testEnv(t), &deployment{stack: stackName, outputs: outputs})
	expect(t, rows[0], want{fail, haiku + ": could not check: AccessDeniedException", "verify needs lambda:InvokeFunction: allow it"})
	if call != nil {
		t.Errorf("traced call %+v, want none", call)
	}
}

func TestCheckDelivery(t *testing.T) {
	// Half a minute before the hour: a record delivered in the next hour lies under the next hour's prefix.
	since := time.Date(2030, 1, 1, 10, 59, 30, 0, time.UTC)
	call := &testCall{modelID: haiku, requestID: "req-haiku-1", since: since}
	const hour10, hour11 = logBase + "2030/01/01/10/", logBase + "2030/01/01/11/"
	empty := fakeaws.OK(`<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`)
	listed := func(key, modified string) fakeaws.Reply {
		return fakeaws.OK(`<ListBucketResult><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated><Contents><Key>` + key +
			`</Key><LastModified>` + modified + `</LastModified><Size>2048</Size></Contents></ListBucketResult>`)
	}
	// buckets answers by bucket and prefix; any other listing is empty.
	buckets := func(replies map[string]fakeaws.Reply) fakeaws.Handler {
		return func(c fakeaws.Call) fakeaws.Reply {
			if r, ok := replies[c.Input.Get("Bucket")+" "+c.Input.Get("prefix")]; ok {
				return r
			}
			return empty
		}
	}
	delivered := map[string]fakeaws.Reply{
		logBucket + " " + hour10:         listed(hour10+logObject, "2030-01-01T11:00:05.000Z"),
		vault + " " + hour10 + logObject: listed(hour10+logObject, "2030-01-01T11:00:09.000Z"),
	}
	tests := []struct {
		name    string
		lock    bool
		logs    fakeaws.Handler
		objects fakeaws.Handler
		rows    []want
		slept   time.Duration
	}{
		{"at once", false, sequence(logEvents(1)), buckets(delivered), []want{
			{pass, "/private-bedrock-dev/bedrock-model-invocations: the record of request req-haiku-1 (" + haiku + ")", ""},
			{pass, "in bucket " + logBucket + " under bedrock-invocation-logs/: " + logObject + ", written after the call", ""},
			{pass, "in vault " + vault + ": " + logObject + ", the Object Lock copy of the delivered object", ""},
		}, 0},
		{"into a locked bucket", true, sequence(logEvents(1)), buckets(delivered), []want{
			{pass, "the record of request", ""},
			{pass, "written after the call; the bucket has a default Object Lock retention, so this proves Bedrock delivers into a locked bucket", ""},
			{pass, "the Object Lock copy", ""},
		}, 0},
		{"after a while, in the next hour", false, sequence(logEvents(0), logEvents(0), logEvents(1)), buckets(map[string]fakeaws.Reply{
			logBucket + " " + hour11:         listed(hour11+logObject, "2030-01-01T11:00:20.000Z"),
			vault + " " + hour11 + logObject: listed(hour11+logObject, "2030-01-01T11:00:25.000Z"),
		}), []want{{pass, "the record of request", ""}, {pass, logObject + ", written after the call", ""}, {pass, "the Object Lock copy", ""}}, 90 * time.Second},
		{"nothing arrives", true, sequence(logEvents(0)), buckets(nil), []want{
			{fail, "/private-bedrock-dev/bedrock-model-invocations: no record of request req-haiku-1 (" + haiku + ") within 1m30s",
				"run verify again with a longer -wait"},
			{fail, "in bucket " + logBucket + ", no object under " + logBase + " written since the call, within 1m30s",
				"set invocationLogging.objectLockOnDeliveryBucket to false and deploy"},
			{fail, "no delivered object to look for", "see the Delivered object row"},
		}, 180 * time.Second},
		{"only an older object", false, sequence(logEvents(1)), buckets(map[string]fakeaws.Reply{
			logBucket + " " + hour10: listed(hour10+"1893495000_older.json.gz", "2030-01-01T10:50:00.000Z"),
		}), []want{{pass, "the record of request", ""}, {fail, "no object under", "BedrockWritesUnderPrefix"}, {fail, "no delivered object to look for", ""}}, 90 * time.Second},
		{"not replicated", false, sequence(logEvents(1)), buckets(map[string]fakeaws.Reply{logBucket + " " + hour10: delivered[logBucket+" "+hour10]}),
			[]want{{pass, "the record of request", ""}, {pass, "written after the call", ""},
				{fail, "in vault " + vault + ", no copy of " + logObject + " within 1m30s", "replication rule LockedCopyInVault"}}, 90 * time.Second},
		{"not allowed", false, sequence(fakeaws.Error(400, "AccessDeniedException", "not authorized")),
			func(fakeaws.Call) fakeaws.Reply { return fakeaws.Error(403, "AccessDenied", "Access Denied") }, []want{
				{fail, "/private-bedrock-dev/bedrock-model-invocations: could not check: AccessDeniedException", "verify needs logs:FilterLogEvents"},
				{fail, "bucket " + logBucket + ": could not check: AccessDenied: Access Denied", "verify needs s3:ListBucket"},
				{fail, "no delivered object to look for", ""},
			}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Handle("logs", "FilterLogEvents", tt.logs)
			f.Handle("s3", "ListObjectsV2", tt.objects)
			env := testEnv(t)
			env.InvocationLogging.ObjectLockOnDeliveryBucket = tt.lock
			var c clock
			cfg := awsConfig(f)
			rows := checkDelivery(context.Background(), cloudwatchlogs.NewFromConfig(cfg), s3.NewFromConfig(cfg), env,
				&deployment{outputs: outputs}, call, c.waiter(90*time.Second, 30*time.Second))
			if len(rows) != len(tt.rows) {
				t.Fatalf("%d rows, want %d: %v", len(rows), len(tt.rows), rows)
			}
			for i, w := range tt.rows {
				expect(t, rows[i], w)
			}
			if got := time.Duration(c.slept.Load()); got != tt.slept {
				t.Errorf("slept %s, want %s", got, tt.slept)
			}
			for _, c := range f.Calls() {
				if c.Operation == "FilterLogEvents" && (c.Input.Get("logGroupName") != logGroup ||
					c.Input.Get("filterPattern") != `{ $.requestId = "req-haiku-1" }` || c.Input.Get("startTime") != "1893495510000") {
					t.Errorf("FilterLogEvents %v, want the record by request ID from a minute before the call", c.Input)
				}
			}
		})
	}
}

func TestCheckDeliveryWithoutCall(t *testing.T) {
	rows := checkDelivery(context.Background(), nil, nil, testEnv(t), &deployment{outputs: outputs}, nil, waiter{})
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	expect(t, rows[0], want{fail, "no test call went through, so there is no record to look for", "fix what the Test call rows say"})
}

func TestWaiter(t *testing.T) {
	tests := []struct {
		name              string
		timeout, interval time.Duration
		doneAt            int // the try that finds it; 0 never
		found             bool
		tries             int
		slept             time.Duration
	}{
		{"found at once", time.Minute, 10 * time.Second, 1, true, 1, 0},
		{"found on the third try", time.Minute, 10 * time.Second, 3, true, 3, 20 * time.Second},
		{"never found", 25 * time.Second, 10 * time.Second, 0, false, 3, 20 * time.Second},
		{"no time to wait", 0, 10 * time.Second, 0, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c clock
			tries := 0
			var waited []time.Duration
			found, err := c.waiter(tt.timeout, tt.interval).poll(context.Background(), func(w time.Duration) (bool, error) {
				tries++
				waited = append(waited, w)
				return tries == tt.doneAt, nil
			})
			if found != tt.found || err != nil || tries != tt.tries || time.Duration(c.slept.Load()) != tt.slept {
				t.Errorf("found %v, %v after %d tries and %s; want %v after %d and %s", found, err, tries, time.Duration(c.slept.Load()), tt.found, tt.tries, tt.slept)
			}
			if waited[len(waited)-1] != tt.slept {
				t.Errorf("try saw waited %v, want the time slept before it", waited)
			}
		})
	}

	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		found, err := waiter{timeout: time.Minute, interval: time.Second, sleep: sleep}.poll(ctx, func(time.Duration) (bool, error) { return false, nil })
		if found || !errors.Is(err, context.Canceled) {
			t.Errorf("found %v, %v; want context.Canceled", found, err)
		}
	})
}

func TestConcurrentlyKeepsTheOrder(t *testing.T) {
	second := make(chan struct{})
	rows := concurrently(
		func() []checklist.Row { <-second; return []checklist.Row{checklist.Pass("first", "")} },
		func() []checklist.Row {
			defer close(second)
			return []checklist.Row{checklist.Pass("second", ""), checklist.Pass("third", "")}
		},
		func() []checklist.Row { return nil },
	)
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"first", "second", "third"}) {
		t.Errorf("rows %v, want first, second, third", names)
	}
}
