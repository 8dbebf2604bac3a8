package organization

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/guardrail"
	"github.com/privatebedrock/stack/constructs/orgpolicy"
	"github.com/privatebedrock/stack/stacks/internal/guardrailprops"
)

// newGuardrailPolicy creates the guardrail that the organisation's Amazon Bedrock policy enforces, shared
// with the organisation, and the policy, attached to the targets once the guardrail's resource-based
// policy lets their principals apply it.
func (s *Stack) newGuardrailPolicy(props Props) {
	o, g := props.Organization, props.Organization.GuardrailPolicy
	name := *s.StackName()
	gp := guardrailprops.Of(name, "Enforced by the Amazon Bedrock policy "+props.Project+"-guardrail in "+o.Region, g.Guardrail)
	gp.OrganizationID = g.OrganizationID
	s.Guardrail = guardrail.New(s.Stack, "Guardrail", gp)
	s.BedrockPolicy = orgpolicy.New(s.Stack, "BedrockPolicy", orgpolicy.Props{
		Type:        orgpolicy.BedrockPolicy,
		Name:        props.Project + "-guardrail",
		Description: "Enforces the guardrail " + name + " on every Bedrock inference call in " + o.Region,
		Document:    bedrockPolicy(o.Region, s.Guardrail.VersionedArn, *g),
		Targets:     o.Targets,
		Shrink:      "list fewer models in organization.guardrailPolicy.includedModels or excludedModels",
	})
	// A member account's caller that may not apply the enforced guardrail fails every inference call.
	s.BedrockPolicy.Resource.Node().AddDependency(s.Guardrail.Policy)
	awscdk.NewCfnOutput(s.Stack, jsii.String("GuardrailArn"), &awscdk.CfnOutputProps{
		Value:       s.Guardrail.Arn,
		Description: jsii.String("The organisation's guardrail: the targeted accounts' callers need bedrock:ApplyGuardrail on it"),
	})
	awscdk.NewCfnOutput(s.Stack, jsii.String("BedrockPolicyId"), &awscdk.CfnOutputProps{
		Value:       s.BedrockPolicy.Resource.AttrId(),
		Description: jsii.String("The Amazon Bedrock policy that enforces the organisation's guardrail"),
	})
}

// bedrockPolicy is the Amazon Bedrock policy document that enforces the guardrail version versionedArn
// in region, in the syntax of Organizations' management policies (each value set with @@assign).
func bedrockPolicy(region string, versionedArn *string, g config.GuardrailPolicy) map[string]any {
	assign := func(v any) map[string]any { return map[string]any{"@@assign": v} }
	settings := map[string]any{
		"identifier": assign(versionedArn),
		// The documented default, written out: content the caller tags narrows nothing the guardrail
		// evaluates, in system prompts or in messages.
		"selective_content_guarding": map[string]any{"system": assign("comprehensive"), "messages": assign("comprehensive")},
	}
	if len(g.IncludedModels)+len(g.ExcludedModels) > 0 {
		included := g.IncludedModels
		if len(included) == 0 {
			included = []string{"ALL"}
		}
		// Both lists are required once model_enforcement is given; an empty one excludes nothing.
		settings["model_enforcement"] = map[string]any{
			"included_models": assign(included),
			"excluded_models": assign(append([]string{}, g.ExcludedModels...)),
		}
	}
	// config_1 as AWS's examples name the one configuration of a region.
	return map[string]any{"bedrock": map[string]any{"guardrail_inference": map[string]any{region: map[string]any{"config_1": settings}}}}
}
