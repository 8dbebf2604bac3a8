package vpcfunction_test

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/constructs/vpcfunction"
)

func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Reports"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	vpc := privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		Cidr:              "10.0.0.0/16",
		LogKey:            cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the VPC's flow logs"}),
		LogRetention:      awslogs.RetentionDays_ONE_YEAR,
	})
	role := vpcfunction.NewRole(stack, "ReportRole", "Writes the nightly usage report")
	securityGroup := vpcfunction.NewSecurityGroup(stack, "ReportSecurityGroup", vpc.Resource, "Nightly report: HTTPS to VPC endpoints only")
	fn := awslambda.NewFunction(stack, jsii.String("Report"), &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code: awslambda.Code_FromBucket(awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"),
			jsii.String("example-lambda-artifacts")), jsii.String("report/bootstrap.zip"), nil),
		Role:           role,
		Vpc:            vpc.Resource,
		VpcSubnets:     vpc.Subnets,
		SecurityGroups: &[]awsec2.ISecurityGroup{securityGroup},
	})
	vpcfunction.HoldPermissionsUntilDetached(fn)

	tmpl := assertions.Template_FromStack(stack, nil)
	logicalID := func(c constructs.IConstruct) string {
		return *stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
	}
	rolePolicies := tmpl.FindResources(jsii.String("AWS::IAM::Policy"), map[string]any{
		"Properties": map[string]any{"Roles": []any{map[string]any{"Ref": logicalID(role)}}},
	})
	for _, p := range *rolePolicies {
		for _, s := range (*p)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			fmt.Println("role:", s.(map[string]any)["Sid"])
		}
	}
	group := *(*tmpl.FindResources(jsii.String("AWS::EC2::SecurityGroup"), nil))[logicalID(securityGroup)]
	for _, rule := range group["Properties"].(map[string]any)["SecurityGroupEgress"].([]any) {
		fmt.Println("egress:", rule.(map[string]any)["IpProtocol"], rule.(map[string]any)["ToPort"])
	}
	// CloudFormation deletes the group, which waits for Lambda to release the network interfaces, before
	// the permissions Lambda releases them with.
	policy := role.Node().FindChild(jsii.String("DefaultPolicy"))
	fmt.Println("security group waits for the role's policy:", slices.Contains(group["DependsOn"].([]any), any(logicalID(policy))))
	// Output:
	// role: DescribeNetworkInterfaces
	// role: ManageNetworkInterfaces
	// egress: tcp 443
	// security group waits for the role's policy: true
}
