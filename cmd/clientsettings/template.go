package main

import (
	"encoding/json"
	"slices"
)

// trust is what the synthesized role says about who may assume it, how, and for how long.
type trust struct {
	// maxSession is MaxSessionDuration in seconds.
	maxSession int
	// principals are the literal AWS principal ARNs, sorted; intrinsics are left out.
	principals []string
	// services are the trusted service principals, sorted.
	services []string
	// mfa: some Allow for AWS principals requires aws:MultiFactorAuthPresent.
	mfa bool
	// sourceIdentity: some Allow for AWS principals requires an sts:SourceIdentity.
	sourceIdentity bool
}

// defaultMaxSession is what IAM applies when MaxSessionDuration is absent.
const defaultMaxSession = 3600

// readRole finds the AWS::IAM::Role named name in a CloudFormation template and reads its trust. found
// is false when the template has no such role.
func readRole(template []byte, name string) (t trust, found bool, err error) {
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(template, &doc); err != nil {
		return trust{}, false, err
	}
	for _, r := range doc.Resources {
		if r.Type != "AWS::IAM::Role" || r.Properties["RoleName"] != name {
			continue
		}
		return roleTrust(r.Properties), true, nil
	}
	return trust{}, false, nil
}

func roleTrust(props map[string]any) trust {
	t := trust{maxSession: defaultMaxSession}
	if seconds, ok := props["MaxSessionDuration"].(float64); ok {
		t.maxSession = int(seconds)
	}
	policy, _ := props["AssumeRolePolicyDocument"].(map[string]any)
	for _, s := range list(policy["Statement"]) {
		statement, _ := s.(map[string]any)
		if statement["Effect"] != "Allow" {
			continue
		}
		principal, _ := statement["Principal"].(map[string]any)
		t.services = append(t.services, strs(principal["Service"])...)
		if _, forPrincipals := principal["AWS"]; !forPrincipals {
			continue
		}
		t.principals = append(t.principals, strs(principal["AWS"])...)
		condition, _ := statement["Condition"].(map[string]any)
		if b, _ := condition["Bool"].(map[string]any); isTrue(b["aws:MultiFactorAuthPresent"]) {
			t.mfa = true
		}
		for _, operator := range []string{"StringLike", "StringEquals"} {
			if keys, _ := condition[operator].(map[string]any); keys["sts:SourceIdentity"] != nil {
				t.sourceIdentity = true
			}
		}
	}
	slices.Sort(t.principals)
	t.principals = slices.Compact(t.principals)
	slices.Sort(t.services)
	t.services = slices.Compact(t.services)
	return t
}

// list reads a policy element that may be one value or a list of them.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// strs keeps the literal strings of a one-or-list element, skipping intrinsics such as Fn::Join.
func strs(v any) []string {
	var out []string
	for _, e := range list(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// isTrue accepts the forms a Bool condition value takes: "true", true, or a list holding one.
func isTrue(v any) bool {
	return slices.ContainsFunc(list(v), func(e any) bool { return e == "true" || e == true })
}
