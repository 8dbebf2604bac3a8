// Package loggroup creates CloudWatch Logs log groups encrypted with a customer-managed key that
// CloudWatch Logs may use for that one log group only.
package loggroup

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Props configures a log group.
type Props struct {
	// Name of the log group. Required: the key policy names it, so it cannot be generated.
	Name string
	// Key encrypts the log group; it must belong to the same stack. Required.
	Key awskms.Key
	// Retention of the log group. Required, and finite (see RetentionSet).
	Retention awslogs.RetentionDays
	// RemovalPolicy of the log group. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

func (p Props) validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("Props.Name is empty: give the log group a fixed name so the key policy can name it"))
	}
	if p.Key == nil {
		errs = append(errs, errors.New("Props.Key is nil: give the stack's customer-managed key"))
	}
	if !RetentionSet(p.Retention) {
		errs = append(errs, errors.New("Props.Retention is not set: give a retention CloudWatch Logs accepts, 365 days or more for Control Tower"))
	}
	return errors.Join(errs...)
}

// RetentionSet says whether r is a finite retention: unset or infinite retention keeps logs, and the
// prompts in them, forever.
func RetentionSet(r awslogs.RetentionDays) bool {
	return r != "" && r != awslogs.RetentionDays_INFINITE
}

// Statement IDs hold letters and digits only.
var sidUnsafe = regexp.MustCompile(`[^A-Za-z0-9]`)

// New creates the log group and lets CloudWatch Logs use the key for it only.
func New(scope constructs.Construct, id string, props Props) awslogs.LogGroup {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("loggroup %q: %v", id, err))
	}
	stack := awscdk.Stack_Of(scope)
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogs" + sidUnsafe.ReplaceAllString(props.Name, "")),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": Arn(scope, props.Name)},
		},
	}), jsii.Bool(false))
	return awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(props.Name),
		EncryptionKey: props.Key,
		Retention:     props.Retention,
		RemovalPolicy: props.RemovalPolicy,
	})
}

// Arn is the ARN CloudWatch Logs puts in the encryption context of a log group's data. It has no
// trailing ":*", unlike the log group's Arn attribute.
func Arn(scope constructs.Construct, name string) *string {
	return awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("logs"),
		Resource:     jsii.String("log-group"),
		ResourceName: jsii.String(name),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}
