package invocationlogging_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Bedrock")
	logKey := cdktest.LogKey(stack) // a customer managed key as cmk.New makes it
	// A private VPC as privatevpc.New makes it, with the Bedrock control-plane endpoint the handler calls.
	vpc := cdktest.Network(stack, logKey, "bedrock")
	// The handler built from lambda/loggingconfig, as a pipeline uploads it; golambda.Code("lambda/loggingconfig")
	// would build it during synthesis instead.
	handler := cdktest.LambdaCode(stack, "loggingconfig/bootstrap.zip")
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
	vault := (*buckets[cdktest.LogicalID(logging.Vault)])["Properties"].(map[string]any)
	retention := vault["ObjectLockConfiguration"].(map[string]any)["Rule"].(map[string]any)["DefaultRetention"].(map[string]any)
	fmt.Println("vault lock:", retention["Mode"], retention["Days"], "days")
	fmt.Println("logging configurations:", len(*tmpl.FindResources(jsii.String(invocationlogging.ResourceType), nil)))
	// Output:
	// buckets: 3 with ACLs: 0
	// vault lock: GOVERNANCE 30 days
	// logging configurations: 1
}
