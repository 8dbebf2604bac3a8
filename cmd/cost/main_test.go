package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAssembly writes a cloud assembly: a manifest with the given artifacts, and the given files.
func writeAssembly(t *testing.T, artifacts string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["manifest.json"] = `{"version": "54.0.0", "artifacts": {` + artifacts + `}}`
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func stack(name, environment string) string {
	return `"` + name + `": {"type": "aws:cloudformation:stack", "environment": "` + environment + `",
  "properties": {"templateFile": "` + name + `.template.json"}}`
}

const endpoint = `{"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface",
  "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".SERVICE"]]}, "SubnetIds": [SUBNETS]}}`

func endpointIn(service, subnets string) string {
	return strings.NewReplacer("SERVICE", service, "SUBNETS", subnets).Replace(endpoint)
}

func runCost(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMarkdownTablePerStack(t *testing.T) {
	dir := writeAssembly(t, stack("private-bedrock-staging", "aws://222222222222/us-east-1")+`,
"private-bedrock-staging.assets": {"type": "cdk:asset-manifest", "properties": {"file": "x.assets.json"}},
`+stack("private-bedrock-dev", "aws://111111111111/ap-northeast-2"), map[string]string{
		"private-bedrock-staging.template.json": `{"Resources": {
  "Runtime": ` + endpointIn("bedrock-runtime", `{"Ref": "A"}, {"Ref": "B"}`) + `,
  "Sts": ` + endpointIn("sts", `{"Ref": "A"}, {"Ref": "B"}`) + `,
  "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
  "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "M", "Period": 300}},
  "Filter": {"Type": "AWS::Logs::MetricFilter", "Properties": {"MetricTransformations": [{"MetricName": "M", "MetricNamespace": "N"}]}}}}`,
		"private-bedrock-dev.template.json": `{"Resources": {
  "Runtime": ` + endpointIn("bedrock-runtime", `{"Ref": "A"}`) + `,
  "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}}`,
	})

	code, stdout, stderr := runCost(t, "-assembly", dir, "-markdown")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Stacks sorted by name; Seoul's endpoint hour is $0.013.
	table := `| stack | interface endpoints × zones | endpoints | keys | alarms and metrics | total |
|---|---|---:|---:|---:|---:|
| private-bedrock-dev | 1 × 1 | $9.49 | $0.00 | $0.00 | $9.49 |
| private-bedrock-staging | 2 × 2 | $29.20 | $1.00 | $0.40 | $30.60 |
`
	if !strings.HasSuffix(stdout, "\n\n"+table) {
		t.Errorf("output does not end with the table:\n%s", stdout)
	}
	for _, want := range []string{
		"private-bedrock-dev (ap-northeast-2)\n  interface endpoint bedrock-runtime",
		"priced by use, not counted: AWS::Logs::LogGroup\n",
		"  interface endpoint sts                         2 AZ     ×   $7.30 =    $14.60\n",
		"List prices of 2026-11-25 in USD",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Index(stdout, "private-bedrock-dev") > strings.Index(stdout, "private-bedrock-staging") {
		t.Errorf("stacks are not sorted by name:\n%s", stdout)
	}

	if _, plain, _ := runCost(t, "-assembly", dir); strings.Contains(plain, "| stack |") {
		t.Errorf("a table without -markdown:\n%s", plain)
	}
}

func TestUnknownTypesAreWarnedAbout(t *testing.T) {
	dir := writeAssembly(t, stack("s", "aws://1/us-east-1"), map[string]string{
		"s.template.json": `{"Resources": {"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}}}`,
	})
	code, _, stderr := runCost(t, "-assembly", dir)
	if code != 0 || !strings.Contains(stderr, "warning: s: resource types the estimate does not know, counted as free: AWS::EC2::NatGateway") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestFailures(t *testing.T) {
	for _, c := range []struct {
		name, dir, want string
	}{
		{"no assembly", filepath.Join(t.TempDir(), "cdk.out"), "run npm run synth first"},
		{"no stacks", writeAssembly(t, "", map[string]string{}), "no stacks in"},
		{"no region", writeAssembly(t, stack("s", "aws://unknown-account/unknown-region"), map[string]string{"s.template.json": `{}`}),
			"stack s has no region"},
		{"no prices", writeAssembly(t, stack("s", "aws://1/sa-east-1"), map[string]string{"s.template.json": `{}`}),
			`s: cost: no prices for region "sa-east-1"`},
	} {
		code, _, stderr := runCost(t, "-assembly", c.dir)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", c.name, code, stderr, c.want)
		}
	}
	if code, _, _ := runCost(t, "extra"); code != 1 {
		t.Errorf("an argument: exit %d", code)
	}
}
