package main

import (
	"testing"

	"github.com/privatebedrock/stack/internal/checkcmd"
	"github.com/privatebedrock/stack/internal/checklisttest"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// everyCall lists what a run against a healthy account asks, in order.
var everyCall = []string{
	"sts:GetCallerIdentity",
	"cloudformation:DescribeStacks",
	"ec2:DescribeAvailabilityZones",
	"ec2:DescribeVpcEndpointServices",
	"bedrock:GetFoundationModel",
	"bedrock:GetFoundationModelAvailability",
	"bedrock:GetInferenceProfile",
	"bedrock:GetFoundationModelAvailability",
	"lambda:GetAccountSettings",
	"bedrock:GetModelInvocationLoggingConfiguration",
	"cloudtrail:DescribeTrails",
	"cloudtrail:GetTrailStatus",
	"cloudtrail:GetEventSelectors",
}

func TestAllPass(t *testing.T) {
	checklisttest.AllPass(t, run, healthy, checklisttest.Calls, everyCall...)
}

func TestNoCredentials(t *testing.T) { checklisttest.NoCredentials(t, run, "the preflight") }

func TestWrongAccountRefusesTheOtherChecks(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("sts", "GetCallerIdentity", caller("999999999999"))
	checklisttest.Check(t, run, f, region, checkcmd.ExitFailed, "✗ Account", "arn:aws:sts::999999999999:assumed-role/PlatformDeployer/preflight",
		"account 999999999999", "deploys to account 111111111111", "the other checks did not run", "AWS_PROFILE=bedrock-dev",
		"0 passed, 0 warnings, 1 failed")
	checklisttest.Calls(t, f, "sts:GetCallerIdentity")
}

func TestRegionMismatch(t *testing.T) {
	tests := []struct {
		name, resolved, detail string
	}{
		{"another region", "eu-west-1", "AWS_REGION or the profile says eu-west-1, the environment is in us-east-1"},
		{"no region", "", "neither AWS_REGION nor the profile sets a region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			healthy(f)
			checklisttest.Check(t, run, f, tt.resolved, checkcmd.ExitFailed,
				"✗ Region", tt.detail, "fix: set region = us-east-1 in the profile, or export AWS_REGION=us-east-1")
			// The other checks still run, in the environment's region.
			checklisttest.Calls(t, f, everyCall...)
			checklisttest.SignedFor(t, f, region)
		})
	}
}

func TestAccessDeniedInOneCheckDoesNotStopTheOthers(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("ec2", "DescribeAvailabilityZones", fakeaws.Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."))
	checklisttest.Check(t, run, f, region, checkcmd.ExitFailed,
		"✗ Availability zones could not check: UnauthorizedOperation: You are not authorized to perform this operation.",
		"fix: the preflight needs ec2:DescribeAvailabilityZones: allow it",
		"✓ CloudTrail", "14 passed, 0 warnings, 1 failed")
	checklisttest.Calls(t, f, everyCall...)
}

func TestWarningsDoNotFail(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("cloudtrail", "DescribeTrails", trails())
	checklisttest.Check(t, run, f, region, checkcmd.ExitOK, "! CloudTrail", "14 passed, 1 warning, 0 failed")
}

func TestUsage(t *testing.T) {
	checklisttest.Usage(t, run, "usage: preflight [-config environments.json] <environment>")
}
