package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Organization is the optional organisation policies stack: service control policies, deployed from the
// organisation's management (or delegated administrator) account, that hold every targeted account to
// what the environments promise: inference only through their endpoints, no Bedrock API keys, and
// invocation logging and guardrail enforcement that only deployments change.
type Organization struct {
	// Account is the management or delegated administrator account the stack deploys to.
	Account string `json:"account"`
	Region  string `json:"region"`
	// Targets are the OU and account IDs the policies are attached to.
	Targets []string `json:"targets"`
	// BreakGlassRoleArns are roles excepted from the inference and configuration denials. Optional.
	BreakGlassRoleArns []string `json:"breakGlassRoleArns"`
	// DeploymentRoleArns are the role ARN patterns that may change the invocation logging and enforced
	// guardrail configurations, e.g. the CDK bootstrap's CloudFormation execution role: * only for the
	// whole account or at the end of the role name.
	DeploymentRoleArns []string `json:"deploymentRoleArns"`
	// EndpointIDs are each environment's bedrock-runtime endpoint IDs, by environment name. They exist
	// only once the environment is deployed; without any, the policy admits inference through any VPC
	// endpoint. Optional.
	EndpointIDs map[string][]string `json:"endpointIds"`
	// APIKeys is deny (every Bedrock API key) or denyLongTerm (AWS's less strict example). Default: deny.
	APIKeys string `json:"apiKeys"`
	// GuardrailPolicy adds an Amazon Bedrock policy that enforces a guardrail of the stack's account on
	// every inference call of the targets in the stack's region. Optional: nil without it.
	GuardrailPolicy *GuardrailPolicy `json:"guardrailPolicy"`
}

// GuardrailPolicy is the organisation's Amazon Bedrock policy (an Organizations policy of type
// BEDROCK_POLICY) and the guardrail it enforces. AWS requires that guardrail to be the management
// account's, in the enforced region, with a numbered version and a resource-based policy that lets the
// organisation's accounts apply it.
type GuardrailPolicy struct {
	// OrganizationID is the organisation (o-…) whose principals may apply the guardrail: the value of
	// aws:PrincipalOrgID in the guardrail's resource-based policy.
	OrganizationID string `json:"organizationId"`
	// Guardrail is what the guardrail filters, as in an environment's guardrail section.
	Guardrail GuardrailFilters `json:"guardrail"`
	// IncludedModels are the foundation-model IDs the guardrail is enforced on. Default: every model.
	IncludedModels []string `json:"includedModels"`
	// ExcludedModels are foundation-model IDs it is not enforced on, e.g. embedding models. Optional.
	ExcludedModels []string `json:"excludedModels"`
}

// EnforcedGuardrailArns are the guardrails the organisation's Amazon Bedrock policy applies to env's
// calls, as an ARN pattern (the guardrail's ID exists only once the organisation stack is deployed):
// the management account's guardrails in the policy's region. None without a guardrail policy, or
// for an environment of another region, where the policy enforces nothing.
func (o *Organization) EnforcedGuardrailArns(env Environment) []string {
	if o == nil || o.GuardrailPolicy == nil || env.Region != o.Region {
		return nil
	}
	return []string{fmt.Sprintf("arn:%s:bedrock:%s:%s:guardrail/*", env.Partition(), o.Region, o.Account)}
}

// API key policies of the organisation.
const (
	DenyAPIKeys         = "deny"
	DenyLongTermAPIKeys = "denyLongTerm"
)

// OrganizationStackName is the CloudFormation stack of the organisation policies.
func OrganizationStackName(project string) string { return StackName(project, organizationName) }

// organizationName ends the organisation stack's name, so no environment may have it.
const organizationName = "organization"

var (
	// An OU ID is ou-<root part>-<OU part>, as Organizations writes it; an account ID is 12 digits.
	targetPattern     = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|[0-9]{12})$`)
	roleArnPattern    = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	rolePatternArn    = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::([0-9]{12}|\*):role/[A-Za-z0-9+=,.@_/-]{1,512}\*?$`)
	endpointIDPattern = regexp.MustCompile(`^vpce-([0-9a-f]{8}|[0-9a-f]{17})$`)
	// An organisation ID is o- and 10 to 32 lower-case letters or digits (Organizations API reference).
	organizationIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	// APIKeyPolicies are what organization.apiKeys accepts.
	APIKeyPolicies = []string{DenyAPIKeys, DenyLongTermAPIKeys}
)

// APIKeyPolicy is the API key policy, its default applied.
func (o Organization) APIKeyPolicy() string {
	if o.APIKeys == "" {
		return DenyAPIKeys
	}
	return o.APIKeys
}

// validate checks the organisation section against itself and the environments of the file.
func (o Organization) validate(envs []Environment) []error {
	p := &problems{section: organizationName}
	p.place(o.Account, o.Region, "number of the management or delegated administrator account")
	if len(o.Targets) == 0 {
		p.bad("targets", "[]", "is empty: attach the policies to at least one OU (ou-abcd-11111111) or account")
	}
	p.list("targets", o.Targets, targetPattern, "target",
		"is not an OU or account ID: use an OU ID such as ou-abcd-11111111 or a 12-digit account ID (the organisation root is not accepted: the policies would hold every account)")
	if i := slices.Index(o.Targets, o.Account); i >= 0 {
		p.bad(fmt.Sprintf("targets[%d]", i), quote(o.Account), "is the account the stack deploys from, and service control policies do not restrict the management account: target the OUs or accounts of the environments")
	}
	p.list("breakGlassRoleArns", o.BreakGlassRoleArns, roleArnPattern, "role",
		"is not an IAM role ARN: name each break-glass role by its full ARN, arn:aws:iam::<12-digit account>:role/<name>, without wildcards")
	if len(o.DeploymentRoleArns) == 0 {
		p.bad("deploymentRoleArns", "[]", "is empty, so no deployment could put an environment's enforced guardrail: list the role CloudFormation deploys with, e.g. arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*")
	}
	p.list("deploymentRoleArns", o.DeploymentRoleArns, rolePatternArn, "pattern",
		"is not a role ARN pattern: use arn:aws:iam::<12-digit account or *>:role/<name>, with * only at the end of the name, e.g. arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*")
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(o.EndpointIDs)) {
		field := "endpointIds." + name
		ids := o.EndpointIDs[name]
		if !slices.Contains(names, name) {
			p.bad(field, quote(name), "is no environment of this file: use one of "+strings.Join(names, ", "))
		}
		if len(ids) == 0 {
			p.bad(field, "[]", "is empty: list the environment's bedrock-runtime endpoint ID (its stack output BedrockRuntimeEndpointId), or leave the environment out")
		}
		for i, id := range ids {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case !endpointIDPattern.MatchString(id):
				p.bad(f, quote(id), "is not a VPC endpoint ID: use the environment's stack output BedrockRuntimeEndpointId, e.g. vpce-0123456789abcdef0")
			case seen[id] != "":
				p.bad(f, quote(id), fmt.Sprintf("is also listed for environment %q: an endpoint belongs to one environment's VPC", seen[id]))
			}
			if seen[id] == "" {
				seen[id] = name
			}
		}
	}
	if o.APIKeys != "" && !slices.Contains(APIKeyPolicies, o.APIKeys) {
		p.bad("apiKeys", quote(o.APIKeys), `is neither "deny" nor "denyLongTerm": use "deny" (no Bedrock API keys at all), or "denyLongTerm" to allow short-term keys`)
	}
	if g := o.GuardrailPolicy; g != nil {
		g.validate(p)
	}
	for _, e := range envs {
		if e.Name == organizationName {
			p.errs = append(p.errs, fmt.Errorf("environment %q: name: %q would name its stack like the organisation stack (<project>-%s): rename the environment", e.Name, e.Name, organizationName))
		}
	}
	return p.errs
}

// validate checks the guardrail policy, whose fields the organisation's problems name
// guardrailPolicy.<field>.
func (g GuardrailPolicy) validate(p *problems) {
	const section = "guardrailPolicy"
	if !organizationIDPattern.MatchString(g.OrganizationID) {
		p.bad(section+".organizationId", quote(g.OrganizationID), "is not an organisation ID: use o- and 10 to 32 lower-case letters or digits, as aws organizations describe-organization prints it")
	}
	g.Guardrail.validate(p, section+".guardrail", "remove guardrailPolicy")
	for _, list := range []struct {
		field  string
		models []string
	}{{"includedModels", g.IncludedModels}, {"excludedModels", g.ExcludedModels}} {
		for i, m := range list.models {
			f := fmt.Sprintf("%s.%s[%d]", section, list.field, i)
			switch {
			case m == "ALL":
				p.bad(f, quote(m), "is how the policy names every model: leave includedModels out to enforce the guardrail on every model")
			case !modelPattern.MatchString(m) || profilePattern.MatchString(m):
				p.bad(f, quote(m), "is not a foundation-model ID: use provider.model[:version], e.g. amazon.titan-embed-text-v2:0")
			case slices.Index(list.models, m) < i:
				p.bad(f, quote(m), "is listed twice: list each model once")
			case list.field == "excludedModels" && slices.Contains(g.IncludedModels, m):
				p.bad(f, quote(m), "is in includedModels too, and a model in both lists is not enforced on: list it in one of them")
			}
		}
	}
}

// list checks each value of the list field against pattern, which invalid says how to meet, and that
// no value repeats: each is one what.
func (p *problems) list(field string, values []string, pattern *regexp.Regexp, what, invalid string) {
	for i, v := range values {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !pattern.MatchString(v):
			p.bad(f, quote(v), invalid)
		case slices.Index(values, v) < i:
			p.bad(f, quote(v), "is listed twice: list each "+what+" once")
		}
	}
}
