package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckValidation(t *testing.T) {
	report := func(ackAt, violating string) string {
		return `{"pluginReports":[{"pluginName":"CloudFormation Validate","suppressedViolations":[{"ruleName":"F3002",
			"description":"CidrBlockTypo: Additional properties are not allowed","acknowledgedAt":"` + ackAt + `",
			"violatingConstructs":[{"constructPath":"` + violating + `"}]}]}]}`
	}
	cases := []struct {
		name, report, want string
	}{
		{"acknowledged on the construct itself", report("s/Network/Resource/All", "s/Network/Resource/All/FlowLog"), ""},
		{"acknowledgement leaking to a sibling", report("s/Network/Resource/All", "s/Network/Resource/Resource"),
			"CloudFormation Validate F3002 on s/Network/Resource/Resource: CidrBlockTypo: Additional properties are not allowed (hidden by an acknowledgement made for s/Network/Resource/All; fix the resource)"},
		{"path prefix that is not an ancestor", report("s/Net", "s/Network/Resource"), "F3002 on s/Network/Resource"},
		{"nothing found", `{"pluginReports":[]}`, ""},
		{"a warning", `{"pluginReports":[{"pluginName":"CloudFormation Validate","violations":[{"ruleName":"W3030","severity":"warning",
			"description":"InstanceTenancy: 'sometimes' is not one of ['dedicated', 'default', 'host']","violatingConstructs":[{"constructPath":"s/Network/Resource/Resource"}]}]}]}`,
			"CloudFormation Validate warning W3030 on s/Network/Resource/Resource: InstanceTenancy: 'sometimes'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "validation-report.json"), []byte(c.report), 0o644); err != nil {
				t.Fatal(err)
			}
			err := checkValidation(dir)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if err := checkValidation(t.TempDir()); err != nil {
		t.Errorf("no report (validation off) must pass, got %v", err)
	}
}
