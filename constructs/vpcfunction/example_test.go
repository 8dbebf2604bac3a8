package vpcfunction_test

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/vpcfunction"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func Example() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Reports")
	vpc := cdktest.Network(stack, cdktest.LogKey(stack)) // a private VPC as privatevpc.New makes it
	role := vpcfunction.NewRole(stack, "ReportRole", "Writes the nightly usage report")
	securityGroup := vpcfunction.NewSecurityGroup(stack, "ReportSecurityGroup", vpc.Resource, "Nightly report: HTTPS to VPC endpoints only")
	fn := awslambda.NewFunction(stack, jsii.String("Report"), &awslambda.FunctionProps{
		Runtime:        awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:   awslambda.Architecture_ARM_64(),
		Handler:        jsii.String("bootstrap"),
		Code:           cdktest.LambdaCode(stack, "report/bootstrap.zip"), // as a pipeline uploads it
		Role:           role,
		Vpc:            vpc.Resource,
		VpcSubnets:     vpc.Subnets,
		SecurityGroups: &[]awsec2.ISecurityGroup{securityGroup},
	})
	vpcfunction.HoldPermissionsUntilDetached(fn)

	tmpl := assertions.Template_FromStack(stack, nil)
	rolePolicies := tmpl.FindResources(jsii.String("AWS::IAM::Policy"), map[string]any{
		"Properties": map[string]any{"Roles": []any{map[string]any{"Ref": cdktest.LogicalID(role)}}},
	})
	for _, p := range *rolePolicies {
		for _, s := range (*p)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			fmt.Println("role:", s.(map[string]any)["Sid"])
		}
	}
	group := *(*tmpl.FindResources(jsii.String("AWS::EC2::SecurityGroup"), nil))[cdktest.LogicalID(securityGroup)]
	for _, rule := range group["Properties"].(map[string]any)["SecurityGroupEgress"].([]any) {
		fmt.Println("egress:", rule.(map[string]any)["IpProtocol"], rule.(map[string]any)["ToPort"])
	}
	// CloudFormation deletes the group, which waits for Lambda to release the network interfaces, before
	// the permissions Lambda releases them with.
	policy := role.Node().FindChild(jsii.String("DefaultPolicy"))
	fmt.Println("security group waits for the role's policy:", slices.Contains(group["DependsOn"].([]any), any(cdktest.LogicalID(policy))))
	// Output:
	// role: DescribeNetworkInterfaces
	// role: ManageNetworkInterfaces
	// egress: tcp 443
	// security group waits for the role's policy: true
}
