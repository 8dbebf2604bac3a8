package invocationlogging_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/constructs/privatevpc"
)

func ExampleNew() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bedrock"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	logKey := cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the VPC's and the functions' logs"})
	vpc := privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones:  []string{"us-east-1a", "us-east-1b"},
		Cidr:               "10.0.0.0/16",
		LogKey:             logKey,
		LogRetention:       awslogs.RetentionDays_ONE_YEAR,
		InterfaceEndpoints: []string{"bedrock", "lambda"},
	})
	// The handler built from lambda/loggingconfig, uploaded by a pipeline. golambda.Code("lambda/loggingconfig")
	// would build it during synthesis instead, with go build: an app bundles every stack unless its
	// aws:cdk:bundling-stacks context says otherwise.
	handler := awslambda.Code_FromBucket(awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"),
		jsii.String("example-lambda-artifacts")), jsii.String("loggingconfig/bootstrap.zip"), nil)
	logging := invocationlogging.New(stack, "InvocationLogging", invocationlogging.Props{
		Network:              vpc,
		ConfigurationHandler: handler,
		LogKey:               logKey,
		Text:                 true,
		LogRetention:         awslogs.RetentionDays_ONE_YEAR,
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	buckets := *tmpl.FindResources(jsii.String("AWS::S3::Bucket"), nil)
	fmt.Println("buckets:", len(buckets), "with ACLs:", len(*tmpl.FindResources(jsii.String("AWS::S3::Bucket"),
		map[string]any{"Properties": map[string]any{"AccessControl": assertions.Match_AnyValue()}})))
	vault := (*buckets[*stack.GetLogicalId(logging.Vault.Node().DefaultChild().(awscdk.CfnElement))])["Properties"].(map[string]any)
	retention := vault["ObjectLockConfiguration"].(map[string]any)["Rule"].(map[string]any)["DefaultRetention"].(map[string]any)
	fmt.Println("vault lock:", retention["Mode"], retention["Days"], "days")
	fmt.Println("logging configurations:", len(*tmpl.FindResources(jsii.String(invocationlogging.ResourceType), nil)))
	// Output:
	// buckets: 3 with ACLs: 0
	// vault lock: GOVERNANCE 30 days
	// logging configurations: 1
}
