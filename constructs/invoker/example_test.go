package invoker_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/invoker"
	"github.com/privatebedrock/stack/constructs/privatevpc"
)

func ExampleNew() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bedrock"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	logKey := cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the VPC's and the function's logs"})
	vpc := privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
		Cidr:              "10.0.0.0/16",
		LogKey:            logKey,
		LogRetention:      awslogs.RetentionDays_ONE_YEAR,
	})
	model := "anthropic.claude-3-haiku-20240307-v1:0"
	endpoint := bedrockendpoint.New(stack, "BedrockRuntime", bedrockendpoint.Props{
		Vpc:       vpc.Resource,
		ModelArns: []string{"arn:aws:bedrock:us-east-1::foundation-model/" + model},
	})
	// The handler built from lambda/invoker, uploaded by a pipeline. golambda.Code("lambda/invoker") would
	// build it during synthesis instead, with go build: an app bundles every stack unless its
	// aws:cdk:bundling-stacks context says otherwise.
	handler := awslambda.Code_FromBucket(awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"),
		jsii.String("example-lambda-artifacts")), jsii.String("invoker/bootstrap.zip"), nil)
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
	logicalID := func(c constructs.IConstruct) *string {
		return stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
	}
	functions := *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil)
	props := (*functions[*logicalID(fn.Resource)])["Properties"].(map[string]any)
	fmt.Println(props["Runtime"], props["Architectures"], "subnets:", len(props["VpcConfig"].(map[string]any)["SubnetIds"].([]any)))
	fmt.Println("default model:", props["Environment"].(map[string]any)["Variables"].(map[string]any)["DEFAULT_MODEL_ID"])
	admitting := tmpl.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{"Properties": map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Principal": map[string]any{"AWS": map[string]any{"Fn::GetAtt": []any{*logicalID(fn.Role), "Arn"}}},
		})})},
	}})
	fmt.Println("endpoints admitting its role:", len(*admitting))
	// Output:
	// provided.al2023 [arm64] subnets: 2
	// default model: anthropic.claude-3-haiku-20240307-v1:0
	// endpoints admitting its role: 1
}
