package main

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// The account the test environment (testdata/environments.json, "dev") deploys to, and what a healthy
// account answers.
const (
	account   = "111111111111"
	region    = "us-east-1"
	callerArn = "arn:aws:sts::111111111111:assumed-role/PlatformDeployer/preflight"
	haiku     = "anthropic.claude-3-haiku-20240307-v1:0"
	profileID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
	profiled  = "anthropic.claude-3-5-haiku-20241022-v1:0"
)

var zoneIDs = map[string]string{"us-east-1a": "use1-az6", "us-east-1b": "use1-az1", "us-east-1c": "use1-az2"}

func testEnv(t *testing.T) config.Environment { return checklisttest.Environment(t, "dev") }

// healthy registers the answers of an account where every check passes; a test replaces one to break it.
func healthy(f *fakeaws.Server) {
	f.Answer("sts", "GetCallerIdentity", caller(account))
	f.Answer("cloudformation", "DescribeStacks", toolkit("UPDATE_COMPLETE", "29"))
	f.Answer("ec2", "DescribeAvailabilityZones", zones(zoneIDs, nil))
	f.Handle("ec2", "DescribeVpcEndpointServices", endpointServices(map[string][]string{
		"bedrock":         {"us-east-1a", "us-east-1b", "us-east-1c"},
		"bedrock-runtime": {"us-east-1a", "us-east-1b", "us-east-1c"},
		"ec2":             {"us-east-1a", "us-east-1b", "us-east-1c"},
		"lambda":          {"us-east-1a", "us-east-1b", "us-east-1c"},
		"logs":            {"us-east-1a", "us-east-1b", "us-east-1c"},
		"sts":             {"us-east-1a", "us-east-1b", "us-east-1c"},
	}))
	f.Answer("bedrock", "GetFoundationModel", foundationModel("ON_DEMAND", "ACTIVE"))
	f.Answer("bedrock", "GetFoundationModelAvailability", availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE"))
	f.Answer("bedrock", "GetInferenceProfile", inferenceProfile("us-east-1", "us-east-2", "us-west-2"))
	f.Answer("bedrock", "GetModelInvocationLoggingConfiguration", fakeaws.OK(`{}`))
	f.Answer("lambda", "GetAccountSettings", accountSettings(1000, 1000))
	f.Answer("cloudtrail", "DescribeTrails", trails(`{"Name":"management","TrailARN":"arn:aws:cloudtrail:us-east-1:111111111111:trail/management",`+
		`"HomeRegion":"us-east-1","IsMultiRegionTrail":true,"IsOrganizationTrail":false}`))
	f.Answer("cloudtrail", "GetTrailStatus", fakeaws.OK(`{"IsLogging":true}`))
	f.Answer("cloudtrail", "GetEventSelectors", fakeaws.OK(`{"EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true}]}`))
}

func caller(account string) fakeaws.Reply { return checklisttest.Caller(account, "preflight") }

func toolkit(status, version string) fakeaws.Reply {
	outputs := ""
	if version != "" {
		outputs = "<Outputs><member><OutputKey>BootstrapVersion</OutputKey><OutputValue>" + version + "</OutputValue></member></Outputs>"
	}
	// Bootstrapped for the test configuration's pipeline, with the project's execution policy.
	parameters := "<Parameters><member><ParameterKey>TrustedAccounts</ParameterKey><ParameterValue>555555555555</ParameterValue></member>" +
		"<member><ParameterKey>CloudFormationExecutionPolicies</ParameterKey><ParameterValue>arn:aws:iam::111111111111:policy/private-bedrock-cfn-execution</ParameterValue></member></Parameters>"
	return fakeaws.OK("<Stacks><member><StackName>CDKToolkit</StackName><CreationTime>2025-01-06T10:00:00Z</CreationTime>" +
		"<StackStatus>" + status + "</StackStatus>" + parameters + outputs + "</member></Stacks>")
}

// zones answers DescribeAvailabilityZones with the zones, name to ID, available unless states says
// otherwise, plus an opted-in Local Zone that must not count.
func zones(ids map[string]string, states map[string]string) fakeaws.Reply {
	var b strings.Builder
	b.WriteString("<availabilityZoneInfo>")
	for _, name := range slices.Sorted(maps.Keys(ids)) {
		state := "available"
		if s, ok := states[name]; ok {
			state = s
		}
		fmt.Fprintf(&b, "<item><zoneName>%s</zoneName><zoneId>%s</zoneId><zoneState>%s</zoneState>"+
			"<zoneType>availability-zone</zoneType><regionName>us-east-1</regionName></item>", name, ids[name], state)
	}
	b.WriteString("<item><zoneName>us-east-1-bos-1a</zoneName><zoneId>use1-bos1-az1</zoneId><zoneState>available</zoneState>" +
		"<zoneType>local-zone</zoneType><regionName>us-east-1</regionName></item>")
	b.WriteString("</availabilityZoneInfo>")
	return fakeaws.OK(b.String())
}

// endpointServices answers DescribeVpcEndpointServices like EC2: only the services the service-name
// filter asks for, and only those the region offers.
func endpointServices(offered map[string][]string) fakeaws.Handler {
	return func(c fakeaws.Call) fakeaws.Reply {
		filters := map[string][]string{}
		for i := 1; c.Input.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
			filters[c.Input.Get(fmt.Sprintf("Filter.%d.Name", i))] = values(c.Input, fmt.Sprintf("Filter.%d.Value", i))
		}
		var b strings.Builder
		b.WriteString("<serviceDetailSet>")
		for _, short := range slices.Sorted(maps.Keys(offered)) {
			name := "com.amazonaws.us-east-1." + short
			if !slices.Contains(filters["service-name"], name) || !slices.Contains(filters["service-type"], "Interface") {
				continue
			}
			fmt.Fprintf(&b, "<item><serviceName>%s</serviceName><serviceType><item><serviceType>Interface</serviceType></item>"+
				"</serviceType><availabilityZoneSet>", name)
			for _, z := range offered[short] {
				fmt.Fprintf(&b, "<item>%s</item>", z)
			}
			b.WriteString("</availabilityZoneSet></item>")
		}
		b.WriteString("</serviceDetailSet>")
		return fakeaws.OK(b.String())
	}
}

func foundationModel(inferenceType, lifecycle string) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf(`{"modelDetails":{"modelId":%q,"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/%[1]s",`+
		`"inferenceTypesSupported":[%q],"modelLifecycle":{"status":%q}}}`, haiku, inferenceType, lifecycle))
}

func availability(authorization, entitlement, regionAvailability, agreement string) fakeaws.Reply {
	agreementJSON := ""
	if agreement != "" {
		agreementJSON = fmt.Sprintf(`"agreementAvailability":{"status":%q},`, agreement)
	}
	return fakeaws.OK(fmt.Sprintf(`{%s"authorizationStatus":%q,"entitlementAvailability":%q,"regionAvailability":%q}`,
		agreementJSON, authorization, entitlement, regionAvailability))
}

func inferenceProfile(regions ...string) fakeaws.Reply {
	var models []string
	for _, r := range regions {
		models = append(models, fmt.Sprintf(`{"modelArn":"arn:aws:bedrock:%s::foundation-model/%s"}`, r, profiled))
	}
	return fakeaws.OK(fmt.Sprintf(`{"inferenceProfileId":%q,"inferenceProfileName":"US Claude 3.5 Haiku",`+
		`"inferenceProfileArn":"arn:aws:bedrock:us-east-1:111111111111:inference-profile/%[1]s","status":"ACTIVE",`+
		`"type":"SYSTEM_DEFINED","models":[%s]}`, profileID, strings.Join(models, ",")))
}

func accountSettings(quota, unreserved int) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf(`{"AccountLimit":{"ConcurrentExecutions":%d,"UnreservedConcurrentExecutions":%d,`+
		`"CodeSizeUnzipped":262144000,"CodeSizeZipped":52428800,"TotalCodeSize":80530636800},"AccountUsage":{"FunctionCount":3}}`,
		quota, unreserved))
}

func trails(list ...string) fakeaws.Reply {
	return fakeaws.OK(`{"trailList":[` + strings.Join(list, ",") + `]}`)
}

// values are the members of an EC2 query list, e.g. Filter.1.Value.1, Filter.1.Value.2.
func values(input url.Values, prefix string) []string {
	var vs []string
	for i := 1; input.Has(fmt.Sprintf("%s.%d", prefix, i)); i++ {
		vs = append(vs, input.Get(fmt.Sprintf("%s.%d", prefix, i)))
	}
	return vs
}
