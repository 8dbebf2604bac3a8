// Package guardrailprops turns a configuration's guardrail filters into the guardrail construct's
// props, for the stacks that make guardrails: an environment's and the organisation's.
package guardrailprops

import (
	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/guardrail"
)

// Of is the props of a guardrail that filters as f does, named name; the caller adds the rest.
func Of(name, description string, f config.GuardrailFilters) guardrail.Props {
	props := guardrail.Props{
		Name:                 name,
		Description:          description,
		Words:                f.Words,
		ManagedProfanity:     f.ManagedProfanity,
		BlockedInputMessage:  f.BlockedInputMessage,
		BlockedOutputMessage: f.BlockedOutputMessage,
	}
	for _, c := range f.ContentFilters {
		props.ContentFilters = append(props.ContentFilters, guardrail.ContentFilter{Type: c.Type, InputStrength: c.Input, OutputStrength: c.Output})
	}
	for _, p := range f.PIIEntities {
		props.PIIEntities = append(props.PIIEntities, guardrail.PIIEntity{Type: p.Type, Action: p.Action})
	}
	for _, r := range f.Regexes {
		props.Regexes = append(props.Regexes, guardrail.Regex{Name: r.Name, Pattern: r.Pattern, Action: r.Action})
	}
	for _, t := range f.DeniedTopics {
		props.DeniedTopics = append(props.DeniedTopics, guardrail.Topic{Name: t.Name, Definition: t.Definition, Examples: t.Examples})
	}
	return props
}
