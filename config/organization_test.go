package config

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func org(doc map[string]any) map[string]any { return doc["organization"].(map[string]any) }

func endpointIDs(doc map[string]any) map[string]any { return org(doc)["endpointIds"].(map[string]any) }

func guardrailPolicy(doc map[string]any) map[string]any {
	return org(doc)["guardrailPolicy"].(map[string]any)
}

func orgGuardrail(doc map[string]any) map[string]any {
	return guardrailPolicy(doc)["guardrail"].(map[string]any)
}

// badOrganizations are mistakes in the organization section. The schema test runs them too.
var badOrganizations = []badCase{
	{"malformed management account", func(d map[string]any) { org(d)["account"] = "12345" },
		[]string{"organization: account", `"12345"`, "12-digit number of the management or delegated administrator account"}},
	{"malformed organisation region", func(d map[string]any) { org(d)["region"] = "virginia" },
		[]string{"organization: region", `"virginia"`, "us-east-1"}},
	{"no targets", func(d map[string]any) { org(d)["targets"] = []any{} },
		[]string{"organization: targets", "[]", "at least one OU"}},
	{"malformed OU ID", func(d map[string]any) { org(d)["targets"] = []any{"ou-abcd"} },
		[]string{"organization: targets[0]", `"ou-abcd"`, "use an OU ID such as ou-abcd-11111111 or a 12-digit account ID"}},
	{"the organisation root as a target", func(d map[string]any) { org(d)["targets"] = []any{"r-abcd"} },
		[]string{"organization: targets[0]", `"r-abcd"`, "the organisation root is not accepted"}},
	{"target listed twice", func(d map[string]any) { org(d)["targets"] = []any{"ou-abcd-11111111", "ou-abcd-11111111"} },
		[]string{"organization: targets[1]", "listed twice"}},
	{"management account as a target", func(d map[string]any) { org(d)["targets"] = []any{org(d)["account"]} },
		[]string{"organization: targets[0]", `"999999999999"`, "do not restrict the management account"}},
	{"break-glass wildcard", func(d map[string]any) {
		org(d)["breakGlassRoleArns"] = []any{"arn:aws:iam::111111111111:role/BreakGlass*"}
	}, []string{"organization: breakGlassRoleArns[0]", `"arn:aws:iam::111111111111:role/BreakGlass*"`, "without wildcards"}},
	{"break-glass user", func(d map[string]any) { org(d)["breakGlassRoleArns"] = []any{"arn:aws:iam::111111111111:user/Admin"} },
		[]string{"organization: breakGlassRoleArns[0]", "is not an IAM role ARN"}},
	{"no deployment roles", func(d map[string]any) { org(d)["deploymentRoleArns"] = []any{} },
		[]string{"organization: deploymentRoleArns", "[]", "cdk-hnb659fds-cfn-exec-role-*"}},
	{"deployment role with a wildcard inside the name", func(d map[string]any) {
		org(d)["deploymentRoleArns"] = []any{"arn:aws:iam::*:role/cdk-*-cfn-exec-role-*"}
	}, []string{"organization: deploymentRoleArns[0]", `"arn:aws:iam::*:role/cdk-*-cfn-exec-role-*"`, "with * only at the end of the name"}},
	{"deployment role matching every role", func(d map[string]any) { org(d)["deploymentRoleArns"] = []any{"arn:aws:iam::*:role/*"} },
		[]string{"organization: deploymentRoleArns[0]", `"arn:aws:iam::*:role/*"`, "is not a role ARN pattern"}},
	{"deployment role with a partial account wildcard", func(d map[string]any) {
		org(d)["deploymentRoleArns"] = []any{"arn:aws:iam::1111*:role/Deployer"}
	}, []string{"organization: deploymentRoleArns[0]", "12-digit account or *"}},
	{"deployment role with ?", func(d map[string]any) { org(d)["deploymentRoleArns"] = []any{"arn:aws:iam::*:role/Deploy?r"} },
		[]string{"organization: deploymentRoleArns[0]", `"arn:aws:iam::*:role/Deploy?r"`}},
	{"endpoint IDs of an unknown environment", func(d map[string]any) { endpointIDs(d)["qa"] = []any{"vpce-0a000000000000001"} },
		[]string{"organization: endpointIds.qa", `"qa"`, "is no environment of this file: use one of dev, staging, prod"}},
	{"no endpoint ID for an environment", func(d map[string]any) { endpointIDs(d)["dev"] = []any{} },
		[]string{"organization: endpointIds.dev", "[]", "is empty", "BedrockRuntimeEndpointId"}},
	{"malformed endpoint ID", func(d map[string]any) { endpointIDs(d)["dev"] = []any{"vpce-xyz"} },
		[]string{"organization: endpointIds.dev[0]", `"vpce-xyz"`, "is not a VPC endpoint ID"}},
	{"one endpoint for two environments", func(d map[string]any) { endpointIDs(d)["staging"] = endpointIDs(d)["dev"] },
		[]string{"organization: endpointIds.staging[0]", `"vpce-0d000000000000001"`, `also listed for environment "dev"`}},
	{"unknown API key policy", func(d map[string]any) { org(d)["apiKeys"] = "allow" },
		[]string{"organization: apiKeys", `"allow"`, `use "deny"`}},
	{"an environment named like the organisation stack", func(d map[string]any) { env(d, 2)["name"] = "organization" },
		[]string{`environment "organization": name`, "like the organisation stack", "rename the environment"}},
	{"key in another case in the organization section", func(d map[string]any) { rename(org(d), "endpointIds", "endpointIDs") },
		[]string{"organization: endpointIDs", `unknown field: write it "endpointIds"`}},
	{"unknown key in the organization section", func(d map[string]any) { org(d)["scpTargets"] = []any{} },
		[]string{"organization: scpTargets", "unknown field: correct its spelling or remove it"}},
	{"string for a list in the organization section", func(d map[string]any) { org(d)["targets"] = "ou-abcd-11111111" },
		[]string{"organization: targets", "a JSON string is not valid here", "a list in [ ]"}},
	{"malformed organisation ID", func(d map[string]any) { guardrailPolicy(d)["organizationId"] = "o-123" },
		[]string{"organization: guardrailPolicy.organizationId", `"o-123"`, "is not an organisation ID", "describe-organization"}},
	{"no organisation ID", func(d map[string]any) { delete(guardrailPolicy(d), "organizationId") },
		[]string{"organization: guardrailPolicy.organizationId", `""`, "is not an organisation ID"}},
	{"unknown content filter in the organisation's guardrail", func(d map[string]any) {
		orgGuardrail(d)["contentFilters"].([]any)[0].(map[string]any)["type"] = "RUDENESS"
	}, []string{"organization: guardrailPolicy.guardrail.contentFilters[0].type", `"RUDENESS"`, "use one of"}},
	{"organisation's guardrail with no policy", func(d map[string]any) {
		g := orgGuardrail(d)
		delete(g, "contentFilters")
		delete(g, "piiEntities")
	}, []string{"organization: guardrailPolicy.guardrail", "guards nothing", "or remove guardrailPolicy"}},
	{"organisation's guardrail without a blocked message", func(d map[string]any) { delete(orgGuardrail(d), "blockedOutputMessage") },
		[]string{"organization: guardrailPolicy.guardrail.blockedOutputMessage", `""`, "1 to 500 characters"}},
	{"environment key in the organisation's guardrail", func(d map[string]any) { orgGuardrail(d)["enforceInAccount"] = true },
		[]string{"organization: guardrailPolicy.guardrail.enforceInAccount", "unknown field"}},
	{"ALL as an included model", func(d map[string]any) { guardrailPolicy(d)["includedModels"] = []any{"ALL"} },
		[]string{"organization: guardrailPolicy.includedModels[0]", `"ALL"`, "leave includedModels out"}},
	{"inference profile as an excluded model", func(d map[string]any) {
		guardrailPolicy(d)["excludedModels"] = []any{"us.anthropic.claude-3-5-haiku-20241022-v1:0"}
	}, []string{"organization: guardrailPolicy.excludedModels[0]", `"us.anthropic.claude-3-5-haiku-20241022-v1:0"`, "is not a foundation-model ID"}},
	{"model both included and excluded", func(d map[string]any) {
		guardrailPolicy(d)["includedModels"] = []any{"amazon.titan-embed-text-v2:0", "anthropic.claude-3-haiku-20240307-v1:0"}
	}, []string{"organization: guardrailPolicy.excludedModels[0]", `"amazon.titan-embed-text-v2:0"`, "is in includedModels too", "list it in one of them"}},
}

func TestBadOrganizationNamesFieldValueAndFix(t *testing.T) {
	runBadCases(t, badOrganizations)
}

// Without the section there is no organisation stack; with it, the API key policy defaults to deny,
// and there is a guardrail policy only with its key.
func TestOrganizationIsOptional(t *testing.T) {
	doc := base(t)
	delete(org(doc), "apiKeys")
	delete(org(doc), "guardrailPolicy")
	raw, _ := json.Marshal(doc)
	f, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Organization == nil || f.Organization.APIKeyPolicy() != DenyAPIKeys || f.Organization.GuardrailPolicy != nil {
		t.Errorf("organization %+v: want the section with the API key policy deny by default, and no guardrail policy", f.Organization)
	}
	delete(doc, "organization")
	raw, _ = json.Marshal(doc)
	if f, err := Parse(raw); err != nil || f.Organization != nil {
		t.Errorf("without the section: organization %+v, error %v; want none", f.Organization, err)
	}
	doc["organization"] = nil
	raw, _ = json.Marshal(doc)
	if _, err := Parse(raw); err == nil || err.Error() != "organization: null is not a section: remove the key for no organisation policies, or give the object" {
		t.Errorf("with the section null: error %v; want the one line that says to remove the key", err)
	}
}

// A key repeated in a map (endpointIds) is a mistake like one repeated in an object.
func TestDuplicateEndpointIDsKeyIsRejected(t *testing.T) {
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	first := `"dev": ["vpce-0d000000000000001"],`
	if !bytes.Contains(raw, []byte(first)) {
		t.Fatalf("fixture no longer contains %s", first)
	}
	raw = bytes.Replace(raw, []byte(first), []byte(first+` "dev": ["vpce-0d000000000000002"],`), 1)
	_, err = Parse(raw)
	if want := "organization: endpointIds.dev: appears twice in one object"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to contain %q", err, want)
	}
}

// Mistakes in the organization section are reported beside every environment's.
func TestOrganizationMistakesAreReportedWithEnvironments(t *testing.T) {
	doc := base(t)
	org(doc)["account"] = "1"
	env(doc, 0)["vpcCidr"] = "nonsense"
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	if err == nil || !strings.Contains(err.Error(), "organization: account") || !strings.Contains(err.Error(), `"dev": vpcCidr`) {
		t.Errorf("want both mistakes in one error, got %v", err)
	}
}
