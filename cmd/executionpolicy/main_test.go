package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"-config", "../../test/testdata/environments.json", "dev"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var policy struct {
		Version   string
		Statement []struct{ Sid string }
	}
	if err := json.Unmarshal([]byte(stdout.String()), &policy); err != nil || policy.Version != "2012-10-17" || len(policy.Statement) == 0 {
		t.Errorf("not a policy document (%v): %s", err, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"-config", "../../test/testdata/environments.json", "pipeline"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "codepipeline:*") {
		t.Errorf("pipeline: exit %d, %s%s", code, stdout.String(), stderr.String())
	}
	for _, args := range [][]string{{"-config", "../../test/testdata/environments.json", "qa"}, {}, {"-config", "missing.json", "dev"}} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("run(%q) = %d with stderr %q, want 2 and a message", args, code, stderr.String())
		}
	}
}
