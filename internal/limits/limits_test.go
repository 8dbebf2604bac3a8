package limits

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAssembly writes a cloud assembly with a stack for each template, named by its key, in account
// 111111111111 and us-east-1, and returns its directory.
func writeAssembly(t *testing.T, templates map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	artifacts := map[string]any{}
	for name, template := range templates {
		file := name + ".template.json"
		if err := os.WriteFile(filepath.Join(dir, file), template, 0o644); err != nil {
			t.Fatal(err)
		}
		artifacts[name] = map[string]any{
			"type":        "aws:cloudformation:stack",
			"environment": "aws://111111111111/us-east-1",
			"properties":  map[string]any{"templateFile": file},
		}
	}
	writeJSON(t, filepath.Join(dir, "manifest.json"), map[string]any{"version": "54.0.0", "artifacts": artifacts})
	return dir
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// wantExceeded checks that Check passes the assembly in ok and, for the assembly in over, names each
// of wants.
func wantExceeded(t *testing.T, ok, over string, wants ...string) {
	t.Helper()
	if err := Check(ok); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	err := Check(over)
	if err == nil {
		t.Fatal("above the limit: no error")
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestTemplateQuotas(t *testing.T) {
	for _, tt := range []struct {
		section string
		limit   *Limit
		entry   any
	}{
		{"Resources", Resources, map[string]any{"Type": "AWS::SNS::Topic"}},
		{"Outputs", Outputs, map[string]any{"Value": "x"}},
		{"Parameters", Parameters, map[string]any{"Type": "String"}},
		{"Mappings", Mappings, map[string]any{"k": map[string]any{"v": "x"}}},
	} {
		t.Run(tt.section, func(t *testing.T) {
			template := func(n int) []byte {
				entries := map[string]any{}
				for i := range n {
					entries[fmt.Sprintf("E%d", i)] = tt.entry
				}
				return mustJSON(t, map[string]any{tt.section: entries})
			}
			wantExceeded(t,
				writeAssembly(t, map[string][]byte{"big": template(tt.limit.Max)}),
				writeAssembly(t, map[string][]byte{"big": template(tt.limit.Max + 1)}),
				"stack big:", tt.limit.Name, fmt.Sprintf("%d %s", tt.limit.Max+1, tt.limit.Unit), fmt.Sprint(tt.limit.Max), tt.limit.Fix)
		})
	}
}

func TestTemplateSize(t *testing.T) {
	// The file as synthesis wrote it counts, white space and all.
	template := func(n int) []byte {
		raw := []byte(`{"Resources": {}}`)
		return append(raw, strings.Repeat(" ", n-len(raw))...)
	}
	wantExceeded(t,
		writeAssembly(t, map[string][]byte{"big": template(TemplateSize.Max)}),
		writeAssembly(t, map[string][]byte{"big": template(TemplateSize.Max + 1)}),
		"stack big:", "template size: 1000001 bytes", "1000000")
}

// A template a pipeline's CloudFormation action deploys is held to CodePipeline's smaller limit; the
// same template deployed by cdk deploy is not.
func TestPipelineTemplateSize(t *testing.T) {
	deploys := func(file string) []byte {
		return mustJSON(t, map[string]any{"Resources": map[string]any{"Pipeline": map[string]any{
			"Type": "AWS::CodePipeline::Pipeline",
			"Properties": map[string]any{"Stages": []any{map[string]any{"Name": "prod", "Actions": []any{
				map[string]any{"Name": "Prepare", "Configuration": map[string]any{"TemplatePath": "BuildSynthOutput::" + file}},
			}}}},
		}}})
	}
	template := func(n int) []byte {
		raw := []byte(`{"Resources": {}}`)
		return append(raw, strings.Repeat(" ", n-len(raw))...)
	}
	assembly := func(n int, file string) string {
		return writeAssembly(t, map[string][]byte{"env": template(n), "pipeline": deploys(file)})
	}
	wantExceeded(t, assembly(PipelineTemplateSize.Max, "env.template.json"), assembly(PipelineTemplateSize.Max+1, "env.template.json"),
		"stack env:", "template size in a CodePipeline deployment: 512001 bytes", "512000", "cdk deploy")
	if err := Check(assembly(PipelineTemplateSize.Max+1, "other.template.json")); err != nil {
		t.Errorf("a template no pipeline deploys, under CloudFormation's limit: %v", err)
	}
}

// policyOf is a policy document that l measures as n long, or fails the test.
func policyOf(t *testing.T, l *Limit, n int) map[string]any {
	t.Helper()
	doc := func(sid string) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}
	}
	d := doc(strings.Repeat("a", n-l.size(doc(""))))
	if got := l.size(d); got != n {
		t.Fatalf("policy of %d measures %d", n, got)
	}
	return d
}

func TestPolicyDocuments(t *testing.T) {
	for resourceType, p := range policyDocuments {
		t.Run(resourceType, func(t *testing.T) {
			template := func(n int) []byte {
				return mustJSON(t, map[string]any{"Resources": map[string]any{
					"Measured": map[string]any{"Type": resourceType, "Properties": map[string]any{p.property: policyOf(t, p.limit, n)}},
				}})
			}
			wantExceeded(t,
				writeAssembly(t, map[string][]byte{"big": template(p.limit.Max)}),
				writeAssembly(t, map[string][]byte{"big": template(p.limit.Max + 1)}),
				"stack big, resource Measured:", p.limit.Name, fmt.Sprintf("%d %s", p.limit.Max+1, p.limit.Unit), fmt.Sprint(p.limit.Max))
		})
	}
}

func TestWhiteSpace(t *testing.T) {
	doc := map[string]any{"Sid": "a b"}
	for _, tt := range []struct {
		limit *Limit
		doc   any
		want  int
	}{
		{EndpointPolicy, doc, len(`{"Sid":"a b"}`)},
		{ManagedPolicy, doc, len(`{"Sid":"ab"}`)},
		// A document given as a string is measured as given.
		{EndpointPolicy, `{ "Sid": "a" }`, 14},
		{RoleInlinePolicies, `{ "Sid": "a" }`, 11},
		// IAM counts characters, S3 and KMS bytes.
		{EndpointPolicy, map[string]any{"Sid": "é<"}, 12},
		{KeyPolicy, map[string]any{"Sid": "é<"}, 13},
	} {
		if got := tt.limit.size(tt.doc); got != tt.want {
			t.Errorf("%s of %v: %d, want %d", tt.limit.Name, tt.doc, got, tt.want)
		}
	}
}

// TestResolvedIntrinsics measures an endpoint policy as the literal document a deployment in
// aws-us-gov would give it: names AWS picks at their longest, everything else as cfnresolve resolves
// it, and what neither resolves at unresolvedLength.
func TestResolvedIntrinsics(t *testing.T) {
	// The longest names and IDs AWS picks: a role name of IAM's 64 characters, a bucket name of S3's
	// 63, a key ID (a UUID), an endpoint ID of 22 characters.
	const keyID, endpointID = "00000000-0000-0000-0000-000000000000", "vpce-0123456789abcdef0"
	generated, bucket := strings.Repeat("r", 64), strings.Repeat("b", 63)
	resources := map[string]any{
		"Generated": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"Path": "/app/"}},
		"Named":     map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"RoleName": "Named"}},
		"Bucket":    map[string]any{"Type": "AWS::S3::Bucket"},
		"Key":       map[string]any{"Type": "AWS::KMS::Key"},
		"Vpc":       map[string]any{"Type": "AWS::EC2::VPC"},
		"Guardrail": map[string]any{"Type": "AWS::Bedrock::Guardrail"},
	}
	statement := func(principals, resource, condition any) map[string]any {
		return map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": principals}, "Action": "s3:GetObject", "Resource": resource, "Condition": condition}
	}
	policy := map[string]any{"Statement": []any{
		statement(
			[]any{map[string]any{"Fn::GetAtt": []any{"Generated", "Arn"}}, map[string]any{"Fn::GetAtt": []any{"Named", "Arn"}}},
			map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}, "/*"}}},
			map[string]any{"StringEquals": map[string]any{
				"aws:SourceVpce":          map[string]any{"Ref": "Endpoint"},
				"kms:KeyArn":              map[string]any{"Fn::GetAtt": []any{"Key", "Arn"}},
				"ec2:SecurityGroup":       map[string]any{"Fn::GetAtt": []any{"Vpc", "DefaultSecurityGroup"}},
				"bedrock:GuardrailArn":    map[string]any{"Fn::GetAtt": []any{"Guardrail", "GuardrailArn"}},
				"aws:ResourceAccount":     map[string]any{"Ref": "AWS::AccountId"},
				"aws:PrincipalOrgPaths":   map[string]any{"Fn::Sub": "o-" + strings.Repeat("s", 200)},
				"aws:RequestedRegion":     map[string]any{"Ref": "AWS::Region"},
				"aws:CalledViaFirst":      map[string]any{"Ref": "Generated"},
				"s3:ExistingObjectTagKey": map[string]any{"Ref": "Bucket"},
			}}),
	}}
	resources["Endpoint"] = map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{"PolicyDocument": policy}}
	sub, _ := json.Marshal(map[string]any{"Fn::Sub": "o-" + strings.Repeat("s", 200)})
	want := map[string]any{"Statement": []any{
		statement(
			[]any{"arn:aws-us-gov:iam::111111111111:role/app/" + generated, "arn:aws-us-gov:iam::111111111111:role/Named"},
			"arn:aws-us-gov:s3:::"+bucket+"/*",
			map[string]any{"StringEquals": map[string]any{
				"aws:SourceVpce":          endpointID,
				"kms:KeyArn":              "arn:aws-us-gov:kms:us-east-1:111111111111:key/" + keyID,
				"ec2:SecurityGroup":       strings.Repeat("x", unresolvedLength),
				"bedrock:GuardrailArn":    "arn:aws-us-gov:bedrock:us-east-1:111111111111:guardrail/guardrail",
				"aws:ResourceAccount":     "111111111111",
				"aws:PrincipalOrgPaths":   strings.Repeat("x", len(sub)),
				"aws:RequestedRegion":     "us-east-1",
				"aws:CalledViaFirst":      generated,
				"s3:ExistingObjectTagKey": bucket,
			}}),
	}}
	dir := writeAssembly(t, map[string][]byte{"s": mustJSON(t, map[string]any{"Resources": resources})})
	measurements, err := Measure(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range measurements {
		if m.Limit == EndpointPolicy {
			found = true
			if want := EndpointPolicy.size(want); m.Value != want {
				t.Errorf("endpoint policy measures %d, want %d", m.Value, want)
			}
		}
	}
	if !found {
		t.Error("the endpoint policy was not measured")
	}
}

// TestRoleInlinePolicies adds up, per role, the role's own inline policies and each AWS::IAM::Policy
// attached to it, whether by Ref or, for a role of another stack, by name.
func TestRoleInlinePolicies(t *testing.T) {
	l := RoleInlinePolicies
	template := func(total int) []byte {
		own, shared := 3000, 4000
		return mustJSON(t, map[string]any{"Resources": map[string]any{
			"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
				"Policies": []any{map[string]any{"PolicyName": "own", "PolicyDocument": policyOf(t, l, own)}},
			}},
			"Shared": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
				"Roles": []any{map[string]any{"Ref": "Role"}, "ImportedRole"}, "PolicyDocument": policyOf(t, l, shared),
			}},
			"Rest": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
				"Roles": []any{map[string]any{"Ref": "Role"}}, "PolicyDocument": policyOf(t, l, total-own-shared),
			}},
		}})
	}
	ok := writeAssembly(t, map[string][]byte{"s": template(l.Max)})
	measurements, err := Measure(ok)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range measurements {
		if m.Limit == l {
			got[m.Resource] = m.Value
		}
	}
	if want := map[string]int{"Role": l.Max, "ImportedRole": 4000}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inline policies per role: %v, want %v", got, want)
	}
	wantExceeded(t, ok, writeAssembly(t, map[string][]byte{"s": template(l.Max + 1)}),
		"stack s, resource Role:", l.Name, "10241 characters without white space", "10240")
}

// TestNestedAssembly finds the stacks of a stage, as a pipeline's environments are.
func TestNestedAssembly(t *testing.T) {
	resources := map[string]any{}
	for i := range Resources.Max + 1 {
		resources[fmt.Sprintf("Topic%d", i)] = map[string]any{"Type": "AWS::SNS::Topic"}
	}
	dir := t.TempDir()
	stage := writeAssembly(t, map[string][]byte{"StageStack": mustJSON(t, map[string]any{"Resources": resources})})
	if err := os.Rename(stage, filepath.Join(dir, "assembly-Stage")); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(dir, "manifest.json"), map[string]any{"artifacts": map[string]any{
		"Stage": map[string]any{"type": "cdk:cloud-assembly", "properties": map[string]any{"directoryName": "assembly-Stage"}},
	}})
	if err := Check(dir); err == nil || !strings.Contains(err.Error(), "stack StageStack: resources in a template: 501") {
		t.Errorf("a stage's stack above the limit: %v", err)
	}
}

func TestNoAssembly(t *testing.T) {
	if err := Check(t.TempDir()); err == nil {
		t.Error("a directory without a cloud assembly passes")
	}
}

// TestProjectTemplates measures the golden templates of test/ (synthesized from its fixture
// configuration): each stays under half of every limit, so an environment has room to grow.
func TestProjectTemplates(t *testing.T) {
	templates := map[string][]byte{}
	for _, name := range []string{"dev", "staging", "prod", "organization", "pipeline"} {
		raw, err := os.ReadFile("../../test/testdata/" + name + ".template.json")
		if err != nil {
			t.Fatal(err)
		}
		templates[name] = raw
	}
	measurements, err := Measure(writeAssembly(t, templates))
	if err != nil {
		t.Fatal(err)
	}
	measured := map[*Limit]bool{}
	for _, m := range measurements {
		measured[m.Limit] = true
		if m.Value > m.Limit.Max/2 {
			t.Errorf("%s %s: %s is %d of %d %s, more than half", m.Stack, m.Resource, m.Limit.Name, m.Value, m.Limit.Max, m.Limit.Unit)
		}
	}
	for _, l := range []*Limit{Resources, Outputs, Parameters, Mappings, TemplateSize, EndpointPolicy, RoleInlinePolicies, TrustPolicy, BucketPolicy, KeyPolicy} {
		if !measured[l] {
			t.Errorf("nothing measured against %s", l.Name)
		}
	}
}
