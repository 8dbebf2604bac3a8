package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/config"
)

// chainedSessionLimit is the longest session STS grants a role session assuming another role (role
// chaining), whatever the role's MaxSessionDuration.
const chainedSessionLimit = 3600

// ssoRoleName is an IAM Identity Center role: AWSReservedSSO_<permission set>_<hex suffix>.
var ssoRoleName = regexp.MustCompile(`^AWSReservedSSO_(.+)_[0-9a-f]+$`)

// settings is everything the sections need, worked out once.
type settings struct {
	project, stack, profile, roleArn string
	env                              config.Environment
	role                             config.AccessRole
	trust                            trust
	// user is the first trusted IAM user, whose MFA device the profile names; nil when none is.
	user *iamPrincipal
	// chained: only roles are trusted, so every session of this role is a chained one.
	chained bool
	// sso is the first trusted IAM Identity Center role; nil when none is.
	sso *iamPrincipal
	// model is what clients invoke: the first inference profile, else the first model.
	model string
	// guardrailInIAM: IAM denies the role's calls unless they name the guardrail.
	guardrailInIAM bool
}

// render writes the client settings of an access role, reading its trust and session length from the
// synthesized template.
func render(w io.Writer, project string, env config.Environment, role config.AccessRole, template []byte) error {
	stack := config.StackName(project, env.Name)
	t, found, err := readRole(template, role.Name)
	if err != nil {
		return fmt.Errorf("the template of %s is not valid JSON (%v): run npm run synth again", stack, err)
	}
	if !found {
		return fmt.Errorf("role %q is not in the template of %s: the configuration and the template disagree: run npm run synth again", role.Name, stack)
	}
	s := settings{
		project: project, stack: stack, profile: stack + "-" + role.Name, roleArn: env.AccessRoleArn(role),
		env: env, role: role, trust: t,
		guardrailInIAM: role.GuardrailAware && env.Guardrail.Enabled && env.Guardrail.EnforceInIAM,
	}
	var roles int
	for _, arn := range t.principals {
		p, ok := parsePrincipal(arn)
		switch {
		case !ok: // an account or root principal: neither a user nor a role
		case p.kind == "user" && s.user == nil:
			s.user = &p
		case p.kind == "role":
			roles++
			if s.sso == nil && p.permissionSet() != "" {
				s.sso = &p
			}
		}
	}
	s.chained = s.user == nil && roles > 0
	if len(env.InferenceProfiles) > 0 {
		s.model = env.InferenceProfiles[0].ID
	} else if len(env.Models) > 0 {
		s.model = env.Models[0]
	}

	var b strings.Builder
	for _, section := range []func(*strings.Builder){s.awsConfig, s.claudeCode, s.careti, s.network, s.checks} {
		section(&b)
		b.WriteString("\n")
	}
	_, err = io.WriteString(w, strings.TrimSuffix(b.String(), "\n"))
	return err
}

// iamPrincipal is a literal IAM user or role ARN: arn:<partition>:iam::<account>:<kind>/<path><name>.
type iamPrincipal struct{ partition, account, kind, path, name string }

func parsePrincipal(arn string) (iamPrincipal, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return iamPrincipal{}, false
	}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok {
		return iamPrincipal{}, false
	}
	i := strings.LastIndex(rest, "/")
	return iamPrincipal{partition: parts[1], account: parts[4], kind: kind, path: rest[:i+1], name: rest[i+1:]}, true
}

// permissionSet is the permission set an IAM Identity Center role stands for, or "" for other roles.
func (p iamPrincipal) permissionSet() string {
	if p.kind != "role" || !strings.HasPrefix(p.path, "aws-reserved/sso.amazonaws.com/") {
		return ""
	}
	if m := ssoRoleName.FindStringSubmatch(p.name); m != nil {
		return m[1]
	}
	return ""
}

func (s settings) awsConfig(b *strings.Builder) {
	fmt.Fprintf(b, "# ~/.aws/config: a profile that assumes %s in %s.\n", s.role.Name, s.stack)
	if len(s.trust.principals) > 0 {
		b.WriteString("# The role trusts:\n")
		for _, p := range s.trust.principals {
			fmt.Fprintf(b, "#   %s\n", p)
		}
	}
	if len(s.trust.services) > 0 {
		fmt.Fprintf(b, "# Workloads of %s get the role's credentials from the service and need no profile.\n",
			strings.Join(s.trust.services, ", "))
	}
	fmt.Fprintf(b, "[profile %s]\nrole_arn = %s\n", s.profile, s.roleArn)
	b.WriteString("# source_profile is the profile whose credentials the trusted principal uses.\n")
	fmt.Fprintf(b, "source_profile = default\nregion = %s\n", s.env.Region)
	s.duration(b, s.chained)
	if s.trust.mfa {
		if s.user != nil {
			fmt.Fprintf(b, "mfa_serial = arn:%s:iam::%s:mfa/%s\n", s.user.partition, s.user.account, s.user.name)
			fmt.Fprintf(b, "# mfa_serial is %s's MFA device ARN; the device may be named differently (IAM lists it\n"+
				"# under the user's security credentials).\n", s.user.name)
		} else {
			fmt.Fprintf(b, "mfa_serial = arn:%s:iam::<account>:mfa/<your MFA device>\n", s.env.Partition())
			b.WriteString("# mfa_serial is a placeholder: the trusted principals are roles, so give your MFA device's ARN.\n")
		}
	}
	if s.sso != nil {
		s.ssoProfiles(b)
	}
	if s.trust.sourceIdentity {
		b.WriteString("\n# The role requires a source identity, which names you in every CloudTrail record of the\n" +
			"# session. AWS CLI profiles cannot set one, so the role_arn profiles above are denied. Get\n" +
			"# credentials with:\n")
		fmt.Fprintf(b, "#   aws sts assume-role --role-arn %s --role-session-name <you> --source-identity <your user name>", s.roleArn)
		if s.trust.mfa {
			b.WriteString(" --serial-number <mfa_serial> --token-code <code from your MFA device>")
		}
		b.WriteString(" --profile default\n")
		if s.sso != nil {
			fmt.Fprintf(b, "# (through IAM Identity Center: --profile %s-sso)\n", s.profile)
		}
		b.WriteString("# and give tools its Credentials as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN\n" +
			"# instead of the profile (in Careti: Authentication: AWS Credentials).\n")
	}
}

// ssoProfiles sign in through IAM Identity Center and assume the role from the permission set's session.
func (s settings) ssoProfiles(b *strings.Builder) {
	ssoProfile := s.profile + "-sso"
	fmt.Fprintf(b, "\n# Through IAM Identity Center: sign in with aws sso login --sso-session %s, then use\n"+
		"# %s-via-sso wherever the settings below name %[2]s.\n", s.project, s.profile)
	fmt.Fprintf(b, "[sso-session %s]\n", s.project)
	b.WriteString("# Placeholder: your AWS access portal URL.\nsso_start_url = https://<your-start-url>.awsapps.com/start\n")
	fmt.Fprintf(b, "# The Identity Center region, if different.\nsso_region = %s\n", s.env.Region)
	b.WriteString("sso_registration_scopes = sso:account:access\n\n")
	fmt.Fprintf(b, "[profile %s]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = %s\nregion = %s\n\n",
		ssoProfile, s.project, s.sso.account, s.sso.permissionSet(), s.env.Region)
	fmt.Fprintf(b, "[profile %s-via-sso]\nrole_arn = %s\nsource_profile = %s\nregion = %s\n", s.profile, s.roleArn, ssoProfile, s.env.Region)
	s.duration(b, true)
}

// duration writes duration_seconds: the role's MaxSessionDuration, or STS's limit for chained sessions.
func (s settings) duration(b *strings.Builder, chained bool) {
	seconds := s.trust.maxSession
	if chained && seconds > chainedSessionLimit {
		seconds = chainedSessionLimit
		fmt.Fprintf(b, "# A role's session assuming this one (role chaining) lasts at most %d seconds, below the\n"+
			"# role's MaxSessionDuration of %d, and asking for more fails.\n", chainedSessionLimit, s.trust.maxSession)
	}
	fmt.Fprintf(b, "duration_seconds = %d\n", seconds)
}

// guardrailWarning is for clients that cannot name a guardrail in their requests.
func (s settings) guardrailWarning(b *strings.Builder, client string) {
	if s.guardrailInIAM {
		fmt.Fprintf(b, "# Warning: this role's calls must name the guardrail and %s cannot, so its calls would be\n"+
			"# denied: use a role without guardrailAware for %[1]s (account-level enforcement guards it).\n", client)
	}
}

func (s settings) claudeCode(b *strings.Builder) {
	b.WriteString("# Claude Code: ~/.claude/settings.json (merge into yours). AWS_REGION is set because Claude Code\n" +
		"# does not read the region from ~/.aws/config.\n")
	s.guardrailWarning(b, "Claude Code")
	env := map[string]string{"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": s.env.Region, "AWS_PROFILE": s.profile}
	if len(s.env.InferenceProfiles) == 0 {
		b.WriteString("# Claude Code's Claude models run through inference profiles, and the environment has none: add\n" +
			"# one to its inferenceProfiles to set ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL.\n")
	} else {
		env["ANTHROPIC_MODEL"] = s.model
		env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = s.model
		if i := slices.IndexFunc(s.env.InferenceProfiles, func(p config.InferenceProfile) bool { return strings.Contains(p.ID, "haiku") }); i >= 0 {
			env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = s.env.InferenceProfiles[i].ID
		} else {
			b.WriteString("# No configured inference profile is a Haiku, so ANTHROPIC_DEFAULT_HAIKU_MODEL repeats ANTHROPIC_MODEL.\n")
		}
		b.WriteString("# Background tasks use ANTHROPIC_DEFAULT_HAIKU_MODEL, and a model the role may not invoke fails them.\n")
	}
	settings, _ := json.MarshalIndent(map[string]any{"env": env}, "", "  ") // strings only: cannot fail
	b.Write(settings)
	b.WriteString("\n# The same in a shell:\nexport")
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(b, " %s=%s", k, env[k])
	}
	b.WriteString("\n")
}

func (s settings) careti(b *strings.Builder) {
	b.WriteString("# Careti (VS Code extension, a Cline fork): API Configuration.\n")
	s.guardrailWarning(b, "Careti")
	fmt.Fprintf(b, "API Provider: AWS Bedrock\nAuthentication: AWS Profile\nAWS Profile Name: %s\nAWS Region: %s\n", s.profile, s.env.Region)
	if len(s.env.InferenceProfiles) > 0 {
		p := s.env.InferenceProfiles[0]
		fmt.Fprintf(b, "Use cross-region inference: yes\n# Careti then calls the inference profile of the region's geography; the role may invoke\n"+
			"# %s.\n", p.ID)
		fmt.Fprintf(b, "Model: %s\n", p.ModelID())
	} else {
		fmt.Fprintf(b, "Model: %s\n", s.model)
	}
}

func (s settings) network(b *strings.Builder) {
	n := s.role.Network
	if n.Anywhere {
		b.WriteString("# Network: the role's calls to Bedrock are admitted from any network.\n")
		return
	}
	var from []string
	if n.Endpoint {
		from = append(from, "through the environment's VPC endpoints (from inside the VPC or a network connected to it, "+
			"with the endpoints' private DNS)")
	}
	if len(n.SourceIPs) > 0 {
		from = append(from, "from "+strings.Join(slices.Sorted(slices.Values(n.SourceIPs)), ", "))
	}
	fmt.Fprintf(b, "# Network: the role's calls to Bedrock are admitted only %s.\n", strings.Join(from, " or "))
}

func (s settings) checks(b *strings.Builder) {
	fmt.Fprintf(b, "# Checks. The first prints an Arn of the form arn:%s:sts::%s:assumed-role/%s/<session>.\n",
		s.env.Partition(), s.env.Account, s.role.Name)
	fmt.Fprintf(b, "aws sts get-caller-identity --profile %s\n", s.profile)
	fmt.Fprintf(b, "aws bedrock list-inference-profiles --region %s --profile %s\n", s.env.Region, s.profile)
	var guardrail string
	if s.guardrailInIAM {
		b.WriteString("# The role's calls must name the guardrail: the stack outputs GuardrailArn and GuardrailVersion\n" +
			"# give the values.\n")
		guardrail = " --guardrail-config guardrailIdentifier=<GuardrailArn>,guardrailVersion=<GuardrailVersion>"
	}
	fmt.Fprintf(b, "aws bedrock-runtime converse --model-id %s --messages '[{\"role\":\"user\",\"content\":[{\"text\":\"hello\"}]}]'"+
		" --region %s --profile %s%s\n", s.model, s.env.Region, s.profile, guardrail)
}
