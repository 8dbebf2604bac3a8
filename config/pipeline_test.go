package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func pipelineSection(doc map[string]any) map[string]any { return doc["pipeline"].(map[string]any) }

func wave(doc map[string]any, i int) map[string]any {
	return pipelineSection(doc)["waves"].([]any)[i].(map[string]any)
}

// badPipelines are mistakes in the pipeline section. The schema test runs them too.
var badPipelines = []badCase{
	{"malformed tooling account", func(d map[string]any) { pipelineSection(d)["account"] = "5555" },
		[]string{"pipeline: account", `"5555"`, "12-digit number of the tooling account"}},
	{"malformed pipeline region", func(d map[string]any) { pipelineSection(d)["region"] = "Virginia" },
		[]string{"pipeline: region", `"Virginia"`, "us-east-1"}},
	{"GitHub token instead of a connection", func(d map[string]any) { pipelineSection(d)["connectionArn"] = "ghp_0123456789" },
		[]string{"pipeline: connectionArn", `"ghp_0123456789"`, "is not a CodeConnections connection ARN", "Developer Tools > Settings > Connections"}},
	{"connection of another account", func(d map[string]any) {
		pipelineSection(d)["connectionArn"] = "arn:aws:codeconnections:us-east-1:666666666666:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	}, []string{"pipeline: connectionArn", "belongs to account 666666666666, not the pipeline's 555555555555"}},
	{"no tooling account", func(d map[string]any) { delete(pipelineSection(d), "account") },
		[]string{"pipeline: account", `""`, "12-digit number of the tooling account"}},
	{"repository URL instead of a path", func(d map[string]any) {
		pipelineSection(d)["repository"] = "https://github.com/example-org/private-bedrock"
	},
		[]string{"pipeline: repository", "is not a repository path", "owner/name"}},
	{"branch with ..", func(d map[string]any) { pipelineSection(d)["branch"] = "release..1" },
		[]string{"pipeline: branch", `"release..1"`, "is not a branch name"}},
	{"no waves", func(d map[string]any) { pipelineSection(d)["waves"] = []any{} },
		[]string{"pipeline: waves", "[]", "list at least one wave"}},
	{"wave name with a space", func(d map[string]any) { wave(d, 0)["name"] = "non prod" },
		[]string{"pipeline: waves[0].name", `"non prod"`, "CodePipeline stage"}},
	{"two waves of one name", func(d map[string]any) { wave(d, 1)["name"] = wave(d, 0)["name"] },
		[]string{"pipeline: waves[1].name", `"nonprod"`, "is used by an earlier wave"}},
	{"empty wave", func(d map[string]any) { wave(d, 1)["environments"] = []any{} },
		[]string{"pipeline: waves[1].environments", "[]", "or remove the wave"}},
	{"unknown environment in a wave", func(d map[string]any) { wave(d, 1)["environments"] = []any{"prod", "qa"} },
		[]string{"pipeline: waves[1].environments[1]", `"qa"`, "is no environment of this file: use one of dev, staging, prod"}},
	{"environment in two waves", func(d map[string]any) { wave(d, 1)["environments"] = []any{"prod", "dev"} },
		[]string{"pipeline: waves[1].environments[1]", `"dev"`, `is already deployed by wave "nonprod"`}},
	{"environment in no wave", func(d map[string]any) { wave(d, 0)["environments"] = []any{"dev"} },
		[]string{"pipeline: waves", `"staging"`, "is in no wave", "add it to a wave"}},
	{"an environment named like the pipeline stack", func(d map[string]any) {
		env(d, 2)["name"] = "pipeline"
		wave(d, 1)["environments"] = []any{"pipeline"}
	}, []string{`environment "pipeline": name`, "like the pipeline stack", "rename the environment"}},
	{"wave of more environments than a stage holds", func(d map[string]any) { manyEnvironments(d, 25) },
		[]string{"pipeline: waves[1].environments", "(26 environments)", "a stage of 53 CodePipeline actions", "more than the 50", "split the wave"}},
	{"more waves than a pipeline holds", func(d map[string]any) {
		envs := manyEnvironments(d, 46)
		var waves []any
		for _, e := range envs {
			waves = append(waves, map[string]any{"name": e, "environments": []any{e}})
		}
		pipelineSection(d)["waves"] = waves
	}, []string{"pipeline: waves", "(49 waves)", "a pipeline of 53 stages, more than the 50", "up to 24"}},
	{"string for a boolean in a wave", func(d map[string]any) { wave(d, 1)["approval"] = "yes" },
		[]string{"pipeline: waves.approval", "a JSON string is not valid here", "true or false"}},
	{"unknown key in the pipeline section", func(d map[string]any) { pipelineSection(d)["githubToken"] = "x" },
		[]string{"pipeline: githubToken", "unknown field"}},
}

// manyEnvironments adds n copies of the last environment (prod) to the file and its wave, each in an
// account of its own, and returns every environment's name.
func manyEnvironments(doc map[string]any, n int) []string {
	list := doc["environments"].([]any)
	raw, _ := json.Marshal(list[len(list)-1])
	names := []string{}
	for _, e := range list {
		names = append(names, e.(map[string]any)["name"].(string))
	}
	for i := range n {
		var e map[string]any
		_ = json.Unmarshal(bytes.ReplaceAll(raw, []byte("333333333333"), fmt.Appendf(nil, "4%011d", i)), &e)
		e["name"] = fmt.Sprintf("prod%d", i)
		e["vpcCidr"] = fmt.Sprintf("10.%d.0.0/20", 100+i)
		list = append(list, e)
		names = append(names, e["name"].(string))
	}
	doc["environments"] = list
	w := wave(doc, len(pipelineSection(doc)["waves"].([]any))-1)
	w["environments"] = append(w["environments"].([]any), anySlice(names[len(names)-n:])...)
	return names
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestBadPipelineNamesFieldValueAndFix(t *testing.T) {
	runBadCases(t, badPipelines)
}

// A missing or malformed tooling account is one mistake, not also a connection of another account.
func TestConnectionAccountComparedOnlyWithAValidAccount(t *testing.T) {
	doc := base(t)
	pipelineSection(doc)["account"] = "tooling"
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	if err == nil || strings.Contains(err.Error(), "connectionArn") {
		t.Errorf("a malformed account gives %v, want one error on the account alone", err)
	}
}

// Without the section there is no pipeline; null is a mistake, not an absence.
func TestPipelineIsOptional(t *testing.T) {
	doc := base(t)
	delete(doc, "pipeline")
	raw, _ := json.Marshal(doc)
	f, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Pipeline != nil {
		t.Errorf("a file without a pipeline section has pipeline %+v", f.Pipeline)
	}
	doc["pipeline"] = nil
	raw, _ = json.Marshal(doc)
	if _, err := Parse(raw); err == nil || err.Error() != "pipeline: null is not a section: remove the key for no pipeline, or give the object" {
		t.Errorf("pipeline: null gives %v", err)
	}
}
