package executionpolicy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
)

func environment(roles int) config.Environment {
	e := config.Environment{Name: "dev", Account: "111111111111", Region: "eu-central-1"}
	for i := range roles {
		e.AccessRoles = append(e.AccessRoles, config.AccessRole{Name: "BedrockAccessRoleWithALongDescriptiveName" + strings.Repeat("x", i%10) + string(rune('A'+i%26))})
	}
	return e
}

func statement(t *testing.T, document map[string]any, sid string) map[string]any {
	t.Helper()
	for _, s := range document["Statement"].([]any) {
		if s := s.(map[string]any); s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("no statement %s", sid)
	return nil
}

func TestDocumentScopesRolesAndRegion(t *testing.T) {
	e := environment(2)
	d := Document("private-bedrock", e)
	roles := statement(t, d, "StackRoles")["Resource"].([]string)
	want := []string{
		"arn:aws:iam::111111111111:role/private-bedrock-dev-*",
		"arn:aws:iam::111111111111:role/" + e.AccessRoles[0].Name,
		"arn:aws:iam::111111111111:role/" + e.AccessRoles[1].Name,
	}
	if !slices.Equal(roles, want) {
		t.Errorf("roles %q, want %q", roles, want)
	}
	region := statement(t, d, "StackServicesInTheRegion")["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:RequestedRegion"]
	if region != "eu-central-1" {
		t.Errorf("services limited to region %v, want eu-central-1", region)
	}
	if r := statement(t, d, "BootstrapVersion")["Resource"]; r != "arn:aws:ssm:eu-central-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version" {
		t.Errorf("bootstrap version parameter %v", r)
	}
	if actions := statement(t, d, "StackRoles")["Action"].([]string); slices.Contains(actions, "iam:AttachRolePolicy") || slices.ContainsFunc(actions, func(a string) bool { return strings.Contains(a, "*") }) {
		t.Errorf("role actions %q: no wildcard, no managed policy attachment", actions)
	}
}

func TestServiceOf(t *testing.T) {
	for typ, want := range map[string]string{
		"AWS::EC2::VPCEndpoint": "ec2", "AWS::Bedrock::Guardrail": "bedrock", "AWS::IAM::Role": "iam",
		"Custom::AWS": "lambda", "AWS::CDK::Metadata": "",
	} {
		if got, ok := ServiceOf(typ); !ok || got != want {
			t.Errorf("ServiceOf(%s) = %q, %v; want %q", typ, got, ok, want)
		}
	}
	for _, typ := range []string{"AWS::IAM::User", "AWS::IAM::ManagedPolicy", "AWS::RDS::DBInstance"} {
		if got, ok := ServiceOf(typ); ok {
			t.Errorf("ServiceOf(%s) = %q: the policy must not cover it", typ, got)
		}
	}
}

func TestCheckSize(t *testing.T) {
	if err := CheckSize("dev", Document("private-bedrock", environment(3))); err != nil {
		t.Error(err)
	}
	big := Document("private-bedrock", environment(150))
	raw, _ := json.Marshal(big)
	err := CheckSize("dev", big)
	if len(raw) <= MaxSize || err == nil || !strings.Contains(err.Error(), `environment "dev"`) || !strings.Contains(err.Error(), "6144") {
		t.Errorf("a %d-character policy: %v", len(raw), err)
	}
}
