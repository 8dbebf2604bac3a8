package cli

import (
	"flag"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		ok     bool
		stderr string
	}{
		{"flag and argument", []string{"-config", "x.json", "dev"}, 0, true, ""},
		{"help", []string{"-h"}, 0, false, "usage: cmd"},
		{"unknown flag", []string{"-nope", "dev"}, 2, false, "flag provided but not defined"},
		{"missing argument", []string{"-config", "x.json"}, 2, false, "usage: cmd"},
		{"extra argument", []string{"dev", "prod"}, 2, false, "usage: cmd"},
	} {
		t.Run(c.name, func(t *testing.T) {
			flags := flag.NewFlagSet("cmd", flag.ContinueOnError)
			config := flags.String("config", "environments.json", "")
			var stderr strings.Builder
			code, ok := Parse(flags, "usage: cmd [-config file] <environment>", c.args, 1, &stderr, 2)
			if code != c.code || ok != c.ok || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("Parse(%q) = %d, %v, stderr %q; want %d, %v, stderr with %q", c.args, code, ok, stderr.String(), c.code, c.ok, c.stderr)
			}
			if c.ok && *config != "x.json" {
				t.Errorf("config flag %q, want x.json", *config)
			}
		})
	}
}
