// The access roles (constructs/accessrole): who may assume them, and what their sessions may do from
// where.

package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/stacks/environment"
)

// accessRoleCases are the access-matrix rows of one environment's access roles: the trust policy
// decides who assumes the role, the role's policies (and the endpoint policy, through the endpoint)
// what its sessions may do.
func accessRoleCases(t *testing.T, s *synthesized, p stackPolicies) []accessCase {
	t.Helper()
	e := s.env
	must := resolver(t, s)
	// The control-plane endpoint, where callers inside the network list and read inference profiles.
	control := p
	control.endpointName = "bedrock"
	if ep, ok := endpoints(s.template)["bedrock"]; ok {
		control.endpointID = must(ref(logicalID(s, s.stack.Vpc.InterfaceEndpoints["bedrock"].Node().DefaultChild()))).(string)
		control.endpointPolicy = must(ep.Properties["PolicyDocument"])
	}
	model := e.ModelArns()[0]
	opus := fmt.Sprintf("arn:%s:bedrock:%s::foundation-model/anthropic.claude-3-opus-20240229-v1:0", e.Partition(), e.Region)
	var cases []accessCase
	for _, role := range e.AccessRoles {
		id := logicalID(s, s.stack.AccessRoles[role.Name].Resource.Node().DefaultChild())
		arn := e.AccessRoleArn(role)
		trust := must(s.template.Resources[id].Properties["AssumeRolePolicyDocument"])
		identity := must(rolePolicies(s.template, id)).([]any)
		label := "role " + role.Name
		row := func(name, who, principal, action, resource, what string, identity []any, resPolicy any, context map[string]any, want string) accessCase {
			return accessCase{env: e.Name, name: role.Name + ": " + name, who: who, principal: principal, action: action, resource: resource,
				what: what, account: e.Account, context: context, identity: identity, resPolicy: resPolicy, want: want}
		}

		// Trust: the caller's own policy allows the assume; the role's trust policy decides.
		assume := []any{policy(stmt("sts:AssumeRole", arn))}
		conditions := map[string]any{}
		if role.RequireMFA {
			conditions["aws:MultiFactorAuthPresent"] = "true"
		}
		if role.RequireSourceIdentity {
			conditions["sts:SourceIdentity"] = "jane"
		}
		for _, trusted := range role.TrustedPrincipals[:min(1, len(role.TrustedPrincipals))] {
			cases = append(cases,
				row("a trusted principal assumes the role"+requirements(role), "trusted principal", trusted, "sts:AssumeRole", arn, label, assume, trust, conditions, "Allowed"),
				row("an untrusted principal of the same account assumes the role", "untrusted user", fmt.Sprintf("arn:aws:iam::%s:user/Mallory", e.Account), "sts:AssumeRole", arn, label, assume, trust, conditions, "ImplicitlyDenied"),
				row("another account's principal assumes the role", "other-account role", session(otherAccount, "Attacker"), "sts:AssumeRole", arn, label, assume, trust, conditions, "ImplicitlyDenied"),
			)
			if role.RequireMFA {
				cases = append(cases, row("the trusted principal without MFA", "trusted principal", trusted, "sts:AssumeRole", arn, label, assume, trust,
					merge(conditions, map[string]any{"aws:MultiFactorAuthPresent": "false"}), "ImplicitlyDenied"))
			}
			if role.RequireSourceIdentity {
				without := merge(conditions)
				delete(without, "sts:SourceIdentity")
				cases = append(cases, row("the trusted principal without a source identity", "trusted principal", trusted, "sts:AssumeRole", arn, label, assume, trust, without, "ImplicitlyDenied"))
			}
		}
		for _, service := range role.TrustedServices {
			cases = append(cases, row(service+" assumes the role for a workload", service, service, "sts:AssumeRole", arn, label, nil, trust, nil, "Allowed"))
		}

		// Sessions: from the allowed network, and from elsewhere.
		who, sess := "session of "+role.Name, sessionOf(arn)
		from := func(c accessCase, network string) accessCase {
			c.name += " (" + network + ")"
			switch network {
			case "endpoint":
				c.vpce, c.endpoint = p.endpointID, &p
			case "control plane":
				c.vpce, c.endpoint = control.endpointID, &control
			case "corporate IP":
				c.context = merge(c.context, map[string]any{"aws:SourceIp": "198.51.100.7"})
			case "internet IP":
				c.context = merge(c.context, map[string]any{"aws:SourceIp": "203.0.113.9"})
			}
			return c
		}
		allowed, elsewhere := "corporate IP", "internet IP"
		if role.Network.Endpoint {
			allowed = "endpoint"
		}
		guardrail := map[string]any{}
		if p.guardrailVersioned != "" && role.GuardrailAware && e.Guardrail.EnforceInIAM {
			guardrail["bedrock:GuardrailIdentifier"] = p.guardrailVersioned
		}
		invoke := func(name, resource, network string, context map[string]any, want string) accessCase {
			return from(row(name, who, sess, "bedrock:InvokeModel", resource, "", identity, nil, merge(context), want), network)
		}
		listNetwork := allowed
		if allowed == "endpoint" {
			listNetwork = "control plane"
		}
		cases = append(cases,
			invoke("invokes an allowed model"+withGuardrail(guardrail), model, allowed, guardrail, "Allowed"),
			invoke("invokes an allowed model from elsewhere", model, elsewhere, guardrail, "ExplicitlyDenied"),
			invoke("invokes a model not on the list", opus, allowed, guardrail, "ImplicitlyDenied"),
			from(row("lists inference profiles", who, sess, "bedrock:ListInferenceProfiles", "*", "*", identity, nil, nil, "Allowed"), listNetwork),
			from(row("changes the invocation logging configuration", who, sess, "bedrock:PutModelInvocationLoggingConfiguration", "*", "*", identity, nil, nil, "ImplicitlyDenied"), listNetwork),
			from(row("creates a customization job on an allowed model", who, sess, "bedrock:CreateModelCustomizationJob", model, "", identity, nil, nil, "ImplicitlyDenied"), listNetwork),
			from(row("calls Bedrock with an API key (CallWithBearerToken)", who, sess, "bedrock:CallWithBearerToken", "*", "*", identity, nil, nil, "ExplicitlyDenied"), allowed),
			row("creates a Bedrock API key (service-specific credential)", who, sess, "iam:CreateServiceSpecificCredential",
				fmt.Sprintf("arn:aws:iam::%s:user/DeveloperUser", e.Account), "IAM user", identity, nil,
				map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}, "ExplicitlyDenied"),
			row("subscribes to a Marketplace model directly, not through Bedrock", who, sess, "aws-marketplace:Subscribe", "*", "Marketplace", identity, nil, nil, "ImplicitlyDenied"),
		)
		if p.guardrailVersioned != "" && role.GuardrailAware && e.Guardrail.EnforceInIAM {
			cases = append(cases, invoke("invokes an allowed model without the guardrail", model, allowed, map[string]any{}, "ExplicitlyDenied"))
		}
		if role.MarketplaceSubscription {
			cases = append(cases, row("subscribes to a Marketplace model through Bedrock", who, sess, "aws-marketplace:Subscribe", "*", "Marketplace", identity, nil,
				map[string]any{"aws:CalledViaLast": "bedrock.amazonaws.com", "aws:ViaAWSService": "true"}, "Allowed"))
		}
	}
	return cases
}

func requirements(r config.AccessRole) string {
	var with []string
	if r.RequireMFA {
		with = append(with, "MFA")
	}
	if r.RequireSourceIdentity {
		with = append(with, "a source identity")
	}
	if len(with) == 0 {
		return ""
	}
	return " with " + strings.Join(with, " and ")
}

func withGuardrail(context map[string]any) string {
	if len(context) > 0 {
		return ", naming the guardrail"
	}
	return ""
}

// TestAccessRolesAsConfigured checks each role's name, session length, trust statements and output,
// and that the sts endpoint lets callers inside the network assume exactly the roles used there.
func TestAccessRolesAsConfigured(t *testing.T) {
	envWhere(t, "has an access role used inside the network", func(e config.Environment) bool {
		return slices.ContainsFunc(e.AccessRoles, func(r config.AccessRole) bool { return r.Network.Endpoint })
	})
	envWhere(t, "has an access role used from corporate source IPs", func(e config.Environment) bool {
		return slices.ContainsFunc(e.AccessRoles, func(r config.AccessRole) bool { return len(r.Network.SourceIPs) > 0 })
	})
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		var throughEndpoint []string
		for _, r := range s.env.AccessRoles {
			id := logicalID(s, s.stack.AccessRoles[r.Name].Resource.Node().DefaultChild())
			props := s.template.Resources[id].Properties
			if props["RoleName"] != r.Name || props["MaxSessionDuration"] != float64(3600*r.SessionHours()) {
				t.Errorf("%s: RoleName %v MaxSessionDuration %v, want %s and %d", r.Name, props["RoleName"], props["MaxSessionDuration"], r.Name, 3600*r.SessionHours())
			}
			// Each statement trusts principals or services, never both, and principals carry the conditions.
			for _, st := range statements(props["AssumeRolePolicyDocument"]) {
				principal := st["Principal"].(map[string]any)
				if services := strs(principal["Service"]); len(services) > 0 {
					if !slices.Equal(sorted(services), sorted(r.TrustedServices)) || st["Condition"] != nil || len(principal) != 1 {
						t.Errorf("%s: service statement %s, want %v without conditions", r.Name, jsonOf(st), r.TrustedServices)
					}
					continue
				}
				if got := strs(principal["AWS"]); !slices.Equal(sorted(got), sorted(r.TrustedPrincipals)) {
					t.Errorf("%s: trusts %v, want %v", r.Name, got, r.TrustedPrincipals)
				}
				conditions, _ := st["Condition"].(map[string]any)
				if _, mfa := conditions["Bool"]; mfa != r.RequireMFA {
					t.Errorf("%s: MFA condition %v, want %v: %s", r.Name, mfa, r.RequireMFA, jsonOf(st))
				}
				if _, si := conditions["StringLike"]; si != r.RequireSourceIdentity {
					t.Errorf("%s: source identity condition %v, want %v: %s", r.Name, si, r.RequireSourceIdentity, jsonOf(st))
				}
			}
			output := s.template.Outputs[environment.AccessRoleOutput(r.Name)]
			if !strings.Contains(jsonOf(output), "npm run client-settings -- "+s.env.Name+" "+r.Name) {
				t.Errorf("%s: output %s does not point to the client settings command", r.Name, jsonOf(output))
			}
			if r.Network.Endpoint {
				throughEndpoint = append(throughEndpoint, jsonOf(getAtt(id, "Arn")))
			}
		}
		ep, ok := endpoints(s.template)["sts"]
		var assumable []string
		if ok {
			for _, st := range statements(ep.Properties["PolicyDocument"]) {
				if st["Sid"] == "AssumeTheAccessRoles" {
					assumable = strs(st["Resource"])
				}
			}
		}
		if !slices.Equal(sorted(assumable), sorted(throughEndpoint)) {
			t.Errorf("sts endpoint admits assuming %v, want the roles used inside the network %v", assumable, throughEndpoint)
		}
	})
}

// A role that may call from any network is allowed only deliberately, and synthesis says so.
func TestAnyNetworkRoleWarnsAtSynthesis(t *testing.T) {
	env := envWhere(t, "has access roles", func(e config.Environment) bool { return len(e.AccessRoles) > 0 }).env
	env.AccessRoles = slices.Clone(env.AccessRoles)
	env.AccessRoles[0].Network = config.AccessNetwork{Anywhere: true}
	s := environment.NewStaged(newApp(), environment.Props{Project: project, Environment: env})
	warnings := assertions.Annotations_FromStack(s.Stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(".*from any network.*")))
	if len(*warnings) != 1 {
		t.Errorf("%d warnings about %s calling from any network, want 1", len(*warnings), env.AccessRoles[0].Name)
	}
}
