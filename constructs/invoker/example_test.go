package invoker_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/invoker"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Bedrock")
	logKey := cdktest.LogKey(stack)       // a customer managed key as cmk.New makes it
	vpc := cdktest.Network(stack, logKey) // a private VPC as privatevpc.New makes it
	model := "anthropic.claude-3-haiku-20240307-v1:0"
	endpoint := bedrockendpoint.New(stack, "BedrockRuntime", bedrockendpoint.Props{
		Vpc:       vpc.Resource,
		ModelArns: []string{"arn:aws:bedrock:us-east-1::foundation-model/" + model},
	})
	// The handler built from lambda/invoker, as a pipeline uploads it; golambda.Code("lambda/invoker") would
	// build it during synthesis instead.
	handler := cdktest.LambdaCode(stack, "invoker/bootstrap.zip")
	fn := invoker.New(stack, "Invoker", invoker.Props{
		Vpc:            vpc.Resource,
		Endpoint:       endpoint,
		Code:           handler,
		ModelIDs:       []string{model},
		DefaultModelID: model,
		LogKey:         logKey,
		LogRetention:   awslogs.RetentionDays_ONE_YEAR,
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	functions := *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil)
	props := (*functions[cdktest.LogicalID(fn.Resource)])["Properties"].(map[string]any)
	fmt.Println(props["Runtime"], props["Architectures"], "subnets:", len(props["VpcConfig"].(map[string]any)["SubnetIds"].([]any)))
	fmt.Println("default model:", props["Environment"].(map[string]any)["Variables"].(map[string]any)["DEFAULT_MODEL_ID"])
	admitting := tmpl.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{"Properties": map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Principal": map[string]any{"AWS": map[string]any{"Fn::GetAtt": []any{cdktest.LogicalID(fn.Role), "Arn"}}},
		})})},
	}})
	fmt.Println("endpoints admitting its role:", len(*admitting))
	// Output:
	// provided.al2023 [arm64] subnets: 2
	// default model: anthropic.claude-3-haiku-20240307-v1:0
	// endpoints admitting its role: 1
}
