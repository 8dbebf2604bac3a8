// Package checklisttest holds what the tests of the commands that print a checklist (cmd/preflight,
// cmd/verify) share: row expectations, the test environment, running the command against a fakeaws
// server, and its golden output.
//
// Each command's tests live in its own folder with a testdata folder holding environments.json and
// the golden files; the helpers read them from there.
package checklisttest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checkcmd"
	"github.com/privatebedrock/stack/internal/checklist"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// ConfigFile is the environment configuration the tests run the commands with.
const ConfigFile = "testdata/environments.json"

// Environment is the environment of ConfigFile.
func Environment(t testing.TB, name string) config.Environment {
	t.Helper()
	file, err := config.Load(ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := file.Select([]string{name})
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

// Caller answers GetCallerIdentity as for the role PlatformDeployer of the account, assumed in the
// session.
func Caller(account, session string) fakeaws.Reply {
	return fakeaws.OK(fmt.Sprintf("<Arn>arn:aws:sts::%[1]s:assumed-role/PlatformDeployer/%[2]s</Arn>"+
		"<UserId>AROAEXAMPLE:%[2]s</UserId><Account>%[1]s</Account>", account, session))
}

// Want is what a row must say: its status, and fragments of its detail and fix. A passing row has no
// fix.
type Want struct {
	Status      checklist.Status
	Detail, Fix string
}

// Expect checks the row got says what want does. W is Want, or a type of the test's own defined as Want, whose
// literals the test's tables can write without keys (vet asks for keys in literals of other packages'
// types): type want checklisttest.Want; var expect = checklisttest.Expect[want].
func Expect[W ~struct {
	Status      checklist.Status
	Detail, Fix string
}](t testing.TB, got checklist.Row, want W) {
	t.Helper()
	w := Want(want)
	if got.Status != w.Status || !strings.Contains(got.Detail, w.Detail) || !strings.Contains(got.Fix, w.Fix) || w.Status == checklist.OK && got.Fix != "" {
		t.Errorf("row = %s %s | %s | fix: %s\nwant  %s …%s… | fix: …%s…", got.Status.Mark(), got.Name, got.Detail, got.Fix,
			w.Status.Mark(), w.Detail, w.Fix)
	}
}

// Result is what a run of a command did.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs the command as main does, with ConfigFile, against the fake: the credential chain reads
// only what fakeaws.Env sets; region "" sets none.
func Run(t testing.TB, run checkcmd.RunFunc, f *fakeaws.Server, region string, args ...string) Result {
	t.Helper()
	f.Env(t, region)
	var out, errs strings.Builder
	code := run(context.Background(), append([]string{"-config", ConfigFile}, args...), &out, &errs)
	return Result{code, out.String(), errs.String()}
}

// Check runs the command for environment dev against the fake, as Run does, and checks its exit
// status and that its output has each text.
func Check(t testing.TB, run checkcmd.RunFunc, f *fakeaws.Server, region string, code int, texts ...string) Result {
	t.Helper()
	r := Run(t, run, f, region, "dev")
	if r.Code != code {
		t.Errorf("exit status %d, want %d; stderr: %s", r.Code, code, r.Stderr)
	}
	Contains(t, r.Stdout, texts...)
	return r
}

// Contains checks the output has each text, ignoring how the table wrapped it.
func Contains(t testing.TB, output string, texts ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(output), " ")
	for _, text := range texts {
		if !strings.Contains(flat, text) {
			t.Errorf("output lacks %q:\n%s", text, output)
		}
	}
}

// Calls checks the fake received exactly these calls, as "service:Operation", in this order.
func Calls(t testing.TB, f *fakeaws.Server, want ...string) {
	t.Helper()
	if got := f.Operations(); !slices.Equal(got, want) {
		t.Errorf("calls = %v\nwant    %v", got, want)
	}
}

// CallsInAnyOrder checks the fake received exactly these calls, in any order: those of checks that
// run concurrently. want is sorted.
func CallsInAnyOrder(t testing.TB, f *fakeaws.Server, want ...string) {
	t.Helper()
	if got := slices.Sorted(slices.Values(f.Operations())); !slices.Equal(got, want) {
		t.Errorf("calls = %v\nwant    %v", got, want)
	}
}

// SignedFor checks every call the fake received was signed for the region.
func SignedFor(t testing.TB, f *fakeaws.Server, region string) {
	t.Helper()
	for _, c := range f.Calls() {
		if c.Region != region {
			t.Errorf("%s:%s signed for %q, want %q", c.Service, c.Operation, c.Region, region)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Golden compares the output with the golden file at path; with -update it rewrites the file first.
// Every line fits a terminal of checklist.DefaultWidth columns.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test %s -update to create it)", err, packageDir(t))
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test %s -update rewrites it):\n%s", path, packageDir(t), got)
	}
	for _, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > checklist.DefaultWidth {
			t.Errorf("line of %d columns, want at most %d: %q", n, checklist.DefaultWidth, line)
		}
	}
}

// packageDir is the tested package's folder as go test takes it, e.g. ./cmd/verify: the test's
// working directory relative to the module's root.
func packageDir(t testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for root := wd; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			rel, _ := filepath.Rel(root, wd)
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(root) == root {
			return "."
		}
	}
}

// AllPass runs the command for environment dev against a fake that healthy gives the answers of an
// account where every check passes, and checks it passes, prints testdata/all-pass.golden, makes the
// calls (as calls checks them: Calls or CallsInAnyOrder), and signs every one for the environment's
// region.
func AllPass(t testing.TB, run checkcmd.RunFunc, healthy func(*fakeaws.Server), calls func(testing.TB, *fakeaws.Server, ...string), want ...string) {
	t.Helper()
	f := fakeaws.New(t)
	healthy(f)
	r := Check(t, run, f, region, checkcmd.ExitOK)
	Golden(t, "testdata/all-pass.golden", r.Stdout)
	calls(t, f, want...)
	SignedFor(t, f, region)
}

// region is the test environment's.
const region = "us-east-1"

// NoCredentials checks the command, named in its messages as wording (awsenv.Command), refuses to run
// without credentials, whether nothing is configured or the profile does not exist: it tells what to
// do, then the SDK's reason, on stderr, exits with ExitFailed, and calls nothing.
func NoCredentials(t *testing.T, run checkcmd.RunFunc, wording string) {
	sentence := "There are no AWS credentials to check account 111111111111 with: export AWS_PROFILE=bedrock-dev (the " +
		"environment's assumed-role profile, see the README's Deploy section), or run `aws sso login --profile bedrock-dev` " +
		"if that profile uses IAM Identity Center, then run " + wording + " again."
	for _, tt := range []struct{ name, profile string }{
		{"nothing configured", ""},
		{"profile that does not exist", "bedrock-dev"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			fakeaws.Hermetic(t)
			t.Setenv("AWS_ENDPOINT_URL", f.URL)
			t.Setenv("AWS_REGION", region)
			if tt.profile != "" {
				t.Setenv("AWS_PROFILE", tt.profile)
			}
			var stdout, stderr strings.Builder
			code := run(context.Background(), []string{"-config", ConfigFile, "dev"}, &stdout, &stderr)
			if code != checkcmd.ExitFailed {
				t.Errorf("exit status %d, want %d", code, checkcmd.ExitFailed)
			}
			if first, _, _ := strings.Cut(stderr.String(), "\n"); first != sentence {
				t.Errorf("stderr begins %q\nwant          %q", first, sentence)
			}
			if stdout.Len() != 0 || len(f.Calls()) != 0 {
				t.Errorf("stdout = %q, calls = %v; want neither", stdout.String(), f.Operations())
			}
		})
	}
}

// UsageCase is a command line the command refuses, or answers with its usage: the exit status, and
// what stderr says.
type UsageCase struct {
	Name   string
	Args   []string
	Code   int
	Stderr string
}

// Usage checks the command's answers to wrong command lines and -h, whose usage begins with usage, and
// to the cases of its own flags: each with credentials for the fake, and none calls it.
func Usage(t *testing.T, run checkcmd.RunFunc, usage string, own ...UsageCase) {
	name, _, _ := strings.Cut(strings.TrimPrefix(usage, "usage: "), " ")
	for _, c := range append([]UsageCase{
		{"no environment", []string{"-config", ConfigFile}, checkcmd.ExitUsage, usage},
		{"two environments", []string{"-config", ConfigFile, "dev", "prod"}, checkcmd.ExitUsage, "usage: " + name},
		{"unknown environment", []string{"-config", ConfigFile, "prod"}, checkcmd.ExitUsage, `unknown environment "prod": choose one of dev`},
		{"missing configuration", []string{"-config", "testdata/nothing.json", "dev"}, checkcmd.ExitUsage,
			"read environment configuration: open testdata/nothing.json"},
		{"unknown flag", []string{"-region", "us-east-1", "dev"}, checkcmd.ExitUsage, "flag provided but not defined: -region"},
		{"help", []string{"-h"}, checkcmd.ExitOK, usage},
	}, own...) {
		t.Run(c.Name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Env(t, region)
			var stdout, stderr strings.Builder
			if code := run(context.Background(), c.Args, &stdout, &stderr); code != c.Code {
				t.Errorf("exit status %d, want %d", code, c.Code)
			}
			if !strings.Contains(stderr.String(), c.Stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), c.Stderr)
			}
			if calls := f.Operations(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}
