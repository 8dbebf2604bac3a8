package cfnvalidate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeAssembly writes a cloud assembly with one stack "s" (in a nested assembly when nested) whose
// resources are logical ID → construct path, with rule acknowledgements at construct paths.
func writeAssembly(t *testing.T, nested bool, resources map[string]string, acks map[string]string) (dir, template string) {
	t.Helper()
	dir = t.TempDir()
	stackDir := dir
	if nested {
		stackDir = filepath.Join(dir, "assembly-Stage")
		write(t, filepath.Join(dir, "manifest.json"), map[string]any{"artifacts": map[string]any{
			"Stage": map[string]any{"type": "cdk:cloud-assembly", "properties": map[string]any{"directoryName": "assembly-Stage"}},
		}})
	}
	metadata := map[string][]map[string]any{}
	template = filepath.Join(stackDir, "s.template.json")
	resourcesJSON := map[string]any{}
	for id, path := range resources {
		metadata["/"+path] = append(metadata["/"+path], map[string]any{"type": "aws:cdk:logicalId", "data": id})
		resourcesJSON[id] = map[string]any{"Type": "AWS::EC2::VPC"}
	}
	for path, rule := range acks {
		metadata["/"+path] = append(metadata["/"+path], map[string]any{"type": "aws:cdk:acknowledged-rules",
			"data": map[string]string{ackPrefix + rule: "why"}})
	}
	write(t, filepath.Join(stackDir, "s.metadata.json"), metadata)
	write(t, template, map[string]any{"Resources": resourcesJSON})
	write(t, filepath.Join(stackDir, "manifest.json"), map[string]any{"artifacts": map[string]any{
		"s": map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://111122223333/us-east-1", "displayName": "s",
			"additionalMetadataFile": "s.metadata.json", "properties": map[string]any{"templateFile": "s.template.json"}},
		"s.assets": map[string]any{"type": "cdk:asset-manifest"},
	}})
	return dir, template
}

func write(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func violation(rule, severity, template, logicalID string) report {
	raw, _ := json.Marshal(map[string]any{"violations": []any{map[string]any{
		"ruleName": rule, "severity": severity, "description": "CidrBlockTypo: Additional properties are not allowed",
		"violatingResources": []any{map[string]any{"resourceLogicalId": logicalID, "templatePath": template}},
	}}})
	var r report
	if err := json.Unmarshal(raw, &r); err != nil {
		panic(err)
	}
	return r
}

func TestFindings(t *testing.T) {
	resources := map[string]string{"Vpc": "s/Network/Resource/Resource", "FlowLog": "s/Network/Resource/All/FlowLog"}
	cases := []struct {
		name, rule, severity, logicalID string
		acks                            map[string]string
		want                            string
	}{
		{"acknowledged on the construct itself", "F3002", "error", "FlowLog", map[string]string{"s/Network/Resource/All/FlowLog": "F3002"}, ""},
		{"acknowledged on an ancestor", "F3002", "error", "FlowLog", map[string]string{"s/Network/Resource/All": "F3002"}, ""},
		{"acknowledged for a sibling only", "F3002", "error", "Vpc", map[string]string{"s/Network/Resource/All": "F3002"},
			"CloudFormation validation error F3002 on s/Network/Resource/Resource: CidrBlockTypo: Additional properties are not allowed (acknowledged for s/Network/Resource/All only; fix the resource)"},
		{"a path prefix that is not an ancestor", "F3002", "error", "Vpc", map[string]string{"s/Net": "F3002"}, "F3002 on s/Network/Resource/Resource"},
		{"another rule acknowledged", "F3002", "error", "Vpc", map[string]string{"s": "W3010"}, "F3002 on s/Network/Resource/Resource: CidrBlockTypo"},
		{"a warning fails too", "W3030", "warning", "Vpc", nil, "CloudFormation validation warning W3030 on s/Network/Resource/Resource"},
		{"a resource no construct made", "E3001", "error", "Stray", nil, "E3001 on s Stray"},
	}
	for _, nested := range []bool{false, true} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s (nested %t)", c.name, nested), func(t *testing.T) {
				dir, template := writeAssembly(t, nested, resources, c.acks)
				stacks, err := readAssembly(dir)
				if err != nil {
					t.Fatal(err)
				}
				if len(stacks) != 1 || stacks[0].AccountID != "111122223333" || stacks[0].Region != "us-east-1" || stacks[0].TemplatePath != template {
					t.Fatalf("stacks %+v, want s in 111122223333/us-east-1 at %s", stacks, template)
				}
				err = findings(stacks, violation(c.rule, c.severity, template, c.logicalID))
				switch {
				case c.want == "" && err != nil:
					t.Errorf("unexpected error: %v", err)
				case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
					t.Errorf("error %v, want one containing %q", err, c.want)
				}
			})
		}
	}
}

// The validator process, end to end: it finds a misspelt property in a synthesized-looking assembly.
func TestValidatorFindsAnUnknownProperty(t *testing.T) {
	dir, template := writeAssembly(t, false, map[string]string{"Vpc": "s/Vpc/Resource"}, nil)
	write(t, template, map[string]any{"Resources": map[string]any{"Vpc": map[string]any{"Type": "AWS::EC2::VPC",
		"Properties": map[string]any{"CidrBlock": "10.0.0.0/16", "CidrBlockTypo": "x"}}}})
	v, err := Start(filepath.Join("..", "..", Script))
	if err != nil {
		t.Fatal(err)
	}
	err = v.Check(dir)
	if err == nil || !strings.Contains(err.Error(), "F3002 on s/Vpc/Resource: CidrBlockTypo") {
		t.Errorf("error %v, want the unknown property CidrBlockTypo of s/Vpc/Resource", err)
	}
}

// The validator's rules are those of the Go bindings' aws-cdk-lib only if the versions are equal.
func TestValidatorVersionIsTheBindingsVersion(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github\.com/aws/aws-cdk-go/awscdk/v2 v(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod requires no github.com/aws/aws-cdk-go/awscdk/v2")
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	raw, err := os.ReadFile("../../package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		t.Fatal(err)
	}
	if got := lock.Packages["node_modules/aws-cdk-lib"].Version; got != string(m[1]) {
		t.Errorf("package-lock.json installs aws-cdk-lib %q, the Go bindings are %s: pin aws-cdk-lib %s in package.json (npm install --save-exact --save-dev aws-cdk-lib@%s)", got, m[1], m[1], m[1])
	}
}
