// Package invocationlogging turns on Bedrock model invocation logging for the stack's account and
// region, to CloudWatch Logs and S3, both encrypted with a customer-managed key.
//
// CloudFormation has no resource for this setting: it is made with PutModelInvocationLoggingConfiguration,
// here from a deploy-time handler inside the VPC. It is one setting per account and region, so only one
// stack per account and region may use this construct, and the handler refuses to replace a
// configuration it did not create.
//
// Bedrock writes into a delivery bucket; S3 replication copies every log object into a vault bucket with
// Object Lock in governance mode.
package invocationlogging

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/constructs/rolepath"
	"github.com/privatebedrock/stack/constructs/securebucket"
	"github.com/privatebedrock/stack/internal/awsrules"
)

// Props configures invocation logging.
type Props struct {
	// Network is the VPC the configuration handler runs in; it must have a bedrock interface endpoint:
	// the handler calls the Bedrock control plane. Required.
	Network *privatevpc.Vpc
	// ConfigurationHandler is the built lambda/loggingconfig handler (provided.al2023, arm64). Required.
	ConfigurationHandler awslambda.Code
	// LogKey encrypts the configuration handler's log group. Required. The invocation logs get a key of
	// their own, so who may read prompts is decided on that key alone.
	LogKey awskms.Key
	// LogGroupName of the invocation log group. Default: /<stack name>/bedrock-model-invocations.
	LogGroupName string
	// KeyPrefix is where Bedrock writes in the bucket. Default: "bedrock-invocation-logs".
	KeyPrefix string
	// Text, Image and Embedding choose which payloads are logged. At least one is required. Video
	// delivery is never switched on.
	Text, Image, Embedding bool
	// LogRetention of the log group. Required.
	LogRetention awslogs.RetentionDays
	// ObjectLockDays is the governance-mode retention of each locked copy in the vault. Default: 30.
	ObjectLockDays int
	// LockDeliveryBucket puts the same default retention on the bucket Bedrock writes to. Default: false,
	// because AWS does not document that Bedrock's writes satisfy Object Lock's checksum requirement.
	LockDeliveryBucket bool
	// TakeOverExistingConfiguration lets the handler replace a logging configuration this stack did not
	// create. Default: false, the deployment fails instead.
	TakeOverExistingConfiguration bool
	// AccessLogExpireAfterDays deletes server access logs of the log buckets. Default: 365.
	AccessLogExpireAfterDays int
	// ArchiveAfterDays moves log objects to Glacier Instant Retrieval. Default: 0, never.
	ArchiveAfterDays int
	// ExpireAfterDays deletes log objects. Default: 0, never.
	ExpireAfterDays int
	// RemovalPolicy of the key, log groups and buckets. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// Logging is what New made.
type Logging struct {
	constructs.Construct
	Key      awskms.Key
	LogGroup awslogs.LogGroup
	// Bucket is where Bedrock delivers; Vault holds the Object Lock copy of every object in it.
	Bucket          awss3.Bucket
	Vault           awss3.Bucket
	AccessLogs      awss3.Bucket
	DeliveryRole    awsiam.Role
	ReplicationRole awsiam.Role
	// Configuration is the custom resource that holds the logging configuration.
	Configuration awscdk.CustomResource
}

// DeliveryStream is the log stream Bedrock writes to in the log group.
const DeliveryStream = "aws/bedrock/modelinvocations"

const defaultObjectLockDays = 30

// New creates the key, log group, buckets, delivery role and logging configuration.
func New(scope constructs.Construct, id string, props Props) *Logging {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("invocationlogging %q: %v", id, err))
	}
	if props.KeyPrefix == "" {
		props.KeyPrefix = "bedrock-invocation-logs"
	}
	if props.ObjectLockDays == 0 {
		props.ObjectLockDays = defaultObjectLockDays
	}
	if props.RemovalPolicy == "" {
		props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if props.AccessLogExpireAfterDays == 0 {
		props.AccessLogExpireAfterDays = 365
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	if props.LogGroupName == "" {
		props.LogGroupName = "/" + *stack.StackName() + "/bedrock-model-invocations"
	}
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

	l.LogGroup = loggroup.New(c, "LogGroup", loggroup.Props{
		Name: props.LogGroupName, Key: l.Key, Retention: props.LogRetention, RemovalPolicy: props.RemovalPolicy,
	})

	l.AccessLogs = securebucket.NewAccessLogBucket(c, "AccessLogs", props.AccessLogExpireAfterDays, props.RemovalPolicy)
	l.Vault = newVault(c, l.Key, l.AccessLogs, props)
	l.ReplicationRole = newReplicationRole(c)
	l.Bucket = newDeliveryBucket(c, l.Key, l.AccessLogs, l.Vault, l.ReplicationRole, props)
	grantReplication(l.ReplicationRole, l.Key, l.Bucket, l.Vault)
	l.Bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("BedrockWritesUnderPrefix"),
		Principals: &[]awsiam.IPrincipal{bedrock},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{l.Bucket.ArnForObjects(jsii.String(props.KeyPrefix + "/*"))},
		Conditions: &bedrockSource,
	}))

	l.DeliveryRole = awsiam.NewRole(c, jsii.String("DeliveryRole"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by Bedrock to write model invocation logs to CloudWatch Logs"),
		Path:        rolepath.Of(c),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &bedrockSource}),
	})
	l.DeliveryRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteInvocationLogStream"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{jsii.String(*loggroup.Arn(c, props.LogGroupName) + ":log-stream:" + DeliveryStream)},
	}))

	l.Configuration = l.configure(props)
	// Bedrock checks every destination when the configuration is put, and its permission-check object
	// should reach the vault: the configuration waits for every resource and policy it relies on.
	l.Configuration.Node().AddDependency(l.Key, l.LogGroup, l.Bucket, l.Vault, l.DeliveryRole, l.ReplicationRole,
		props.Network.InterfaceEndpoints["bedrock"], props.Network.S3Endpoint)
	compliance.AcceptNag(l.DeliveryRole, compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "The policy belongs to this one role and allows writing the Bedrock invocation log stream of one log group only."})
	return l
}

func (p Props) validate() error {
	var errs []error
	if p.Network == nil {
		errs = append(errs, errors.New("Props.Network is nil: give the VPC the configuration handler runs in"))
	} else {
		if _, ok := p.Network.InterfaceEndpoints["bedrock"]; !ok {
			errs = append(errs, errors.New(`Props.Network has no "bedrock" interface endpoint: add it to privatevpc.Props.InterfaceEndpoints, the configuration handler calls the Bedrock control plane`))
		}
	}
	if p.ConfigurationHandler == nil {
		errs = append(errs, errors.New(`Props.ConfigurationHandler is nil: give the built handler, e.g. golambda.Code("lambda/loggingconfig")`))
	}
	if p.LogKey == nil {
		errs = append(errs, errors.New("Props.LogKey is nil: give the stack's key for the configuration handler's log group"))
	}
	if p.KeyPrefix != "" && !awsrules.S3KeyPrefix(p.KeyPrefix) {
		errs = append(errs, fmt.Errorf("Props.KeyPrefix %q is not a plain S3 key prefix: use segments separated by / without leading or trailing /", p.KeyPrefix))
	}
	if !p.Text && !p.Image && !p.Embedding {
		errs = append(errs, errors.New("Props.Text, Image and Embedding are all false: choose what to log"))
	}
	if !loggroup.RetentionSet(p.LogRetention) {
		errs = append(errs, errors.New("Props.LogRetention is not set: give a retention such as awslogs.RetentionDays_ONE_YEAR"))
	}
	if p.ObjectLockDays < 0 || p.ArchiveAfterDays < 0 || p.ExpireAfterDays < 0 || p.AccessLogExpireAfterDays < 0 {
		errs = append(errs, errors.New("Props.ObjectLockDays, ArchiveAfterDays, ExpireAfterDays and AccessLogExpireAfterDays must not be negative"))
	}
	lockDays := p.ObjectLockDays
	if lockDays == 0 {
		lockDays = defaultObjectLockDays
	}
	if awsrules.ExpiresWhileLocked(p.ExpireAfterDays, lockDays) {
		errs = append(errs, fmt.Errorf("Props.ExpireAfterDays %d is shorter than ObjectLockDays %d: expire after the lock ends", p.ExpireAfterDays, lockDays))
	}
	return errors.Join(errs...)
}
