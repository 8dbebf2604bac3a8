package invocationlogging

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/vpcfunction"
)

// ResourceType is the custom resource that holds the account's logging configuration.
const ResourceType = "Custom::BedrockModelInvocationLogging"

// configure puts the logging configuration through a Go handler in the VPC that CloudFormation invokes
// directly and that answers through aws-lambda-go's cfn package. AwsCustomResource cannot read before it
// writes, and its delete call also runs on the rollback of a create that failed; the handler refuses to
// replace a configuration this stack did not create, deletes only its own, retries while IAM propagates
// the delivery role, and answers a failed create with a physical ID that the rollback's delete leaves
// alone. aws-cdk-lib's Provider framework would do the last part too, but it reaches the handler through
// the Lambda API, which from isolated subnets costs a lambda interface endpoint in every zone.
func (l *Logging) configure(props Props) awscdk.CustomResource {
	c := constructs.NewConstruct(l.Construct, jsii.String("Configuration"))
	stack := awscdk.Stack_Of(c)
	vpc := props.Network.Resource
	subnets := &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	logGroup := loggroup.New(c, "LogGroup", loggroup.Props{
		Name:          "/" + *stack.StackName() + "/invocation-logging-configuration",
		Key:           props.LogKey,
		Retention:     props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
	})

	role := vpcfunction.NewRole(c, "HandlerRole", "Puts and deletes this stack's Bedrock model invocation logging configuration")
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ModelInvocationLoggingConfiguration"),
		Actions: jsii.Strings("bedrock:GetModelInvocationLoggingConfiguration",
			"bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"),
		// These actions support no resource scoping.
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PassDeliveryRoleToBedrock"),
		Actions:    jsii.Strings("iam:PassRole"),
		Resources:  &[]*string{l.DeliveryRole.RoleArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}},
	}))
	logGroup.GrantWrite(role)
	handler := awslambda.NewFunction(c, jsii.String("Handler"), &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         props.ConfigurationHandler,
		Role:         role,
		Description:  jsii.String("Puts this stack's Bedrock model invocation logging configuration; never replaces or deletes another's"),
		Vpc:          vpc,
		VpcSubnets:   subnets,
		SecurityGroups: &[]awsec2.ISecurityGroup{vpcfunction.NewSecurityGroup(c, "HandlerSecurityGroup", vpc,
			"Invocation logging configuration handler: HTTPS to VPC endpoints only")},
		MemorySize: jsii.Number(256),
		// Room for the handler's bounded retries while IAM propagates the delivery role.
		Timeout:       awscdk.Duration_Minutes(jsii.Number(5)),
		LogGroup:      logGroup,
		LoggingFormat: awslambda.LoggingFormat_JSON,
	})
	vpcfunction.HoldPermissionsUntilDetached(handler)
	compliance.AcceptDeployTimeFunction(handler)
	compliance.AcceptNag(role, compliance.Exception{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*"},
		Reason: "The model invocation logging configuration actions support no resource scoping (service authorization reference); the policy allows only those three actions and passing the delivery role to Bedrock."})

	return awscdk.NewCustomResource(c, jsii.String("Resource"), &awscdk.CustomResourceProps{
		ServiceToken: handler.FunctionArn(),
		ResourceType: jsii.String(ResourceType),
		Properties: &map[string]any{
			"LogGroupName":      l.LogGroup.LogGroupName(),
			"DeliveryRoleArn":   l.DeliveryRole.RoleArn(),
			"BucketName":        l.Bucket.BucketName(),
			"KeyPrefix":         props.KeyPrefix,
			"TextDelivery":      props.Text,
			"ImageDelivery":     props.Image,
			"EmbeddingDelivery": props.Embedding,
			"TakeOver":          props.TakeOverExistingConfiguration,
		},
	})
}
