// Package cmk creates customer-managed KMS keys that pass the Control Tower key controls.
package cmk

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
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

func (p Props) validate() error {
	if p.Description == "" {
		return errors.New("Props.Description is empty: say what the key protects")
	}
	return nil
}

// New creates a key with yearly rotation whose policy denies grants that are not for an AWS resource
// (Control Tower CT.KMS.PR.3): a principal allowed kms:CreateGrant could otherwise delegate use of the
// key to anyone.
func New(scope constructs.Construct, id string, props Props) awskms.Key {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("cmk %q: %v", id, err))
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
