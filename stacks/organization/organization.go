// Package organization composes the organisation policies stack from the configuration's organization
// section: service control policies, deployed from the management (or delegated administrator)
// account, that hold every targeted account to what the environments promise. Model inference only
// through the environments' endpoints; no Bedrock API keys; invocation logging and guardrail
// enforcement that only deployments change. Optionally, an Amazon Bedrock policy that enforces a
// guardrail of the management account on every inference call of the targets.
package organization

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/guardrail"
	"github.com/privatebedrock/stack/constructs/orgpolicy"
	"github.com/privatebedrock/stack/constructs/scp"
)

// Props configures the organisation stack.
type Props struct {
	Project      string
	Organization config.Organization
	// Environments are every environment of the configuration, deployed or not in this synthesis: their
	// endpoints, logging handlers and access roles shape the policies.
	Environments []config.Environment
	// NagReports writes cdk-nag's CSV reports into the cloud assembly. Default: false.
	NagReports bool
}

// Stack is the organisation policies stack.
type Stack struct {
	awscdk.Stack
	// Inference denies model inference outside the environments' endpoints.
	Inference *scp.Policy
	// Protections denies Bedrock API keys and changes to invocation logging and guardrail enforcement.
	Protections *scp.Policy
	// Guardrail is the guardrail BedrockPolicy enforces, shared with the organisation; nil without
	// organization.guardrailPolicy.
	Guardrail *guardrail.Guardrail
	// BedrockPolicy is the Amazon Bedrock policy that enforces Guardrail; nil without
	// organization.guardrailPolicy.
	BedrockPolicy *orgpolicy.Policy
}

// The actions each statement denies, as the Service Authorization Reference names them.
var (
	// Converse and ConverseStream authorize as InvokeModel and InvokeModelWithResponseStream.
	// bedrock-mantle, the OpenAI-compatible API, has its own inference action and VPC endpoint service;
	// left out, it would be the way around the endpoints.
	inferenceActions = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock-mantle:CreateInference"}
	bearerActions    = []string{"bedrock:CallWithBearerToken", "bedrock-mantle:CallWithBearerToken"}
	loggingActions   = []string{"bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"}
	guardrailActions = []string{"bedrock:PutEnforcedGuardrailConfiguration", "bedrock:DeleteEnforcedGuardrailConfiguration"}
)

// New creates the organisation stack.
func New(scope constructs.Construct, props Props) *Stack {
	o := props.Organization
	name := config.OrganizationStackName(props.Project)
	stack := awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		StackName:   jsii.String(name),
		Description: jsii.String("Service control policies for private, audited access to Amazon Bedrock (" + props.Project + ")"),
		Env:         &awscdk.Environment{Account: jsii.String(o.Account), Region: jsii.String(o.Region)},
		// Deleting the stack would lift every policy from every target at once.
		TerminationProtection: jsii.Bool(true),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(props.Project), nil)
	s := &Stack{Stack: stack}
	s.Inference = scp.New(stack, "Inference", scp.Props{
		Name:        props.Project + "-inference-through-endpoints",
		Description: "Bedrock inference only through the environments' VPC endpoints",
		Document:    inferencePolicy(props),
		Targets:     o.Targets,
		Shrink:      "list fewer IDs in organization.endpointIds (one endpoint per environment is enough), fewer breakGlassRoleArns, or fewer access roles outside the endpoints",
	})
	s.Protections = scp.New(stack, "Protections", scp.Props{
		Name:        props.Project + "-protections",
		Description: "No Bedrock API keys; invocation logging and guardrail enforcement changed only by deployments",
		Document:    protectionsPolicy(props),
		Targets:     o.Targets,
		Shrink:      "list fewer deploymentRoleArns or breakGlassRoleArns in the organization section (a pattern can cover several), or split the statements between two policies",
	})
	if o.GuardrailPolicy != nil {
		s.newGuardrailPolicy(props)
	}
	s.warn(props)
	out := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	out("InferencePolicyId", "The service control policy that keeps Bedrock inference to the environments' endpoints", s.Inference.Resource.AttrId())
	out("ProtectionsPolicyId", "The service control policy against Bedrock API keys and changes to logging and guardrail enforcement", s.Protections.Resource.AttrId())
	compliance.Check(stack, props.NagReports)
	return s
}

// inferencePolicy denies model inference unless the request comes through one of the environments'
// endpoints, except what AWS services do for a caller, the break-glass roles, and the access roles the
// configuration lets call from corporate networks (their own Deny keeps them to those).
func inferencePolicy(props Props) awsiam.PolicyDocument {
	conditions := map[string]any{
		"BoolIfExists": map[string]any{"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
	}
	if ids := endpointIDs(props); len(ids) > 0 {
		// IfExists: a request over the internet carries no aws:SourceVpce, and must be denied too.
		conditions["StringNotEqualsIfExists"] = map[string]any{"aws:SourceVpce": ids}
	} else {
		// The weaker form: any VPC endpoint of the targeted accounts, until the IDs are configured.
		conditions["Null"] = map[string]any{"aws:SourceVpce": "true"}
	}
	excepted := slices.Concat(props.Organization.BreakGlassRoleArns, outsideRoles(props.Environments))
	if len(excepted) > 0 {
		conditions["ArnNotLike"] = map[string]any{"aws:PrincipalArn": excepted}
	}
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		deny("DenyInferenceOutsideTheEndpoints", inferenceActions, conditions),
	}})
}

// protectionsPolicy denies Bedrock API keys, and changes to the invocation logging and enforced guardrail
// configurations by anyone but the deployments and the break-glass roles.
func protectionsPolicy(props Props) awsiam.PolicyDocument {
	o := props.Organization
	// Creating a long-term key is creating a service-specific credential for Bedrock.
	createKey := deny("DenyCreatingBedrockApiKeys", []string{"iam:CreateServiceSpecificCredential"},
		map[string]any{"StringEquals": map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}})
	statements := []awsiam.PolicyStatement{createKey}
	if o.APIKeyPolicy() == config.DenyLongTermAPIKeys {
		// AWS's Deny-Bedrock-long-term-api-keys example: short-term keys, which carry the session's own
		// permissions, stay usable.
		longTerm := func(service string) map[string]any {
			return map[string]any{"StringEquals": map[string]any{service + ":BearerTokenType": "LONG_TERM"}}
		}
		statements = append(statements,
			deny("DenyLongTermBedrockApiKeys", []string{"bedrock:CallWithBearerToken"}, longTerm("bedrock")),
			deny("DenyLongTermBedrockMantleApiKeys", []string{"bedrock-mantle:CallWithBearerToken"}, longTerm("bedrock-mantle")))
	} else {
		// No break-glass exception: a key made from a break-glass session would carry its power anywhere.
		statements = append(statements, deny("DenyBedrockApiKeys", bearerActions, nil))
	}
	deployers := slices.Concat(o.DeploymentRoleArns, o.BreakGlassRoleArns)
	statements = append(statements,
		deny("DenyChangingInvocationLogging", loggingActions,
			map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": slices.Concat(deployers, loggingHandlers(props.Project, props.Environments))}}),
		deny("DenyChangingGuardrailEnforcement", guardrailActions,
			map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": deployers}}),
	)
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements})
}

func deny(sid string, actions []string, conditions map[string]any) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{Sid: jsii.String(sid), Effect: awsiam.Effect_DENY, Actions: jsii.Strings(actions...), Resources: jsii.Strings("*")}
	if conditions != nil {
		props.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(props)
}

// endpointIDs are the configured endpoint IDs, in the environments' order.
func endpointIDs(props Props) []string {
	var ids []string
	for _, e := range props.Environments {
		ids = append(ids, props.Organization.EndpointIDs[e.Name]...)
	}
	return ids
}

// outsideRoles are the access roles the configuration lets call Bedrock from outside the environment's
// endpoints: from corporate source IPs, or anywhere.
func outsideRoles(envs []config.Environment) []string {
	var arns []string
	for _, e := range envs {
		for _, r := range e.AccessRoles {
			if len(r.Network.SourceIPs) > 0 || r.Network.Anywhere {
				arns = append(arns, e.AccessRoleArn(r))
			}
		}
	}
	return arns
}

// loggingHandlers match the roles of the environments' invocation logging handlers, which put and delete
// the logging configuration from inside their stacks: the roles under each stack's IAM path, in its
// account (config.StackRoles).
func loggingHandlers(project string, envs []config.Environment) []string {
	var arns []string
	for _, e := range envs {
		if e.InvocationLogging.Enabled {
			arns = append(arns, config.StackRoles(e.Partition(), e.Account, config.StackName(project, e.Name)))
		}
	}
	return arns
}

// warn says at synthesis where the policies are weaker than they look, or will deny what works today.
func (s *Stack) warn(props Props) {
	o := props.Organization
	warn := func(id, message string) {
		awscdk.Annotations_Of(s.Stack).AddWarningV2(jsii.String("organization:"+id), jsii.String(message))
	}
	var missing []string
	for _, e := range props.Environments {
		if len(o.EndpointIDs[e.Name]) == 0 {
			missing = append(missing, e.Name)
		}
		if e.Account == o.Account {
			warn("ManagementAccount", fmt.Sprintf("Environment %s deploys to %s, the account the organisation stack deploys from: service control policies do not restrict the management account.", e.Name, o.Account))
		}
		if o.GuardrailPolicy != nil && e.Region != o.Region {
			warn("GuardrailRegion", fmt.Sprintf("Environment %s is in %s, but the Amazon Bedrock policy enforces the organisation's guardrail in %s only: a guardrail serves its own region.", e.Name, e.Region, o.Region))
		}
	}
	switch {
	case len(o.EndpointIDs) == 0:
		warn("AnyEndpoint", "organization.endpointIds is empty, so the inference policy only requires aws:SourceVpce to be present: calls through any VPC endpoint of the targeted accounts pass, not only the environments'. "+
			"Endpoint IDs exist only after each environment is deployed, in other accounts, where CloudFormation cannot reference them: deploy the environments, then list each one's BedrockRuntimeEndpointId output in organization.endpointIds.")
	case len(missing) > 0:
		warn("EndpointMissing", fmt.Sprintf("organization.endpointIds lists no endpoint of %s: the inference policy denies calls through the endpoint of each until you add its BedrockRuntimeEndpointId output.",
			strings.Join(missing, ", ")))
	}
}
