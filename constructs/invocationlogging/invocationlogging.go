// Package invocationlogging turns on Bedrock model invocation logging for the stack's account and
// region, to CloudWatch Logs and S3, both encrypted with a customer-managed key.
//
// CloudFormation has no resource for this setting: it is made with PutModelInvocationLoggingConfiguration,
// here from a deploy-time call inside the VPC. It is one setting per account and region, so only one
// stack per account and region may use this construct.
package invocationlogging

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/constructs/vpcsdkcall"
)

// Props configures invocation logging.
type Props struct {
	// Network is the VPC the configuration call runs in; it must have a bedrock interface endpoint,
	// because the call goes to the Bedrock control plane. Required.
	Network *privatevpc.Vpc
	// KeyPrefix is where Bedrock writes in the bucket. Default: "bedrock-invocation-logs".
	KeyPrefix string
	// Text, Image and Embedding choose which payloads are logged. At least one is required. Video
	// delivery is left out on purpose: the SDK of the deploy-time call's runtime may not know the flag.
	Text, Image, Embedding bool
	// LogRetention of the log group. Required.
	LogRetention awslogs.RetentionDays
	// ObjectLockDays is the governance-mode retention of each log object. Default: 30.
	ObjectLockDays int
	// ArchiveAfterDays moves log objects to Glacier Instant Retrieval. Default: 0, never.
	ArchiveAfterDays int
	// ExpireAfterDays deletes log objects. Default: 0, never.
	ExpireAfterDays int
	// RemovalPolicy of the key, log group and buckets. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// Logging is what New made.
type Logging struct {
	constructs.Construct
	Key          awskms.Key
	LogGroup     awslogs.LogGroup
	Bucket       awss3.Bucket
	AccessLogs   awss3.Bucket
	DeliveryRole awsiam.Role
	// Configuration is the deploy-time call that puts the logging configuration.
	Configuration customresources.AwsCustomResource
}

// DeliveryStream is the log stream Bedrock writes to in the log group.
const DeliveryStream = "aws/bedrock/modelinvocations"

var prefixPattern = regexp.MustCompile(`^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$`)

// New creates the key, log group, buckets, delivery role and logging configuration.
func New(scope constructs.Construct, id string, props Props) *Logging {
	if props.KeyPrefix == "" {
		props.KeyPrefix = "bedrock-invocation-logs"
	}
	if props.ObjectLockDays == 0 {
		props.ObjectLockDays = 30
	}
	if props.RemovalPolicy == "" {
		props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("invocationlogging %q: %v", id, err))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	l := &Logging{Construct: c}
	// Bedrock acts for this account and region only: the confused-deputy guard on every grant to it.
	bedrockSource := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:bedrock:%s:%s:*", *stack.Partition(), *stack.Region(), *stack.Account())},
	}
	bedrock := awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), nil)

	l.Key = cmk.New(c, "Key", cmk.Props{
		Description:   "Encrypts Bedrock model invocation logs (prompts and completions) of " + *stack.StackName(),
		RemovalPolicy: props.RemovalPolicy,
	})
	l.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("BedrockDeliversToS3"),
		Principals: &[]awsiam.IPrincipal{bedrock},
		Actions:    jsii.Strings("kms:GenerateDataKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &bedrockSource,
	}), jsii.Bool(false))

	logGroupName := "/" + *stack.StackName() + "/bedrock-model-invocations"
	l.LogGroup = cmk.NewLogGroup(c, "LogGroup", l.Key, cmk.LogGroupProps{
		Name: logGroupName, Retention: props.LogRetention, RemovalPolicy: props.RemovalPolicy,
	})

	l.AccessLogs = newAccessLogBucket(c, props.RemovalPolicy)
	l.Bucket = newLogBucket(c, l.Key, l.AccessLogs, props)
	l.Bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("BedrockWritesUnderPrefix"),
		Principals: &[]awsiam.IPrincipal{bedrock},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{l.Bucket.ArnForObjects(jsii.String(props.KeyPrefix + "/*"))},
		Conditions: &bedrockSource,
	}))

	l.DeliveryRole = awsiam.NewRole(c, jsii.String("DeliveryRole"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by Bedrock to write model invocation logs to CloudWatch Logs"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &bedrockSource}),
	})
	l.DeliveryRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteInvocationLogStream"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{jsii.String(*cmk.LogGroupArn(c, logGroupName) + ":log-stream:" + DeliveryStream)},
	}))

	l.Configuration = l.configure(props)
	compliance.AcceptNag(l.DeliveryRole, compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "The policy belongs to this one role and allows writing the Bedrock invocation log stream of one log group only."})
	compliance.AcceptNag(l.Configuration, compliance.Exception{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*"},
		Reason: "The model invocation logging configuration actions support no resource scoping (service authorization reference); the policy allows only those three actions and passing the delivery role to Bedrock."})
	for _, b := range []awss3.Bucket{l.Bucket, l.AccessLogs} {
		compliance.AcceptNag(b, compliance.Exception{Rule: "NIST.800.53.R5-S3BucketReplicationEnabled",
			Reason: "Cross-region copies of prompts and completions are an organisation decision (a central log archive); versioning and Object Lock protect the logs in place."})
	}
	compliance.AcceptNag(l.AccessLogs, compliance.Exception{Rule: "NIST.800.53.R5-S3DefaultEncryptionKMS",
		Reason: "S3 delivers server access logs only to buckets encrypted with SSE-S3; the access logs hold request metadata, not prompts."})
	return l
}

func (p Props) validate() error {
	var problems []string
	if p.Network == nil {
		problems = append(problems, "Props.Network is nil: give the VPC the configuration call runs in")
	} else if _, ok := p.Network.InterfaceEndpoints["bedrock"]; !ok {
		problems = append(problems, `Props.Network has no "bedrock" interface endpoint: add "bedrock" to privatevpc.Props.InterfaceEndpoints, the configuration call needs the Bedrock control plane`)
	}
	if !prefixPattern.MatchString(p.KeyPrefix) {
		problems = append(problems, fmt.Sprintf("Props.KeyPrefix %q is not a plain S3 key prefix: use segments separated by / without leading or trailing /", p.KeyPrefix))
	}
	if !p.Text && !p.Image && !p.Embedding {
		problems = append(problems, "Props.Text, Image and Embedding are all false: choose what to log")
	}
	if !cmk.RetentionSet(p.LogRetention) {
		problems = append(problems, "Props.LogRetention is not set: give a retention such as awslogs.RetentionDays_ONE_YEAR")
	}
	if p.ObjectLockDays < 0 || p.ArchiveAfterDays < 0 || p.ExpireAfterDays < 0 {
		problems = append(problems, "Props.ObjectLockDays, ArchiveAfterDays and ExpireAfterDays must not be negative")
	}
	if p.ExpireAfterDays != 0 && p.ExpireAfterDays < p.ObjectLockDays {
		problems = append(problems, fmt.Sprintf("Props.ExpireAfterDays %d is shorter than ObjectLockDays %d: expire after the lock ends", p.ExpireAfterDays, p.ObjectLockDays))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// configure puts the logging configuration on create and update and deletes it on delete. Bedrock
// checks the destinations when the configuration is put, so the call waits for every policy it relies on.
func (l *Logging) configure(props Props) customresources.AwsCustomResource {
	stack := awscdk.Stack_Of(l.Construct)
	loggingConfig := map[string]any{
		"cloudWatchConfig": map[string]any{
			"logGroupName": l.LogGroup.LogGroupName(),
			"roleArn":      l.DeliveryRole.RoleArn(),
			// Payloads over CloudWatch's 100 KB event limit go to S3 instead of being dropped.
			"largeDataDeliveryS3Config": map[string]any{"bucketName": l.Bucket.BucketName(), "keyPrefix": props.KeyPrefix + "/large-data"},
		},
		"s3Config":                     map[string]any{"bucketName": l.Bucket.BucketName(), "keyPrefix": props.KeyPrefix},
		"textDataDeliveryEnabled":      props.Text,
		"imageDataDeliveryEnabled":     props.Image,
		"embeddingDataDeliveryEnabled": props.Embedding,
	}
	physicalID := customresources.PhysicalResourceId_Of(jsii.String("bedrock-invocation-logging-" + *stack.Region()))
	put := &customresources.AwsSdkCall{
		Service:            jsii.String("bedrock"),
		Action:             jsii.String("PutModelInvocationLoggingConfiguration"),
		Parameters:         map[string]any{"loggingConfig": loggingConfig},
		PhysicalResourceId: physicalID,
	}
	call := vpcsdkcall.New(l.Construct, "Configuration", vpcsdkcall.Props{
		Vpc:           props.Network.Resource,
		Key:           props.Network.Key,
		LogRetention:  props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
		OnCreate:      put,
		OnUpdate:      put,
		OnDelete: &customresources.AwsSdkCall{
			Service:            jsii.String("bedrock"),
			Action:             jsii.String("DeleteModelInvocationLoggingConfiguration"),
			PhysicalResourceId: physicalID,
		},
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			// These actions support no resource scoping.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("ModelInvocationLoggingConfiguration"),
				Actions: jsii.Strings("bedrock:PutModelInvocationLoggingConfiguration",
					"bedrock:GetModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"),
				Resources: jsii.Strings("*"),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("PassDeliveryRoleToBedrock"),
				Actions:    jsii.Strings("iam:PassRole"),
				Resources:  &[]*string{l.DeliveryRole.RoleArn()},
				Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}},
			}),
		}),
	})
	call.Node().AddDependency(l.Key, l.LogGroup, l.Bucket, l.DeliveryRole,
		props.Network.InterfaceEndpoints["bedrock"], props.Network.S3Endpoint)
	if policy := l.Bucket.Policy(); policy != nil {
		call.Node().AddDependency(policy)
	}
	return call
}
