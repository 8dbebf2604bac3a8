// The access roles (constructs/accessrole): who may assume them, and what their sessions may do from
// where.

package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/cfnresolve"
)

// accessRoleCases are the access-matrix rows of one environment's access roles: the trust policy
// decides who assumes the role, the role's policies (and the endpoint policy, through the endpoint)
// what its sessions may do.
func accessRoleCases(t *testing.T, s *synthesized, p stackPolicies) []accessCase {
	t.Helper()
	e := s.env
	r, err := cfnresolve.New(s.raw, cfnresolve.Deployment{Partition: e.Partition(), Region: e.Region, Account: e.Account})
	if err != nil {
		t.Fatal(err)
	}
	must := func(v any) any {
		out, err := r.Resolve(v)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		return out
	}
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
