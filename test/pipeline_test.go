package test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/executionpolicy"
	"github.com/privatebedrock/stack/internal/readme"
	"github.com/privatebedrock/stack/stacks/environment"
	"github.com/privatebedrock/stack/stacks/pipeline"
)

// pipelineLabel names the pipeline stack in the checks that run over every stack.
const pipelineLabel = "pipeline"

// pipelineAction is one action of the synthesized pipeline, with the stage it is in.
type pipelineAction struct {
	Stage         string
	Name          string         `json:"Name"`
	RunOrder      int            `json:"RunOrder"`
	RoleArn       any            `json:"RoleArn"`
	Configuration map[string]any `json:"Configuration"`
	ActionTypeID  struct {
		Category string `json:"Category"`
		Provider string `json:"Provider"`
	} `json:"ActionTypeId"`
}

// pipelineResource is the template's one AWS::CodePipeline::Pipeline.
func pipelineResource(t *testing.T) Resource {
	t.Helper()
	_, r := deliveryTemplates.template.only(t, "AWS::CodePipeline::Pipeline")
	return r
}

// pipelineStages are the pipeline's stage names and actions, in order.
func pipelineStages(t *testing.T) (names []string, actions []pipelineAction) {
	t.Helper()
	raw, err := json.Marshal(pipelineResource(t).Properties["Stages"])
	if err != nil {
		t.Fatal(err)
	}
	var stages []struct {
		Name    string           `json:"Name"`
		Actions []pipelineAction `json:"Actions"`
	}
	if err := json.Unmarshal(raw, &stages); err != nil {
		t.Fatal(err)
	}
	for _, s := range stages {
		names = append(names, s.Name)
		for _, a := range s.Actions {
			a.Stage = s.Name
			actions = append(actions, a)
		}
	}
	return names, actions
}

func fixturePipeline(t *testing.T) config.Pipeline {
	t.Helper()
	file, err := config.Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return *file.Pipeline
}

// The source is the configured repository and branch through the configured connection, and a push
// starts the pipeline.
func TestPipelineSource(t *testing.T) {
	pl := fixturePipeline(t)
	_, actions := pipelineStages(t)
	source := slices.IndexFunc(actions, func(a pipelineAction) bool { return a.ActionTypeID.Category == "Source" })
	if source < 0 {
		t.Fatal("the pipeline has no source action")
	}
	want := map[string]any{"ConnectionArn": pl.ConnectionArn, "FullRepositoryId": pl.Repository, "BranchName": pl.Branch, "DetectChanges": true}
	for key, value := range want {
		if got := actions[source].Configuration[key]; got != value {
			t.Errorf("source %s = %v, want %v", key, got, value)
		}
	}
	if p := actions[source].ActionTypeID.Provider; p != "CodeStarSourceConnection" {
		t.Errorf("source provider %s, want CodeStarSourceConnection (CodeConnections)", p)
	}
}

// The synth step runs the README's set-up, synth and test commands, in that order, so a red test stops
// every deployment.
func TestPipelineBuildRunsTheREADMECommands(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	commands, err := readme.Commands(string(raw), "Set-up, synth and test")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pipeline.BuildCommands, commands) {
		t.Errorf("the pipeline builds with %q, the README sets up, synthesizes and tests with %q", pipeline.BuildCommands, commands)
	}
	spec := buildSpecOf(t, "CodePipelineBuildSynth")
	var got []string
	for _, phase := range []string{"install", "build"} {
		for _, c := range spec.Phases[phase].Commands {
			if !strings.HasPrefix(c, "cd ") {
				got = append(got, c)
			}
		}
	}
	if !slices.Equal(got, commands) {
		t.Errorf("the synth project runs %q, want the README's %q", got, commands)
	}
	// Naming one runtime selects only the runtimes named: Go must be among them.
	for _, runtime := range []string{"nodejs", "golang"} {
		if spec.Phases["install"].RuntimeVersions[runtime] == "" {
			t.Errorf("the synth project names no %s runtime version: CodeBuild would select none", runtime)
		}
	}
}

// The pipeline's roles sit under its IAM path, so every CodeBuild project must name its role by ARN: a
// role's name alone does not find a role with a path.
func TestPipelineProjectsNameTheirRolesByArn(t *testing.T) {
	projects := deliveryTemplates.template.ofType("AWS::CodeBuild::Project")
	if len(projects) == 0 {
		t.Fatal("no CodeBuild projects in the pipeline stack")
	}
	for _, id := range projects {
		role, _ := deliveryTemplates.template.Resources[id].Properties["ServiceRole"].(map[string]any)
		getAtt, _ := role["Fn::GetAtt"].([]any)
		if len(getAtt) != 2 || getAtt[1] != "Arn" {
			t.Errorf("project %s names its role by %s, not by its ARN", id, jsonOf(role))
		}
	}
}

// The synth step keeps its Go and npm caches in the paths CodeBuild's local cache keeps.
func TestPipelineBuildCachesItsDependencies(t *testing.T) {
	spec := buildSpecOf(t, "CodePipelineBuildSynth")
	var env []struct{ Name, Value string }
	for id, r := range deliveryTemplates.template.Resources {
		if r.Type == "AWS::CodeBuild::Project" && strings.HasPrefix(id, "CodePipelineBuildSynth") {
			raw, _ := json.Marshal(r.Properties["Environment"].(map[string]any)["EnvironmentVariables"])
			_ = json.Unmarshal(raw, &env)
		}
	}
	for _, name := range []string{"GOMODCACHE", "GOCACHE", "npm_config_cache"} {
		i := slices.IndexFunc(env, func(v struct{ Name, Value string }) bool { return v.Name == name })
		if i < 0 {
			t.Errorf("the synth step does not set %s", name)
			continue
		}
		if !slices.ContainsFunc(spec.Cache.Paths, func(p string) bool { return strings.HasPrefix(env[i].Value, strings.TrimSuffix(p, "/**/*")) }) {
			t.Errorf("%s=%s is outside the cached paths %q", name, env[i].Value, spec.Cache.Paths)
		}
	}
}

// buildSpec is the part of a CodeBuild buildspec the tests read.
type buildSpec struct {
	Cache struct {
		Paths []string `json:"paths"`
	} `json:"cache"`
	Phases map[string]struct {
		RuntimeVersions map[string]string `json:"runtime-versions"`
		Commands        []string          `json:"commands"`
	} `json:"phases"`
}

// buildSpecOf is the buildspec of the CodeBuild project whose logical ID starts with prefix.
func buildSpecOf(t *testing.T, prefix string) buildSpec {
	t.Helper()
	for id, r := range deliveryTemplates.template.Resources {
		if r.Type != "AWS::CodeBuild::Project" || !strings.HasPrefix(id, prefix) {
			continue
		}
		source, _ := r.Properties["Source"].(map[string]any)
		text, _ := source["BuildSpec"].(string)
		var spec buildSpec
		if err := json.Unmarshal([]byte(text), &spec); err != nil {
			t.Fatalf("buildspec of %s: %v", id, err)
		}
		return spec
	}
	t.Fatalf("no CodeBuild project %s* in the pipeline stack", prefix)
	return buildSpec{}
}

// The pipeline updates itself with the CDK CLI the project pins, before it deploys anything.
func TestPipelineMutatesItselfWithThePinnedCLI(t *testing.T) {
	raw, err := os.ReadFile("../package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	if pinned := pkg.DevDependencies["aws-cdk"]; pinned != pipeline.CLIVersion {
		t.Errorf("pipeline.CLIVersion is %s, package.json pins aws-cdk %s: make them equal", pipeline.CLIVersion, pinned)
	}
	spec := buildSpecOf(t, "PipelineUpdatePipelineSelfMutation")
	if install := spec.Phases["install"].Commands; !slices.Contains(install, "npm install -g aws-cdk@"+pipeline.CLIVersion) {
		t.Errorf("self-mutation installs %q, want aws-cdk@%s", install, pipeline.CLIVersion)
	}
	names, _ := pipelineStages(t)
	if i := slices.Index(names, "UpdatePipeline"); i < 0 || i > slices.Index(names, "Assets") {
		t.Errorf("stages %q: the pipeline must update itself before it publishes assets and deploys", names)
	}
}

// Each wave is one stage, in the configured order; its environments deploy in parallel, each with the
// CDK bootstrap roles of its own account; a wave with an approval waits for it before any change set.
func TestPipelineWaves(t *testing.T) {
	pl := fixturePipeline(t)
	names, actions := pipelineStages(t)
	want := []string{"Source", "Build", "UpdatePipeline", "Assets"}
	for _, w := range pl.Waves {
		want = append(want, w.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("pipeline stages %q, want %q", names, want)
	}
	byName := map[string]config.Environment{}
	for _, name := range namesOf(t) {
		byName[name] = envs[name].env
	}
	parallelWave := false
	for _, w := range pl.Waves {
		var deployed []string
		prepareOrders := map[int]bool{}
		approval := -1
		first := 0
		for _, a := range actions {
			if a.Stage != w.Name {
				continue
			}
			if a.ActionTypeID.Category == "Approval" {
				approval = a.RunOrder
				continue
			}
			stackName, _ := a.Configuration["StackName"].(string)
			mode, _ := a.Configuration["ActionMode"].(string)
			if first == 0 || a.RunOrder < first {
				first = a.RunOrder
			}
			if mode != "CHANGE_SET_REPLACE" {
				continue
			}
			prepareOrders[a.RunOrder] = true
			envName := strings.TrimPrefix(stackName, project+"-")
			deployed = append(deployed, envName)
			e := byName[envName]
			for role, value := range map[string]any{"action role": a.RoleArn, "CloudFormation role": a.Configuration["RoleArn"]} {
				kind := map[string]string{"action role": "deploy-role", "CloudFormation role": "cfn-exec-role"}[role]
				suffix := fmt.Sprintf(":iam::%s:role/cdk-hnb659fds-%s-%s-%s", e.Account, kind, e.Account, e.Region)
				if s := fmt.Sprint(value); !strings.Contains(s, suffix) {
					t.Errorf("wave %s deploys %s with %s %s, want the bootstrap role …%s of its account", w.Name, stackName, role, s, suffix)
				}
			}
		}
		slices.Sort(deployed)
		if wantEnvs := slices.Sorted(slices.Values(w.Environments)); !slices.Equal(deployed, wantEnvs) {
			t.Errorf("wave %s deploys %q, want %q", w.Name, deployed, wantEnvs)
		}
		if len(prepareOrders) != 1 {
			t.Errorf("wave %s prepares its change sets at run orders %v: its environments must deploy in parallel", w.Name, prepareOrders)
		}
		parallelWave = parallelWave || len(w.Environments) > 1
		switch {
		case w.Approval && approval < 0:
			t.Errorf("wave %s has no approval action", w.Name)
		case w.Approval && approval >= first:
			t.Errorf("wave %s: the approval runs at %d, not before its first deployment action (%d)", w.Name, approval, first)
		case !w.Approval && approval >= 0:
			t.Errorf("wave %s waits for an approval it was not configured with", w.Name)
		}
	}
	if !parallelWave {
		t.Errorf("%s has no wave of several environments: the parallel case is untested", fixture)
	}
}

// The artifacts are encrypted with the stack's customer-managed key, which only the environments'
// deploy roles of the other accounts may use to read them.
func TestPipelineArtifactsEncryptedForTheTargetAccounts(t *testing.T) {
	stores := artifactStores(t, pipelineResource(t))
	keyID := stores[fixturePipeline(t).Region]
	keyLogicalID, keyResource := deliveryTemplates.template.only(t, "AWS::KMS::Key")
	if !strings.Contains(keyID, keyLogicalID) {
		t.Fatalf("artifact store key %s, want the stack's customer-managed key %s", keyID, keyLogicalID)
	}
	policy, _ := json.Marshal(keyResource.Properties["KeyPolicy"])
	for _, name := range namesOf(t) {
		e := envs[name].env
		role := fmt.Sprintf(":iam::%s:role/cdk-hnb659fds-deploy-role-%s-%s", e.Account, e.Account, e.Region)
		if !strings.Contains(string(policy), role) {
			t.Errorf("the artifact key's policy does not admit %s's deploy role …%s: its deployment could not read the artifacts", name, role)
		}
	}
	if enabled, _ := keyResource.Properties["EnableKeyRotation"].(bool); !enabled {
		t.Error("the artifact key does not rotate")
	}
}

// artifactStores are the pipeline's artifact stores' encryption keys by region; it fails for a store
// without a KMS key, which deployments to other accounts cannot read.
func artifactStores(t *testing.T, pipeline Resource) map[string]string {
	t.Helper()
	raw, _ := json.Marshal(pipeline.Properties["ArtifactStores"])
	var stores []struct {
		Region        string
		ArtifactStore struct {
			EncryptionKey struct {
				ID   any `json:"Id"`
				Type string
			}
		}
	}
	if err := json.Unmarshal(raw, &stores); err != nil || len(stores) == 0 {
		t.Fatalf("no artifact stores by region (%v): %s", err, raw)
	}
	keys := map[string]string{}
	for _, s := range stores {
		if s.ArtifactStore.EncryptionKey.Type != "KMS" || s.ArtifactStore.EncryptionKey.ID == nil {
			t.Errorf("the artifact store of %s has no KMS key: %s", s.Region, raw)
		}
		keys[s.Region] = jsonOf(s.ArtifactStore.EncryptionKey.ID)
	}
	return keys
}

// namesOf is the fixture's environment names; it fails without any.
func namesOf(t *testing.T) []string {
	t.Helper()
	if len(names) == 0 {
		t.Fatal("no environments synthesized")
	}
	return names
}

// An environment in another region than the pipeline's deploys from an artifact bucket of that region,
// under a customer-managed key of its own that the environment's deploy role may use, in a stack the
// pipeline stack depends on, and that stack passes the same gates as the others.
func TestPipelineAcrossRegions(t *testing.T) {
	pl := fixturePipeline(t)
	env := envs[names[len(names)-1]].env
	env.Region = otherRegion(pl.Region)
	env.AvailabilityZones = []string{env.Region + "a", env.Region + "b"}
	env.InferenceProfiles = slices.Clone(env.InferenceProfiles)
	for i := range env.InferenceProfiles {
		env.InferenceProfiles[i].DestinationRegions = []string{"us-east-1", "us-east-2", "us-west-2"}
	}
	pl.Waves = []config.Wave{{Name: env.Name, Environments: []string{env.Name}}}
	app := newApp()
	file := &config.File{Project: project, Environments: []config.Environment{env}}
	stacks := environment.NewAll(app, file, file.Environments, false)
	p := pipeline.New(app, pipeline.Props{Project: project, Pipeline: pl, Environments: stacks})
	if len(p.Regional) != 1 {
		t.Fatalf("%d regional artifact stacks for an environment in %s, want 1", len(p.Regional), env.Region)
	}
	regional := p.Regional[0]
	if *regional.Region() != env.Region || *regional.Account() != pl.Account || *regional.StackName() != *p.StackName()+"-"+env.Region {
		t.Errorf("regional stack %s in %s/%s, want %s-%s in the tooling account %s", *regional.StackName(), *regional.Account(), *regional.Region(), *p.StackName(), env.Region, pl.Account)
	}
	if !slices.ContainsFunc(*p.Dependencies(), func(s awscdk.Stack) bool { return *s.StackName() == *regional.StackName() }) {
		t.Error("the pipeline stack does not depend on the regional artifact stack: a first deployment would refer to a bucket that does not exist yet")
	}
	pipelineTemplates, regionalTemplates := templatesOf(p.Stack), templatesOf(regional)
	_, pr := pipelineTemplates.template.only(t, "AWS::CodePipeline::Pipeline")
	keys := artifactStores(t, pr)
	if !strings.Contains(keys[env.Region], "arn:aws:kms:"+env.Region+":"+pl.Account+":alias/") {
		t.Errorf("the artifact store of %s has key %s, want the regional stack's key by its alias", env.Region, keys[env.Region])
	}
	_, key := regionalTemplates.template.only(t, "AWS::KMS::Key")
	policy := jsonOf(key.Properties["KeyPolicy"])
	if role := fmt.Sprintf(":iam::%s:role/cdk-hnb659fds-deploy-role-%s-%s", env.Account, env.Account, env.Region); !strings.Contains(policy, role) {
		t.Errorf("the regional artifact key does not admit the environment's deploy role …%s", role)
	}
	tooling := executionpolicy.Pipeline(project, pl, []string{env.Region})
	for id, r := range regionalTemplates.template.Resources {
		if prefix, ok := executionpolicy.ServiceOf(r.Type); !ok || !executionpolicy.Covers(tooling, prefix) {
			t.Errorf("regional %s is an %s, which the tooling account's execution policy does not cover", id, r.Type)
		}
	}
	noNagFindings(t, p.Stack)
	noNagFindings(t, regional)
	controlTowerPasses(t, map[string]templates{"regional": regionalTemplates})
}
