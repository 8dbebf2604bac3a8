package cdktest

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/privatevpc"
)

// The helpers below set up what an example needs around the construct it shows, the same way in every
// example: a bare app and stack, a log key, a private VPC, Lambda code. Each creates its constructs under
// a fixed ID, so an example calls each of them once per stack (LambdaCode excepted).

// Account and Region are the environment of the stack that Stack makes.
const (
	Account = "111111111111"
	Region  = "us-east-1"
)

// ArtifactsBucket is the name of the bucket LambdaCode imports: where a pipeline uploads the handlers.
const ArtifactsBucket = "example-lambda-artifacts"

// Stack returns a bare app (no feature flags, no context) and in it a stack called name with an explicit
// environment, Account and Region, so that what a construct derives from the region or the availability
// zones resolves during synthesis.
func Stack(name string) (awscdk.App, awscdk.Stack) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(Account), Region: jsii.String(Region)},
	})
	return app, stack
}

// LogKey returns a customer managed key for the stack's log groups, as cmk.New makes it, with the ID
// "LogKey".
func LogKey(stack awscdk.Stack) awskms.Key {
	return cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the example's logs"})
}

// Network returns a private VPC as privatevpc.New makes it, with the ID "Network": an isolated subnet in
// each of two zones of Region within 10.0.0.0/16, flow logs encrypted with logKey and kept a year, and an
// interface endpoint for each of interfaceEndpoints (by service name: "bedrock", "lambda"...) besides
// the EC2 endpoint every such VPC has.
func Network(stack awscdk.Stack, logKey awskms.Key, interfaceEndpoints ...string) *privatevpc.Vpc {
	return privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones:  []string{Region + "a", Region + "b"},
		Cidr:               "10.0.0.0/16",
		LogKey:             logKey,
		LogRetention:       awslogs.RetentionDays_ONE_YEAR,
		InterfaceEndpoints: interfaceEndpoints,
	})
}

// LambdaCode returns a Lambda function's code as a pipeline leaves it: the object key (such as
// "invoker/bootstrap.zip") in the ArtifactsBucket, which the stack imports by name with the ID
// "Artifacts" the first time. Nothing is built during synthesis; golambda.Code would build the handler
// with go build instead, in every stack of the app unless the aws:cdk:bundling-stacks context says
// otherwise.
func LambdaCode(stack awscdk.Stack, key string) awslambda.Code {
	bucket, ok := stack.Node().TryFindChild(jsii.String("Artifacts")).(awss3.IBucket)
	if !ok {
		bucket = awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"), jsii.String(ArtifactsBucket))
	}
	return awslambda.Code_FromBucket(bucket, jsii.String(key), nil)
}

// LogicalID returns the logical ID that c's CloudFormation resource (its default child) has in the
// template of c's stack, to find that resource among the template's others.
func LogicalID(c constructs.IConstruct) string {
	return *awscdk.Stack_Of(c).GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}
