package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/config"
)

// The actions the endpoint policy admits (constructs/bedrockendpoint): Converse and ConverseStream are
// authorized as the invoke actions.
var (
	invokeActions  = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}
	applyGuardrail = "bedrock:ApplyGuardrail"
)

// checkPolicy compares the endpoint's policy document twice, and returns the number of principals it
// admits and what is wrong with it.
//
// With the configuration, which says who and what: every statement has the configured effect and only
// the actions the stack admits; the invoke statements name exactly the configured models
// (Environment.ModelArns), the guardrail statement exactly the stack's guardrail (its output); the
// principals of all statements together are exactly the client principals, the access roles and the
// test function's role (its output). This holds whatever the guardrail settings, which only move
// principals between statements.
//
// With the deployed template, which says how: its policy, resolved with the stack's physical IDs and
// outputs, must equal the live one statement for statement. Both are compared as IAM reads them: the
// order of statements, actions, resources and principals does not matter, nor does a string differ
// from a list of that one string. templateErr says why this comparison did not happen: errUnresolvable
// when the template holds what verify does not resolve (the configuration comparison still stands),
// else the error that kept the template from being read.
func checkPolicy(document string, env config.Environment, d *deployment, invokerRole string) (admitted int, problems []string, templateErr error) {
	live, err := parsePolicy(document)
	if err != nil {
		return 0, []string{"its policy is not JSON: " + err.Error()}, nil
	}
	var guardrails []string
	if env.Guardrail.Enabled {
		guardrails = []string{d.outputs[outputGuardrail]}
	}
	principals := map[string]bool{}
	for _, s := range live {
		sid := sidOf(s)
		if effect := strings.Join(values(s["Effect"]), ","); effect != env.EndpointPolicyEffect {
			problems = append(problems, fmt.Sprintf("statement %s has effect %s, the configuration says %s", sid, effect, env.EndpointPolicyEffect))
		}
		actions := values(s["Action"])
		other := slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return slices.Contains(invokeActions, a) || a == applyGuardrail })
		if other = append(other, notKeys(s)...); len(other) > 0 {
			problems = append(problems, fmt.Sprintf("statement %s covers more than the stack's do (%s)", sid, strings.Join(other, ", ")))
		}
		switch resources := values(s["Resource"]); {
		case slices.ContainsFunc(actions, func(a string) bool { return slices.Contains(invokeActions, a) }):
			problems = append(problems, differences("statement "+sid, "name", "models", resources, env.ModelArns())...)
		case slices.Contains(actions, applyGuardrail):
			problems = append(problems, differences("statement "+sid, "name", "guardrails", resources, guardrails)...)
		}
		for _, p := range principalsOf(s) {
			principals[p] = true
		}
	}
	want := append(env.Principals(), invokerRole)
	problems = append(problems, differences("the policy", "admit", "principals", slices.Sorted(maps.Keys(principals)), want)...)

	props, err := d.resource("AWS::EC2::VPCEndpoint", d.outputs[outputEndpoint])
	if err != nil {
		return len(principals), problems, err
	}
	resolved, err := d.resolve(props["PolicyDocument"])
	if err != nil {
		return len(principals), problems, err
	}
	encoded, _ := json.Marshal(resolved)
	deployed, err := parsePolicy(string(encoded))
	if err != nil {
		return len(principals), problems, fmt.Errorf("%w: the deployed template's endpoint policy: %v", errUnresolvable, err)
	}
	return len(principals), append(problems, statementDifferences(live, deployed)...), nil
}

// parsePolicy returns a policy document's statements. EC2 returns the document as JSON; it is
// unescaped first in case it comes URL-encoded, as IAM returns policies.
func parsePolicy(document string) ([]map[string]any, error) {
	if !json.Valid([]byte(document)) {
		if unescaped, err := url.QueryUnescape(document); err == nil {
			document = unescaped
		}
	}
	var policy struct {
		Statement any `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(document), &policy); err != nil {
		return nil, err
	}
	// A policy with a single statement may give it as an object.
	list, ok := policy.Statement.([]any)
	if !ok {
		list = []any{policy.Statement}
	}
	var statements []map[string]any
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			statements = append(statements, m)
		}
	}
	return statements, nil
}

func sidOf(s map[string]any) string {
	if sid, ok := s["Sid"].(string); ok && sid != "" {
		return sid
	}
	return "(without Sid)"
}

// notKeys are the negated elements a statement uses, which the stack's statements never do.
func notKeys(s map[string]any) []string {
	var keys []string
	for _, k := range []string{"NotAction", "NotResource", "NotPrincipal"} {
		if s[k] != nil {
			keys = append(keys, k)
		}
	}
	return keys
}

// values are the strings of a policy element that is a string or a list of strings.
func values(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// principalsOf are a statement's principals: "*" for everyone, else the ARNs of every principal type.
func principalsOf(s map[string]any) []string {
	switch p := s["Principal"].(type) {
	case string:
		return []string{p}
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(p)) {
			out = append(out, values(p[k])...)
		}
		return out
	}
	return nil
}

// differences says what got has beyond want and what it lacks of it, e.g. "the policy admits
// principals the configuration does not list: ...", each as one problem.
func differences(where, verb, noun string, got, want []string) []string {
	var problems []string
	if extra := slices.DeleteFunc(slices.Clone(got), func(v string) bool { return slices.Contains(want, v) }); len(extra) > 0 {
		problems = append(problems, fmt.Sprintf("%s %ss %s the configuration does not list: %s", where, verb, noun, strings.Join(extra, ", ")))
	}
	if lacking := slices.DeleteFunc(slices.Clone(want), func(v string) bool { return slices.Contains(got, v) }); len(lacking) > 0 {
		problems = append(problems, fmt.Sprintf("%s does not %s the configured %s %s", where, verb, noun, strings.Join(lacking, ", ")))
	}
	return problems
}

// statementDifferences compares statements by Sid, as IAM reads them.
func statementDifferences(live, deployed []map[string]any) []string {
	index := func(statements []map[string]any) map[string]string {
		m := map[string]string{}
		for _, s := range statements {
			encoded, _ := json.Marshal(canonical(s))
			m[sidOf(s)] += string(encoded)
		}
		return m
	}
	got, want := index(live), index(deployed)
	var problems []string
	for _, sid := range slices.Sorted(maps.Keys(got)) {
		switch w, ok := want[sid]; {
		case !ok:
			problems = append(problems, "statement "+sid+" is not in the deployed template")
		case w != got[sid]:
			problems = append(problems, "statement "+sid+" differs from the deployed template's")
		}
	}
	for _, sid := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[sid]; !ok {
			problems = append(problems, "the deployed template's statement "+sid+" is missing")
		}
	}
	return problems
}

// canonical is a policy value in a form whose JSON is equal for equal policies: every string is a set
// of strings, every list a set sorted by its members' JSON.
func canonical(v any) any {
	switch x := v.(type) {
	case string:
		return []any{x}
	case []any:
		byJSON := map[string]any{}
		for _, e := range x {
			if _, ok := e.(string); !ok {
				e = canonical(e)
			}
			encoded, _ := json.Marshal(e)
			byJSON[string(encoded)] = e
		}
		out := make([]any, 0, len(byJSON))
		for _, k := range slices.Sorted(maps.Keys(byJSON)) {
			out = append(out, byJSON[k])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canonical(e)
		}
		return out
	}
	return v
}
