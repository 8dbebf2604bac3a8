package main

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// guardrailConfig is the guardrail every Converse call must pass, or nil when
// none is configured.
func (s settings) guardrailConfig() *types.GuardrailConfiguration {
	if s.guardrailID == "" {
		return nil
	}
	return &types.GuardrailConfiguration{
		GuardrailIdentifier: aws.String(s.guardrailID),
		GuardrailVersion:    aws.String(s.guardrailVersion),
		// Without the trace Bedrock says that the guardrail intervened but
		// not which policy did.
		Trace: types.GuardrailTraceEnabled,
	}
}

// guardrailActions lists what the guardrail's policies did, input first, such
// as "input: contentPolicy PROMPT_ATTACK BLOCKED". It keeps only the kind of
// each finding: the trace also quotes what matched (a PII value, a denied
// word) and the model's unfiltered answer, which must not leave the function.
func guardrailActions(trace *types.ConverseTrace) []string {
	if trace == nil || trace.Guardrail == nil {
		return nil
	}
	g := trace.Guardrail
	var acts []string
	// The maps are keyed by guardrail; sorting keeps the list stable.
	for _, id := range slices.Sorted(maps.Keys(g.InputAssessment)) {
		acts = appendActions(acts, "input", g.InputAssessment[id])
	}
	for _, id := range slices.Sorted(maps.Keys(g.OutputAssessments)) {
		for _, a := range g.OutputAssessments[id] {
			acts = appendActions(acts, "output", a)
		}
	}
	return acts
}

// appendActions adds each policy of one assessment that acted, once: a
// guardrail the account enforces may report the same finding as the one the
// request names. Automated reasoning is left out, as its findings carry no
// action.
func appendActions(acts []string, source string, a types.GuardrailAssessment) []string {
	add := func(policy, kind, action string) {
		// NONE is a finding in detect mode, which changed nothing.
		if action == "" || action == "NONE" {
			return
		}
		if s := source + ": " + policy + " " + kind + " " + action; !slices.Contains(acts, s) {
			acts = append(acts, s)
		}
	}
	if p := a.ContentPolicy; p != nil {
		for _, f := range p.Filters {
			add("contentPolicy", string(f.Type), string(f.Action))
		}
	}
	if p := a.SensitiveInformationPolicy; p != nil {
		for _, e := range p.PiiEntities {
			add("sensitiveInformationPolicy", string(e.Type), string(e.Action))
		}
		for _, r := range p.Regexes {
			add("sensitiveInformationPolicy", "regex "+aws.ToString(r.Name), string(r.Action))
		}
	}
	if p := a.TopicPolicy; p != nil {
		for _, t := range p.Topics {
			add("topicPolicy", aws.ToString(t.Name), string(t.Action))
		}
	}
	if p := a.WordPolicy; p != nil {
		for _, w := range p.CustomWords {
			add("wordPolicy", "CUSTOM_WORD", string(w.Action))
		}
		for _, w := range p.ManagedWordLists {
			add("wordPolicy", string(w.Type), string(w.Action))
		}
	}
	if p := a.ContextualGroundingPolicy; p != nil {
		for _, f := range p.Filters {
			add("contextualGroundingPolicy", string(f.Type), string(f.Action))
		}
	}
	return acts
}
