package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Pipeline is the optional delivery pipeline: a self-mutating CDK pipeline in a tooling account that
// builds and tests the app from a repository and deploys every environment, wave by wave.
type Pipeline struct {
	// Account and Region are the tooling account and region the pipeline runs in.
	Account string `json:"account"`
	Region  string `json:"region"`
	// ConnectionArn is the AWS CodeConnections connection to the repository host, created and
	// authorised in the console once (connections are global: any region of the tooling account).
	ConnectionArn string `json:"connectionArn"`
	// Repository is owner/name on the connection's host (GitHub, GitLab groups may nest).
	Repository string `json:"repository"`
	Branch     string `json:"branch"`
	// Waves deploy in order; the environments of one wave deploy in parallel.
	Waves []Wave `json:"waves"`
}

// Wave is one step of the rollout.
type Wave struct {
	Name         string   `json:"name"`
	Environments []string `json:"environments"`
	// Approval holds the wave until someone approves it in CodePipeline.
	Approval bool `json:"approval"`
}

// PipelineStackName is the CloudFormation stack of the delivery pipeline.
func PipelineStackName(project string) string { return StackName(project, pipelineName) }

// pipelineName ends the pipeline stack's name, so no environment may have it.
const pipelineName = "pipeline"

// CodePipeline's quotas (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html), which
// a deployment of the pipeline stack would otherwise be the first to check. A wave is one stage, each of
// its environments two actions (create and execute the change set) and an approval one; the pipeline
// has four stages before the waves (source, build, self-mutation, assets).
const (
	maxActionsPerStage   = 50
	maxStagesPerPipeline = 50
	stagesBeforeWaves    = 4
)

var (
	connectionArnPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections):[a-z0-9-]+:([0-9]{12}):connection/[0-9a-f-]{36}$`)
	repositoryPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$`)
	// Git refuses branch names with spaces, "..", "~^:?*[\" or control characters, and ones ending in
	// "/" or ".lock"; CodePipeline takes the name as it is.
	branchPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
	// A wave becomes a CodePipeline stage, whose names allow these characters.
	waveNamePattern = regexp.MustCompile(`^[A-Za-z0-9.@_-]{1,100}$`)
)

// validate checks the pipeline section against itself and the environments of the file.
func (pl Pipeline) validate(envs []Environment) []error {
	p := &problems{section: pipelineName}
	p.place(pl.Account, pl.Region, "number of the tooling account the pipeline runs in")
	if m := connectionArnPattern.FindStringSubmatch(pl.ConnectionArn); m == nil {
		p.bad("connectionArn", quote(pl.ConnectionArn), "is not a CodeConnections connection ARN: create the connection in the tooling account (Developer Tools > Settings > Connections), authorise it, and copy its ARN, arn:aws:codeconnections:<region>:<account>:connection/<id>")
	} else if m[3] != pl.Account && accountPattern.MatchString(pl.Account) {
		p.bad("connectionArn", quote(pl.ConnectionArn), fmt.Sprintf("belongs to account %s, not the pipeline's %s: a pipeline uses connections of its own account", m[3], pl.Account))
	}
	if !repositoryPattern.MatchString(pl.Repository) {
		p.bad("repository", quote(pl.Repository), "is not a repository path: use owner/name as the host shows it, e.g. example-org/private-bedrock")
	}
	if !branchPattern.MatchString(pl.Branch) || strings.Contains(pl.Branch, "..") || strings.HasSuffix(pl.Branch, "/") || strings.HasSuffix(pl.Branch, ".lock") {
		p.bad("branch", quote(pl.Branch), "is not a branch name: use the branch that deploys, e.g. main")
	}
	if len(pl.Waves) == 0 {
		p.bad("waves", "[]", `is empty: list at least one wave, e.g. {"name": "dev", "environments": ["dev"]}`)
	}
	if stages := stagesBeforeWaves + len(pl.Waves); stages > maxStagesPerPipeline {
		p.bad("waves", fmt.Sprintf("(%d waves)", len(pl.Waves)), fmt.Sprintf("make a pipeline of %d stages, more than the %d CodePipeline allows: put more environments in each wave (up to %d)", stages, maxStagesPerPipeline, (maxActionsPerStage-1)/2))
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	waveOf := map[string]string{}
	for i, w := range pl.Waves {
		field := fmt.Sprintf("waves[%d]", i)
		if !waveNamePattern.MatchString(w.Name) {
			p.bad(field+".name", quote(w.Name), "is not a wave name: use 1-100 letters, digits, '.', '@', '_' or '-' (it names a CodePipeline stage)")
		} else if slices.IndexFunc(pl.Waves, func(o Wave) bool { return o.Name == w.Name }) < i {
			p.bad(field+".name", quote(w.Name), "is used by an earlier wave: give each wave its own name")
		}
		if len(w.Environments) == 0 {
			p.bad(field+".environments", "[]", "is empty: list the environments this wave deploys, or remove the wave")
		}
		actions := 2 * len(w.Environments)
		if w.Approval {
			actions++
		}
		if actions > maxActionsPerStage {
			p.bad(field+".environments", fmt.Sprintf("(%d environments)", len(w.Environments)), fmt.Sprintf("make a stage of %d CodePipeline actions (two per environment, one for the approval), more than the %d a stage may have: split the wave", actions, maxActionsPerStage))
		}
		for j, name := range w.Environments {
			f := fmt.Sprintf("%s.environments[%d]", field, j)
			switch {
			case !slices.Contains(names, name):
				p.bad(f, quote(name), "is no environment of this file: use one of "+strings.Join(names, ", "))
			case waveOf[name] != "":
				p.bad(f, quote(name), fmt.Sprintf("is already deployed by wave %q: list each environment in one wave", waveOf[name]))
			default:
				waveOf[name] = w.Name
			}
		}
	}
	for _, name := range names {
		if waveOf[name] == "" && len(pl.Waves) > 0 {
			p.bad("waves", quote(name), "is in no wave, so the pipeline would never deploy it: add it to a wave")
		}
		if name == pipelineName {
			p.errs = append(p.errs, fmt.Errorf("environment %q: name: %q would name its stack like the pipeline stack (<project>-%s): rename the environment", name, name, pipelineName))
		}
	}
	return p.errs
}
