// The bedrock-runtime endpoint (constructs/bedrockendpoint): its policy and security group.

package test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

var invokeActions = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}

// TestEndpointPolicyAdmitsNamedPrincipalsOnNamedModelsOnly checks every statement of the endpoint
// policy against the configuration: who may invoke without naming the guardrail, who only with it, who
// may apply it, and nothing else.
func TestEndpointPolicyAdmitsNamedPrincipalsOnNamedModelsOnly(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		doc := endpoints(s.template)["bedrock-runtime"].Properties["PolicyDocument"]
		invoker := jsonOf(getAtt(logicalID(s, s.stack.Invoker.Role.Node().DefaultChild()), "Arn"))
		g := s.env.Guardrail
		open, guarded := append(slices.Clone(s.env.ClientPrincipals), invoker), []string(nil)
		if g.Enabled && g.EnforceAtEndpoint {
			open, guarded = s.env.UnconditionedPrincipals(), append(slices.Clone(s.env.GuardedPrincipals()), invoker)
		}
		// The access roles, by their role's ARN: guardrail-aware ones only with the guardrail.
		roles := []string(nil)
		for _, r := range s.env.AccessRoles {
			arn := jsonOf(getAtt(logicalID(s, s.stack.AccessRoles[r.Name].Resource.Node().DefaultChild()), "Arn"))
			roles = append(roles, arn)
			if g.Enabled && g.EnforceAtEndpoint && r.GuardrailAware {
				guarded = append(guarded, arn)
			} else {
				open = append(open, arn)
			}
		}
		type want struct {
			principals []string
			actions    []string
			resources  []string
			condition  any
		}
		wanted := map[string]want{}
		if len(open) > 0 {
			wanted["InvokeNamedModelsByNamedPrincipals"] = want{open, invokeActions, s.env.ModelArns(), nil}
		}
		if len(guarded) > 0 {
			wanted["InvokeNamedModelsWithTheGuardrail"] = want{guarded, invokeActions, s.env.ModelArns(),
				map[string]any{"StringEquals": map[string]any{"bedrock:GuardrailIdentifier": resolved(s, s.stack.Guardrail.VersionedArn)}}}
		}
		if g.Enabled {
			wanted["ApplyTheGuardrail"] = want{append(append(slices.Clone(s.env.ClientPrincipals), invoker), roles...), []string{"bedrock:ApplyGuardrail"},
				append([]string{jsonOf(resolved(s, s.stack.Guardrail.Arn))}, enforcedGuardrails(s.env)...), nil}
		}
		stmts := statements(doc)
		if len(stmts) != len(wanted) {
			t.Fatalf("%d statements, want %d (%v): %s", len(stmts), len(wanted), slices.Sorted(maps.Keys(wanted)), jsonOf(doc))
		}
		for _, st := range stmts {
			sid, _ := st["Sid"].(string)
			w, ok := wanted[sid]
			if !ok {
				t.Errorf("unexpected statement %s", jsonOf(st))
				continue
			}
			if st["Effect"] != s.env.EndpointPolicyEffect {
				t.Errorf("%s: Effect = %v, want %s", sid, st["Effect"], s.env.EndpointPolicyEffect)
			}
			if got := strs(st["Action"]); !slices.Equal(sorted(got), sorted(w.actions)) {
				t.Errorf("%s: Action = %v, want %v", sid, got, w.actions)
			}
			if got := sorted(strs(st["Resource"])); !slices.Equal(got, sorted(w.resources)) {
				t.Errorf("%s: Resource = %v, want %v", sid, got, w.resources)
			}
			if got := strs(st["Principal"].(map[string]any)["AWS"]); !slices.Equal(sorted(got), sorted(w.principals)) {
				t.Errorf("%s: Principal = %v, want %v", sid, got, w.principals)
			}
			if jsonOf(st["Condition"]) != jsonOf(w.condition) {
				t.Errorf("%s: Condition = %s, want %s", sid, jsonOf(st["Condition"]), jsonOf(w.condition))
			}
			// Nothing but the fields checked above (no NotAction or other kind of principal to widen it).
			set := assertions.Match_AnyValue()
			fields := map[string]any{"Sid": set, "Effect": set, "Action": set, "Resource": set,
				"Principal": assertions.Match_ObjectEquals(&map[string]any{"AWS": set})}
			if w.condition != nil {
				fields["Condition"] = set
			}
			expect(t, sid, assertions.Match_ObjectEquals(&fields), st)
		}
	})
}

func TestEndpointSecurityGroupsAdmitOnlyHttpsFromKnownSources(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		tmpl := s.template
		for id, r := range tmpl.Resources {
			var rules []any
			switch r.Type {
			case "AWS::EC2::SecurityGroup":
				rules, _ = r.Properties["SecurityGroupIngress"].([]any)
			case "AWS::EC2::SecurityGroupIngress":
				rules = []any{r.Properties}
			}
			for _, rule := range rules {
				m := rule.(map[string]any)
				if m["CidrIp"] == "0.0.0.0/0" || m["CidrIpv6"] == "::/0" {
					t.Errorf("%s admits the internet: %s", id, jsonOf(m))
				}
				if m["IpProtocol"] != "tcp" || m["FromPort"] != float64(443) || m["ToPort"] != float64(443) {
					t.Errorf("%s admits more than HTTPS: %s", id, jsonOf(m))
				}
			}
		}
		// bedrock-runtime admits the invoker's group only (a security-group reference, no CIDR).
		endpointSG := resolved(s, s.stack.Endpoint.SecurityGroup.SecurityGroupId())
		invokerSG := resolved(s, s.stack.Invoker.SecurityGroup.SecurityGroupId())
		s.assert.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]any{
			"GroupId": endpointSG, "SourceSecurityGroupId": invokerSG, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
		})
		id := endpointSG["Fn::GetAtt"].([]any)[0].(string)
		if rules := tmpl.Resources[id].Properties["SecurityGroupIngress"]; rules != nil {
			t.Errorf("bedrock-runtime endpoint group has inline ingress %s; want only the client groups", jsonOf(rules))
		}
	})
}
