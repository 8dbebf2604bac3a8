// The test function (constructs/invoker): its configuration, security group and role.

package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestInvokerFunction(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		subnets := []any{}
		for _, id := range s.template.ofType("AWS::EC2::Subnet") {
			subnets = append(subnets, ref(id))
		}
		// No reservation unless configured: an account at the new-account quota of 10 can reserve none.
		var reserved any = assertions.Match_Absent()
		if n := s.env.InvokerReservedConcurrency; n > 0 {
			reserved = n
		}
		s.assert.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Runtime":                      "provided.al2023",
			"Architectures":                []any{"arm64"},
			"Handler":                      "bootstrap",
			"ReservedConcurrentExecutions": reserved,
			"VpcConfig": map[string]any{
				"SubnetIds":        assertions.Match_ArrayEquals(&subnets),
				"SecurityGroupIds": []any{resolved(s, s.stack.Invoker.SecurityGroup.SecurityGroupId())},
			},
			"Environment": map[string]any{"Variables": map[string]any{
				"DEFAULT_MODEL_ID":  s.env.ModelIDs()[0],
				"ALLOWED_MODEL_IDS": strings.Join(s.env.ModelIDs(), ","),
			}},
			"LoggingConfig": map[string]any{"LogGroup": resolved(s, s.stack.Invoker.LogGroup.LogGroupName()), "LogFormat": "JSON"},
		})
		// Every function of the stack runs in the VPC (Control Tower CT.LAMBDA.PR.3).
		for _, id := range s.template.ofType("AWS::Lambda::Function") {
			if s.template.Resources[id].Properties["VpcConfig"] == nil {
				t.Errorf("function %s runs outside the VPC", id)
			}
		}
	})
}

func TestInvokerSecurityGroupEgressIsHttpsToTheEndpointOnly(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		sgID := logicalID(s, s.stack.Invoker.SecurityGroup.Node().DefaultChild())
		// EC2 gives a group without inline egress rules an allow-all rule, whatever separate rules add.
		want := []any{map[string]any{
			"Description": "HTTPS to the bedrock-runtime endpoint", "DestinationSecurityGroupId": resolved(s, s.stack.Endpoint.SecurityGroup.SecurityGroupId()),
			"FromPort": 443.0, "IpProtocol": "tcp", "ToPort": 443.0,
		}}
		if got := s.template.Resources[sgID].Properties["SecurityGroupEgress"]; jsonOf(got) != jsonOf(want) {
			t.Errorf("egress %s, want exactly %s", jsonOf(got), jsonOf(want))
		}
		for _, id := range s.template.ofType("AWS::EC2::SecurityGroupEgress") {
			if jsonOf(s.template.Resources[id].Properties["GroupId"]) == jsonOf(getAtt(sgID, "GroupId")) {
				t.Errorf("separate egress rule %s beside the inline one", id)
			}
		}
		// No security group of the stack is left without inline egress rules.
		for _, id := range s.template.ofType("AWS::EC2::SecurityGroup") {
			if s.template.Resources[id].Properties["SecurityGroupEgress"] == nil {
				t.Errorf("security group %s has EC2's default allow-all egress", id)
			}
		}
	})
}

func TestInvokerRoleIsGatedOnTheEndpoint(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		roleID := logicalID(s, s.stack.Invoker.Role.Node().DefaultChild())
		role := s.template.Resources[roleID]
		if role.Properties["ManagedPolicyArns"] != nil {
			t.Errorf("role has managed policies %v", role.Properties["ManagedPolicyArns"])
		}
		var stmts []map[string]any
		for _, id := range s.template.ofType("AWS::IAM::Policy") {
			p := s.template.Resources[id].Properties
			if jsonOf(p["Roles"]) == jsonOf([]any{ref(roleID)}) {
				stmts = append(stmts, statements(p["PolicyDocument"])...)
			}
		}
		bySid := map[string]map[string]any{}
		for _, st := range stmts {
			sid, _ := st["Sid"].(string)
			bySid[sid] = st
		}
		invoke := bySid["InvokeNamedModelsThroughTheEndpointOnly"]
		if invoke == nil {
			t.Fatalf("no invoke statement among %s", jsonOf(stmts))
		}
		endpointRef := ref(logicalID(s, s.stack.Endpoint.Resource.Node().DefaultChild()))
		wantCondition := map[string]any{"StringEquals": map[string]any{"aws:SourceVpce": endpointRef}}
		guarded := s.env.Guardrail.Enabled && s.env.Guardrail.EnforceInIAM
		if guarded {
			// The guardrail in every request, and the explicit Deny AWS documents for the key, which also
			// refuses requests that name no guardrail.
			versioned := resolved(s, s.stack.Guardrail.VersionedArn)
			wantCondition["StringEquals"].(map[string]any)["bedrock:GuardrailIdentifier"] = versioned
			expect(t, "deny without the guardrail", assertions.Match_ObjectEquals(&map[string]any{
				"Sid": "DenyInvokeWithoutTheGuardrail", "Effect": "Deny", "Action": invokeActions, "Resource": "*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"bedrock:GuardrailIdentifier": versioned}},
			}), bySid["DenyInvokeWithoutTheGuardrail"])
		}
		if s.env.Guardrail.Enabled {
			var apply map[string]any
			for _, st := range stmts {
				if slices.Contains(strs(st["Action"]), "bedrock:ApplyGuardrail") {
					apply = st
				}
			}
			// With the organisation's enforced guardrails, which aws-cdk-lib lists before the reference.
			var resource any = resolved(s, s.stack.Guardrail.Arn)
			if enforced := enforcedGuardrails(s.env); len(enforced) > 0 {
				resource = append(anys(enforced), resource)
			}
			expect(t, "apply the guardrail", assertions.Match_ObjectEquals(&map[string]any{
				"Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": resource,
			}), apply)
		}
		if jsonOf(invoke["Condition"]) != jsonOf(wantCondition) {
			t.Errorf("invoke condition %s, want %s", jsonOf(invoke["Condition"]), jsonOf(wantCondition))
		}
		if got := strs(invoke["Action"]); !slices.Equal(got, invokeActions) {
			t.Errorf("invoke actions %v", got)
		}
		if got, want := sorted(strs(invoke["Resource"])), sorted(s.env.ModelArns()); !slices.Equal(got, want) {
			t.Errorf("invoke resources %v, want %v", got, want)
		}
		for _, st := range stmts {
			for _, a := range strs(st["Action"]) {
				// Applying the one guardrail needs no gate: it reveals nothing and invokes no model.
				if strings.HasPrefix(a, "bedrock:") && a != "bedrock:ApplyGuardrail" && st["Condition"] == nil {
					t.Errorf("ungated Bedrock statement %s", jsonOf(st))
				}
				if strings.Contains(a, "*") && !strings.HasPrefix(a, "logs:") {
					t.Errorf("wildcard action %s in %s", a, jsonOf(st))
				}
			}
			if slices.Contains(strs(st["Resource"]), "*") && st["Effect"] == "Allow" && !slices.Equal(sorted(strs(st["Action"])), []string{"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}) {
				t.Errorf("statement on every resource: %s", jsonOf(st))
			}
		}
		if eni := bySid["ManageNetworkInterfaces"]; eni == nil || jsonOf(eni["Resource"]) != jsonOf("arn:aws:ec2:"+s.env.Region+":"+s.env.Account+":*/*") {
			t.Errorf("network-interface statement %s, want it scoped to the account and region", jsonOf(eni))
		}
	})
}
