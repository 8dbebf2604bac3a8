// The organisation stack (stacks/organization): its service control policies and Amazon Bedrock
// policy, as synthesized, and what they decide for the principals of a targeted account.

package test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/orgpolicy"
	"github.com/privatebedrock/stack/constructs/scp"
	"github.com/privatebedrock/stack/internal/cfnresolve"
	"github.com/privatebedrock/stack/stacks/organization"
)

// organizationLabel labels the organisation's rows of the access matrix, where the others name an
// environment.
const organizationLabel = "organization"

// enforcedGuardrails are the guardrails the fixture's organisation enforces on env's calls, which its
// roles and endpoint let callers apply.
func enforcedGuardrails(env config.Environment) []string {
	return org.config.EnforcedGuardrailArns(env)
}

// synthesizedOrganization is the organisation stack as the tests see it.
type synthesizedOrganization struct {
	config config.Organization
	stack  *organization.Stack
	templates
}

// newOrganization creates the organisation stack of o, for the environments all, in app; synthesized
// reads its template once the app is complete.
func newOrganization(app awscdk.App, o config.Organization, all []config.Environment) *synthesizedOrganization {
	s := organization.New(app, organization.Props{Project: project, Organization: o, Environments: all})
	return &synthesizedOrganization{config: o, stack: s}
}

// synthesized synthesizes the stack's app, which must be complete, and reads the stack's template.
func (o *synthesizedOrganization) synthesized() *synthesizedOrganization {
	o.templates = templatesOf(o.stack.Stack)
	return o
}

// organizationVariant creates the fixture's organisation stack again, in an app of its own, with edit
// applied to a copy of its configuration.
func organizationVariant(edit func(o *config.Organization)) *synthesizedOrganization {
	o := org.config
	o.EndpointIDs = map[string][]string{}
	for name, ids := range org.config.EndpointIDs {
		o.EndpointIDs[name] = slices.Clone(ids)
	}
	if g := org.config.GuardrailPolicy; g != nil {
		copied := *g
		o.GuardrailPolicy = &copied
	}
	edit(&o)
	var all []config.Environment
	for _, name := range names {
		all = append(all, envs[name].env)
	}
	return newOrganization(newApp(), o, all)
}

// withoutEndpointIDs is the organisation stack before any environment's endpoint ID is known, once per
// process: the access matrix and the template test both read it.
var withoutEndpointIDs = sync.OnceValue(func() *synthesizedOrganization {
	return organizationVariant(func(o *config.Organization) { o.EndpointIDs = nil }).synthesized()
})

// content is the document of one of the stack's policies, as the template hands it to Organizations.
func (o *synthesizedOrganization) content(p *scp.Policy) map[string]any {
	return o.template.Resources[*o.stack.GetLogicalId(p.Resource)].Properties["Content"].(map[string]any)
}

// statement is the statement of a policy document with this Sid.
func statement(t *testing.T, doc map[string]any, sid string) map[string]any {
	t.Helper()
	for _, s := range statements(doc) {
		if s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("no statement %s in %s", sid, jsonOf(doc))
	return nil
}

// The service control policies, their targets, and every statement, for the fixture: endpoint IDs for each
// environment, a break-glass role, the CDK execution role as the deployment role, and API keys denied.
func TestOrganizationPolicies(t *testing.T) {
	o, dev := org.config, envs[names[0]].env
	if got := *org.stack.StackName(); got != project+"-organization" {
		t.Errorf("stack name %s", got)
	}
	if org.stack.Account() == nil || *org.stack.Account() != o.Account || *org.stack.Region() != o.Region {
		t.Errorf("stack in %s/%s, configured %s/%s", *org.stack.Account(), *org.stack.Region(), o.Account, o.Region)
	}
	if p := org.stack.TerminationProtection(); p == nil || !*p {
		t.Error("the organisation stack is not termination-protected: deleting it would lift every policy at once")
	}
	if ids := org.template.ofType("AWS::Organizations::Policy"); len(ids) != 3 {
		t.Fatalf("policies %v, want the inference policy, the protections and the guardrail policy", ids)
	}
	for _, p := range []*scp.Policy{org.stack.Inference, org.stack.Protections} {
		expect(t, "policy "+*p.Node().Path(), map[string]any{"Type": "SERVICE_CONTROL_POLICY", "TargetIds": o.Targets},
			org.template.Resources[*org.stack.GetLogicalId(p.Resource)].Properties)
	}

	inference := org.content(org.stack.Inference)
	if n := len(statements(inference)); n != 1 {
		t.Errorf("inference policy has %d statements, want 1", n)
	}
	expect(t, "inference statement", map[string]any{
		"Effect":   "Deny",
		"Resource": "*",
		"Action":   []any{"bedrock-mantle:CreateInference", "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"},
		"Condition": map[string]any{
			"StringNotEqualsIfExists": map[string]any{"aws:SourceVpce": []any{o.EndpointIDs["dev"][0], o.EndpointIDs["staging"][0], o.EndpointIDs["prod"][0]}},
			"BoolIfExists":            map[string]any{"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
			// The break-glass role, and dev's access role that calls from corporate addresses.
			"ArnNotLike": map[string]any{"aws:PrincipalArn": []any{o.BreakGlassRoleArns[0], dev.AccessRoleArn(dev.AccessRoles[0])}},
		},
	}, statement(t, inference, "DenyInferenceOutsideTheEndpoints"))
	if c := statement(t, inference, "DenyInferenceOutsideTheEndpoints")["Condition"].(map[string]any); c["Null"] != nil {
		t.Errorf("with endpoint IDs the policy must not fall back to the Null check: %s", jsonOf(c))
	}

	protections := org.content(org.stack.Protections)
	expect(t, "API key creation", map[string]any{"Effect": "Deny", "Action": "iam:CreateServiceSpecificCredential", "Resource": "*",
		"Condition": map[string]any{"StringEquals": map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}}},
		statement(t, protections, "DenyCreatingBedrockApiKeys"))
	keys := statement(t, protections, "DenyBedrockApiKeys")
	expect(t, "API keys", map[string]any{"Effect": "Deny", "Action": []any{"bedrock-mantle:CallWithBearerToken", "bedrock:CallWithBearerToken"}, "Resource": "*"}, keys)
	if keys["Condition"] != nil {
		t.Errorf("API keys are denied to everyone, break-glass roles included: %s", jsonOf(keys))
	}
	deployers := []any{o.DeploymentRoleArns[0], o.BreakGlassRoleArns[0]}
	var handlers []any
	for _, name := range names {
		e := envs[name].env
		if e.InvocationLogging.Enabled {
			handlers = append(handlers, fmt.Sprintf("arn:aws:iam::%s:role/%s/*", e.Account, config.StackName(project, e.Name)))
		}
	}
	expect(t, "logging protection", map[string]any{"Effect": "Deny", "Resource": "*",
		"Action":    []any{"bedrock:DeleteModelInvocationLoggingConfiguration", "bedrock:PutModelInvocationLoggingConfiguration"},
		"Condition": map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": append(slices.Clone(deployers), handlers...)}}},
		statement(t, protections, "DenyChangingInvocationLogging"))
	expect(t, "guardrail protection", map[string]any{"Effect": "Deny", "Resource": "*",
		"Action":    []any{"bedrock:DeleteEnforcedGuardrailConfiguration", "bedrock:PutEnforcedGuardrailConfiguration"},
		"Condition": map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": deployers}}},
		statement(t, protections, "DenyChangingGuardrailEnforcement"))
	if n := len(statements(protections)); n != 4 {
		t.Errorf("protections have %d statements, want 4", n)
	}
	for _, p := range []*scp.Policy{org.stack.Inference, org.stack.Protections} {
		if n := len(p.Content); n > orgpolicy.ServiceControlPolicy.MaxSize/2 {
			t.Errorf("%s is %d characters: the fixture's policies should stay far below the %d limit", *p.Node().Path(), n, orgpolicy.ServiceControlPolicy.MaxSize)
		}
	}
	if w := warnings(org.stack.Stack, ".*"); len(w) > 0 {
		t.Errorf("with every environment's endpoint ID the stack warns: %v", w)
	}
}

// warnings are the stack's warnings whose message matches pattern.
func warnings(stack awscdk.Stack, pattern string) []string {
	var out []string
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(pattern))) {
		out = append(out, fmt.Sprint(w.Entry.Data))
	}
	return out
}

// Before the endpoints' IDs are known the policy can only require that a request comes through some
// VPC endpoint, and synthesis says so.
func TestOrganizationWithoutEndpointIDsRequiresAnyEndpointAndWarns(t *testing.T) {
	o := withoutEndpointIDs()
	c := statement(t, o.content(o.stack.Inference), "DenyInferenceOutsideTheEndpoints")["Condition"].(map[string]any)
	expect(t, "inference condition", map[string]any{"Null": map[string]any{"aws:SourceVpce": "true"}}, c)
	if c["StringNotEqualsIfExists"] != nil {
		t.Errorf("without endpoint IDs: %s", jsonOf(c))
	}
	if w := warnings(o.stack.Stack, ".*endpointIds is empty.*any VPC endpoint.*cannot reference them.*"); len(w) != 1 {
		t.Errorf("%d warnings about the any-endpoint check, want 1: %v", len(w), warnings(o.stack.Stack, ".*"))
	}
}

// An environment added later, whose endpoint ID is not listed yet, would lose inference through its
// endpoint: synthesis names it. So does an environment in the management account, which no SCP holds,
// and one outside the region whose guardrail the Amazon Bedrock policy enforces.
func TestOrganizationWarnsOfEnvironmentsItDoesNotCover(t *testing.T) {
	o := organizationVariant(func(o *config.Organization) {
		delete(o.EndpointIDs, "prod")
		o.Account = envs["staging"].env.Account
		o.Region = otherRegion(envs["dev"].env.Region)
		o.Targets = []string{"ou-abcd-11111111"}
	}).synthesized()
	dev := envs["dev"].env
	if w := warnings(o.stack.Stack, fmt.Sprintf(".*Environment dev is in %s, but the Amazon Bedrock policy enforces the organisation's guardrail in %s only.*", dev.Region, o.config.Region)); len(w) != 1 {
		t.Errorf("want a warning about dev outside the guardrail's region, got %v", warnings(o.stack.Stack, ".*"))
	}
	if w := warnings(o.stack.Stack, ".*lists no endpoint of prod: the inference policy denies calls through the endpoint of each.*"); len(w) != 1 {
		t.Errorf("want a warning about prod's endpoint, got %v", warnings(o.stack.Stack, ".*"))
	}
	if w := warnings(o.stack.Stack, ".*Environment staging deploys to 222222222222.*do not restrict the management account.*"); len(w) != 1 {
		t.Errorf("want a warning about staging in the management account, got %v", warnings(o.stack.Stack, ".*"))
	}
}

// denyLongTerm is AWS's less strict example: long-term keys only, for bedrock and bedrock-mantle.
func TestOrganizationDeniesLongTermAPIKeysOnly(t *testing.T) {
	o := organizationVariant(func(o *config.Organization) { o.APIKeys = config.DenyLongTermAPIKeys }).synthesized()
	doc := o.content(o.stack.Protections)
	for sid, service := range map[string]string{"DenyLongTermBedrockApiKeys": "bedrock", "DenyLongTermBedrockMantleApiKeys": "bedrock-mantle"} {
		expect(t, service+" long-term keys", map[string]any{"Effect": "Deny", "Action": service + ":CallWithBearerToken", "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{service + ":BearerTokenType": "LONG_TERM"}}},
			statement(t, doc, sid))
	}
	statement(t, doc, "DenyCreatingBedrockApiKeys")
	for _, s := range statements(doc) {
		if s["Sid"] == "DenyBedrockApiKeys" {
			t.Errorf("denyLongTerm still denies every key: %s", jsonOf(s))
		}
	}
}

// A policy Organizations would refuse for its size fails the synthesis, naming the policy, its size,
// the limit and what to shorten.
func TestOrganizationPolicyOverTheSizeLimitFailsSynthesis(t *testing.T) {
	o := organizationVariant(func(o *config.Organization) {
		for i := range 250 {
			o.EndpointIDs["dev"] = append(o.EndpointIDs["dev"], fmt.Sprintf("vpce-0%016x", i+2))
		}
	})
	if got := errorsOf(o.stack.Protections.Resource); len(got) > 0 {
		t.Errorf("the protections, within the limit, have errors %q", got)
	}
	failsForSize(t, o, o.stack.Inference, orgpolicy.ServiceControlPolicy,
		"service control policy "+project+"-inference-through-endpoints is %d characters as minified JSON, more than the 5120 Organizations accepts: list fewer IDs in organization.endpointIds")
}

// failsForSize checks that p, a policy of o of type typ, is over the type's limit, carries one error
// starting with want (%d standing for its size), and fails o's synthesis.
func failsForSize(t *testing.T, o *synthesizedOrganization, p *orgpolicy.Policy, typ orgpolicy.Type, want string) {
	t.Helper()
	size := len(p.Content)
	if size <= typ.MaxSize {
		t.Fatalf("%s is %d characters: the case must exceed %d", *p.Node().Path(), size, typ.MaxSize)
	}
	want = fmt.Sprintf(want, size)
	if got := errorsOf(p.Resource); len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("errors %q, want one starting %q", got, want)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Validation failed") {
			t.Errorf("synthesis ended with %v, want it to fail validation", r)
		}
	}()
	o.synthesized()
}

// errorsOf are the synthesis errors recorded on a construct.
func errorsOf(c constructs.IConstruct) []string {
	var out []string
	for _, m := range *c.Node().Metadata() {
		if *m.Type == "aws:cdk:error" {
			out = append(out, fmt.Sprint(m.Data))
		}
	}
	return out
}

// The size counted is the document as CloudFormation hands it over: minified, nothing escaped.
func TestOrganizationPolicySizeIsTheMinifiedDocument(t *testing.T) {
	for _, p := range []*scp.Policy{org.stack.Inference, org.stack.Protections} {
		if got, want := p.Content, jsonOf(org.content(p)); len(got) != len(want) || strings.ContainsAny(got, " \n") {
			t.Errorf("%s: counted %d characters of %s, want the %d of %s", *p.Node().Path(), len(got), got, len(want), want)
		}
	}
}

// organizationCases are the access-matrix rows of the organisation's policies: what they decide for
// the roles of a targeted account (the fixture's first environment's) that hold broad permissions of
// their own, beside FullAWSAccess, as Organizations attaches it by default.
func organizationCases(t *testing.T) []accessCase {
	t.Helper()
	s := envs[names[0]]
	e, p := s.env, policiesOf(t, s)
	// The endpoint as the organisation's policies know it: by the ID configured for the environment.
	p.endpointID = org.config.EndpointIDs[e.Name][0]
	scps := scpsOf(org)
	model := e.ModelArns()[0]
	member, who := sessionOf(e.ClientPrincipals[0]), "member-account role"
	own := []any{policy(stmt("bedrock:*", "*"), stmt("bedrock-mantle:*", "*"), stmt("iam:CreateServiceSpecificCredential", "*"))}
	row := func(name, who, principal, action, resource, what, vpce string, identity []any, context map[string]any, want string) accessCase {
		c := accessCase{env: organizationLabel, name: name, who: who, principal: principal, action: action, resource: resource, what: what,
			account: e.Account, vpce: vpce, context: context, identity: identity, scps: scps, want: want}
		if strings.HasPrefix(action, "bedrock:Invoke") {
			c.endpoint = &p
		}
		return c
	}
	mantle := fmt.Sprintf("arn:%s:bedrock-mantle:%s:%s:project/default", e.Partition(), e.Region, e.Account)
	deployer := sessionOf(fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-cfn-exec-role-%s-%s", e.Account, e.Account, e.Region))
	// A generated name that does not begin with the stack's whole name, as CloudFormation shortens long
	// ones: the stack's IAM path is what the policy matches. A session's ARN carries no path, so the
	// role's ARN is the request's aws:PrincipalArn.
	handlerRole := fmt.Sprintf("arn:aws:iam::%s:role/%s/%s-InvocationLoggingConfigur-1A2B3C4D5E6F", e.Account, config.StackName(project, e.Name), project)
	handler := sessionOf(handlerRole)
	breakGlass := sessionOf(org.config.BreakGlassRoleArns[0])
	admin := []any{policy(stmt("*", "*"))}
	const logging, guardrail = "bedrock:DeleteModelInvocationLoggingConfiguration", "bedrock:PutEnforcedGuardrailConfiguration"
	const none, account = "—", "account configuration"
	cases := []accessCase{
		row("targeted account's role with bedrock:* of its own, not through an endpoint", who, member, "bedrock:InvokeModel", model, "", "", own, nil, "ExplicitlyDenied"),
		row("targeted account's role with bedrock:* of its own, through the environment's endpoint", who, member, "bedrock:InvokeModel", model, "", p.endpointID, own, nil, "Allowed"),
		row("targeted account's role with bedrock:* of its own, through another VPC's endpoint", who, member, "bedrock:InvokeModel", model, "", "vpce-0aaaaaaaaaaaaaaaa", own, nil, "ExplicitlyDenied"),
		row("targeted account's role, streaming, not through an endpoint", who, member, "bedrock:InvokeModelWithResponseStream", model, "", "", own, nil, "ExplicitlyDenied"),
		row("targeted account's role, OpenAI-compatible inference (bedrock-mantle), not through an endpoint", who, member, "bedrock-mantle:CreateInference", mantle, "bedrock-mantle project", "", own, nil, "ExplicitlyDenied"),
		row("an AWS service calling Bedrock for the role (aws:ViaAWSService), not through an endpoint", who, member, "bedrock:InvokeModel", model, "", "", own, map[string]any{"aws:ViaAWSService": "true"}, "Allowed"),
		row("targeted account's role calls with a Bedrock API key", who, member, "bedrock:CallWithBearerToken", "*", none, "", own, map[string]any{"bedrock:BearerTokenType": "SHORT_TERM"}, "ExplicitlyDenied"),
		row("targeted account's role calls bedrock-mantle with an API key", who, member, "bedrock-mantle:CallWithBearerToken", "*", none, "", own, map[string]any{"bedrock-mantle:BearerTokenType": "LONG_TERM"}, "ExplicitlyDenied"),
		row("targeted account's role creates a Bedrock API key (service-specific credential)", who, member, "iam:CreateServiceSpecificCredential", fmt.Sprintf("arn:aws:iam::%s:user/BedrockKeyUser", e.Account), "IAM user",
			"", own, map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}, "ExplicitlyDenied"),
		row("targeted account's role deletes the invocation logging configuration", who, member, logging, "*", account, "", own, nil, "ExplicitlyDenied"),
		row("targeted account's role puts an enforced guardrail configuration", who, member, guardrail, "*", account, "", own, nil, "ExplicitlyDenied"),
		row("CDK deployment role deletes the invocation logging configuration", "deployment role", deployer, logging, "*", account, "", admin, nil, "Allowed"),
		row("CDK deployment role puts an enforced guardrail configuration", "deployment role", deployer, guardrail, "*", account, "", admin, nil, "Allowed"),
		row("the environment's logging handler puts the logging configuration", "logging handler", handler, "bedrock:PutModelInvocationLoggingConfiguration", "*", account, "",
			[]any{policy(stmt("bedrock:PutModelInvocationLoggingConfiguration", "*"))}, map[string]any{"aws:PrincipalArn": handlerRole}, "Allowed"),
		row("break-glass role, not through an endpoint", "break-glass role", breakGlass, "bedrock:InvokeModel", model, "", "", own, nil, "Allowed"),
		row("break-glass role deletes the invocation logging configuration", "break-glass role", breakGlass, logging, "*", account, "", own, nil, "Allowed"),
		row("break-glass role calls with a Bedrock API key", "break-glass role", breakGlass, "bedrock:CallWithBearerToken", "*", none, "", own, map[string]any{"bedrock:BearerTokenType": "SHORT_TERM"}, "ExplicitlyDenied"),
	}
	// An access role allowed from corporate addresses is excepted from the endpoint rule; its own Deny
	// still keeps it to those addresses.
	for _, r := range e.AccessRoles {
		if len(r.Network.SourceIPs) == 0 {
			continue
		}
		must := resolver(t, s)
		identity := must(rolePolicies(s.template, logicalID(s, s.stack.AccessRoles[r.Name].Resource.Node().DefaultChild()))).([]any)
		corporate := netip.MustParsePrefix(r.Network.SourceIPs[0]).Addr().Next().String()
		context := func(ip string) map[string]any {
			c := map[string]any{"aws:SourceIp": ip}
			if r.GuardrailAware {
				c["bedrock:GuardrailIdentifier"] = p.guardrailVersioned
			}
			return c
		}
		cases = append(cases,
			row("access role "+r.Name+" from its corporate network, not through an endpoint", "role "+r.Name, sessionOf(e.AccessRoleArn(r)), "bedrock:InvokeModel", model, "", "", identity, context(corporate), "Allowed"),
			row("access role "+r.Name+" from another network: its own Deny", "role "+r.Name, sessionOf(e.AccessRoleArn(r)), "bedrock:InvokeModel", model, "", "", identity, context("203.0.113.10"), "ExplicitlyDenied"),
		)
		break
	}
	// Before the endpoints' IDs are configured, any VPC endpoint passes.
	weak := scpsOf(withoutEndpointIDs())
	for _, c := range []accessCase{
		row("without endpointIds: targeted account's role through another VPC's endpoint (any endpoint passes)", who, member, "bedrock:InvokeModel", model, "", "vpce-0aaaaaaaaaaaaaaaa", own, nil, "Allowed"),
		row("without endpointIds: targeted account's role, not through an endpoint", who, member, "bedrock:InvokeModel", model, "", "", own, nil, "ExplicitlyDenied"),
	} {
		c.scps = weak
		cases = append(cases, c)
	}
	return cases
}

// scpsOf is what applies to an account of o's first target: FullAWSAccess, which Organizations attaches
// to every OU and account unless removed, and the stack's policies as the template has them.
func scpsOf(o *synthesizedOrganization) []any {
	policies := []any{map[string]any{"name": "FullAWSAccess", "policy": policy(map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})}}
	for _, p := range []*scp.Policy{o.stack.Inference, o.stack.Protections} {
		props := o.template.Resources[*o.stack.GetLogicalId(p.Resource)].Properties
		policies = append(policies, map[string]any{"name": props["Name"], "policy": props["Content"]})
	}
	return []any{map[string]any{"orgIdentifier": o.config.Targets[0], "policies": policies}}
}

// resolver resolves the intrinsics of values of the organisation stack's template, as deployed.
func (o *synthesizedOrganization) resolver(t *testing.T) func(v any) any {
	t.Helper()
	r, err := cfnresolve.New(o.raw, cfnresolve.Deployment{Partition: "aws", Region: o.config.Region, Account: o.config.Account})
	if err != nil {
		t.Fatal(err)
	}
	return func(v any) any {
		out, err := r.Resolve(v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// only is the logical ID of the one resource of a type in the template.
func only(t *testing.T, tmpl Template, typ string) string {
	t.Helper()
	ids := tmpl.ofType(typ)
	if len(ids) != 1 {
		t.Fatalf("%d resources of type %s, want 1: %v", len(ids), typ, ids)
	}
	return ids[0]
}

// The Amazon Bedrock policy enforces a numbered version of the organisation stack's own guardrail in the
// stack's region, as AWS's syntax writes it, on the same targets as the service control policies; the
// guardrail's resource-based policy is AWS's pattern for sharing with the organisation.
func TestOrganizationGuardrailPolicy(t *testing.T) {
	o, g := org.config, org.config.GuardrailPolicy
	if g == nil || len(g.ExcludedModels) == 0 {
		t.Fatalf("%s: the organization section needs a guardrailPolicy with excludedModels", fixture)
	}
	s, tmpl := org.stack, org.template
	policyID := *s.GetLogicalId(s.BedrockPolicy.Resource)
	guardrailID := *s.GetLogicalId(s.Guardrail.Resource)
	versionID := *s.GetLogicalId(s.Guardrail.Version)
	rbpID := *s.GetLogicalId(s.Guardrail.Policy)
	policy := tmpl.Resources[policyID]
	expect(t, "guardrail policy", map[string]any{"Type": "BEDROCK_POLICY", "Name": project + "-guardrail", "TargetIds": o.Targets}, policy.Properties)
	settings := map[string]any{
		"identifier": map[string]any{"@@assign": map[string]any{"Fn::Join": []any{":", []any{getAtt(versionID, "GuardrailArn"), getAtt(versionID, "Version")}}}},
		"selective_content_guarding": map[string]any{
			"system": map[string]any{"@@assign": "comprehensive"}, "messages": map[string]any{"@@assign": "comprehensive"},
		},
		"model_enforcement": map[string]any{
			"included_models": map[string]any{"@@assign": []any{"ALL"}},
			"excluded_models": map[string]any{"@@assign": g.ExcludedModels},
		},
	}
	want := map[string]any{"bedrock": map[string]any{"guardrail_inference": map[string]any{o.Region: map[string]any{"config_1": settings}}}}
	if got := policy.Properties["Content"]; jsonOf(got) != jsonOf(want) {
		t.Errorf("guardrail policy content\n%s\nwant\n%s", jsonOf(got), jsonOf(want))
	}
	// Enforcement starts only once the organisation's callers may apply the guardrail.
	if !slices.Contains(strs(policy.DependsOn), rbpID) {
		t.Errorf("the guardrail policy depends on %v, not on the guardrail's resource-based policy %s", policy.DependsOn, rbpID)
	}
	identifier := org.resolver(t)(settings["identifier"].(map[string]any)["@@assign"]).(string)
	if !regexp.MustCompile(`^arn:aws:bedrock:` + o.Region + `:` + o.Account + `:guardrail/[a-z0-9]+:[0-9]+$`).MatchString(identifier) {
		t.Errorf("identifier %s is not a numbered version of a guardrail of %s in %s", identifier, o.Account, o.Region)
	}

	expect(t, "guardrail's resource-based policy", map[string]any{
		"ResourceArn": getAtt(guardrailID, "GuardrailArn"),
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": "*", "Action": []any{"bedrock:ApplyGuardrail", "bedrock:GetGuardrail"},
			"Resource":  getAtt(guardrailID, "GuardrailArn"),
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": g.OrganizationID}},
		}}},
	}, tmpl.Resources[rbpID].Properties)
	if sid := statements(tmpl.Resources[rbpID].Properties["PolicyDocument"])[0]["Sid"]; sid != nil {
		t.Errorf("guardrail policies allow AWS's statement patterns only, without a Sid: %v", sid)
	}

	guardrail := tmpl.Resources[only(t, tmpl, "AWS::Bedrock::Guardrail")].Properties
	expect(t, "guardrail", map[string]any{
		"Name":                  *s.StackName(),
		"BlockedInputMessaging": g.Guardrail.BlockedInputMessage, "BlockedOutputsMessaging": g.Guardrail.BlockedOutputMessage,
	}, guardrail)
	if n := len(guardrail["ContentPolicyConfig"].(map[string]any)["FiltersConfig"].([]any)); n != len(g.Guardrail.ContentFilters) {
		t.Errorf("the guardrail has %d content filters, the configuration %d", n, len(g.Guardrail.ContentFilters))
	}
	// Member accounts' callers could not decrypt a key of this account without IAM permissions of their own.
	if guardrail["KmsKeyArn"] != nil || len(tmpl.ofType("AWS::KMS::Key")) > 0 {
		t.Errorf("the organisation's guardrail is encrypted with a key of the stack: %v", guardrail["KmsKeyArn"])
	}
	only(t, tmpl, "AWS::Bedrock::GuardrailVersion")
	// The Amazon Bedrock policy enforces it; account-level enforcement in the management account would
	// be another thing.
	if ids := tmpl.ofType("AWS::Bedrock::EnforcedGuardrailConfiguration"); len(ids) > 0 {
		t.Errorf("the organisation stack enforces a guardrail in its own account: %v", ids)
	}
	for _, output := range []string{"GuardrailArn", "BedrockPolicyId"} {
		if tmpl.Outputs[output] == nil {
			t.Errorf("no output %s", output)
		}
	}
	if n, max := len(s.BedrockPolicy.Content), orgpolicy.BedrockPolicy.MaxSize; n > max/2 {
		t.Errorf("the guardrail policy is %d characters: the fixture's should stay far below the %d limit", n, max)
	}
}

// model_enforcement follows includedModels and excludedModels: both lists once either is given, since
// AWS requires both then; none without them, which enforces on every model.
func TestOrganizationGuardrailPolicyModels(t *testing.T) {
	for _, c := range []struct {
		name               string
		included, excluded []string
		want               any
	}{
		{"included only", []string{"anthropic.claude-3-haiku-20240307-v1:0"}, nil, map[string]any{
			"included_models": map[string]any{"@@assign": []any{"anthropic.claude-3-haiku-20240307-v1:0"}},
			"excluded_models": map[string]any{"@@assign": []any{}},
		}},
		{"neither", nil, nil, nil},
	} {
		o := organizationVariant(func(o *config.Organization) {
			o.GuardrailPolicy.IncludedModels, o.GuardrailPolicy.ExcludedModels = c.included, c.excluded
		}).synthesized()
		content := o.template.Resources[*o.stack.GetLogicalId(o.stack.BedrockPolicy.Resource)].Properties["Content"]
		settings := content.(map[string]any)["bedrock"].(map[string]any)["guardrail_inference"].(map[string]any)[o.config.Region].(map[string]any)["config_1"].(map[string]any)
		if got := settings["model_enforcement"]; jsonOf(got) != jsonOf(c.want) {
			t.Errorf("%s: model_enforcement %s, want %s", c.name, jsonOf(got), jsonOf(c.want))
		}
	}
}

// Without organization.guardrailPolicy the stack is exactly the fixture's without the guardrail, its
// policy and their outputs: nothing else depends on the option.
func TestOrganizationWithoutGuardrailPolicyCreatesNone(t *testing.T) {
	o := organizationVariant(func(o *config.Organization) { o.GuardrailPolicy = nil }).synthesized()
	if o.stack.Guardrail != nil || o.stack.BedrockPolicy != nil {
		t.Fatal("a guardrail or guardrail policy without organization.guardrailPolicy")
	}
	guardrailPart := []string{*org.stack.GetLogicalId(org.stack.BedrockPolicy.Resource)}
	for id, r := range org.template.Resources {
		if strings.HasPrefix(r.Type, "AWS::Bedrock::") {
			guardrailPart = append(guardrailPart, id)
		}
	}
	want := Template{Resources: map[string]Resource{}, Outputs: map[string]any{}}
	for id, r := range org.template.Resources {
		if !slices.Contains(guardrailPart, id) {
			want.Resources[id] = r
		}
	}
	for key, v := range org.template.Outputs {
		if key != "GuardrailArn" && key != "BedrockPolicyId" {
			want.Outputs[key] = v
		}
	}
	if got := (Template{Resources: o.template.Resources, Outputs: o.template.Outputs}); jsonOf(got) != jsonOf(want) {
		t.Errorf("without the guardrail policy the stack is not the fixture's without it:\n%s\nwant\n%s", jsonOf(got), jsonOf(want))
	}
}

// An Amazon Bedrock policy Organizations would refuse for its size fails the synthesis, naming the
// policy, its size, the limit and what to shorten.
func TestOrganizationGuardrailPolicyOverTheSizeLimitFailsSynthesis(t *testing.T) {
	o := organizationVariant(func(o *config.Organization) {
		excluded := slices.Clone(o.GuardrailPolicy.ExcludedModels)
		for i := range 500 {
			excluded = append(excluded, fmt.Sprintf("provider.model-%d-v1:0", i))
		}
		o.GuardrailPolicy.ExcludedModels = excluded
	})
	failsForSize(t, o, o.stack.BedrockPolicy, orgpolicy.BedrockPolicy,
		"Amazon Bedrock policy "+project+"-guardrail is %d characters as minified JSON, more than the 10000 Organizations accepts: list fewer models in organization.guardrailPolicy")
}

// Who may apply the organisation's guardrail, by its resource-based policy as synthesized: a targeted
// account's role needs bedrock:ApplyGuardrail of its own too (cross-account access takes both), and a
// principal outside the organisation is not admitted.
func TestOrganizationGuardrailIsApplicableAcrossTheOrganization(t *testing.T) {
	must := org.resolver(t)
	g := org.stack.Guardrail
	arn := must(org.written(g.Arn)).(string)
	rbp := must(org.template.Resources[*org.stack.GetLogicalId(g.Policy)].Properties["PolicyDocument"])
	member := envs[names[0]].env
	apply := []any{policy(stmt("bedrock:ApplyGuardrail", arn))}
	in := map[string]any{"aws:PrincipalOrgID": org.config.GuardrailPolicy.OrganizationID}
	row := func(name, account string, identity []any, context map[string]any, want string) accessCase {
		return accessCase{env: organizationLabel, name: name, principal: session(account, "App"), action: "bedrock:ApplyGuardrail",
			resource: arn, account: org.config.Account, identity: identity, resPolicy: rbp, context: context, want: want}
	}
	cases := []accessCase{
		row("a targeted account's role allowed to apply the guardrail", member.Account, apply, in, "Allowed"),
		row("a targeted account's role without bedrock:ApplyGuardrail of its own", member.Account, nil, in, "ImplicitlyDenied"),
		row("another organisation's role allowed to apply the guardrail", otherAccount, apply, map[string]any{"aws:PrincipalOrgID": "o-zzzzzzzzzz"}, "ImplicitlyDenied"),
	}
	// Each environment's own test function, with the identity and endpoint policies it synthesizes.
	for _, name := range names {
		s := envs[name]
		if len(enforcedGuardrails(s.env)) == 0 {
			continue
		}
		p := policiesOf(t, s)
		cases = append(cases, accessCase{env: organizationLabel, name: "the test function of " + name + " applies the enforced guardrail through its endpoint",
			principal: p.invokerSession, action: "bedrock:ApplyGuardrail", resource: arn, account: org.config.Account,
			identity: p.invokerIdentity, resPolicy: rbp, context: in, vpce: p.endpointID, endpoint: &p, want: "Allowed"})
	}
	checkAccessCases(t, organizationLabel, cases, evaluate(t, cases))
}

// written is a token as the organisation stack's template writes it.
func (o *synthesizedOrganization) written(token *string) any {
	var out any
	if err := json.Unmarshal([]byte(jsonOf(o.stack.Resolve(token))), &out); err != nil {
		panic(err)
	}
	return out
}
