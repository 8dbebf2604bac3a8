package bedrockendpoint_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Bedrock")
	vpc := cdktest.Network(stack, cdktest.LogKey(stack)) // a private VPC as privatevpc.New makes it
	endpoint := bedrockendpoint.New(stack, "BedrockRuntime", bedrockendpoint.Props{
		Vpc:        vpc.Resource,
		ModelArns:  []string{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
		Principals: []string{"arn:aws:iam::111111111111:role/Developer"},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	endpoints := *tmpl.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), nil)
	props := (*endpoints[cdktest.LogicalID(endpoint.Resource)])["Properties"].(map[string]any)
	fmt.Println(props["ServiceName"], "private DNS:", props["PrivateDnsEnabled"])
	for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		st := s.(map[string]any)
		fmt.Println(st["Sid"], st["Principal"])
	}
	// Output:
	// com.amazonaws.us-east-1.bedrock-runtime private DNS: true
	// InvokeNamedModelsByNamedPrincipals map[AWS:arn:aws:iam::111111111111:role/Developer]
}
