// Package invoker creates the test function that calls Bedrock from the isolated subnets, through the
// bedrock-runtime endpoint only: the function of the source blog's allow/deny test.
package invoker

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/vpcfunction"
)

// Props configures the function.
type Props struct {
	// Vpc the function runs in, on its isolated subnets. Required.
	Vpc awsec2.IVpc
	// Endpoint is the only way the function reaches Bedrock: it grants the role invoke access to its
	// models through itself only, and admits the function's security group. Required.
	Endpoint *bedrockendpoint.Endpoint
	// Code is the built handler (a provided.al2023 bootstrap for arm64). Required.
	Code awslambda.Code
	// ModelIDs the handler accepts; DefaultModelID must be one of them. Required.
	ModelIDs       []string
	DefaultModelID string
	// LogKey encrypts the function's log group; it must belong to the same stack. Required.
	LogKey awskms.Key
	// LogRetention of the function's log group. Required.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the log group. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// GuardrailID and GuardrailVersion name the guardrail the function applies on every call; set both
	// or neither. Default: none.
	GuardrailID, GuardrailVersion *string
	// ReservedConcurrency caps the function, and so what a runaway caller can spend. Lambda keeps 100
	// unreserved, so accounts still at the new-account quota of 10 cannot reserve any. Default: 0, none.
	ReservedConcurrency int
}

// Function is what New made.
type Function struct {
	constructs.Construct
	Resource      awslambda.Function
	Role          awsiam.Role
	SecurityGroup awsec2.SecurityGroup
	LogGroup      awslogs.LogGroup
}

// New creates the function.
func New(scope constructs.Construct, id string, props Props) *Function {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("invoker %q: %v", id, err))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	f := &Function{Construct: c}

	f.LogGroup = loggroup.New(c, "LogGroup", loggroup.Props{
		Name:          "/" + *stack.StackName() + "/invoker",
		Key:           props.LogKey,
		Retention:     props.LogRetention,
		RemovalPolicy: props.RemovalPolicy,
	})
	f.Role = vpcfunction.NewRole(c, "Role", "Test function: invokes the named Bedrock models through the bedrock-runtime endpoint only")
	props.Endpoint.GrantInvoke(f.Role)
	f.LogGroup.GrantWrite(f.Role)

	f.SecurityGroup = awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.Vpc,
		Description:      jsii.String("Test function: HTTPS to the bedrock-runtime endpoint only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	// Inline, because CDK renders an egress rule to another group as a separate resource and leaves the
	// group itself without egress rules, which EC2 turns into its default allow-all.
	f.SecurityGroup.Node().DefaultChild().(awsec2.CfnSecurityGroup).SetSecurityGroupEgress(&[]any{
		&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol:                 jsii.String("tcp"),
			FromPort:                   jsii.Number(443),
			ToPort:                     jsii.Number(443),
			DestinationSecurityGroupId: props.Endpoint.SecurityGroup.SecurityGroupId(),
			Description:                jsii.String("HTTPS to the bedrock-runtime endpoint"),
		},
	})
	props.Endpoint.AllowFrom(f.SecurityGroup)

	var reserved *float64
	if props.ReservedConcurrency > 0 {
		reserved = jsii.Number(float64(props.ReservedConcurrency))
	}
	f.Resource = awslambda.NewFunction(c, jsii.String("Resource"), &awslambda.FunctionProps{
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 awslambda.Architecture_ARM_64(),
		Handler:                      jsii.String("bootstrap"),
		Code:                         props.Code,
		Role:                         f.Role,
		Description:                  jsii.String("Invokes Bedrock through the private endpoint; fails when the endpoint policy denies"),
		Vpc:                          props.Vpc,
		VpcSubnets:                   &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		SecurityGroups:               &[]awsec2.ISecurityGroup{f.SecurityGroup},
		ReservedConcurrentExecutions: reserved,
		MemorySize:                   jsii.Number(256),
		Timeout:                      awscdk.Duration_Seconds(jsii.Number(60)),
		LogGroup:                     f.LogGroup,
		LoggingFormat:                awslambda.LoggingFormat_JSON,
		Environment:                  props.environment(),
	})
	if reserved == nil {
		compliance.AcceptNag(f.Resource, compliance.Exception{Rule: "NIST.800.53.R5-LambdaConcurrency",
			Reason: "No reservation is configured for this environment: Lambda keeps 100 executions unreserved, so an account still at the new-account concurrency quota of 10 can reserve none. Set a reservation once the quota is raised."})
	}
	vpcfunction.HoldPermissionsUntilDetached(f.Resource)
	synchronous := "A test function invoked synchronously: the caller receives every error, so no event is lost without a dead-letter queue."
	compliance.AcceptNag(f.Resource,
		compliance.Exception{Rule: "NIST.800.53.R5-LambdaDLQ", Reason: synchronous},
		compliance.Exception{Rule: "Serverless-LambdaDLQ", Reason: synchronous},
		compliance.Exception{Rule: "Serverless-LambdaTracing", Reason: "X-Ray needs its own interface endpoint in the isolated VPC; Bedrock calls are recorded by CloudTrail and model invocation logging, and the handler logs latency and token use."},
	)
	return f
}

// environment is what the handler reads (lambda/invoker/settings.go).
func (p Props) environment() *map[string]*string {
	env := map[string]*string{
		"DEFAULT_MODEL_ID":  jsii.String(p.DefaultModelID),
		"ALLOWED_MODEL_IDS": jsii.String(strings.Join(p.ModelIDs, ",")),
	}
	if p.GuardrailID != nil {
		env["GUARDRAIL_ID"], env["GUARDRAIL_VERSION"] = p.GuardrailID, p.GuardrailVersion
	}
	return &env
}

func (p Props) validate() error {
	var errs []error
	if p.Vpc == nil {
		errs = append(errs, errors.New("Props.Vpc is nil: give the VPC to run in"))
	}
	if p.Endpoint == nil {
		errs = append(errs, errors.New("Props.Endpoint is nil: give the bedrock-runtime endpoint the function must use"))
	}
	if p.Code == nil {
		errs = append(errs, errors.New(`Props.Code is nil: give the built handler, e.g. golambda.Code("lambda/invoker")`))
	}
	if p.LogKey == nil {
		errs = append(errs, errors.New("Props.LogKey is nil: give the KMS key for the function's log group"))
	}
	if !slices.Contains(p.ModelIDs, p.DefaultModelID) {
		errs = append(errs, fmt.Errorf("Props.DefaultModelID %q is not in Props.ModelIDs: pick one of the allowed models", p.DefaultModelID))
	}
	if !loggroup.RetentionSet(p.LogRetention) {
		errs = append(errs, errors.New("Props.LogRetention is not set: give a retention such as awslogs.RetentionDays_ONE_YEAR"))
	}
	if (p.GuardrailID == nil) != (p.GuardrailVersion == nil) {
		errs = append(errs, errors.New("Props.GuardrailID and GuardrailVersion: set both, from the guardrail construct, or neither"))
	}
	if p.ReservedConcurrency < 0 {
		errs = append(errs, fmt.Errorf("Props.ReservedConcurrency %d is negative: give 0 for none or a positive cap", p.ReservedConcurrency))
	}
	return errors.Join(errs...)
}
