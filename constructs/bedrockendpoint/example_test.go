package bedrockendpoint_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/privatevpc"
)

func ExampleNew() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bedrock"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	vpc := privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		Cidr:              "10.0.0.0/16",
		LogKey:            cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the VPC's flow logs"}),
		LogRetention:      awslogs.RetentionDays_ONE_YEAR,
	})
	endpoint := bedrockendpoint.New(stack, "BedrockRuntime", bedrockendpoint.Props{
		Vpc:        vpc.Resource,
		ModelArns:  []string{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
		Principals: []string{"arn:aws:iam::111111111111:role/Developer"},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	endpoints := *tmpl.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), nil)
	id := stack.GetLogicalId(endpoint.Resource.Node().DefaultChild().(awscdk.CfnElement))
	props := (*endpoints[*id])["Properties"].(map[string]any)
	fmt.Println(props["ServiceName"], "private DNS:", props["PrivateDnsEnabled"])
	for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		st := s.(map[string]any)
		fmt.Println(st["Sid"], st["Principal"])
	}
	// Output:
	// com.amazonaws.us-east-1.bedrock-runtime private DNS: true
	// InvokeNamedModelsByNamedPrincipals map[AWS:arn:aws:iam::111111111111:role/Developer]
}
