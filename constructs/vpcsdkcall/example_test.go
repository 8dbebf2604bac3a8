package vpcsdkcall_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/vpcsdkcall"
	"github.com/privatebedrock/stack/internal/cdktest"
)

// privatevpc.New makes the stack's provider with vpcsdkcall.New, on the VPC's isolated subnets; the VPC
// needs an interface endpoint for each API called, here ec2.
func Example() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Network")
	vpc := cdktest.Network(stack, cdktest.LogKey(stack)) // a private VPC as privatevpc.New makes it
	encryptVolumes := &customresources.AwsSdkCall{
		Service:            jsii.String("EC2"),
		Action:             jsii.String("enableEbsEncryptionByDefault"),
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("ebs-encryption-by-default")),
	}
	vpc.SdkCalls.Call(stack, "EbsEncryptionByDefault", vpcsdkcall.Call{
		OnCreate: encryptVolumes,
		OnUpdate: encryptVolumes,
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("ec2:EnableEbsEncryptionByDefault"),
				Resources: jsii.Strings("*"),
			}),
		}),
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	// Every call of the stack, the VPC's own included, runs on the one function in the VPC.
	fmt.Println("calls:", len(*tmpl.FindResources(jsii.String("Custom::AWS"), nil)))
	for _, fn := range *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		vpcConfig := (*fn)["Properties"].(map[string]any)["VpcConfig"].(map[string]any)
		fmt.Println("function subnets:", len(vpcConfig["SubnetIds"].([]any)))
	}
	// Output:
	// calls: 3
	// function subnets: 2
}
