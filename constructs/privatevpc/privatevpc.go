// Package privatevpc creates a VPC with isolated subnets only (no internet or NAT gateway), flow logs
// to an encrypted log group, a locked-down default security group, and the endpoints through which
// workloads reach AWS services: an S3 gateway endpoint, an EC2 interface endpoint and the interface
// endpoints asked for (CloudWatch Logs among them, as the source guidance asks).
//
// The source guidance asks for a CloudWatch Logs "gateway endpoint"; AWS offers gateway endpoints for
// S3 and DynamoDB only, so CloudWatch Logs gets an interface endpoint.
package privatevpc

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/rolepath"
	"github.com/privatebedrock/stack/constructs/vpcsdkcall"
)

// Props configures the VPC.
type Props struct {
	// AvailabilityZones get one isolated subnet each. Required, at least 2.
	AvailabilityZones []string
	// Cidr is the VPC's IPv4 block. Required.
	Cidr string
	// SubnetMask is the prefix length of each subnet. Default: 24.
	SubnetMask int
	// LogKey encrypts the flow log group and the deploy-time call log group. Required.
	LogKey awskms.Key
	// LogRetention of the flow log group and the deploy-time call log group. Required.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the log groups. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// EndpointZones get the interface endpoints' network interfaces, a subset of AvailabilityZones:
	// each endpoint costs per zone and hour, and workloads of the other zones reach them across zones,
	// until those zones fail. Default: every zone.
	EndpointZones []string
	// InterfaceEndpoints are interface endpoints by AWS service name, as in com.amazonaws.<region>.<name>:
	// logs, bedrock, kms, lambda, sts... EC2 always gets one. Default: none.
	InterfaceEndpoints []string
}

// Vpc is what New made.
type Vpc struct {
	constructs.Construct
	Resource     awsec2.Vpc
	FlowLogGroup awslogs.LogGroup
	S3Endpoint   awsec2.GatewayVpcEndpoint
	// InterfaceEndpoints by service name (logs, ec2 and the optional ones).
	InterfaceEndpoints map[string]awsec2.InterfaceVpcEndpoint
	// EndpointSecurityGroup admits HTTPS from the VPC to the interface endpoints above.
	EndpointSecurityGroup awsec2.SecurityGroup
	// Subnets selects the isolated subnets, for workloads.
	Subnets *awsec2.SubnetSelection
	// EndpointSubnets selects the isolated subnets of Props.EndpointZones, for interface endpoints.
	EndpointSubnets *awsec2.SubnetSelection
	// SdkCalls runs the stack's deploy-time API calls inside this VPC.
	SdkCalls *vpcsdkcall.Provider
}

// serviceName is an AWS service's short name in an interface endpoint service name.
var serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// New creates the VPC.
func New(scope constructs.Construct, id string, props Props) *Vpc {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("privatevpc %q: %v", id, err))
	}
	if props.SubnetMask == 0 {
		props.SubnetMask = 24
	}
	if props.RemovalPolicy == "" {
		props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	v := &Vpc{Construct: c, InterfaceEndpoints: map[string]awsec2.InterfaceVpcEndpoint{}}

	v.FlowLogGroup = loggroup.New(c, "FlowLogs", loggroup.Props{
		Name:          "/" + *stack.StackName() + "/vpc-flow-logs",
		Key:           props.LogKey,
		Retention:     props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
	})
	v.Subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	v.EndpointSubnets = v.Subnets
	if len(props.EndpointZones) > 0 {
		v.EndpointSubnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, AvailabilityZones: jsii.Strings(props.EndpointZones...)}
	}
	flowLogRole := v.newFlowLogRole()
	v.Resource = awsec2.NewVpc(c, jsii.String("Resource"), &awsec2.VpcProps{
		IpAddresses:           awsec2.IpAddresses_Cidr(jsii.String(props.Cidr)),
		AvailabilityZones:     jsii.Strings(props.AvailabilityZones...),
		NatGateways:           jsii.Number(0),
		CreateInternetGateway: jsii.Bool(false),
		EnableDnsHostnames:    jsii.Bool(true),
		EnableDnsSupport:      jsii.Bool(true),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name:       jsii.String("Isolated"),
			SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED,
			CidrMask:   jsii.Number(float64(props.SubnetMask)),
		}},
		// The built-in restriction runs a function outside the VPC; restrictDefaultSecurityGroup below
		// does the same from inside it.
		RestrictDefaultSecurityGroup: jsii.Bool(false),
		FlowLogs: &map[string]*awsec2.FlowLogOptions{
			"All": {
				Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(v.FlowLogGroup, flowLogRole),
				TrafficType: awsec2.FlowLogTrafficType_ALL,
			},
		},
	})
	compliance.AcceptNag(v.Resource, compliance.Exception{Rule: "NIST.800.53.R5-VPCDefaultSecurityGroupClosed",
		Reason: "The default security group's rules are revoked by the RestrictDefaultIngress and RestrictDefaultEgress deploy-time calls, which run inside the VPC; the rule only recognises CDK's built-in mechanism, which runs outside it."})
	// After the VPC: the flow log adds the role's policy.
	compliance.AcceptNag(flowLogRole, compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "CDK generates the policy for this one role when the flow log is created; it allows writing to the flow log group only."})
	v.addEndpoints(props.Cidr, props.InterfaceEndpoints)
	v.SdkCalls = vpcsdkcall.New(c, vpcsdkcall.Props{
		Vpc: v.Resource, LogKey: props.LogKey, LogRetention: props.LogRetention, RemovalPolicy: props.RemovalPolicy,
	})
	v.restrictDefaultSecurityGroup()
	return v
}

// newFlowLogRole is the role the flow-log service writes with. Unlike the role CDK would make, its trust
// admits the service only for this account's flow logs (the confused-deputy guard AWS recommends).
func (v *Vpc) newFlowLogRole() awsiam.Role {
	stack := awscdk.Stack_Of(v.Construct)
	return awsiam.NewRole(v.Construct, jsii.String("FlowLogRole"), &awsiam.RoleProps{
		Description: jsii.String("Writes this VPC's flow logs to its log group"),
		Path:        rolepath.Of(v.Construct),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("vpc-flow-logs.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", *stack.Partition(), *stack.Region(), *stack.Account())},
		}}),
	})
}

func (p Props) validate() error {
	var errs []error
	if len(p.AvailabilityZones) < 2 {
		errs = append(errs, fmt.Errorf("Props.AvailabilityZones has %d zones: give at least 2", len(p.AvailabilityZones)))
	}
	if prefix, err := netip.ParsePrefix(p.Cidr); err != nil || !prefix.Addr().Is4() {
		errs = append(errs, fmt.Errorf("Props.Cidr %q is not an IPv4 CIDR block: give one such as 10.0.0.0/16", p.Cidr))
	}
	if p.LogKey == nil {
		errs = append(errs, errors.New("Props.LogKey is nil: give the customer-managed key for the VPC's log groups"))
	}
	if !loggroup.RetentionSet(p.LogRetention) {
		errs = append(errs, errors.New("Props.LogRetention is not set: give a retention such as awslogs.RetentionDays_ONE_YEAR"))
	}
	for _, z := range p.EndpointZones {
		if !slices.Contains(p.AvailabilityZones, z) {
			errs = append(errs, fmt.Errorf("Props.EndpointZones has %q, not one of Props.AvailabilityZones %v: give a subset of the VPC's zones", z, p.AvailabilityZones))
		}
	}
	for _, s := range p.InterfaceEndpoints {
		if !serviceName.MatchString(s) {
			errs = append(errs, fmt.Errorf("Props.InterfaceEndpoints has %q, not an AWS service name: give the last part of com.amazonaws.<region>.<name>, e.g. bedrock", s))
		}
	}
	return errors.Join(errs...)
}

func (v *Vpc) addEndpoints(cidr string, extra []string) {
	stack := awscdk.Stack_Of(v.Construct)
	account := stack.Account()
	v.S3Endpoint = v.Resource.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{v.Subnets},
	})
	// What the stack needs through S3: its own account's buckets, for its own principals...
	v.S3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OwnAccountBucketsOnly"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"aws:ResourceAccount":  account,
			"aws:PrincipalAccount": account,
		}},
	}))
	// ...and the AWS-owned bucket that receives in-VPC custom resources' replies to CloudFormation.
	// Without it a deployment waits an hour for the reply and rolls back.
	v.S3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudFormationCustomResourceReplies"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings("arn:" + *stack.Partition() + ":s3:::cloudformation-custom-resource-response-" + strings.ReplaceAll(*stack.Region(), "-", "") + "/*"),
	}))

	v.EndpointSecurityGroup = awsec2.NewSecurityGroup(v.Construct, jsii.String("EndpointSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              v.Resource,
		Description:      jsii.String("HTTPS from the VPC to AWS service interface endpoints"),
		AllowAllOutbound: jsii.Bool(false),
	})
	// The literal block rather than the VPC's attribute, so rule checkers can read the rule.
	v.EndpointSecurityGroup.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(cidr)), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("HTTPS from the VPC"), jsii.Bool(false))

	// EC2 for the stack's own deploy-time call that closes the default security group.
	services := append([]string{"ec2"}, extra...)
	slices.Sort(services)
	for _, name := range slices.Compact(services) {
		ep := v.Resource.AddInterfaceEndpoint(jsii.String(endpointID(name)), &awsec2.InterfaceVpcEndpointOptions{
			Service:           awsec2.NewInterfaceVpcEndpointAwsService(jsii.String(name), nil, nil, nil),
			PrivateDnsEnabled: jsii.Bool(true),
			Subnets:           v.EndpointSubnets,
			SecurityGroups:    &[]awsec2.ISecurityGroup{v.EndpointSecurityGroup},
			Open:              jsii.Bool(false),
		})
		// A data perimeter: only this account's principals use these endpoints.
		ep.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("OwnAccountPrincipalsOnly"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": account}},
		}))
		v.InterfaceEndpoints[name] = ep
	}
}

func endpointID(service string) string {
	return strings.ToUpper(service[:1]) + service[1:] + "Endpoint"
}

// restrictDefaultSecurityGroup removes the default security group's rules, so a resource that lands in
// it by mistake can neither send nor receive (cdk-nag and Security Hub EC2.2).
func (v *Vpc) restrictDefaultSecurityGroup() {
	stack := awscdk.Stack_Of(v.Construct)
	group := v.Resource.VpcDefaultSecurityGroup()
	groupArn := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ec2"), Resource: jsii.String("security-group"), ResourceName: group})
	revoke := func(action string, permission map[string]any) *customresources.AwsSdkCall {
		return &customresources.AwsSdkCall{
			Service:                  jsii.String("EC2"),
			Action:                   jsii.String(action),
			Parameters:               map[string]any{"GroupId": group, "IpPermissions": []any{permission}},
			PhysicalResourceId:       customresources.PhysicalResourceId_Of(group),
			IgnoreErrorCodesMatching: jsii.String("InvalidPermission.NotFound"),
		}
	}
	ingress := revoke("revokeSecurityGroupIngress", map[string]any{"IpProtocol": "-1", "UserIdGroupPairs": []any{map[string]any{"GroupId": group}}})
	egress := revoke("revokeSecurityGroupEgress", map[string]any{"IpProtocol": "-1", "IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}})
	policy := customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
			Resources: &[]*string{groupArn},
		}),
	})
	for _, c := range []struct {
		id   string
		call *customresources.AwsSdkCall
	}{{"RestrictDefaultIngress", ingress}, {"RestrictDefaultEgress", egress}} {
		call := v.SdkCalls.Call(v.Construct, c.id, vpcsdkcall.Call{OnCreate: c.call, OnUpdate: c.call, Policy: policy})
		// The call goes through the EC2 endpoint and replies through the S3 endpoint.
		call.Node().AddDependency(v.InterfaceEndpoints["ec2"], v.S3Endpoint)
	}
}
