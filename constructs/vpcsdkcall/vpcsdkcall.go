// Package vpcsdkcall makes AWS API calls at deploy time (AwsCustomResource) from a function inside an
// isolated VPC, so that organisations enforcing Control Tower's CT.LAMBDA.PR.3 (every function in a VPC)
// can deploy the stack.
//
// Inside an isolated subnet the function reaches AWS only through VPC endpoints: the API it calls needs
// an interface endpoint, and its reply to CloudFormation (a PUT to a pre-signed URL in an AWS-owned S3
// bucket) needs the S3 gateway endpoint, whose policy must admit that bucket.
//
// AwsCustomResource runs every call of a stack on one shared function. Provider makes that explicit: a
// stack has one, which configures the function, and calls are made through it.
package vpcsdkcall

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/vpcfunction"
)

// Props configures the stack's shared function.
type Props struct {
	// Vpc the function runs in, on its isolated subnets. Required.
	Vpc awsec2.IVpc
	// LogKey encrypts the function's log group. Required.
	LogKey awskms.Key
	// LogRetention of the function's log group. Required.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the function's log group. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

func (p Props) validate() error {
	var errs []error
	if p.Vpc == nil {
		errs = append(errs, errors.New("Props.Vpc is nil: give the VPC whose endpoints the calls go through"))
	}
	if p.LogKey == nil {
		errs = append(errs, errors.New("Props.LogKey is nil: give the KMS key for the function's log group"))
	}
	if !loggroup.RetentionSet(p.LogRetention) {
		errs = append(errs, errors.New("Props.LogRetention is not set: give the function's log retention"))
	}
	return errors.Join(errs...)
}

// Provider is the stack's one shared function for deploy-time calls, its role and its log group.
type Provider struct {
	vpc      awsec2.IVpc
	stack    awscdk.Stack
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
	// Function is CDK's shared function, made by the first call; nil before it.
	Function awslambda.Function
}

// Call is one deploy-time API call.
type Call struct {
	// OnCreate, OnUpdate and OnDelete are the calls; at least one is required.
	OnCreate, OnUpdate, OnDelete *customresources.AwsSdkCall
	// Policy of the calls. Required: derive it from the calls' resources, never ANY_RESOURCE.
	Policy customresources.AwsCustomResourcePolicy
}

func (c Call) validate() error {
	var errs []error
	if c.OnCreate == nil && c.OnUpdate == nil && c.OnDelete == nil {
		errs = append(errs, errors.New("Call.OnCreate, OnUpdate and OnDelete are all nil: give at least one call"))
	}
	if c.Policy == nil {
		errs = append(errs, errors.New("Call.Policy is nil: allow exactly the calls' actions on their resources"))
	}
	return errors.Join(errs...)
}

// providerID is the construct ID AwsCustomResource gives its shared function; roleID and logGroupID
// are the stack-level IDs of the role and log group made for it.
const (
	providerID = "AWS679f53fac002430cb0da5b7982bd2287"
	roleID     = "VpcSdkCallRole"
	logGroupID = "VpcSdkCallLogs"
)

// New creates the provider of scope's stack. A stack has one: AwsCustomResource shares its function.
func New(scope constructs.Construct, props Props) *Provider {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("vpcsdkcall: %v", err))
	}
	stack := awscdk.Stack_Of(scope)
	if stack.Node().TryFindChild(jsii.String(roleID)) != nil {
		panic(fmt.Sprintf("vpcsdkcall: stack %s already has a provider: pass that one to every caller", *stack.StackName()))
	}
	p := &Provider{vpc: props.Vpc, stack: stack}
	// VPC access inline (vpcfunction), where CDK's own role would use two AWS managed policies.
	p.Role = vpcfunction.NewRole(stack, roleID, "Deploy-time SDK calls (AwsCustomResource) inside the VPC")
	p.LogGroup = loggroup.New(stack, logGroupID, loggroup.Props{
		Name:          "/" + *stack.StackName() + "/deploy-time-sdk-calls",
		Key:           props.LogKey,
		Retention:     props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
	})
	p.LogGroup.GrantWrite(p.Role)
	return p
}

// Call makes a deploy-time call on the shared function.
func (p *Provider) Call(scope constructs.Construct, id string, c Call) customresources.AwsCustomResource {
	if err := c.validate(); err != nil {
		panic(fmt.Sprintf("vpcsdkcall %q: %v", id, err))
	}
	call := customresources.NewAwsCustomResource(scope, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate:            c.OnCreate,
		OnUpdate:            c.OnUpdate,
		OnDelete:            c.OnDelete,
		Policy:              c.Policy,
		Vpc:                 p.vpc,
		VpcSubnets:          &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		LogGroup:            p.LogGroup,
		Role:                p.Role,
		InstallLatestAwsSdk: jsii.Bool(false),
		Timeout:             awscdk.Duration_Minutes(jsii.Number(2)),
		MemorySize:          jsii.Number(256),
	})
	compliance.AcceptNag(call, compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "The call's policy is generated per call, attached to the provider role only and lists exactly the call's actions and resources."})
	if p.Function == nil {
		p.Function = p.stack.Node().FindChild(jsii.String(providerID)).(awslambda.Function)
		narrowEgress(p.Function)
		compliance.AcceptDeployTimeFunction(p.Function)
	}
	return call
}

// narrowEgress replaces the allow-all egress that Lambda gives an in-VPC function's security group
// with HTTPS only, and keeps the function's permissions until Lambda has released its interfaces.
func narrowEgress(fn awslambda.Function) {
	for _, sg := range *fn.Connections().SecurityGroups() {
		vpcfunction.HTTPSOnlyEgress(sg)
	}
	vpcfunction.HoldPermissionsUntilDetached(fn)
}
