package config

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// role is the i-th access role of environment e in doc.
func role(doc map[string]any, e, i int) map[string]any {
	return env(doc, e)["accessRoles"].([]any)[i].(map[string]any)
}

func network(doc map[string]any, e, i int) map[string]any {
	return role(doc, e, i)["network"].(map[string]any)
}

// badAccessRoles are mistakes in access roles. The schema test runs them too.
var badAccessRoles = []badCase{
	{"wildcard principal", func(d map[string]any) { role(d, 0, 0)["trustedPrincipals"] = []any{"arn:aws:iam::111111111111:role/*"} },
		[]string{`environment "dev"`, "accessRoles[0].trustedPrincipals[0]", `"arn:aws:iam::111111111111:role/*"`, "name each trusted user or role by its full ARN"}},
	{"account root as principal", func(d map[string]any) { role(d, 0, 0)["trustedPrincipals"] = []any{"arn:aws:iam::444444444444:root"} },
		[]string{"accessRoles[0].trustedPrincipals[0]", `"arn:aws:iam::444444444444:root"`, "is not an IAM user or role ARN"}},
	{"malformed principal", func(d map[string]any) { role(d, 0, 0)["trustedPrincipals"] = []any{"DeveloperUser"} },
		[]string{"accessRoles[0].trustedPrincipals[0]", `"DeveloperUser"`, "use arn:aws:iam::<12-digit account>:user/<name>"}},
	{"unknown service principal", func(d map[string]any) { role(d, 0, 0)["trustedServices"] = []any{"bedrock.amazonaws.com"} },
		[]string{"accessRoles[0].trustedServices[0]", `"bedrock.amazonaws.com"`, "use one of ec2.amazonaws.com, ecs-tasks.amazonaws.com, lambda.amazonaws.com"}},
	{"nobody trusted", func(d map[string]any) {
		role(d, 0, 0)["trustedPrincipals"] = []any{}
		role(d, 0, 0)["trustedServices"] = []any{}
		role(d, 0, 0)["requireMfa"] = false
	}, []string{"accessRoles[0].trustedPrincipals", "name who may assume the role"}},
	{"MFA on a role only services assume", func(d map[string]any) { role(d, 1, 0)["requireMfa"] = true },
		[]string{`environment "staging"`, "accessRoles[0].requireMfa", "services assume roles without MFA"}},
	{"source identity on a role only services assume", func(d map[string]any) { role(d, 1, 0)["requireSourceIdentity"] = true },
		[]string{`environment "staging"`, "accessRoles[0].requireSourceIdentity", "services set no source identity"}},
	{"session longer than IAM accepts", func(d map[string]any) { role(d, 0, 0)["maxSessionHours"] = 13 },
		[]string{"accessRoles[0].maxSessionHours", "13", "give 1 to 12 hours"}},
	{"MFA on a role trusted by a role", func(d map[string]any) { role(d, 0, 1)["requireMfa"] = true },
		[]string{"accessRoles[1].requireMfa", "lists roles, whose sessions carry no MFA", "require MFA where those people sign in"}},
	{"long sessions no caller gets", func(d map[string]any) { role(d, 0, 1)["maxSessionHours"] = 8 },
		[]string{"accessRoles[1].maxSessionHours", "8", "has no effect", "give 1"}},
	{"negative session", func(d map[string]any) { role(d, 0, 0)["maxSessionHours"] = -1 },
		[]string{"accessRoles[0].maxSessionHours", "-1", "give 1 to 12 hours"}},
	{"the whole internet", func(d map[string]any) { network(d, 0, 0)["sourceIps"] = []any{"0.0.0.0/0"} },
		[]string{"accessRoles[0].network.sourceIps[0]", `"0.0.0.0/0"`, "admits a large part of the internet"}},
	{"a broad public block", func(d map[string]any) { network(d, 0, 0)["sourceIps"] = []any{"52.0.0.0/8"} },
		[]string{"accessRoles[0].network.sourceIps[0]", `"52.0.0.0/8"`, "/16 or narrower"}},
	{"a private block never matches aws:SourceIp", func(d map[string]any) { network(d, 0, 0)["sourceIps"] = []any{"10.0.0.0/24"} },
		[]string{"accessRoles[0].network.sourceIps[0]", `"10.0.0.0/24"`, "is not a public address block", "set endpoint"}},
	{"malformed source CIDR", func(d map[string]any) { network(d, 0, 0)["sourceIps"] = []any{"198.51.100.0"} },
		[]string{"accessRoles[0].network.sourceIps[0]", `"198.51.100.0"`, "is not a CIDR block"}},
	{"no network", func(d map[string]any) { network(d, 0, 0)["sourceIps"] = []any{} },
		[]string{"accessRoles[0].network", "names no network", "set anywhere to true"}},
	{"anywhere with named networks", func(d map[string]any) { network(d, 0, 0)["anywhere"] = true },
		[]string{"accessRoles[0].network.anywhere", "choose anywhere alone"}},
	{"name IAM refuses", func(d map[string]any) { role(d, 0, 0)["name"] = "Bedrock Role" },
		[]string{"accessRoles[0].name", `"Bedrock Role"`, "is not an IAM role name"}},
	{"two roles with one name", func(d map[string]any) { role(d, 0, 1)["name"] = "developerbedrockrole" },
		[]string{"accessRoles[1].name", `"developerbedrockrole"`, "IAM role names ignore case"}},
	{"a role that is also a client principal", func(d map[string]any) {
		env(d, 0)["clientPrincipals"] = append(env(d, 0)["clientPrincipals"].([]any), "arn:aws:iam::111111111111:role/DeveloperBedrockRole")
	}, []string{"accessRoles[0].name", `"DeveloperBedrockRole"`, "remove it from clientPrincipals"}},
	{"guardrail-aware without a guardrail", func(d map[string]any) { guard(d, 0)["enabled"] = false },
		[]string{"accessRoles[0].guardrailAware", "enable guardrail or set guardrailAware to false"}},
	{"unguarded without account enforcement", func(d map[string]any) { guard(d, 0)["enforceInAccount"] = false },
		[]string{"accessRoles[1]", `"ClaudeCodeRole"`, "would call Bedrock unguarded", "arn:aws:iam::111111111111:role/ClaudeCodeRole in guardrail.unguardedPrincipals"}},
}

func TestBadAccessRoleNamesEnvironmentFieldValueAndFix(t *testing.T) {
	runBadCases(t, badAccessRoles)
}

// A role name is unique in an account, across the environments deployed there.
func TestAccessRoleNameCollidesAcrossEnvironmentsOfOneAccount(t *testing.T) {
	doc := base(t)
	env(doc, 1)["account"] = env(doc, 0)["account"]
	role(doc, 1, 0)["name"] = "ClaudeCodeRole"
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	if err == nil || !strings.Contains(err.Error(), `environment "staging": accessRoles[0].name: "ClaudeCodeRole" is also created by environment "dev" in account 111111111111`) {
		t.Errorf("want the collision named, got %v", err)
	}
}

// An unguarded role is accepted once the configuration says so explicitly.
func TestUnguardedAccessRoleAcceptedWhenListed(t *testing.T) {
	doc := base(t)
	guard(doc, 0)["enforceInAccount"] = false
	guard(doc, 0)["unguardedPrincipals"] = []any{"arn:aws:iam::111111111111:role/ClaudeCodeRole"}
	// The fixture's other unguarded principal, a client principal, is accepted the same way.
	guard(doc, 0)["unguardedPrincipals"] = append(guard(doc, 0)["unguardedPrincipals"].([]any), "arn:aws:iam::111111111111:role/BedrockExecutionRole")
	raw, _ := json.Marshal(doc)
	if _, err := Parse(raw); err != nil {
		t.Error(err)
	}
}

// Callers inside the network need the control-plane and STS endpoints; others add none.
func TestEndpointRolesBringBedrockAndSTSEndpoints(t *testing.T) {
	f, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dev := f.Environments[0]
	dev.InvocationLogging.Enabled = false
	if got := dev.InterfaceEndpointServices(); !slices.Contains(got, "sts") || !slices.Contains(got, "bedrock") {
		t.Errorf("endpoints %v, want bedrock and sts for ClaudeCodeRole's callers inside the network", got)
	}
	dev.AccessRoles = slices.DeleteFunc(dev.AccessRoles, func(r AccessRole) bool { return r.Network.Endpoint })
	if got := dev.InterfaceEndpointServices(); slices.Contains(got, "sts") || slices.Contains(got, "bedrock") {
		t.Errorf("endpoints %v, want neither bedrock nor sts without roles used inside the network", got)
	}
}
