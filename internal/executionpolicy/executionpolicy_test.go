package executionpolicy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/limits"
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
		"arn:aws:iam::111111111111:role/private-bedrock-dev/*",
		"arn:aws:iam::111111111111:role/" + e.AccessRoles[0].Name,
		"arn:aws:iam::111111111111:role/" + e.AccessRoles[1].Name,
	}
	if !slices.Equal(roles, want) {
		t.Errorf("roles %q, want %q", roles, want)
	}
	region := statement(t, d, "StackServicesInTheRegions")["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:RequestedRegion"]
	if !slices.Equal(region.([]string), []string{"eu-central-1"}) {
		t.Errorf("services limited to region %v, want eu-central-1", region)
	}
	if r := statement(t, d, "BootstrapVersion")["Resource"].([]string); !slices.Equal(r, []string{"arn:aws:ssm:eu-central-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version"}) {
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
	if err := CheckSize(`environment "dev"`, Document("private-bedrock", environment(3))); err != nil {
		t.Error(err)
	}
	big := Document("private-bedrock", environment(150))
	raw, _ := json.Marshal(big)
	err := CheckSize(`environment "dev"`, big)
	if len(raw) <= limits.ManagedPolicy.Max || err == nil || !strings.Contains(err.Error(), `environment "dev"`) || !strings.Contains(err.Error(), "6144") {
		t.Errorf("a %d-character policy: %v", len(raw), err)
	}
}

func TestPipelinePolicy(t *testing.T) {
	pl := config.Pipeline{Account: "555555555555", Region: "us-east-1",
		ConnectionArn: "arn:aws:codeconnections:us-east-1:555555555555:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}
	d := Pipeline("private-bedrock", pl, []string{"eu-central-1", "us-east-1", "eu-central-1"})
	regions := statement(t, d, "StackServicesInTheRegions")["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:RequestedRegion"]
	if !slices.Equal(regions.([]string), []string{"us-east-1", "eu-central-1"}) {
		t.Errorf("regions %v, want the pipeline's first, each once", regions)
	}
	if roles := statement(t, d, "StackRoles")["Resource"].([]string); !slices.Equal(roles, []string{"arn:aws:iam::555555555555:role/private-bedrock-pipeline/*"}) {
		t.Errorf("roles %q", roles)
	}
	if r := statement(t, d, "PassTheConnection")["Resource"]; r != pl.ConnectionArn {
		t.Errorf("passes %v, want the connection", r)
	}
	for prefix, want := range map[string]bool{"codepipeline": true, "codebuild": true, "iam": true, "": true, "ec2": false, "bedrock": false} {
		if Covers(d, prefix) != want {
			t.Errorf("Covers(%q) = %v, want %v", prefix, !want, want)
		}
	}
}
