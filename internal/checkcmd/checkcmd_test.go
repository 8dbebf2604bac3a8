package checkcmd

import (
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
	"github.com/privatebedrock/stack/internal/fakeaws"
)

// command checks nothing but returns rows, and has a flag -n that must not be negative.
func command(rows ...checklist.Row) (c Command, region *string) {
	var n int
	region = new(string)
	return Command{
		Name: "tool", Heading: "Tool", Wording: "the tool", Options: "[-n 0]",
		Flags:             func(flags *flag.FlagSet) { flags.IntVar(&n, "n", 0, "a number") },
		Valid:             func() bool { return n >= 0 },
		EnvironmentRegion: true,
		Check: func(_ context.Context, cfg aws.Config, _ *config.File, env config.Environment) *checklist.Checklist {
			*region = cfg.Region
			var list checklist.Checklist
			list.Add(rows...)
			return &list
		},
	}, region
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		rows   []checklist.Row
		code   int
		stdout string
		stderr string
	}{
		{"passed", []string{"dev"}, []checklist.Row{checklist.Pass("A", "fine"), checklist.Warn("B", "hm", "look")}, ExitOK,
			"Tool of private-bedrock-dev: account 111111111111, region us-east-1\n\n✓ A  fine", ""},
		{"failed", []string{"dev"}, []checklist.Row{checklist.Fail("A", "broken", "mend it")}, ExitFailed, "0 passed, 0 warnings, 1 failed", ""},
		{"own flag", []string{"-n", "3", "dev"}, nil, ExitOK, "0 passed", ""},
		{"own flag not valid", []string{"-n", "-1", "dev"}, nil, ExitUsage, "", "usage: tool [-config environments.json] [-n 0] <environment>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeaws.New(t)
			f.Env(t, "")
			c, region := command(tt.rows...)
			var stdout, stderr strings.Builder
			code := c.Run(context.Background(), append([]string{"-config", "testdata/environments.json"}, tt.args...), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.HasPrefix(stderr.String(), tt.stderr) {
				t.Errorf("exit status %d, stdout %q, stderr %q; want %d, …%q…, %q…", code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
			// No region configured: the environment's.
			if code != ExitUsage && *region != "us-east-1" {
				t.Errorf("region %q, want the environment's us-east-1", *region)
			}
		})
	}
}
