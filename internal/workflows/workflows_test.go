package workflows

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/privatebedrock/stack/internal/readme"
)

// root is the repository, seen from this package's directory (where go test runs).
const root = "../.."

// lint runs actionlint's own checks over the files, as go tool actionlint does, except for the
// shellcheck and pyflakes checks of run: scripts, which need those programs (empty names turn them
// off). dir is the directory the reported paths are relative to. The repository's
// .github/actionlint.yaml applies to files inside the repository.
func lint(dir string, paths []string) ([]*actionlint.Error, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		Color:      actionlint.ColorOptionKindNever,
		Shellcheck: "",
		Pyflakes:   "",
		WorkingDir: abs,
	})
	if err != nil {
		return nil, err
	}
	// Absolute paths, which actionlint reports relative to WorkingDir.
	files := make([]string, len(paths))
	for i, p := range paths {
		if files[i], err = filepath.Abs(p); err != nil {
			return nil, err
		}
	}
	return linter.LintFiles(files, nil)
}

// workflowFiles lists the repository's workflows.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(root, ".github", "workflows", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	if len(files) == 0 {
		t.Fatal("no workflow in .github/workflows")
	}
	return files
}

func TestWorkflowsPassActionlint(t *testing.T) {
	errs, err := lint(root, workflowFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

// The lint reports what it should: each broken workflow is written to a temporary directory and must
// draw an error on the expected line.
func TestLintReportsBrokenWorkflows(t *testing.T) {
	cases := []struct {
		name, workflow string
		line           int
		message        string
	}{
		{"invalid YAML", "on: push\njobs:\n  build:\n    runs-on: [ubuntu-latest\n", 0, ""},
		{"unknown key", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    step:\n      - run: true\n", 5, `unexpected key "step"`},
		{"unknown action input", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v6\n        with:\n          persist-credential: false\n", 8, `input "persist-credential" is not defined`},
		{"undefined step output", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n", 6, `property "nope" is not defined`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, ".github", "workflows", "broken.yml")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.workflow), 0o644); err != nil {
				t.Fatal(err)
			}
			errs, err := lint(dir, []string{path})
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) == 0 {
				t.Fatalf("no error reported for:\n%s", c.workflow)
			}
			for _, e := range errs {
				if e.Filepath != filepath.Join(".github", "workflows", "broken.yml") {
					t.Errorf("error reported for %q, want the broken file: %v", e.Filepath, e)
				}
				if (c.line == 0 || e.Line == c.line) && strings.Contains(e.Message, c.message) {
					return
				}
			}
			t.Errorf("want an error on line %d containing %q, got %v", c.line, c.message, errs)
		})
	}
}

func parse(t *testing.T, src []byte) *actionlint.Workflow {
	t.Helper()
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 || wf == nil {
		t.Fatalf("cannot parse the workflow: %v", errs)
	}
	return wf
}

func readFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(append([]string{root}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// runs returns the run: scripts of a job's steps, trimmed, in order.
func runs(job *actionlint.Job) []string {
	var out []string
	for _, s := range job.Steps {
		if r, ok := s.Exec.(*actionlint.ExecRun); ok && r.Run != nil {
			out = append(out, strings.TrimSpace(r.Run.Value))
		}
	}
	return out
}

// sortedJobs returns the workflow's jobs by ID.
func sortedJobs(wf *actionlint.Workflow) []*actionlint.Job {
	ids := make([]string, 0, len(wf.Jobs))
	for id := range wf.Jobs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	jobs := make([]*actionlint.Job, len(ids))
	for i, id := range ids {
		jobs[i] = wf.Jobs[id]
	}
	return jobs
}

// runsInOrder checks that one job has a run: step for each command, the step's whole script being
// exactly that command, in the commands' order (other steps may come between them).
func runsInOrder(wf *actionlint.Workflow, commands []string) error {
	var seen []string
	for _, job := range sortedJobs(wf) {
		steps := runs(job)
		next := 0
		for _, r := range steps {
			if next < len(commands) && r == commands[next] {
				next++
			}
		}
		if next == len(commands) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("job %s runs %q: %q missing or out of order", job.ID.Value, steps, commands[next]))
	}
	return fmt.Errorf("no job runs the steps %q in this order, each exactly as written:\n%s", commands, strings.Join(seen, "\n"))
}

func TestCIRunsTheReadmeCommands(t *testing.T) {
	commands, err := readme.Commands(string(readFile(t, "README.md")), "Set-up, synth and test")
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if err := runsInOrder(parse(t, readFile(t, ".github", "workflows", "ci.yml")), commands); err != nil {
		t.Errorf(".github/workflows/ci.yml: %v", err)
	}
	// .ci/run, the local equivalent, runs the same commands.
	var script []string
	for _, l := range strings.Split(string(readFile(t, ".ci", "run")), "\n") {
		if slices.Contains(commands, strings.TrimSpace(l)) {
			script = append(script, strings.TrimSpace(l))
		}
	}
	if !slices.Equal(script, commands) {
		t.Errorf(".ci/run runs %q of the README's %q", script, commands)
	}
}

func TestRunsInOrderNotices(t *testing.T) {
	commands := []string{"npm ci", "npm run synth", "npm test"}
	step := func(cmds ...string) string {
		var b strings.Builder
		b.WriteString("on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v6\n")
		for _, c := range cmds {
			fmt.Fprintf(&b, "      - run: %s\n", c)
		}
		return b.String()
	}
	ok := step("npm ci", "npm run synth", "npm run synth -- -c nagReports=true", "npm test")
	if err := runsInOrder(parse(t, []byte(ok)), commands); err != nil {
		t.Errorf("rejected a good workflow: %v", err)
	}
	for name, wf := range map[string]string{
		"missing":      step("npm ci", "npm test"),
		"out of order": step("npm ci", "npm test", "npm run synth"),
		"changed":      step("npm ci", "npm run synth -- -c env=dev", "npm test"),
		"combined":     step("npm ci && npm run synth", "npm test"),
	} {
		if err := runsInOrder(parse(t, []byte(wf)), commands); err == nil {
			t.Errorf("%s: accepted\n%s", name, wf)
		}
	}
}

const credentialsAction = "aws-actions/configure-aws-credentials@"

var (
	// staticKeySecret is a reference to an access key stored as a secret, in dot or index syntax.
	staticKeySecret = regexp.MustCompile(`(?i)secrets\s*(\.\s*|\[\s*['"])\s*AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)\b`)
	commentLine     = regexp.MustCompile(`(?m)^\s*#.*$`)
)

// deployProblems returns what is wrong with a deploy workflow: AWS reached other than through OIDC
// (id-token: write and a role to assume), access keys from secrets, a deploy outside a GitHub
// Environment or one environment's deploys able to overlap, and prod deployable other than by the
// one job that names the prod environment and runs on workflow_dispatch only.
func deployProblems(wf *actionlint.Workflow, src []byte) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if m := staticKeySecret.FindString(commentLine.ReplaceAllString(string(src), "")); m != "" {
		add("references an access key secret (%s): use role-to-assume through OIDC", m)
	}

	var dispatch *actionlint.WorkflowDispatchEvent
	for _, e := range wf.On {
		if d, ok := e.(*actionlint.WorkflowDispatchEvent); ok {
			dispatch = d
		}
	}
	if dispatch == nil || dispatch.Inputs["environment"] == nil {
		add("no workflow_dispatch input environment")
	} else {
		var options []string
		for _, o := range dispatch.Inputs["environment"].Options {
			options = append(options, o.Value)
		}
		if !slices.Equal(options, []string{"dev", "staging", "prod"}) {
			add("workflow_dispatch input environment offers %q, want dev, staging, prod", options)
		}
	}

	credentialSteps, prodJobs := 0, 0
	for _, job := range sortedJobs(wf) {
		id := job.ID.Value
		perms := wf.Permissions
		if job.Permissions != nil {
			perms = job.Permissions
		}
		for _, s := range job.Steps {
			action, ok := s.Exec.(*actionlint.ExecAction)
			if !ok || !strings.HasPrefix(action.Uses.Value, credentialsAction) {
				continue
			}
			credentialSteps++
			if perms == nil || perms.Scopes["id-token"] == nil || perms.Scopes["id-token"].Value.Value != "write" {
				add("job %s: configure-aws-credentials without permissions id-token: write", id)
			}
			if in := action.Inputs["role-to-assume"]; in == nil || strings.TrimSpace(in.Value.Value) == "" {
				add("job %s: configure-aws-credentials without role-to-assume", id)
			}
			for _, key := range []string{"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} {
				if action.Inputs[key] != nil {
					add("job %s: configure-aws-credentials with %s: use role-to-assume through OIDC", id, key)
				}
			}
		}

		deploys := false
		for _, r := range runs(job) {
			deploys = deploys || strings.Contains(r, "cdk -- deploy")
		}
		if !deploys {
			continue
		}
		env := ""
		if job.Environment != nil && job.Environment.Name != nil {
			env = job.Environment.Name.Value
		}
		if env == "" {
			add("job %s deploys without a GitHub Environment", id)
			continue
		}
		if c := job.Concurrency; c == nil || c.Group == nil || !strings.Contains(c.Group.Value, env) ||
			c.CancelInProgress == nil || c.CancelInProgress.Value || c.CancelInProgress.Expression != nil {
			add("job %s: want concurrency grouped by its environment (%s) with cancel-in-progress: false", id, env)
		}
		cond := ""
		if job.If != nil {
			cond = job.If.Value
		}
		switch {
		case env == "prod":
			prodJobs++
			if !strings.Contains(cond, "github.event_name == 'workflow_dispatch'") ||
				strings.Contains(cond, "push") || strings.Contains(cond, "pull_request") {
				add("job %s deploys prod on %q: only on workflow_dispatch", id, cond)
			}
		case strings.Contains(env, "${{"):
			// An environment chosen at run time must never be prod.
			if !strings.Contains(cond, "inputs.environment != 'prod'") {
				add("job %s deploys environment %s; its if (%q) must exclude prod (inputs.environment != 'prod')", id, env, cond)
			}
		}
		for _, r := range runs(job) {
			if env != "prod" && strings.Contains(r, "env=prod") {
				add("job %s deploys prod from environment %s", id, env)
			}
		}
	}
	if credentialSteps == 0 {
		add("no %s step", strings.TrimSuffix(credentialsAction, "@"))
	}
	if prodJobs != 1 {
		add("%d jobs deploy with environment: prod, want exactly one", prodJobs)
	}
	return problems
}

func TestDeployUsesOIDCAndProdEnvironment(t *testing.T) {
	src := readFile(t, ".github", "workflows", "deploy.yml")
	for _, p := range deployProblems(parse(t, src), src) {
		t.Errorf(".github/workflows/deploy.yml: %s", p)
	}
}

// deployProblems notices each departure from the real deploy workflow.
func TestDeployProblemsNotices(t *testing.T) {
	src := string(readFile(t, ".github", "workflows", "deploy.yml"))
	cases := []struct{ name, old, new, want string }{
		{"no id-token", "  id-token: write", "  actions: read", "id-token: write"},
		{"static keys", "          role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
			"          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets['AWS_SECRET_ACCESS_KEY'] }}",
			"access key secret"},
		{"prod without its environment", "    environment: prod\n", "", "environment: prod, want exactly one"},
		{"prod on push", "if: github.event_name == 'workflow_dispatch' && inputs.environment == 'prod'",
			"if: github.event_name == 'push' || github.event_name == 'workflow_dispatch'", "only on workflow_dispatch"},
		{"prod through the chosen environment", " && inputs.environment != 'prod')", ")", "must exclude prod"},
		{"overlapping deploys", "      group: cdk-deploy-prod\n      cancel-in-progress: false", "      group: cdk-deploy-prod\n      cancel-in-progress: true", "concurrency"},
		{"no prod choice", "options: [dev, staging, prod]", "options: [dev, staging]", "offers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(src, c.old) {
				t.Fatalf("deploy.yml no longer contains %q: update this case", c.old)
			}
			broken := strings.Replace(src, c.old, c.new, 1)
			problems := deployProblems(parse(t, []byte(broken)), []byte(broken))
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("want a problem containing %q, got %q", c.want, problems)
			}
		})
	}
}
