package main

import (
	"context"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/internal/fakeaws"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// preflight runs the command as main does, with the credential chain reading only what fakeaws.Env
// set; region "" sets none.
func preflight(t *testing.T, f *fakeaws.Server, region string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	f.Env(t, region)
	var out, errs strings.Builder
	code = run(context.Background(), append([]string{"-config", "testdata/environments.json"}, args...), &out, &errs)
	return code, out.String(), errs.String()
}

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
	f := fakeaws.New(t)
	healthy(f)
	code, stdout, stderr := preflight(t, f, region, "dev")
	if code != exitOK {
		t.Errorf("exit status %d, want %d; stderr: %s", code, exitOK, stderr)
	}
	golden(t, "testdata/all-pass.golden", stdout)
	if got := f.Operations(); !slices.Equal(got, everyCall) {
		t.Errorf("calls = %v\nwant    %v", got, everyCall)
	}
	for _, c := range f.Calls() {
		if c.Region != region {
			t.Errorf("%s:%s signed for %q, want %q", c.Service, c.Operation, c.Region, region)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/preflight -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/preflight -update rewrites it):\n%s", path, got)
	}
	for _, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line of %d columns, want at most 100: %q", n, line)
		}
	}
}

// contains checks the output has each text, ignoring how the table wrapped it.
func contains(t *testing.T, output string, texts ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(output), " ")
	for _, text := range texts {
		if !strings.Contains(flat, text) {
			t.Errorf("output lacks %q:\n%s", text, output)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	const sentence = "There are no AWS credentials to check account 111111111111 with: export AWS_PROFILE=bedrock-dev " +
		"(the environment's assumed-role profile, see the README's Deploy section), or run `aws sso login --profile " +
		"bedrock-dev` if that profile uses IAM Identity Center, then run the preflight again."
	tests := []struct {
		name    string
		profile string
	}{
		{"nothing configured", ""},
		{"profile that does not exist", "bedrock-dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			healthy(f)
			fakeaws.Hermetic(t)
			t.Setenv("AWS_ENDPOINT_URL", f.URL)
			t.Setenv("AWS_REGION", region)
			if tt.profile != "" {
				t.Setenv("AWS_PROFILE", tt.profile)
			}
			var stdout, stderr strings.Builder
			code := run(context.Background(), []string{"-config", "testdata/environments.json", "dev"}, &stdout, &stderr)
			if code != exitFailed {
				t.Errorf("exit status %d, want %d", code, exitFailed)
			}
			if first, _, _ := strings.Cut(stderr.String(), "\n"); first != sentence {
				t.Errorf("stderr begins %q\nwant          %q", first, sentence)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if calls := f.Operations(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}

func TestWrongAccountRefusesTheOtherChecks(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("sts", "GetCallerIdentity", caller("999999999999"))
	code, stdout, _ := preflight(t, f, region, "dev")
	if code != exitFailed {
		t.Errorf("exit status %d, want %d", code, exitFailed)
	}
	contains(t, stdout, "✗ Account", "arn:aws:sts::999999999999:assumed-role/PlatformDeployer/preflight",
		"account 999999999999", "deploys to account 111111111111", "the other checks did not run", "AWS_PROFILE=bedrock-dev",
		"0 passed, 0 warnings, 1 failed")
	if got := f.Operations(); !slices.Equal(got, []string{"sts:GetCallerIdentity"}) {
		t.Errorf("calls = %v, want only sts:GetCallerIdentity", got)
	}
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
			code, stdout, _ := preflight(t, f, tt.resolved, "dev")
			if code != exitFailed {
				t.Errorf("exit status %d, want %d", code, exitFailed)
			}
			contains(t, stdout, "✗ Region", tt.detail, "fix: set region = us-east-1 in the profile, or export AWS_REGION=us-east-1")
			// The other checks still run, in the environment's region.
			if got := f.Operations(); !slices.Equal(got, everyCall) {
				t.Errorf("calls = %v\nwant    %v", got, everyCall)
			}
			for _, c := range f.Calls() {
				if c.Region != region {
					t.Errorf("%s:%s signed for %q, want %q", c.Service, c.Operation, c.Region, region)
				}
			}
		})
	}
}

func TestAccessDeniedInOneCheckDoesNotStopTheOthers(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("ec2", "DescribeAvailabilityZones", fakeaws.Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."))
	code, stdout, _ := preflight(t, f, region, "dev")
	if code != exitFailed {
		t.Errorf("exit status %d, want %d", code, exitFailed)
	}
	contains(t, stdout,
		"✗ Availability zones could not check: UnauthorizedOperation: You are not authorized to perform this operation.",
		"fix: the preflight needs ec2:DescribeAvailabilityZones: allow it",
		"✓ CloudTrail", "13 passed, 0 warnings, 1 failed")
	if got := f.Operations(); !slices.Equal(got, everyCall) {
		t.Errorf("calls = %v\nwant    %v", got, everyCall)
	}
}

func TestWarningsDoNotFail(t *testing.T) {
	f := fakeaws.New(t)
	healthy(f)
	f.Answer("cloudtrail", "DescribeTrails", trails())
	code, stdout, _ := preflight(t, f, region, "dev")
	if code != exitOK {
		t.Errorf("exit status %d, want %d", code, exitOK)
	}
	contains(t, stdout, "! CloudTrail", "13 passed, 1 warning, 0 failed")
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no environment", []string{"-config", "testdata/environments.json"}, exitUsage, "usage: preflight [-config environments.json] <environment>"},
		{"two environments", []string{"-config", "testdata/environments.json", "dev", "prod"}, exitUsage, "usage: preflight"},
		{"unknown environment", []string{"-config", "testdata/environments.json", "prod"}, exitUsage, `unknown environment "prod": choose one of dev`},
		{"missing configuration", []string{"-config", "testdata/nothing.json", "dev"}, exitUsage, "read environment configuration: open testdata/nothing.json"},
		{"unknown flag", []string{"-region", "us-east-1", "dev"}, exitUsage, "flag provided but not defined: -region"},
		{"help", []string{"-h"}, exitOK, "usage: preflight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Env(t, region)
			var stdout, stderr strings.Builder
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderr)
			}
			if calls := f.Operations(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}
