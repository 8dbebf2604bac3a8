package environment

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/guardrail"
)

// newGuardrail turns the environment's guardrail section into the construct's props.
func newGuardrail(stack awscdk.Stack, g config.Guardrail, removal awscdk.RemovalPolicy) *guardrail.Guardrail {
	props := guardrail.Props{
		Name:                 *stack.StackName(),
		Description:          "Guards every model call of " + *stack.StackName(),
		Words:                g.Words,
		ManagedProfanity:     g.ManagedProfanity,
		BlockedInputMessage:  g.BlockedInputMessage,
		BlockedOutputMessage: g.BlockedOutputMessage,
		EnforceInAccount:     g.EnforceInAccount,
		RemovalPolicy:        removal,
	}
	for _, f := range g.ContentFilters {
		props.ContentFilters = append(props.ContentFilters, guardrail.ContentFilter{Type: f.Type, InputStrength: f.Input, OutputStrength: f.Output})
	}
	for _, p := range g.PIIEntities {
		props.PIIEntities = append(props.PIIEntities, guardrail.PIIEntity{Type: p.Type, Action: p.Action})
	}
	for _, r := range g.Regexes {
		props.Regexes = append(props.Regexes, guardrail.Regex{Name: r.Name, Pattern: r.Pattern, Action: r.Action})
	}
	for _, t := range g.DeniedTopics {
		props.DeniedTopics = append(props.DeniedTopics, guardrail.Topic{Name: t.Name, Definition: t.Definition, Examples: t.Examples})
	}
	return guardrail.New(stack, "Guardrail", props)
}
