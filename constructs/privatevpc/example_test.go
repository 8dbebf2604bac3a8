package privatevpc_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Network")
	vpc := privatevpc.New(stack, "Vpc", privatevpc.Props{
		AvailabilityZones:  []string{"us-east-1a", "us-east-1b"},
		Cidr:               "10.0.0.0/16",
		LogKey:             cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the VPC's flow logs"}),
		LogRetention:       awslogs.RetentionDays_ONE_YEAR,
		InterfaceEndpoints: []string{"bedrock", "lambda"},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	count := func(resourceType string) int { return len(*tmpl.FindResources(jsii.String(resourceType), nil)) }
	fmt.Println("subnets:", count("AWS::EC2::Subnet"))
	fmt.Println("internet and NAT gateways:", count("AWS::EC2::InternetGateway")+count("AWS::EC2::NatGateway"))
	fmt.Println("flow logs:", count("AWS::EC2::FlowLog"))
	fmt.Println("interface endpoints:", slices.Sorted(maps.Keys(vpc.InterfaceEndpoints)))
	// Output:
	// subnets: 2
	// internet and NAT gateways: 0
	// flow logs: 1
	// interface endpoints: [bedrock ec2 lambda]
}
