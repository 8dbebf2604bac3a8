package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// oneEnvironment writes the tests' configuration cut down to its dev environment, deployed by a
// one-wave pipeline, with the pipeline section or without it.
func oneEnvironment(t *testing.T, withPipeline bool) string {
	t.Helper()
	raw, err := os.ReadFile("../test/testdata/environments.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["environments"] = doc["environments"].([]any)[:1]
	delete(doc, "organization")
	if withPipeline {
		doc["pipeline"].(map[string]any)["waves"] = []any{map[string]any{"name": "dev", "environments": []any{"dev"}}}
	} else {
		delete(doc, "pipeline")
	}
	path := filepath.Join(t.TempDir(), "environments.json")
	raw, _ = json.Marshal(doc)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The pipeline stack exists when the configuration has a pipeline and no environments are selected;
// a selection, or no pipeline section, gives the environments' stages alone, as cdk deploy -c env=
// expects them.
func TestPipelineOnlyForTheWholeConfiguration(t *testing.T) {
	withPipeline, without := oneEnvironment(t, true), oneEnvironment(t, false)
	for _, c := range []struct {
		name     string
		context  map[string]any
		pipeline bool
	}{
		{"pipeline configured, nothing selected", map[string]any{"config": withPipeline}, true},
		{"pipeline configured, an environment selected", map[string]any{"config": withPipeline, "env": "dev"}, false},
		{"no pipeline section", map[string]any{"config": without}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &c.context})
			if err := build(app); err != nil {
				t.Fatal(err)
			}
			var children []string
			for _, child := range *app.Node().Children() {
				children = append(children, *child.Node().Id())
			}
			if got := slices.Contains(children, "private-bedrock-pipeline"); got != c.pipeline {
				t.Errorf("app children %q: pipeline stack %v, want %v", children, got, c.pipeline)
			}
			stage, ok := app.Node().TryFindChild(jsii.String("dev")).(awscdk.Stage)
			if !ok || stage.Node().TryFindChild(jsii.String("private-bedrock-dev")) == nil {
				t.Errorf("app children %q: want the stage dev holding the stack private-bedrock-dev", children)
			}
		})
	}
}
