// Package test synthesizes every environment once, in one jsii kernel, and checks the templates:
// fine-grained assertions per construct, golden snapshots, and the security gates.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/jsiienv"
	"github.com/privatebedrock/stack/stacks/environment"
	"github.com/privatebedrock/stack/stacks/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

// fixture is the configuration the tests synthesize. It is the tests' own, not the shipped
// environments.json, which users replace with their accounts: the golden templates and the access
// matrix come from it, and tests that need an environment of a kind find it by its settings.
const fixture = "testdata/environments.json"

// synthesized is one environment's stack as the tests see it.
type synthesized struct {
	env   config.Environment
	stack *environment.Stack
	templates
}

// templates is a stack's template, as the tests read it.
type templates struct {
	assert   assertions.Template
	template Template
	// raw is the template as CloudFormation JSON, for tools that read it.
	raw []byte
}

var (
	project string
	envs    map[string]*synthesized
	names   []string
	// org is the organisation stack of the fixture's organization section.
	org *synthesizedOrganization
	// delivery is the pipeline stack of the fixture's pipeline section, which holds every environment.
	delivery          *pipeline.Stack
	deliveryTemplates templates
)

func TestMain(m *testing.M) {
	// The strict path (npm run synth) runs CloudFormation validation and the Lambda build; the tests
	// skip both, which changes nothing in the templates: the asset hash comes from the sources.
	if err := jsiienv.Set("CDK_VALIDATION", "false"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	flag.Parse()
	code := func() int {
		defer jsii.Close()
		if err := synthAll(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// newApp is an app with cdk.json's context (feature flags change templates), as under cdk synth.
func newApp() awscdk.App {
	raw, err := os.ReadFile("../cdk.json")
	if err != nil {
		panic(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		panic(fmt.Sprintf("cdk.json: %v", err))
	}
	cdkJSON.Context["aws:cdk:bundling-stacks"] = []string{}
	return awscdk.NewApp(&awscdk.AppProps{Context: &cdkJSON.Context})
}

func synthAll() error {
	file, err := config.Load(fixture)
	if err != nil {
		return err
	}
	project = file.Project
	app := newApp()
	if file.Organization == nil || file.Pipeline == nil {
		return fmt.Errorf("%s needs an organization and a pipeline section: the organisation and pipeline stacks' tests need them", fixture)
	}
	built := environment.NewAll(app, file, file.Environments, false)
	delivery = pipeline.New(app, pipeline.Props{Project: file.Project, Pipeline: *file.Pipeline, Environments: built})
	// In the same app, as the app synthesizes it, and before the first synthesis completes the tree.
	org = newOrganization(app, *file.Organization, file.Environments)
	envs = map[string]*synthesized{}
	for i, s := range built {
		env := file.Environments[i]
		envs[env.Name] = newSynthesized(env, s)
		names = append(names, env.Name)
	}
	org.synthesized()
	deliveryTemplates = templatesOf(delivery.Stack)
	return nil
}

func newSynthesized(env config.Environment, s *environment.Stack) *synthesized {
	return &synthesized{env: env, stack: s, templates: templatesOf(s.Stack)}
}

func templatesOf(stack awscdk.Stack) templates {
	tmpl := assertions.Template_FromStack(stack, nil)
	raw, err := json.Marshal(tmpl.ToJSON())
	if err != nil {
		panic(err)
	}
	var t Template
	if err := json.Unmarshal(raw, &t); err != nil {
		panic(err)
	}
	return templates{assert: tmpl, template: t, raw: raw}
}

// envWhere is the fixture's first environment for which match holds. It fails the test when there is
// none: the fixture must keep an environment of each kind the tests pick (kind says which).
func envWhere(t testing.TB, kind string, match func(config.Environment) bool) *synthesized {
	t.Helper()
	for _, name := range names {
		if match(envs[name].env) {
			return envs[name]
		}
	}
	t.Fatalf("%s has no environment that %s: add one", fixture, kind)
	return nil
}

func loggingEnabled(e config.Environment) bool { return e.InvocationLogging.Enabled }

// forEachEnv runs f as a subtest per environment.
func forEachEnv(t *testing.T, f func(t *testing.T, s *synthesized)) {
	t.Helper()
	for _, name := range names {
		t.Run(name, func(t *testing.T) { f(t, envs[name]) })
	}
}
