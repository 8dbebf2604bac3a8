package main

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/privatebedrock/stack/internal/fakeaws"
)

// TestResolve resolves the template with what loadDeployment read of the stack: its physical IDs, its
// outputs and its name. What cfnresolve makes of a deployed stack besides are its own tests.
func TestResolve(t *testing.T) {
	f := fakeaws.New(t)
	healthy(t, f)
	d := deployed(t, f, testEnv(t))
	var in any
	json.Unmarshal([]byte(`{
		"region":     {"Ref": "AWS::Region"},
		"stack":      {"Ref": "AWS::StackName"},
		"endpoint":   {"Ref": "BedrockRuntimeFAE2B7F3"},
		"delivery":   {"Fn::GetAtt": ["InvocationLoggingDeliveryRole7BF940C7", "Arn"]},
		"invoker":    {"Fn::GetAtt": ["InvokerRoleB87900DB", "Arn"]},
		"guardrail":  {"Fn::Join": [":", [{"Fn::GetAtt": ["GuardrailVersionb01c9912BEF174DA", "GuardrailArn"]},
			{"Fn::GetAtt": ["GuardrailVersionb01c9912BEF174DA", "Version"]}]]}
	}`), &in)
	out, err := d.resolve(in)
	got, _ := json.Marshal(out)
	want := `{"delivery":"` + deliveryRoleArn + `","endpoint":"` + endpointID + `","guardrail":"` + guardrailArn + `:1",` +
		`"invoker":"` + invokerRole + `","region":"us-east-1","stack":"private-bedrock-dev"}`
	if err != nil || string(got) != want {
		t.Errorf("resolve = %s, %v\nwant      %s", got, err, want)
	}
	var unknown any
	json.Unmarshal([]byte(`{"Fn::GetAtt": ["Network6E62CE96", "CidrBlock"]}`), &unknown)
	if _, err := d.resolve(unknown); !errors.Is(err, errUnresolvable) {
		t.Errorf("resolve of a VPC's CidrBlock: error %v, want errUnresolvable", err)
	}
}

func TestStatementDifferences(t *testing.T) {
	statement := func(sid, action string) map[string]any {
		return map[string]any{"Sid": sid, "Effect": "Allow", "Action": action}
	}
	live := []map[string]any{statement("A", "x"), statement("B", "x"), {"Effect": "Allow", "Action": []any{"x", "y"}}}
	deployed := []map[string]any{statement("A", "x"), statement("B", "y"), statement("C", "x"), {"Effect": "Allow", "Action": []any{"y", "x"}}}
	want := []string{"statement B differs from the deployed template's", "the deployed template's statement C is missing"}
	if got := statementDifferences(live, deployed); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := statementDifferences(append(live, statement("D", "x")), deployed[:3]); !slices.Contains(got, "statement D is not in the deployed template") {
		t.Errorf("got %q, want statement D reported", got)
	}
}
