// Package stacks composes the constructs into one stack per environment.
package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/constructs/invoker"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/golambda"
)

// Props configures one environment's stack.
type Props struct {
	Project     string
	Environment config.Environment
}

// Stack is one environment.
type Stack struct {
	awscdk.Stack
	Vpc      *privatevpc.Vpc
	Endpoint *bedrockendpoint.Endpoint
	Invoker  *invoker.Function
	// Logging is nil where the environment opts out of invocation logging.
	Logging *invocationlogging.Logging
}

// Name is the stack name of an environment.
func Name(project, environment string) string { return project + "-" + environment }

// New creates the stack of one environment.
func New(scope constructs.Construct, props Props) *Stack {
	env := props.Environment
	stack := awscdk.NewStack(scope, jsii.String(Name(props.Project, env.Name)), &awscdk.StackProps{
		StackName:             jsii.String(Name(props.Project, env.Name)),
		Description:           jsii.String(fmt.Sprintf("Private, audited, least-privilege access to Amazon Bedrock (%s)", env.Name)),
		Env:                   &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)},
		TerminationProtection: jsii.Bool(env.TerminationProtection),
	})
	// The zones are configuration, not a lookup: synthesis needs no credentials.
	stack.Node().SetContext(jsii.String(fmt.Sprintf("availability-zones:account=%s:region=%s", env.Account, env.Region)),
		jsii.Strings(env.AvailabilityZones...))
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(props.Project), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("environment"), jsii.String(env.Name), nil)

	removal := awscdk.RemovalPolicy_RETAIN
	if env.RemovalPolicy == config.Destroy {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	logRetention := retention(env.LogRetentionDays)
	endpoints := slices.Clone(env.InterfaceEndpoints)
	if env.InvocationLogging.Enabled {
		// The logging configuration call goes to the Bedrock control plane.
		endpoints = append(endpoints, "bedrock")
	}
	s := &Stack{Stack: stack}
	s.Vpc = privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones:  env.AvailabilityZones,
		Cidr:               env.VpcCidr,
		LogRetention:       logRetention,
		RemovalPolicy:      removal,
		InterfaceEndpoints: endpoints,
	})
	modelArns := env.ModelArns()
	s.Endpoint = bedrockendpoint.New(stack, "BedrockRuntime", bedrockendpoint.Props{
		Vpc:        s.Vpc.Resource,
		Subnets:    s.Vpc.Subnets,
		ModelArns:  modelArns,
		Principals: env.ClientPrincipals,
		Deny:       env.EndpointPolicyEffect == "Deny",
	})
	modelIDs := env.ModelIDs()
	s.Invoker = invoker.New(stack, "Invoker", invoker.Props{
		Vpc:            s.Vpc.Resource,
		Endpoint:       s.Endpoint,
		Code:           golambda.Code("lambda/invoker"),
		ModelArns:      modelArns,
		ModelIDs:       modelIDs,
		DefaultModelID: modelIDs[0],
		Key:            s.Vpc.Key,
		LogRetention:   logRetention,
		RemovalPolicy:  removal,
	})
	if l := env.InvocationLogging; l.Enabled {
		s.Logging = invocationlogging.New(stack, "InvocationLogging", invocationlogging.Props{
			Network:          s.Vpc,
			KeyPrefix:        l.S3KeyPrefix,
			Text:             l.TextDelivery,
			Image:            l.ImageDelivery,
			Embedding:        l.EmbeddingDelivery,
			LogRetention:     logRetention,
			ObjectLockDays:   l.ObjectLockDays,
			ArchiveAfterDays: l.ArchiveAfterDays,
			ExpireAfterDays:  l.ExpireAfterDays,
			RemovalPolicy:    removal,
		})
	}
	s.outputs()
	checkCompliance(stack)
	return s
}

func (s *Stack) outputs() {
	out := func(id, description string, value *string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	out("VpcId", "The private VPC", s.Vpc.Resource.VpcId())
	out("BedrockRuntimeEndpointId", "The bedrock-runtime interface endpoint; the invoker role's aws:SourceVpce", s.Endpoint.Resource.VpcEndpointId())
	out("BedrockRuntimeEndpointSecurityGroupId", "Admits HTTPS from client security groups only", s.Endpoint.SecurityGroup.SecurityGroupId())
	out("InvokerSecurityGroupId", "The test function's security group", s.Invoker.SecurityGroup.SecurityGroupId())
	out("InvokerFunctionName", "Invoke it to test private access: aws lambda invoke --function-name <this> --payload '{\"prompt\":\"hi\"}' out.json", s.Invoker.Resource.FunctionName())
	out("InvokerRoleArn", "The principal the endpoint policy admits", s.Invoker.Role.RoleArn())
	if s.Logging != nil {
		out("InvocationLogGroupName", "Bedrock model invocation logs in CloudWatch Logs", s.Logging.LogGroup.LogGroupName())
		out("InvocationLogBucketName", "Bedrock model invocation logs in S3", s.Logging.Bucket.BucketName())
	}
}

// NewAll creates the stacks of the given environments in app.
func NewAll(app constructs.Construct, project string, envs []config.Environment) []*Stack {
	out := make([]*Stack, len(envs))
	for i, env := range envs {
		out[i] = New(app, Props{Project: project, Environment: env})
	}
	return out
}
