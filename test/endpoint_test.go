// The bedrock-runtime endpoint (constructs/bedrockendpoint): its policy and security group.

package test

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

var invokeActions = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}

func TestEndpointPolicyAdmitsNamedPrincipalsOnNamedModelsOnly(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		doc := endpoints(s.template)["bedrock-runtime"].Properties["PolicyDocument"]
		stmts := statements(doc)
		if len(stmts) != 1 {
			t.Fatalf("want one statement, got %s", jsonOf(doc))
		}
		st := stmts[0]
		if st["Effect"] != s.env.EndpointPolicyEffect {
			t.Errorf("Effect = %v, want %s", st["Effect"], s.env.EndpointPolicyEffect)
		}
		if got := strs(st["Action"]); !slices.Equal(got, invokeActions) {
			t.Errorf("Action = %v, want %v", got, invokeActions)
		}
		if got, want := sorted(strs(st["Resource"])), sorted(s.env.ModelArns()); !slices.Equal(got, want) {
			t.Errorf("Resource = %v, want %v", got, want)
		}
		principals := strs(st["Principal"].(map[string]any)["AWS"])
		wantPrincipals := append(slices.Clone(s.env.ClientPrincipals), jsonOf(getAtt(logicalID(s, s.stack.Invoker.Role.Node().DefaultChild()), "Arn")))
		if !slices.Equal(sorted(principals), sorted(wantPrincipals)) {
			t.Errorf("Principal = %v, want %v", principals, wantPrincipals)
		}
		// Nothing but the fields checked above (no Condition, NotAction or other kind of principal to widen
		// it), so no wildcard anywhere.
		set := assertions.Match_AnyValue()
		expect(t, "endpoint policy", assertions.Match_ObjectEquals(&map[string]any{"Version": "2012-10-17", "Statement": []any{
			assertions.Match_ObjectEquals(&map[string]any{"Sid": set, "Effect": set, "Action": set, "Resource": set,
				"Principal": assertions.Match_ObjectEquals(&map[string]any{"AWS": set})}),
		}}), doc)
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
