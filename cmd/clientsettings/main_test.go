package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const project = "private-bedrock"

// environment has a Sonnet and a Haiku inference profile and a guardrail enforced in IAM.
func environment() config.Environment {
	regions := []string{"us-east-1", "us-east-2", "us-west-2"}
	return config.Environment{
		Name: "dev", Account: "111111111111", Region: "us-east-1",
		Models: []string{"anthropic.claude-3-haiku-20240307-v1:0"},
		InferenceProfiles: []config.InferenceProfile{
			{ID: "us.anthropic.claude-sonnet-4-20250514-v1:0", DestinationRegions: regions},
			{ID: "us.anthropic.claude-3-5-haiku-20241022-v1:0", DestinationRegions: regions},
		},
		Guardrail: config.Guardrail{Enabled: true, EnforceInAccount: true, EnforceInIAM: true},
	}
}

// withRole wraps one role resource in a template beside a role the stack makes for its own function.
func withRole(resource string) string {
	return `{"Resources": {
  "InvokerRoleB87900DB": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
      "Principal": {"Service": "lambda.amazonaws.com"}}], "Version": "2012-10-17"}}},
  "AccessRole": ` + resource + `
}}`
}

var cases = []struct {
	name     string
	env      func(config.Environment) config.Environment
	role     config.AccessRole
	template string
}{{
	// An IAM user with MFA, beside a role; a session of the user may last the role's 2 hours.
	name: "user-mfa",
	role: config.AccessRole{
		Name:              "BedrockExecutionRole",
		TrustedPrincipals: []string{"arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:role/Admin"},
		RequireMFA:        true, MaxSessionHours: 2,
		Network: config.AccessNetwork{Endpoint: true},
	},
	template: withRole(`{"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "BedrockExecutionRole", "MaxSessionDuration": 7200,
    "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:role/Admin"]}}],
      "Version": "2012-10-17"}}}`),
}, {
	// A permission set's role of an identity account with a source identity, as CDK writes it: the SSO
	// profiles, and sessions chained to an hour.
	name: "identity-center",
	env: func(e config.Environment) config.Environment {
		e.InferenceProfiles = e.InferenceProfiles[:1]
		return e
	},
	role: config.AccessRole{
		Name:                  "ClaudeCode",
		TrustedPrincipals:     []string{"arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Bedrock_Users_0123456789abcdef"},
		RequireSourceIdentity: true, MaxSessionHours: 12,
		Network: config.AccessNetwork{SourceIPs: []string{"203.0.113.0/24", "198.51.100.0/24"}},
	},
	template: withRole(`{"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "ClaudeCode", "MaxSessionDuration": 43200,
    "AssumeRolePolicyDocument": {"Statement": [
      {"Action": "sts:AssumeRole", "Condition": {"StringLike": {"sts:SourceIdentity": "*"}}, "Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Bedrock_Users_0123456789abcdef"}},
      {"Action": "sts:SetSourceIdentity", "Condition": {"StringLike": {"sts:SourceIdentity": "*"}}, "Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Bedrock_Users_0123456789abcdef"}}],
      "Version": "2012-10-17"}}}`),
}, {
	// A source identity and MFA for a user, an account principal given as an intrinsic, and a service;
	// no MaxSessionDuration, so IAM's default.
	name: "source-identity",
	role: config.AccessRole{
		Name:              "Auditor",
		TrustedPrincipals: []string{"arn:aws:iam::111111111111:user/bob"},
		TrustedServices:   []string{"ec2.amazonaws.com"},
		RequireMFA:        true, RequireSourceIdentity: true,
		Network: config.AccessNetwork{Endpoint: true, SourceIPs: []string{"203.0.113.0/24"}},
	},
	template: withRole(`{"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "Auditor",
    "AssumeRolePolicyDocument": {"Statement": [
      {"Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Effect": "Allow",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringLike": {"sts:SourceIdentity": "*"}},
       "Principal": {"AWS": ["arn:aws:iam::111111111111:user/bob",
         {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::333333333333:root"]]}]}},
      {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}],
      "Version": "2012-10-17"}}}`),
}, {
	// A guardrail-aware role with the guardrail enforced in IAM: Claude Code and Careti would be denied.
	name: "guardrail-aware",
	role: config.AccessRole{
		Name:              "ChatApplication",
		TrustedPrincipals: []string{"arn:aws:iam::111111111111:role/ChatBackend"},
		GuardrailAware:    true,
		Network:           config.AccessNetwork{Anywhere: true},
	},
	template: withRole(`{"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "ChatApplication", "MaxSessionDuration": 3600,
    "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111111111111:role/ChatBackend"}}], "Version": "2012-10-17"}}}`),
}, {
	// No inference profiles, and MFA for roles only, written as a list: the MFA device is a placeholder.
	name: "no-profiles",
	env: func(e config.Environment) config.Environment {
		e.InferenceProfiles = nil
		return e
	},
	role: config.AccessRole{
		Name:              "Analyst",
		TrustedPrincipals: []string{"arn:aws:iam::111111111111:role/Analysts"},
		RequireMFA:        true,
		Network:           config.AccessNetwork{Endpoint: true},
	},
	template: withRole(`{"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "Analyst",
    "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
      "Principal": {"AWS": "arn:aws:iam::111111111111:role/Analysts"}}], "Version": "2012-10-17"}}}`),
}}

func TestRender(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := environment()
			if c.env != nil {
				env = c.env(env)
			}
			var out strings.Builder
			if err := render(&out, project, env, c.role, []byte(c.template)); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c.name+".golden"), out.String())
		})
	}
}

// The warning and the --guardrail-config need a guardrail-aware role and enforcement in IAM.
func TestRenderWarnsOnlyWhenIAMEnforcesTheGuardrail(t *testing.T) {
	for _, c := range cases {
		for _, inIAM := range []bool{true, false} {
			env := environment()
			if c.env != nil {
				env = c.env(env)
			}
			env.Guardrail.EnforceInIAM = inIAM
			var out strings.Builder
			if err := render(&out, project, env, c.role, []byte(c.template)); err != nil {
				t.Fatal(err)
			}
			want := 0
			if c.role.GuardrailAware && inIAM {
				want = 2
			}
			if got := strings.Count(out.String(), "# Warning: this role's calls must name the guardrail"); got != want {
				t.Errorf("%s, enforceInIam %v: %d guardrail warnings, want %d", c.name, inIAM, got, want)
			}
			if got := strings.Contains(out.String(), "--guardrail-config"); got != (want > 0) {
				t.Errorf("%s, enforceInIam %v: --guardrail-config printed: %v", c.name, inIAM, got)
			}
		}
	}
}

func TestRenderRejectsTemplates(t *testing.T) {
	role := cases[0].role
	for name, c := range map[string]struct{ template, want string }{
		"role missing":   {withRole(`{"Type": "AWS::IAM::Role", "Properties": {"RoleName": "Other"}}`), `role "BedrockExecutionRole" is not in the template of private-bedrock-dev`},
		"not JSON":       {`{"Resources": `, "the template of private-bedrock-dev is not valid JSON"},
		"not a role":     {withRole(`{"Type": "AWS::IAM::User", "Properties": {"RoleName": "BedrockExecutionRole"}}`), "is not in the template"},
		"intrinsic name": {withRole(`{"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Ref": "Name"}}}`), "is not in the template"},
	} {
		var out strings.Builder
		err := render(&out, project, environment(), role, []byte(c.template))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "run npm run synth again") {
			t.Errorf("%s: error %v, want one containing %q and the fix", name, err, c.want)
		}
		if out.Len() > 0 {
			t.Errorf("%s: wrote %q before failing", name, out.String())
		}
	}
}

func TestGenerate(t *testing.T) {
	c := cases[0]
	env := environment()
	env.AccessRoles = []config.AccessRole{c.role, {Name: "Second"}}
	empty := environment()
	empty.Name = "staging"
	file := &config.File{Project: project, Environments: []config.Environment{env, empty}}
	assembly := t.TempDir()
	writeAssembly(t, assembly, "dev", "private-bedrock-dev", []byte(c.template))

	var out strings.Builder
	if err := generate(&out, file, "environments.json", assembly, "dev", c.role.Name); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", c.name+".golden"), out.String())

	unsynthesized := t.TempDir()
	for name, tc := range map[string]struct {
		assembly, env, role string
		want                []string
	}{
		"unknown environment": {assembly, "prod", "X", []string{`unknown environment "prod"`, "choose one of dev, staging"}},
		"unknown role":        {assembly, "dev", "Nobody", []string{`unknown role "Nobody" in environment "dev"`, "choose one of BedrockExecutionRole, Second"}},
		"no roles":            {assembly, "staging", "Nobody", []string{`unknown role "Nobody"`, `environment "staging" has no access roles`, "add one to its accessRoles in environments.json"}},
		"missing template":    {unsynthesized, "dev", "Second", []string{unsynthesized + " has no stack private-bedrock-dev", "run npm run synth first"}},
	} {
		err := generate(&out, file, "environments.json", tc.assembly, tc.env, tc.role)
		for _, want := range tc.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want one containing %q", name, err, want)
			}
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", name, err)
		}
	}
}

func TestRunFailsWithOneLine(t *testing.T) {
	for name, args := range map[string][]string{
		"no arguments":   {},
		"one argument":   {"dev"},
		"missing config": {"-config", filepath.Join(t.TempDir(), "environments.json"), "dev", "BedrockExecutionRole"},
	} {
		var stdout, stderr strings.Builder
		if code := run(args, &stdout, &stderr); code != 1 {
			t.Errorf("%s: exit status %d, want 1", name, code)
		}
		if stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: stdout %q, stderr %q; want one line on stderr", name, stdout.String(), stderr.String())
		}
	}
}

// golden compares got with the file at path, or rewrites the file with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/clientsettings -update creates it)", err)
	}
	want := string(data)
	if got == want {
		return
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		g, w := line(gotLines, i), line(wantLines, i)
		if g != w {
			t.Errorf("output differs from %s (%d bytes, want %d; go test ./cmd/clientsettings -update rewrites it)\n"+
				"first difference, line %d:\n- %s\n+ %s", path, len(got), len(want), i+1, w, g)
			return
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of output)"
}

// The settings of every access role of the tests' configuration, read from the golden templates the
// stack synthesizes for it (test/testdata): the template reading follows what the construct emits.
func TestSettingsOfTheSynthesizedRoles(t *testing.T) {
	file, err := config.Load("../../test/testdata/environments.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, env := range file.Environments {
		// The golden templates are named by environment, not by stack.
		assembly := t.TempDir()
		raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", env.Name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		writeAssembly(t, assembly, env.Name, config.StackName(file.Project, env.Name), raw)
		for _, role := range env.AccessRoles {
			var out strings.Builder
			if err := generate(&out, file, "environments.json", assembly, env.Name, role.Name); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "synthesized-"+env.Name+"-"+role.Name+".golden"), out.String())
			n++
		}
	}
	if n == 0 {
		t.Fatal("the tests' configuration has no access roles: nothing was checked")
	}
}

// writeAssembly writes a cloud assembly as npm run synth lays it out: the stack in the nested assembly
// of its stage, under an artifact ID that is not its stack name.
func writeAssembly(t *testing.T, dir, stage, stackName string, template []byte) {
	t.Helper()
	nested := filepath.Join(dir, "assembly-"+stage)
	artifact := stage + strings.ReplaceAll(stackName, "-", "") + "0123ABCD"
	files := map[string]string{
		filepath.Join(dir, "manifest.json"): fmt.Sprintf(`{"artifacts": {"assembly-%s": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-%s"}}}}`, stage, stage),
		filepath.Join(nested, "manifest.json"): fmt.Sprintf(`{"artifacts": {%q: {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
			"properties": {"templateFile": "%s.template.json", "stackName": %q}, "displayName": "%s/%s"}}}`, artifact, artifact, stackName, stage, stackName),
		filepath.Join(nested, artifact+".template.json"): string(template),
	}
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
