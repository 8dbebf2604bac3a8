package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

func accessDenied(action string) fakeaws.Reply {
	return fakeaws.Error(403, "AccessDeniedException", "User: "+callerArn+" is not authorized to perform: "+action)
}

// want is what a row must say, written without keys in the tables.
type want checklisttest.Want

const pass, warn, fail = checklist.OK, checklist.Warning, checklist.Failure

var expect = checklisttest.Expect[want]

func TestUncheckedWithoutAnswer(t *testing.T) {
	f := fakeaws.New(t)
	cfg := f.Config(region)
	cfg.BaseEndpoint = aws.String("http://127.0.0.1:1") // nothing listens on port 1
	cfg.RetryMaxAttempts = 1
	row, _ := checkBootstrap(context.Background(), cloudformation.NewFromConfig(cfg), testEnv(t))
	expect(t, row,
		want{fail, "could not check: operation error CloudFormation: DescribeStacks", "no answer the SDK could read came back for " +
			"cloudformation:DescribeStacks: check the network path"})
}

func TestCheckAccount(t *testing.T) {
	tests := []struct {
		name  string
		reply fakeaws.Reply
		want
		sameAccount bool
	}{
		{"the environment's account", caller(account), want{pass, callerArn, ""}, true},
		{"another account", caller("999999999999"), want{fail, "of account 999999999999, but environment dev deploys to account 111111111111",
			"use credentials of account 111111111111, e.g. export AWS_PROFILE=bedrock-dev"}, false},
		{"refused credentials", fakeaws.Error(403, "ExpiredToken", "The security token included in the request is expired"),
			want{fail, "could not check: ExpiredToken: The security token included in the request is expired; the other checks did not run",
				"refresh the credentials"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("sts", "GetCallerIdentity", tt.reply)
			row, same := checkAccount(context.Background(), sts.NewFromConfig(f.Config(region)), testEnv(t))
			expect(t, row, tt.want)
			if same != tt.sameAccount {
				t.Errorf("sameAccount = %v, want %v", same, tt.sameAccount)
			}
		})
	}
}

func TestCheckRegion(t *testing.T) {
	tests := []struct {
		resolved string
		want
	}{
		{"us-east-1", want{pass, "us-east-1, the environment's", ""}},
		{"eu-west-1", want{fail, "AWS_REGION or the profile says eu-west-1, the environment is in us-east-1", "export AWS_REGION=us-east-1"}},
		{"", want{fail, "neither AWS_REGION nor the profile sets a region", "set region = us-east-1 in the profile"}},
	}
	for _, tt := range tests {
		expect(t, checkRegion(tt.resolved, testEnv(t)), tt.want)
	}
}

func TestCheckBootstrap(t *testing.T) {
	const bootstrap = "npm run cdk -- bootstrap aws://111111111111/us-east-1"
	tests := []struct {
		name  string
		reply fakeaws.Reply
		want
	}{
		{"current", toolkit("CREATE_COMPLETE", "29"), want{pass, "CDKToolkit CREATE_COMPLETE, bootstrap version 29", ""}},
		{"oldest accepted version", toolkit("UPDATE_COMPLETE", "6"), want{pass, "bootstrap version 6", ""}},
		{"missing", fakeaws.Error(400, "ValidationError", "Stack with id CDKToolkit does not exist"),
			want{fail, "no CDKToolkit stack in us-east-1", bootstrap}},
		{"too old", toolkit("UPDATE_COMPLETE", "5"), want{fail, "CDKToolkit is bootstrap version 5; the templates need version 6 or later",
			"upgrade it with the pinned CLI: " + bootstrap}},
		{"no version output", toolkit("CREATE_COMPLETE", ""), want{fail, "CDKToolkit has no BootstrapVersion output", bootstrap}},
		{"rolled back update", toolkit("UPDATE_ROLLBACK_COMPLETE", "29"), want{fail, "CDKToolkit is UPDATE_ROLLBACK_COMPLETE",
			"read the stack's events in the CloudFormation console"}},
		{"failed create", toolkit("ROLLBACK_COMPLETE", ""), want{fail, "CDKToolkit is ROLLBACK_COMPLETE", "must be deleted"}},
		{"failed", toolkit("UPDATE_FAILED", "29"), want{fail, "CDKToolkit is UPDATE_FAILED", bootstrap}},
		{"in progress", toolkit("UPDATE_IN_PROGRESS", "29"), want{fail, "CDKToolkit is UPDATE_IN_PROGRESS", "wait for the stack operation to finish"}},
		{"access denied", fakeaws.Error(403, "AccessDenied", "not authorized to perform: cloudformation:DescribeStacks"),
			want{fail, "could not check: AccessDenied: not authorized", "the preflight needs cloudformation:DescribeStacks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("cloudformation", "DescribeStacks", tt.reply)
			row, _ := checkBootstrap(context.Background(), cloudformation.NewFromConfig(f.Config(region)), testEnv(t))
			expect(t, row, tt.want)
			if got := f.Calls()[0].Input.Get("StackName"); got != "CDKToolkit" {
				t.Errorf("StackName = %q, want CDKToolkit", got)
			}
		})
	}
}

func TestCheckPipelineTrust(t *testing.T) {
	pipeline := config.Pipeline{Account: "555555555555"}
	const fix = "npm run cdk -- bootstrap aws://111111111111/us-east-1 --trust 555555555555 --cloudformation-execution-policies arn:aws:iam::111111111111:policy/private-bedrock-cfn-execution"
	stack := func(trusted, policies string) *types.Stack {
		return &types.Stack{Parameters: []types.Parameter{
			{ParameterKey: aws.String("TrustedAccounts"), ParameterValue: aws.String(trusted)},
			{ParameterKey: aws.String("CloudFormationExecutionPolicies"), ParameterValue: aws.String(policies)},
		}}
	}
	own := "arn:aws:iam::111111111111:policy/private-bedrock-cfn-execution"
	tests := []struct {
		name  string
		stack *types.Stack
		want
	}{
		{"trusted, the project's policy", stack("444444444444,555555555555", own), want{pass, "trusts 555555555555; CloudFormation deploys with " + own, ""}},
		{"not trusted", stack("444444444444", own), want{fail, "CDKToolkit does not trust the pipeline's account 555555555555", fix}},
		{"never trusted anyone", stack("", ""), want{fail, "does not trust the pipeline's account 555555555555", fix}},
		{"trusted, AdministratorAccess", stack("555555555555", "arn:aws:iam::aws:policy/AdministratorAccess"), want{warn, "CloudFormation deploys with AdministratorAccess", fix}},
		{"trusted, no policy", stack("555555555555", ""), want{fail, "CloudFormation's execution role has no policy", fix}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, checkPipelineTrust(tt.stack, "private-bedrock", pipeline, testEnv(t)), tt.want)
		})
	}
	// An environment of the tooling account itself needs no trust.
	expect(t, checkPipelineTrust(stack("", ""), "private-bedrock", config.Pipeline{Account: testEnv(t).Account}, testEnv(t)),
		want{pass, "the pipeline runs in this account", ""})
}

func TestCheckZones(t *testing.T) {
	tests := []struct {
		name       string
		configured []string
		reply      fakeaws.Reply
		want
	}{
		{"available", []string{"us-east-1a", "us-east-1b"}, zones(zoneIDs, nil), want{pass, "us-east-1a=use1-az6, us-east-1b=use1-az1", ""}},
		{"no such zone", []string{"us-east-1a", "us-east-1z"}, zones(zoneIDs, nil), want{fail, "us-east-1z does not exist in this account",
			"list available zones of this account in availabilityZones: us-east-1a (use1-az6), us-east-1b (use1-az1), us-east-1c (use1-az2)"}},
		{"impaired zone", []string{"us-east-1a", "us-east-1b"}, zones(zoneIDs, map[string]string{"us-east-1b": "impaired"}),
			want{fail, "us-east-1b (use1-az1) is impaired", "availabilityZones: us-east-1a (use1-az6), us-east-1c (use1-az2)"}},
		{"local zones do not count", []string{"us-east-1a", "us-east-1-bos-1a"}, zones(zoneIDs, nil),
			want{fail, "us-east-1-bos-1a does not exist in this account", "us-east-1c (use1-az2)"}},
		{"unauthorized", []string{"us-east-1a", "us-east-1b"}, fakeaws.Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."),
			want{fail, "could not check: UnauthorizedOperation", "the preflight needs ec2:DescribeAvailabilityZones"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("ec2", "DescribeAvailabilityZones", tt.reply)
			env := testEnv(t)
			env.AvailabilityZones = tt.configured
			row, _ := checkZones(context.Background(), ec2.NewFromConfig(f.Config(region)), env)
			expect(t, row, tt.want)
			if strings.Contains(row.Fix, "bos") {
				t.Errorf("fix suggests a Local Zone: %s", row.Fix)
			}
		})
	}
}

func TestCheckEndpointServices(t *testing.T) {
	all := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	offered := func(changes map[string][]string) map[string][]string {
		m := map[string][]string{}
		for _, s := range []string{"bedrock", "bedrock-runtime", "ec2", "lambda", "logs", "sts"} {
			m[s] = all
		}
		for s, zs := range changes {
			if zs == nil {
				delete(m, s)
				continue
			}
			m[s] = zs
		}
		return m
	}
	known := map[string]zone{"us-east-1a": {"use1-az6", "available"}, "us-east-1b": {"use1-az1", "available"}, "us-east-1c": {"use1-az2", "available"}}
	tests := []struct {
		name    string
		offered map[string][]string
		zones   map[string]zone
		want    map[string]want // by service; every other service passes
	}{
		{"every service in every zone", offered(nil), known, nil},
		{"a service missing from a configured zone", offered(map[string][]string{"bedrock-runtime": {"us-east-1a", "us-east-1c"}}), known,
			map[string]want{"bedrock-runtime": {fail, "bedrock-runtime: not offered in us-east-1b",
				"set availabilityZones to zones that offer every endpoint service: us-east-1a (use1-az6), us-east-1c (use1-az2)"}}},
		{"suggestions without zone IDs when zones are unknown", offered(map[string][]string{"bedrock-runtime": {"us-east-1a", "us-east-1c"}}), nil,
			map[string]want{"bedrock-runtime": {fail, "not offered in us-east-1b", "every endpoint service: us-east-1a, us-east-1c"}}},
		{"suggestions skip unavailable zones", offered(map[string][]string{"logs": {"us-east-1a", "us-east-1c"}}),
			map[string]zone{"us-east-1a": {"use1-az6", "available"}, "us-east-1b": {"use1-az1", "available"}, "us-east-1c": {"use1-az2", "impaired"}},
			map[string]want{"logs": {fail, "logs: not offered in us-east-1b", "fewer than 2 zones of us-east-1 offer every endpoint service (us-east-1a (use1-az6))"}}},
		{"no two zones offer every service", offered(map[string][]string{"bedrock-runtime": {"us-east-1a"}, "logs": {"us-east-1b"}}), known,
			map[string]want{
				"bedrock-runtime": {fail, "not offered in us-east-1b", "fewer than 2 zones of us-east-1 offer every endpoint service (none)"},
				"logs":            {fail, "not offered in us-east-1a", "choose another region"},
			}},
		{"an optional service the region lacks", offered(map[string][]string{"sts": nil}), known,
			map[string]want{"sts": {fail, "sts: not offered in us-east-1", "choose a region that offers com.amazonaws.us-east-1.sts, or remove sts from interfaceEndpoints"}}},
		{"a service the region lacks leaves the suggestions to the others", offered(map[string][]string{"sts": nil, "logs": {"us-east-1a", "us-east-1c"}}), known,
			map[string]want{
				"sts":  {fail, "sts: not offered in us-east-1", "remove sts from interfaceEndpoints"},
				"logs": {fail, "logs: not offered in us-east-1b", "every endpoint service: us-east-1a (use1-az6), us-east-1c (use1-az2)"},
			}},
		{"a required service the region lacks", offered(map[string][]string{"bedrock-runtime": nil}), known,
			map[string]want{"bedrock-runtime": {fail, "bedrock-runtime: not offered in us-east-1", "choose a region that offers com.amazonaws.us-east-1.bedrock-runtime"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Handle("ec2", "DescribeVpcEndpointServices", endpointServices(tt.offered))
			rows := checkEndpointServices(context.Background(), ec2.NewFromConfig(f.Config(region)), testEnv(t), tt.zones)
			services := testEnv(t).InterfaceEndpointServices()
			if len(rows) != len(services) {
				t.Fatalf("got %d rows, want one per service %v", len(rows), services)
			}
			for i, s := range services {
				w, ok := tt.want[s]
				if !ok {
					w = want{pass, s + ": offered in us-east-1a, us-east-1b", ""}
				}
				expect(t, rows[i], w)
			}
			if strings.Contains(rows[0].Fix, "remove bedrock-runtime") {
				t.Errorf("fix offers to remove a required endpoint: %s", rows[0].Fix)
			}
		})
	}

	t.Run("unauthorized", func(t *testing.T) {
		f := fakeaws.New(t)
		f.Answer("ec2", "DescribeVpcEndpointServices", fakeaws.Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."))
		rows := checkEndpointServices(context.Background(), ec2.NewFromConfig(f.Config(region)), testEnv(t), known)
		if len(rows) != 1 {
			t.Fatalf("got %d rows, want 1", len(rows))
		}
		expect(t, rows[0], want{fail, "could not check: UnauthorizedOperation", "the preflight needs ec2:DescribeVpcEndpointServices"})
	})
}

func TestCheckModel(t *testing.T) {
	ok := availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE")
	tests := []struct {
		name                string
		model, availability fakeaws.Reply
		want
	}{
		{"invocable", foundationModel("ON_DEMAND", "ACTIVE"), ok, want{pass, haiku + ": on demand, access authorized", ""}},
		{"no agreement to accept", foundationModel("ON_DEMAND", "ACTIVE"), availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", ""),
			want{pass, "on demand, access authorized", ""}},
		{"unknown model", fakeaws.Error(404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."), ok,
			want{fail, haiku + ": no such model in us-east-1", "aws bedrock list-foundation-models --region us-east-1"}},
		{"inference profile only", foundationModel("INFERENCE_PROFILE", "ACTIVE"), ok, want{fail, "not invocable on demand",
			"invoke it through a cross-region inference profile, e.g. us." + haiku + ", in inferenceProfiles"}},
		{"not in the region", foundationModel("ON_DEMAND", "ACTIVE"), availability("AUTHORIZED", "AVAILABLE", "NOT_AVAILABLE", "AVAILABLE"),
			want{fail, "not available in us-east-1", "choose a model offered in us-east-1"}},
		{"access not authorized", foundationModel("ON_DEMAND", "ACTIVE"), availability("NOT_AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE"),
			want{fail, "access not authorized", "request model access in the Bedrock console"}},
		{"no subscription", foundationModel("ON_DEMAND", "ACTIVE"), availability("AUTHORIZED", "NOT_AVAILABLE", "AVAILABLE", "AVAILABLE"),
			want{fail, "no Marketplace subscription", "aws-marketplace:Subscribe"}},
		{"agreement not accepted", foundationModel("ON_DEMAND", "ACTIVE"), availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "NOT_AVAILABLE"),
			want{fail, "agreement NOT_AVAILABLE", "accept the model's EULA"}},
		{"agreement pending", foundationModel("ON_DEMAND", "ACTIVE"), availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "PENDING"),
			want{fail, "agreement PENDING", "wait a few minutes"}},
		{"agreement failed", foundationModel("ON_DEMAND", "ACTIVE"), fakeaws.OK(`{"agreementAvailability":{"status":"ERROR","errorMessage":"payment method declined"},` +
			`"authorizationStatus":"AUTHORIZED","entitlementAvailability":"AVAILABLE","regionAvailability":"AVAILABLE"}`),
			want{fail, "agreement ERROR (payment method declined)", "accept the model's EULA"}},
		{"several problems", foundationModel("ON_DEMAND", "ACTIVE"), availability("NOT_AUTHORIZED", "NOT_AVAILABLE", "AVAILABLE", "NOT_AVAILABLE"),
			want{fail, "access not authorized; no Marketplace subscription; agreement NOT_AVAILABLE", "use-case form first); subscribe the account"}},
		{"legacy", foundationModel("ON_DEMAND", "LEGACY"), ok, want{warn, "the model is legacy and will be retired", "plan the move to its successor"}},
		{"model access denied", accessDenied("bedrock:GetFoundationModel"), ok,
			want{fail, haiku + ": could not check: AccessDeniedException", "the preflight needs bedrock:GetFoundationModel:"}},
		{"availability access denied", foundationModel("ON_DEMAND", "ACTIVE"), accessDenied("bedrock:GetFoundationModelAvailability"),
			want{fail, "could not check: AccessDeniedException", "the preflight needs bedrock:GetFoundationModelAvailability"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("bedrock", "GetFoundationModel", tt.model)
			f.Answer("bedrock", "GetFoundationModelAvailability", tt.availability)
			expect(t, checkModel(context.Background(), bedrock.NewFromConfig(f.Config(region)), testEnv(t), haiku), tt.want)
			for _, c := range f.Calls() {
				if got := c.Input.Get("modelIdentifier") + c.Input.Get("modelId"); got != haiku {
					t.Errorf("%s asked for model %q, want %q", c.Operation, got, haiku)
				}
			}
		})
	}
}

func TestCheckProfile(t *testing.T) {
	ok := availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE")
	tests := []struct {
		name                  string
		profile, availability fakeaws.Reply
		want
	}{
		{"usable", inferenceProfile("us-east-1", "us-east-2", "us-west-2"), ok,
			want{pass, profileID + ": routes to us-east-1, us-east-2, us-west-2; access to " + profiled + " authorized", ""}},
		{"routes to fewer regions than configured", inferenceProfile("us-east-1", "us-west-2"), ok, want{pass, "routes to us-east-1, us-west-2", ""}},
		{"routes to a region not configured", inferenceProfile("us-east-1", "us-east-2", "us-west-1", "us-west-2"), ok,
			want{fail, "routes to us-west-1 too, which destinationRegions lacks", "set destinationRegions to us-east-1, us-east-2, us-west-1, us-west-2"}},
		{"unknown profile", fakeaws.Error(400, "ValidationException", "The provided inference profile identifier is invalid."), ok,
			want{fail, profileID + ": no such inference profile in us-east-1", "aws bedrock list-inference-profiles --region us-east-1"}},
		{"model not authorized", inferenceProfile("us-east-1", "us-east-2", "us-west-2"), availability("NOT_AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE"),
			want{fail, "model " + profiled + ": access not authorized", "request model access"}},
		{"profile access denied", accessDenied("bedrock:GetInferenceProfile"), ok,
			want{fail, profileID + ": could not check: AccessDeniedException", "the preflight needs bedrock:GetInferenceProfile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("bedrock", "GetInferenceProfile", tt.profile)
			f.Answer("bedrock", "GetFoundationModelAvailability", tt.availability)
			env := testEnv(t)
			expect(t, checkProfile(context.Background(), bedrock.NewFromConfig(f.Config(region)), env, env.InferenceProfiles[0]), tt.want)
			for _, c := range f.Calls() {
				if got := c.Input.Get("inferenceProfileIdentifier") + c.Input.Get("modelId"); got != profileID && got != profiled {
					t.Errorf("%s asked for %q", c.Operation, got)
				}
			}
		})
	}
}

func TestCheckGlobalProfileRoutesAnywhere(t *testing.T) {
	f := fakeaws.New(t)
	f.Answer("bedrock", "GetInferenceProfile", inferenceProfile("us-east-1", "eu-west-1", "ap-northeast-1"))
	f.Answer("bedrock", "GetFoundationModelAvailability", availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE"))
	global := config.InferenceProfile{ID: "global." + profiled, DestinationRegions: []string{"us-east-1"}}
	expect(t, checkProfile(context.Background(), bedrock.NewFromConfig(f.Config(region)), testEnv(t), global),
		want{pass, "routes to ap-northeast-1, eu-west-1, us-east-1", ""})
}

func TestCheckConcurrency(t *testing.T) {
	tests := []struct {
		name     string
		reserved int
		reply    fakeaws.Reply
		want
	}{
		{"reserves nothing", 0, fakeaws.Reply{}, want{pass, "invokerReservedConcurrency is 0", ""}},
		{"room to reserve", 2, accountSettings(1000, 1000), want{pass, "reserving 2 of 1000 unreserved executions (quota 1000) leaves 998", ""}},
		{"exactly enough", 2, accountSettings(1000, 102), want{pass, "leaves 100; Lambda keeps 100", ""}},
		{"new-account quota", 2, accountSettings(10, 10), want{fail, "reserving 2 of 10 unreserved executions (quota 10) leaves 8; Lambda keeps 100",
			`request a "Concurrent executions" quota of at least 102 (Service Quotas, L-B99A9384), or set invokerReservedConcurrency to 0`}},
		{"others reserved most", 2, accountSettings(1000, 101), want{fail, "leaves 99", "quota of at least 1001"}},
		{"access denied", 2, accessDenied("lambda:GetAccountSettings"),
			want{fail, "could not check: AccessDeniedException", "the preflight needs lambda:GetAccountSettings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			if tt.reserved > 0 {
				f.Answer("lambda", "GetAccountSettings", tt.reply)
			}
			env := testEnv(t)
			env.InvokerReservedConcurrency = tt.reserved
			expect(t, checkConcurrency(context.Background(), lambda.NewFromConfig(f.Config(region)), env), tt.want)
		})
	}
}

func TestCheckInvocationLogging(t *testing.T) {
	const ours = "/private-bedrock-dev/bedrock-model-invocations"
	configured := func(logGroup, bucket string) fakeaws.Reply {
		var parts []string
		if logGroup != "" {
			parts = append(parts, fmt.Sprintf(`"cloudWatchConfig":{"logGroupName":%q,"roleArn":"arn:aws:iam::111111111111:role/BedrockLogging"}`, logGroup))
		}
		if bucket != "" {
			parts = append(parts, fmt.Sprintf(`"s3Config":{"bucketName":%q,"keyPrefix":"bedrock"}`, bucket))
		}
		return fakeaws.OK(`{"loggingConfig":{` + strings.Join(parts, ",") + `,"textDataDeliveryEnabled":true}}`)
	}
	tests := []struct {
		name     string
		takeOver bool
		reply    fakeaws.Reply
		want
	}{
		{"none", false, fakeaws.OK(`{}`), want{pass, "no configuration in us-east-1 yet", ""}},
		{"this stack's", false, configured(ours, "private-bedrock-dev-invocationlogs"), want{pass, "this stack's configuration, to log group " + ours, ""}},
		{"someone else's", false, configured("/org/bedrock", "org-bedrock-logs"),
			want{fail, "another configuration (log group /org/bedrock, bucket org-bedrock-logs) is in place",
				"(aws bedrock delete-model-invocation-logging-configuration --region us-east-1), or set invocationLogging.takeOverExistingConfiguration to true"}},
		{"someone else's, S3 only", false, configured("", "org-bedrock-logs"), want{fail, "another configuration (bucket org-bedrock-logs)", "takeOverExistingConfiguration"}},
		{"someone else's, taken over", true, configured("/org/bedrock", "org-bedrock-logs"),
			want{warn, "the deployment will replace it", "tell whoever reads log group /org/bedrock, bucket org-bedrock-logs that invocations will be logged to " + ours}},
		{"access denied", false, accessDenied("bedrock:GetModelInvocationLoggingConfiguration"),
			want{fail, "could not check: AccessDeniedException", "the preflight needs bedrock:GetModelInvocationLoggingConfiguration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("bedrock", "GetModelInvocationLoggingConfiguration", tt.reply)
			env := testEnv(t)
			env.InvocationLogging.TakeOverExistingConfiguration = tt.takeOver
			expect(t, checkInvocationLogging(context.Background(), bedrock.NewFromConfig(f.Config(region)), "private-bedrock", env), tt.want)
		})
	}
}

func TestCheckEnforcedGuardrail(t *testing.T) {
	configured := func(owner string) fakeaws.Reply {
		return fakeaws.OK(`{"guardrailsConfig":[{"configId":"c1","guardrailArn":"arn:aws:bedrock:us-east-1:111111111111:guardrail/central",` +
			`"guardrailId":"central","guardrailVersion":"3","owner":"` + owner + `"}]}`)
	}
	tests := []struct {
		name  string
		reply fakeaws.Reply
		want
	}{
		{"none", fakeaws.OK(`{"guardrailsConfig":[]}`), want{pass, "no guardrail enforced in us-east-1 yet", ""}},
		{"the account's own", configured("ACCOUNT"), want{fail, "the account already enforces arn:aws:bedrock:us-east-1:111111111111:guardrail/central version 3",
			"or set guardrail.enforceInAccount to false"}},
		{"the organisation's", configured("ORGANIZATION"), want{warn, "the organisation also enforces", "bedrock:ApplyGuardrail on both guardrails"}},
		{"access denied", accessDenied("bedrock:ListEnforcedGuardrailsConfiguration"),
			want{fail, "could not check: AccessDeniedException", "the preflight needs bedrock:ListEnforcedGuardrailsConfiguration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("bedrock", "ListEnforcedGuardrailsConfiguration", tt.reply)
			expect(t, checkEnforcedGuardrail(context.Background(), bedrock.NewFromConfig(f.Config(region)), testEnv(t)), tt.want)
		})
	}
}

func TestCheckTrail(t *testing.T) {
	trail := func(name, home string, multiRegion, organization bool, owner string) string {
		return fmt.Sprintf(`{"Name":%q,"TrailARN":"arn:aws:cloudtrail:%s:%s:trail/%[1]s","HomeRegion":%[2]q,"IsMultiRegionTrail":%[4]v,"IsOrganizationTrail":%[5]v}`,
			name, home, owner, multiRegion, organization)
	}
	arn := func(name, home, owner string) string {
		return "arn:aws:cloudtrail:" + home + ":" + owner + ":trail/" + name
	}
	logging := fakeaws.OK(`{"IsLogging":true}`)
	classic := func(readWrite string, management bool) fakeaws.Reply {
		return fakeaws.OK(fmt.Sprintf(`{"EventSelectors":[{"ReadWriteType":%q,"IncludeManagementEvents":%v}]}`, readWrite, management))
	}
	advanced := func(fields string) fakeaws.Reply {
		return fakeaws.OK(`{"AdvancedEventSelectors":[{"Name":"management","FieldSelectors":[` + fields + `]}]}`)
	}
	everything := classic("All", true)
	const management = `{"Field":"eventCategory","Equals":["Management"]}`

	tests := []struct {
		name      string
		trails    fakeaws.Reply
		status    map[string]fakeaws.Reply // by trail ARN
		selectors map[string]fakeaws.Reply // by trail ARN
		want
	}{
		{"multi-region trail from another region", trails(trail("org", "eu-west-1", true, false, account)),
			map[string]fakeaws.Reply{arn("org", "eu-west-1", account): logging}, map[string]fakeaws.Reply{arn("org", "eu-west-1", account): everything},
			want{pass, "trail org (multi-region): logging management events", ""}},
		{"single-region trail at home", trails(trail("local", "us-east-1", false, false, account)),
			map[string]fakeaws.Reply{arn("local", "us-east-1", account): logging}, map[string]fakeaws.Reply{arn("local", "us-east-1", account): classic("WriteOnly", true)},
			want{pass, "trail local: logging management events", ""}},
		{"advanced selectors for management events", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): logging}, map[string]fakeaws.Reply{arn("main", "us-east-1", account): advanced(management)},
			want{pass, "trail main (multi-region): logging management events", ""}},
		{"no trail", trails(), nil, nil, want{warn, "no trail covers us-east-1", "create a multi-region trail that logs management events"}},
		{"single-region trail elsewhere", trails(trail("west", "us-west-2", false, false, account)), nil, nil,
			want{warn, "no trail covers us-east-1", "aws cloudtrail create-trail --is-multi-region-trail"}},
		{"not logging", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): fakeaws.OK(`{"IsLogging":false}`)}, map[string]fakeaws.Reply{arn("main", "us-east-1", account): everything},
			want{warn, "no trail covering us-east-1 records its management events: trail main (multi-region) is not logging", "change monitoring"}},
		{"read events only", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): logging}, map[string]fakeaws.Reply{arn("main", "us-east-1", account): classic("ReadOnly", true)},
			want{warn, "trail main (multi-region) records no management write events", "create a multi-region trail"}},
		{"data events only", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): logging}, map[string]fakeaws.Reply{arn("main", "us-east-1", account): classic("All", false)},
			want{warn, "records no management write events", "create a multi-region trail"}},
		{"advanced selectors for management reads only", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): logging},
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): advanced(management + `,{"Field":"readOnly","Equals":["true"]}`)},
			want{warn, "records no management write events", "create a multi-region trail"}},
		{"second trail qualifies", trails(trail("old", "us-east-1", false, false, account), trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("old", "us-east-1", account): fakeaws.OK(`{"IsLogging":false}`), arn("main", "us-east-1", account): logging},
			map[string]fakeaws.Reply{arn("old", "us-east-1", account): everything, arn("main", "us-east-1", account): everything},
			want{pass, "trail main (multi-region): logging management events", ""}},
		{"organisation trail of the management account", trails(trail("org", "us-east-1", true, true, "999999999999")),
			map[string]fakeaws.Reply{arn("org", "us-east-1", "999999999999"): accessDenied("cloudtrail:GetTrailStatus")}, nil,
			want{pass, "trail org (multi-region, organisation trail of account 999999999999): its status and event selectors are not readable from this account", ""}},
		{"own trail's status denied", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): accessDenied("cloudtrail:GetTrailStatus")}, nil,
			want{fail, "trail main: could not check: AccessDeniedException", "the preflight needs cloudtrail:GetTrailStatus"}},
		{"own trail's selectors denied", trails(trail("main", "us-east-1", true, false, account)),
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): logging},
			map[string]fakeaws.Reply{arn("main", "us-east-1", account): accessDenied("cloudtrail:GetEventSelectors")},
			want{fail, "trail main: could not check: AccessDeniedException", "the preflight needs cloudtrail:GetEventSelectors"}},
		{"trails denied", accessDenied("cloudtrail:DescribeTrails"), nil, nil,
			want{fail, "could not check: AccessDeniedException", "the preflight needs cloudtrail:DescribeTrails"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Answer("cloudtrail", "DescribeTrails", tt.trails)
			if tt.status != nil {
				f.Handle("cloudtrail", "GetTrailStatus", byInput(t, "Name", tt.status))
			}
			if tt.selectors != nil {
				f.Handle("cloudtrail", "GetEventSelectors", byInput(t, "TrailName", tt.selectors))
			}
			expect(t, checkTrail(context.Background(), cloudtrail.NewFromConfig(f.Config(region)), testEnv(t)), tt.want)
			if got := f.Calls()[0].Input.Get("includeShadowTrails"); got != "true" {
				t.Errorf("includeShadowTrails = %q, want true", got)
			}
		})
	}
}

// byInput answers with the reply registered for the value of one input member.
func byInput(t *testing.T, member string, replies map[string]fakeaws.Reply) fakeaws.Handler {
	return func(c fakeaws.Call) fakeaws.Reply {
		r, ok := replies[c.Input.Get(member)]
		if !ok {
			t.Errorf("%s for unexpected %s %q", c.Operation, member, c.Input.Get(member))
		}
		return r
	}
}
