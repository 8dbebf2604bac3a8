package main

import (
	"testing"

	"github.com/privatebedrock/stack/internal/checkcmd"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// everyCall lists what a run against a healthy deployment asks, sorted: the checks after the stack's
// run concurrently.
var everyCall = []string{
	"bedrock:GetModelInvocationLoggingConfiguration",
	"bedrock:ListEnforcedGuardrailsConfiguration",
	"cloudformation:DescribeStackDriftDetectionStatus",
	"cloudformation:DescribeStacks",
	"cloudformation:DetectStackDrift",
	"cloudformation:GetTemplate",
	"cloudformation:ListStackResources",
	"ec2:DescribeSecurityGroups",
	"ec2:DescribeVpcEndpoints",
	"lambda:Invoke",
	"lambda:Invoke",
	"lambda:Invoke",
	"logs:FilterLogEvents",
	"monitoring:DescribeAlarms",
	"s3:ListObjectsV2",
	"s3:ListObjectsV2",
	"sts:GetCallerIdentity",
}

func TestAllPass(t *testing.T) {
	checklisttest.AllPass(t, run, func(f *fakeaws.Server) { healthy(t, f) }, checklisttest.CallsInAnyOrder, everyCall...)
}

func TestNoCredentials(t *testing.T) { checklisttest.NoCredentials(t, run, "verify") }

// The account, the region and the stack each stop the checks after theirs.
func TestRefusesTheOtherChecks(t *testing.T) {
	const skipped = "the other checks did not run"
	tests := []struct {
		name   string
		region string
		breaks func(*fakeaws.Server)
		texts  []string
		calls  []string
	}{
		{"wrong account", region, func(f *fakeaws.Server) { f.Answer("sts", "GetCallerIdentity", caller("999999999999")) },
			[]string{"✗ Account", "account 999999999999, but environment dev deploys to account 111111111111", skipped, "0 passed, 0 warnings, 1 failed"},
			[]string{"sts:GetCallerIdentity"}},
		{"wrong region", "eu-west-1", func(*fakeaws.Server) {},
			[]string{"✓ Account", "✗ Region", "AWS_REGION, AWS_DEFAULT_REGION or the profile says eu-west-1, but environment dev is in us-east-1",
				skipped, "fix: unset AWS_REGION and AWS_DEFAULT_REGION, or use a profile whose region is us-east-1"},
			[]string{"sts:GetCallerIdentity"}},
		{"stack not deployed", region, func(f *fakeaws.Server) {
			f.Answer("cloudformation", "DescribeStacks", fakeaws.Error(400, "ValidationError", "Stack with id private-bedrock-dev does not exist"))
		}, []string{"✗ Stack private-bedrock-dev is not deployed in account 111111111111, region us-east-1; " + skipped,
			"fix: deploy it: npm run cdk -- deploy -c env=dev private-bedrock-dev", "2 passed, 0 warnings, 1 failed"},
			[]string{"sts:GetCallerIdentity", "cloudformation:DescribeStacks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			healthy(t, f)
			tt.breaks(f)
			checklisttest.Check(t, run, f, tt.region, checkcmd.ExitFailed, tt.texts...)
			checklisttest.Calls(t, f, tt.calls...)
		})
	}
}

func TestNoRegionTakesTheEnvironments(t *testing.T) {
	f := fakeaws.New(t)
	healthy(t, f)
	checklisttest.Check(t, run, f, "", checkcmd.ExitOK, "✓ Region us-east-1, the environment's")
	checklisttest.SignedFor(t, f, region)
}

func TestOneFailureDoesNotStopTheOthers(t *testing.T) {
	f := fakeaws.New(t)
	healthy(t, f)
	f.Answer("monitoring", "DescribeAlarms", fakeaws.Error(403, "AccessDenied", "User is not authorized to perform: cloudwatch:DescribeAlarms"))
	checklisttest.Check(t, run, f, region, checkcmd.ExitFailed, "✗ Alarms could not check: AccessDenied",
		"fix: verify needs cloudwatch:DescribeAlarms: allow it", "✓ Vault copy", "14 passed, 0 warnings, 1 failed")
	checklisttest.CallsInAnyOrder(t, f, everyCall...)
}

func TestUsage(t *testing.T) {
	checklisttest.Usage(t, run, "usage: verify [-config environments.json] [-wait 5m] <environment>",
		checklisttest.UsageCase{Name: "negative wait", Args: []string{"-config", checklisttest.ConfigFile, "-wait", "-1s", "dev"},
			Code: checkcmd.ExitUsage, Stderr: "usage: verify"},
		checklisttest.UsageCase{Name: "bad wait", Args: []string{"-wait", "soon", "dev"}, Code: checkcmd.ExitUsage,
			Stderr: `invalid value "soon" for flag -wait`})
}
