// Package vpcsdkcall makes AWS API calls at deploy time (AwsCustomResource) from a function inside an
// isolated VPC, so that organisations enforcing Control Tower's CT.LAMBDA.PR.3 (every function in a VPC)
// can deploy the stack.
//
// Inside an isolated subnet the function reaches AWS only through VPC endpoints: the API it calls needs
// an interface endpoint, and its reply to CloudFormation (a PUT to a pre-signed URL in an AWS-owned S3
// bucket) needs the S3 gateway endpoint, whose policy must admit that bucket.
package vpcsdkcall

import (
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

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/vpcfunction"
)

// Props configures one deploy-time API call. The function behind every call of a stack is shared: the
// first call's Vpc, Key and retention configure it.
type Props struct {
	// Vpc the function runs in, on its isolated subnets. Required.
	Vpc awsec2.IVpc
	// Key encrypts the function's log group. Required.
	Key awskms.Key
	// LogRetention of the function's log group. Required.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the function's log group. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// OnCreate, OnUpdate and OnDelete are the calls; at least one is required.
	OnCreate, OnUpdate, OnDelete *customresources.AwsSdkCall
	// Policy of the calls. Required: derive it from the calls' resources, never ANY_RESOURCE.
	Policy customresources.AwsCustomResourcePolicy
}

// providerID is the construct ID AwsCustomResource gives its shared function.
const providerID = "AWS679f53fac002430cb0da5b7982bd2287"

// New creates the call.
func New(scope constructs.Construct, id string, props Props) customresources.AwsCustomResource {
	switch {
	case props.Vpc == nil:
		panic(fmt.Sprintf("vpcsdkcall %q: Props.Vpc is nil: give the VPC whose endpoints the call goes through", id))
	case props.Key == nil:
		panic(fmt.Sprintf("vpcsdkcall %q: Props.Key is nil: give the KMS key for the function's log group", id))
	case !cmk.RetentionSet(props.LogRetention):
		panic(fmt.Sprintf("vpcsdkcall %q: Props.LogRetention is not set: give the function's log retention", id))
	case props.OnCreate == nil && props.OnUpdate == nil && props.OnDelete == nil:
		panic(fmt.Sprintf("vpcsdkcall %q: Props.OnCreate, OnUpdate and OnDelete are all nil: give at least one call", id))
	case props.Policy == nil:
		panic(fmt.Sprintf("vpcsdkcall %q: Props.Policy is nil: allow exactly the calls' actions on their resources", id))
	}
	stack := awscdk.Stack_Of(scope)
	firstCall := stack.Node().TryFindChild(jsii.String(providerID)) == nil
	logGroup, role := sharedLogGroup(stack, props), sharedRole(stack)
	if firstCall {
		logGroup.GrantWrite(role)
	}
	call := customresources.NewAwsCustomResource(scope, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate:            props.OnCreate,
		OnUpdate:            props.OnUpdate,
		OnDelete:            props.OnDelete,
		Policy:              props.Policy,
		Vpc:                 props.Vpc,
		VpcSubnets:          &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		LogGroup:            logGroup,
		Role:                role,
		InstallLatestAwsSdk: jsii.Bool(false),
		Timeout:             awscdk.Duration_Minutes(jsii.Number(2)),
		MemorySize:          jsii.Number(256),
	})
	compliance.AcceptNag(call, compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "The call's policy is generated per call, attached to the provider role only and lists exactly the call's actions and resources."})
	if firstCall {
		provider := stack.Node().FindChild(jsii.String(providerID)).(awslambda.Function)
		narrowEgress(provider)
		compliance.AcceptDeployTimeFunction(provider)
	}
	return call
}

// sharedRole is the one execution role of the shared function, created with the first call: VPC access
// inline (vpcfunction), where CDK's own role would use two AWS managed policies.
func sharedRole(stack awscdk.Stack) awsiam.Role {
	const id = "VpcSdkCallRole"
	if existing := stack.Node().TryFindChild(jsii.String(id)); existing != nil {
		return existing.(awsiam.Role)
	}
	return vpcfunction.NewRole(stack, id, "Deploy-time SDK calls (AwsCustomResource) inside the VPC")
}

// sharedLogGroup is the one log group of the shared function, created with the first call.
func sharedLogGroup(stack awscdk.Stack, props Props) awslogs.LogGroup {
	const id = "VpcSdkCallLogs"
	if existing := stack.Node().TryFindChild(jsii.String(id)); existing != nil {
		return existing.(awslogs.LogGroup)
	}
	return cmk.NewLogGroup(stack, id, props.Key, cmk.LogGroupProps{
		Name:          "/" + *stack.StackName() + "/deploy-time-sdk-calls",
		Retention:     props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
	})
}

// narrowEgress replaces the allow-all egress that Lambda gives an in-VPC function's security group
// with HTTPS only, and keeps the function's permissions until Lambda has released its interfaces.
func narrowEgress(fn awslambda.Function) {
	for _, sg := range *fn.Connections().SecurityGroups() {
		vpcfunction.HTTPSOnlyEgress(sg)
	}
	vpcfunction.HoldPermissionsUntilDetached(fn)
}
