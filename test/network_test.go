// The network (constructs/privatevpc): isolated VPC, flow logs, default security group, endpoints.

package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
)

func TestVpcIsIsolated(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		tmpl := s.template
		for _, typ := range []string{"AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EIP",
			"AWS::EC2::VPCGatewayAttachment", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::TransitGatewayAttachment"} {
			if ids := tmpl.ofType(typ); len(ids) > 0 {
				t.Errorf("found %s %v in an isolated VPC", typ, ids)
			}
		}
		for id, r := range tmpl.Resources {
			if r.Type == "AWS::EC2::Route" {
				t.Errorf("route %s: isolated subnets need no routes beyond local and the S3 gateway endpoint: %s", id, jsonOf(r.Properties))
			}
		}
		vpcID, vpc := tmpl.only(t, "AWS::EC2::VPC")
		if vpc.Properties["CidrBlock"] != s.env.VpcCidr {
			t.Errorf("VPC CIDR = %v, want %s", vpc.Properties["CidrBlock"], s.env.VpcCidr)
		}
		var zones []string
		for _, id := range tmpl.ofType("AWS::EC2::Subnet") {
			p := tmpl.Resources[id].Properties
			if p["MapPublicIpOnLaunch"] != false {
				t.Errorf("subnet %s maps public IPs: %v", id, p["MapPublicIpOnLaunch"])
			}
			if jsonOf(p["VpcId"]) != jsonOf(ref(vpcID)) {
				t.Errorf("subnet %s is not in the VPC", id)
			}
			zones = append(zones, p["AvailabilityZone"].(string))
		}
		slices.Sort(zones)
		if !slices.Equal(zones, s.env.AvailabilityZones) || len(zones) < 2 {
			t.Errorf("subnets in zones %v, want one in each of %v", zones, s.env.AvailabilityZones)
		}
		s.assert.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{
			"Tags": assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "aws-cdk:subnet-type", "Value": "Isolated"}}),
		})
	})
}

func TestFlowLogsGoToAnEncryptedRetainedLogGroup(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		tmpl := s.template
		_, flow := tmpl.only(t, "AWS::EC2::FlowLog")
		if flow.Properties["TrafficType"] != "ALL" || flow.Properties["ResourceType"] != "VPC" {
			t.Errorf("flow log covers %v of %v, want ALL of the VPC", flow.Properties["TrafficType"], flow.Properties["ResourceType"])
		}
		group, ok := flow.Properties["LogGroupName"].(map[string]any)
		if !ok {
			t.Fatalf("flow log destination is not a log group of the stack: %s", jsonOf(flow.Properties))
		}
		lg := tmpl.Resources[group["Ref"].(string)]
		if lg.Properties["KmsKeyId"] == nil || lg.Properties["RetentionInDays"] != float64(s.env.LogRetentionDays) {
			t.Errorf("flow log group: KmsKeyId %v, retention %v; want a key and %d days", lg.Properties["KmsKeyId"], lg.Properties["RetentionInDays"], s.env.LogRetentionDays)
		}
		// The delivery role trusts the flow-log service for this account's flow logs only.
		role := tmpl.Resources[flow.Properties["DeliverLogsPermissionArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)]
		want := jsonOf([]any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "vpc-flow-logs.amazonaws.com"},
			"Condition": map[string]any{
				"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:ec2:" + s.env.Region + ":" + s.env.Account + ":vpc-flow-log/*"},
				"StringEquals": map[string]any{"aws:SourceAccount": s.env.Account},
			},
		}})
		if got := jsonOf(statements(role.Properties["AssumeRolePolicyDocument"])); got != want {
			t.Errorf("flow-log role trust %s, want %s", got, want)
		}
	})
}

func TestDefaultSecurityGroupIsEmptied(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		// An SDK call is JSON text, joined with the tokens it names where it names any.
		calls := func(text string, tokens ...any) []string {
			match := assertions.Match_StringLikeRegexp(jsii.String(text))
			parts := append([]any{match}, tokens...)
			joined := map[string]any{"Create": map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&parts)}}}
			var ids []string
			for _, id := range s.template.ofType("Custom::AWS") {
				p := s.template.Resources[id].Properties
				if matches(joined, p) || len(tokens) == 0 && matches(map[string]any{"Create": match}, p) {
					ids = append(ids, id)
				}
			}
			return ids
		}
		// The parameters start with the group to revoke from: ..."parameters":{"GroupId":" and the token.
		vpcID, _ := s.template.only(t, "AWS::EC2::VPC")
		revoke := func(direction string) []string {
			return calls(`"action":"revokeSecurityGroup`+direction+`",.*"parameters":\{"GroupId":"$`, getAtt(vpcID, "DefaultSecurityGroup"))
		}
		all, ingress, egress := calls(`"action":"revokeSecurityGroup`), revoke("Ingress"), revoke("Egress")
		if len(all) != 2 || len(ingress) != 1 || len(egress) != 1 {
			t.Errorf("calls revoking rules %v; want one revoking the default group's ingress (got %v) and one its egress (got %v)", all, ingress, egress)
		}
		if ids := s.template.ofType("Custom::VpcRestrictDefaultSG"); len(ids) > 0 {
			t.Errorf("the built-in restriction runs a function outside the VPC: %v", ids)
		}
	})
}

func TestServiceEndpoints(t *testing.T) {
	envWhere(t, "places its interface endpoints in fewer zones than the VPC", func(e config.Environment) bool {
		return len(e.EndpointZones()) < len(e.AvailabilityZones)
	})
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		eps := endpoints(s.template)
		want := []string{"bedrock-runtime", "ec2", "s3"}
		want = append(want, s.env.InterfaceEndpoints...)
		if s.env.InvocationLogging.Enabled {
			// The configuration handler calls the control plane.
			want = append(want, "bedrock")
		}
		if slices.ContainsFunc(s.env.AccessRoles, func(r config.AccessRole) bool { return r.Network.Endpoint }) {
			// Their callers list profiles through the control plane and assume the role through STS.
			want = append(want, "bedrock", "sts")
		}
		slices.Sort(want)
		var got []string
		for name := range eps {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, slices.Compact(want)) {
			t.Fatalf("endpoints %v, want %v", got, slices.Compact(want))
		}
		for name, ep := range eps {
			wantType := "Interface"
			if name == "s3" {
				wantType = "Gateway"
			}
			if ep.Properties["VpcEndpointType"] != wantType {
				t.Errorf("%s endpoint is %v, want %s", name, ep.Properties["VpcEndpointType"], wantType)
			}
			if wantType == "Interface" && ep.Properties["PrivateDnsEnabled"] != true {
				t.Errorf("%s endpoint has no private DNS", name)
			}
			// In the configured zones only, one subnet each; workloads keep every zone.
			if n := len(strs(ep.Properties["SubnetIds"])); wantType == "Interface" && n != len(s.env.EndpointZones()) {
				t.Errorf("%s endpoint in %d subnets, want %d (zones %v)", name, n, len(s.env.EndpointZones()), s.env.EndpointZones())
			}
			if ep.Properties["PolicyDocument"] == nil {
				t.Errorf("%s endpoint has the default full-access policy", name)
			}
		}
		s3Allows := func(statement map[string]any) map[string]any {
			statement["Effect"] = "Allow"
			return map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&statement)})}}
		}
		// The custom-resource replies must get through the S3 gateway, or deployments hang for an hour.
		expect(t, "S3 endpoint policy, for CloudFormation's reply bucket", s3Allows(map[string]any{
			"Principal": map[string]any{"AWS": "*"}, "Action": "s3:PutObject",
			"Resource": "arn:" + s.env.Partition() + ":s3:::cloudformation-custom-resource-response-" + strings.ReplaceAll(s.env.Region, "-", "") + "/*",
		}), eps["s3"].Properties)
		expect(t, "S3 endpoint policy, for the account's buckets", s3Allows(map[string]any{
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:ResourceAccount": s.env.Account}},
		}), eps["s3"].Properties)
	})
}
