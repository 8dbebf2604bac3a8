// Package cmk creates customer-managed KMS keys that pass the Control Tower key controls, and lets
// CloudWatch Logs use a key for named log groups only.
package cmk

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Props configures a key.
type Props struct {
	// Description says what the key protects. Required.
	Description string
	// RemovalPolicy of the key. Default: RETAIN, since deleting a key makes its data unreadable.
	RemovalPolicy awscdk.RemovalPolicy
}

// New creates a key with yearly rotation whose policy denies grants that are not for an AWS resource
// (Control Tower CT.KMS.PR.3): a principal allowed kms:CreateGrant could otherwise delegate use of the
// key to anyone.
func New(scope constructs.Construct, id string, props Props) awskms.Key {
	if props.Description == "" {
		panic(fmt.Sprintf("cmk %q: Props.Description is empty: say what the key protects", id))
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(props.Description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     removal,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyGrantsNotForAwsResources"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		// IfExists, because a grant request without the key must be refused too; AWS services acting
		// for the key's users create their grants themselves.
		Conditions: &map[string]any{
			"BoolIfExists": map[string]any{"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"},
		},
	}), jsii.Bool(false))
	return key
}

// LogGroupArn is the ARN CloudWatch Logs puts in the encryption context of a log group's data. It has
// no trailing ":*", unlike the log group's Arn attribute.
func LogGroupArn(scope constructs.Construct, name string) *string {
	return awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("logs"),
		Resource:     jsii.String("log-group"),
		ResourceName: jsii.String(name),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}

// Statement IDs hold letters and digits only.
var sidUnsafe = regexp.MustCompile(`[^A-Za-z0-9]`)

// RetentionSet says whether r is a finite retention: unset or infinite retention keeps logs, and the
// prompts in them, forever.
func RetentionSet(r awslogs.RetentionDays) bool {
	return r != "" && r != awslogs.RetentionDays_INFINITE
}

// LogGroupProps configures an encrypted log group.
type LogGroupProps struct {
	// Name of the log group. Required: the key policy names it, so it cannot be generated.
	Name          string
	Retention     awslogs.RetentionDays
	RemovalPolicy awscdk.RemovalPolicy
}

// NewLogGroup creates a log group encrypted with key and lets CloudWatch Logs use the key for that log
// group only. The key must belong to the same stack.
func NewLogGroup(scope constructs.Construct, id string, key awskms.Key, props LogGroupProps) awslogs.LogGroup {
	if props.Name == "" {
		panic(fmt.Sprintf("log group %q: LogGroupProps.Name is empty: give the log group a fixed name so the key policy can name it", id))
	}
	if !RetentionSet(props.Retention) {
		panic(fmt.Sprintf("log group %q: LogGroupProps.Retention is not set: give a retention CloudWatch Logs accepts, 365 days or more for Control Tower", id))
	}
	stack := awscdk.Stack_Of(scope)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogs" + sidUnsafe.ReplaceAllString(props.Name, "")),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": LogGroupArn(scope, props.Name)},
		},
	}), jsii.Bool(false))
	return awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(props.Name),
		EncryptionKey: key,
		Retention:     props.Retention,
		RemovalPolicy: props.RemovalPolicy,
	})
}
