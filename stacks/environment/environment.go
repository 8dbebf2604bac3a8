// Package environment composes the constructs into one stack per configured environment: the VPC, the
// bedrock-runtime endpoint, the test function and invocation logging, from one config.Environment.
package environment

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/accessrole"
	"github.com/privatebedrock/stack/constructs/alerttopic"
	"github.com/privatebedrock/stack/constructs/bedrockendpoint"
	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/detection"
	"github.com/privatebedrock/stack/constructs/guardrail"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/constructs/invoker"
	"github.com/privatebedrock/stack/constructs/privatevpc"
	"github.com/privatebedrock/stack/constructs/promptstore"
	"github.com/privatebedrock/stack/golambda"
)

// Props configures one environment's stack.
type Props struct {
	Project     string
	Environment config.Environment
	// EnforcedGuardrailArns are guardrails the organisation enforces on the environment's calls
	// (config.Organization.EnforcedGuardrailArns): its roles and endpoint let callers apply them.
	EnforcedGuardrailArns []string
	// NagReports writes cdk-nag's CSV reports into the cloud assembly. Default: false.
	NagReports bool
}

// Stack is one environment.
type Stack struct {
	awscdk.Stack
	// Environment is the configuration the stack is made from.
	Environment config.Environment
	// LogKey encrypts the stack's operational log groups.
	LogKey   awskms.Key
	Vpc      *privatevpc.Vpc
	Endpoint *bedrockendpoint.Endpoint
	// Guardrail is nil where the environment has none.
	Guardrail *guardrail.Guardrail
	Invoker   *invoker.Function
	// AccessRoles are the roles people and tools assume, by role name.
	AccessRoles map[string]*accessrole.Role
	// Logging is nil where the environment opts out of invocation logging.
	Logging *invocationlogging.Logging
	// Prompts is nil where the environment has no prompt store.
	Prompts *promptstore.Store
	// Alerts notifies administrators; Detection decides when.
	Alerts    *alerttopic.Topic
	Detection *detection.Detection
}

// New creates the stack of one environment.
func New(scope constructs.Construct, props Props) *Stack {
	env := props.Environment
	stack := awscdk.NewStack(scope, jsii.String(config.StackName(props.Project, env.Name)), &awscdk.StackProps{
		StackName:             jsii.String(config.StackName(props.Project, env.Name)),
		Description:           jsii.String(fmt.Sprintf("Private, audited, least-privilege access to Amazon Bedrock (%s)", env.Name)),
		Env:                   &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)},
		TerminationProtection: jsii.Bool(env.TerminationProtection),
	})
	// The zones are configuration, not a lookup: synthesis needs no credentials.
	stack.Node().SetContext(jsii.String(fmt.Sprintf("availability-zones:account=%s:region=%s", env.Account, env.Region)),
		jsii.Strings(env.AvailabilityZones...))
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(props.Project), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("environment"), jsii.String(env.Name), nil)

	// Retained data survives updates and deletion, but not the rollback of the stack's first create:
	// a retained key, bucket or named log group left by a failed create would make the retry fail with
	// "already exists".
	removal := awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE
	if env.RemovalPolicy == config.Destroy {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	logRetention := retention(env.LogRetentionDays)
	// bedrock-runtime gets its own construct; privatevpc makes the rest.
	endpoints := slices.DeleteFunc(env.InterfaceEndpointServices(), func(s string) bool { return s == "bedrock-runtime" })
	s := &Stack{Stack: stack, Environment: env}
	// One key for the stack's operational logs (flow logs, functions, deploy-time calls); invocation
	// logs, which hold prompts, get a key of their own.
	s.LogKey = cmk.New(stack, "LogKey", cmk.Props{
		Description:   "Encrypts the VPC flow logs, function logs and deploy-time call logs of " + *stack.StackName(),
		RemovalPolicy: removal,
	})
	s.Vpc = privatevpc.New(stack, "Network", privatevpc.Props{
		AvailabilityZones:  env.AvailabilityZones,
		Cidr:               env.VpcCidr,
		LogKey:             s.LogKey,
		LogRetention:       logRetention,
		RemovalPolicy:      removal,
		InterfaceEndpoints: endpoints,
		EndpointZones:      env.EndpointZones(),
	})
	// The guardrail the test function applies; none without one.
	var guardrailArn, guardrailVersion *string
	endpointProps := bedrockendpoint.Props{
		Vpc:                   s.Vpc.Resource,
		Subnets:               s.Vpc.EndpointSubnets,
		ModelArns:             env.ModelArns(),
		Principals:            env.ClientPrincipals,
		EnforcedGuardrailArns: props.EnforcedGuardrailArns,
		Deny:                  env.EndpointPolicyEffect == "Deny",
	}
	if g := env.Guardrail; g.Enabled {
		s.Guardrail = newGuardrail(stack, g, removal)
		guardrailArn, guardrailVersion = s.Guardrail.Arn, s.Guardrail.VersionNumber
		endpointProps.Guardrail = &bedrockendpoint.Guardrail{Arn: s.Guardrail.Arn, VersionedArn: s.Guardrail.VersionedArn}
		endpointProps.Principals = env.UnconditionedPrincipals()
		endpointProps.GuardrailAwarePrincipals = env.GuardedPrincipals()
		endpointProps.UnguardedEndpoint = !g.EnforceAtEndpoint
		endpointProps.UnguardedGrants = !g.EnforceInIAM
	}
	s.Endpoint = bedrockendpoint.New(stack, "BedrockRuntime", endpointProps)
	s.accessRoles(env, props.EnforcedGuardrailArns)
	modelIDs := env.ModelIDs()
	s.Invoker = invoker.New(stack, "Invoker", invoker.Props{
		Vpc:                 s.Vpc.Resource,
		Endpoint:            s.Endpoint,
		Code:                golambda.Code("lambda/invoker"),
		ModelIDs:            modelIDs,
		DefaultModelID:      modelIDs[0],
		LogKey:              s.LogKey,
		LogRetention:        logRetention,
		RemovalPolicy:       removal,
		ReservedConcurrency: env.InvokerReservedConcurrency,
		GuardrailID:         guardrailArn,
		GuardrailVersion:    guardrailVersion,
	})
	if l := env.InvocationLogging; l.Enabled {
		s.Logging = invocationlogging.New(stack, "InvocationLogging", invocationlogging.Props{
			Network:                       s.Vpc,
			ConfigurationHandler:          golambda.Code("lambda/loggingconfig"),
			LogKey:                        s.LogKey,
			LogGroupName:                  config.InvocationLogGroupName(*stack.StackName()),
			KeyPrefix:                     l.S3KeyPrefix,
			Text:                          l.TextDelivery,
			Image:                         l.ImageDelivery,
			Embedding:                     l.EmbeddingDelivery,
			LogRetention:                  logRetention,
			ObjectLockDays:                l.ObjectLockDays,
			LockDeliveryBucket:            l.ObjectLockOnDeliveryBucket,
			TakeOverExistingConfiguration: l.TakeOverExistingConfiguration,
			ArchiveAfterDays:              l.ArchiveAfterDays,
			ExpireAfterDays:               l.ExpireAfterDays,
			AccessLogExpireAfterDays:      env.LogRetentionDays,
			RemovalPolicy:                 removal,
		})
		// Bedrock writes a permission-check object when the configuration is put; taking it last means a
		// failure anywhere else rolls back before the buckets hold anything.
		s.Logging.Configuration.Node().AddDependency(s.Invoker.Construct)
	}
	if env.PromptStore.Enabled {
		s.Prompts = promptstore.New(stack, "PromptStore", promptstore.Props{
			AccessLogs:     s.accessLogs(env, removal),
			Readers:        env.ClientPrincipals,
			Administrators: env.PromptStore.Administrators,
			RemovalPolicy:  removal,
		})
		s.readsPrompts(s.Invoker.Role, "The test function may read every prompt of the prompt store, and nothing else of S3; prompts are its inputs.")
		for _, r := range env.AccessRoles {
			s.readsPrompts(s.AccessRoles[r.Name].Resource, "The role's callers may read every shared prompt of the prompt store, and nothing else of S3.")
		}
	}
	s.detect(env, removal)
	s.outputs()
	s.accessRoleOutputs(env)
	compliance.Check(stack, props.NagReports)
	return s
}

// readsPrompts lets role read every prompt of the prompt store, through its default policy.
func (s *Stack) readsPrompts(role awsiam.IRole, reason string) {
	s.Prompts.GrantRead(role)
	compliance.AcceptNag(role,
		compliance.Exception{Rule: "AwsSolutions-IAM5", AppliesTo: []string{compliance.ArnFinding(s.Prompts.Bucket, "/*")}, Reason: reason},
		compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy", Reason: "The grant lands in the role's own default policy, created and deleted with the role."})
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
		out("InvocationLogBucketName", "Bedrock delivers model invocation logs to this bucket", s.Logging.Bucket.BucketName())
		out("InvocationLogVaultName", "Object Lock copies of every invocation log object", s.Logging.Vault.BucketName())
		out("AccessLogBucketName", "Server access logs of the log buckets and the prompt store", s.Logging.AccessLogs.BucketName())
	}
	if s.Prompts != nil {
		out("PromptStoreBucketName", "Shared prompts: callers read, prompt administrators write", s.Prompts.Bucket.BucketName())
	}
	out("AlertTopicArn", "Alerts for administrators: subscribe to it", s.Alerts.Resource.TopicArn())
	if s.Guardrail != nil {
		out("GuardrailArn", "The guardrail; with its version, what guardrail-aware callers name", s.Guardrail.Arn)
		out("GuardrailVersion", "The guardrail's published version", s.Guardrail.VersionNumber)
	}
}

// NewAll creates the stacks of the given environments of file in app, each in its stage (NewStaged).
func NewAll(app constructs.Construct, file *config.File, envs []config.Environment, nagReports bool) []*Stack {
	out := make([]*Stack, len(envs))
	for i, env := range envs {
		out[i] = NewStaged(app, Props{Project: file.Project, Environment: env, NagReports: nagReports,
			EnforcedGuardrailArns: file.Organization.EnforcedGuardrailArns(env)})
	}
	return out
}

// NewStaged creates the environment's stack in a stage of its own in app, named after the environment:
// the unit a pipeline wave deploys. Deployed by hand or by the pipeline, the stack then has the same
// construct paths, from which aws-cdk-lib derives some logical IDs and names: a stack outside the
// stage would differ, and switching between the two would replace resources (security group rules
// among them, whose replacement fails as a duplicate).
func NewStaged(app constructs.Construct, props Props) *Stack {
	env := props.Environment
	stage := awscdk.NewStage(app, jsii.String(env.Name), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)},
	})
	return New(stage, props)
}
