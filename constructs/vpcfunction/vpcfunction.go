// Package vpcfunction gives Lambda functions in a VPC what they need to attach to it and, just as
// important, to detach from it when the stack is deleted.
//
// Lambda creates and deletes a VPC function's network interfaces with the function's own execution role,
// and deletes them asynchronously after the function is gone. If CloudFormation deletes the role's
// permissions first, the interfaces stay behind, hold the subnets and security groups, and the stack ends
// in DELETE_FAILED.
package vpcfunction

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/rolepath"
)

// NewRole creates an execution role for a function in a VPC with the network-interface permissions
// inline, instead of the managed AWSLambdaVPCAccessExecutionRole: the Describe calls support no resource
// scoping, the rest are scoped to the stack's account and region as the Lambda documentation allows.
// Grant the function its own permissions (log group, APIs) on top.
func NewRole(scope constructs.Construct, id, description string) awsiam.Role {
	stack := awscdk.Stack_Of(scope)
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(description),
		Path:        rolepath.Of(scope),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DescribeNetworkInterfaces"),
		Actions:   jsii.Strings("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"),
		Resources: jsii.Strings("*"),
	}))
	interfaces := "arn:%s:ec2:%s:%s:*/*" // partition, region, account
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ManageNetworkInterfaces"),
		Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
		Resources: jsii.Strings(fmt.Sprintf(interfaces, *stack.Partition(), *stack.Region(), *stack.Account())),
	}))
	// cdk-nag names a value known only at deployment by its pseudo parameter: the partition in an app
	// without @aws-cdk/core:enablePartitionLiterals, region and account in an environment-agnostic stack.
	nagName := func(value *string, pseudo string) string {
		if *awscdk.Token_IsUnresolved(value) {
			return "<" + pseudo + ">"
		}
		return *value
	}
	interfacesFinding := "Resource::" + fmt.Sprintf(interfaces, nagName(stack.Partition(), "AWS::Partition"),
		nagName(stack.Region(), "AWS::Region"), nagName(stack.Account(), "AWS::AccountId"))
	compliance.AcceptNag(role,
		compliance.Exception{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*", interfacesFinding},
			Reason: "Lambda attaches the function to the VPC with these: the ec2 Describe actions support no resource scoping, and the network-interface actions are scoped to this account and region as the Lambda documentation allows."},
		compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
			Reason: "The policy belongs to this one role, is created and deleted with it, and lists only what the function needs: its network interfaces, its log group and its own API calls."},
	)
	return role
}

// HoldPermissionsUntilDetached makes each of fn's security groups depend on fn's role, and so on every
// resource under it (its inline policies), so CloudFormation deletes the groups (which waits for Lambda
// to release the interfaces) before it deletes the permissions Lambda releases them with.
func HoldPermissionsUntilDetached(fn awslambda.Function) {
	role := fn.Role()
	if role == nil {
		panic(fmt.Sprintf("vpcfunction: %s has no execution role", *fn.Node().Path()))
	}
	for _, sg := range *fn.Connections().SecurityGroups() {
		sg.Node().AddDependency(role)
	}
}

// NewSecurityGroup creates a function's security group whose only rule is HTTPSOnlyEgress.
func NewSecurityGroup(scope constructs.Construct, id string, vpc awsec2.IVpc, description string) awsec2.SecurityGroup {
	sg := awsec2.NewSecurityGroup(scope, jsii.String(id), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String(description),
		AllowAllOutbound: jsii.Bool(false),
	})
	HTTPSOnlyEgress(sg)
	return sg
}

// HTTPSOnlyEgress is the one egress rule of a function's security group in isolated subnets: HTTPS, which
// there reaches only the VPC's interface endpoints and the S3 gateway endpoint (the S3 prefix list ID
// cannot be named without a lookup). Set it inline: CDK renders a group's rules to other groups as
// separate resources and leaves the group without inline egress, which EC2 turns into allow-all.
func HTTPSOnlyEgress(sg awsec2.ISecurityGroup) {
	sg.Node().DefaultChild().(awsec2.CfnSecurityGroup).SetSecurityGroupEgress(&[]any{&awsec2.CfnSecurityGroup_EgressProperty{
		IpProtocol:  jsii.String("tcp"),
		FromPort:    jsii.Number(443),
		ToPort:      jsii.Number(443),
		CidrIp:      jsii.String("0.0.0.0/0"),
		Description: jsii.String("HTTPS to VPC endpoints; isolated subnets have no other route"),
	}})
}
