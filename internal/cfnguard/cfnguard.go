// Package cfnguard runs cfn-guard, as packaged in @cdklabs/cdk-validator-cfnguard, over CloudFormation
// templates and reads its structured report into findings: which resource fails which AWS Control
// Tower proactive control, with the rule's explanation and fix.
package cfnguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
)

// Finding is one resource that fails one Control Tower control.
type Finding struct {
	Control  string // CT.S3.PR.10
	Rule     string // the guard rule, e.g. s3_bucket_default_encryption_kms_check
	Resource string // logical ID
	Message  string // what the control requires
	Fix      string // how to comply, from the rule
}

var (
	controlID    = regexp.MustCompile(`^CT\.[A-Z0-9-]+\.PR\.\d+$`)
	controlTitle = regexp.MustCompile(`\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]:\s*(.*)`)
	controlFix   = regexp.MustCompile(`\[FIX\]:\s*(.*)`)
	resourcePath = regexp.MustCompile(`^/Resources/([^/]+)`)
)

// IsControl reports whether id names a Control Tower proactive control, e.g. CT.S3.PR.10.
func IsControl(id string) bool { return controlID.MatchString(id) }

// Binary is the cfn-guard executable for this machine in the npm package at dir, which ships one per
// platform in bin/<ubuntu|macos>/<x86_64|aarch64>.
func Binary(dir string) (string, error) {
	return binary(dir, runtime.GOOS, runtime.GOARCH)
}

func binary(dir, goos, goarch string) (string, error) {
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[goos]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[goarch]
	if platform == "" || arch == "" {
		return "", fmt.Errorf("cfn-guard is not packaged for %s/%s", goos, goarch)
	}
	bin := filepath.Join(dir, "bin", platform, arch, "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("cfn-guard is missing, run npm ci: %w", err)
	}
	return bin, nil
}

// Validate runs the cfn-guard at bin with the rules (a file or folder) over the templates, all in one
// process, and returns the findings per template file base name.
func Validate(bin, rules string, templates []string) (map[string][]Finding, error) {
	args := []string{"validate", "--rules", rules, "--output-format", "json", "--show-summary", "none", "--structured"}
	for _, t := range templates {
		args = append(args, "--data", t)
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// 19 only says that some rule failed, which the report lists. Anything else is an error, 5 (a rule
	// did not parse) included; a parse error next to a failure still exits 19 and shows only on stderr.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19) {
		return nil, fmt.Errorf("cfn-guard: %w: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		return nil, fmt.Errorf("cfn-guard wrote to stderr: %s", stderr.String())
	}
	return ParseReport(stdout.Bytes())
}

// message is a control's message: the rules write "[CT.S3.PR.2]: <title>" and "[FIX]: <fix>".
type message struct{ control, title, fix string }

// ParseReport reads the output of cfn-guard validate --output-format json --structured into findings
// per template file base name (cfn-guard reports the path it resolved, not the one it was given). A
// failed rule that locates no resource or names no control is an error: its findings would be lost.
func ParseReport(out []byte) (map[string][]Finding, error) {
	var files []struct {
		Name         string `json:"name"`
		NotCompliant []struct {
			Rule map[string]any `json:"Rule"`
		} `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &files); err != nil {
		return nil, fmt.Errorf("cfn-guard report: %w", err)
	}
	reports := map[string][]Finding{}
	for _, f := range files {
		var findings []Finding
		for _, nc := range f.NotCompliant {
			rule, _ := nc.Rule["name"].(string)
			violations := map[string]message{}
			collectViolations(nc.Rule, message{}, violations)
			if len(violations) == 0 {
				return nil, fmt.Errorf("%s: rule %q failed on no resource", f.Name, rule)
			}
			for _, id := range slices.Sorted(maps.Keys(violations)) {
				m := violations[id]
				if m.control == "" {
					return nil, fmt.Errorf("%s: rule %q names no control for %s", f.Name, rule, id)
				}
				findings = append(findings, Finding{Control: m.control, Rule: rule, Resource: id, Message: m.title, Fix: m.fix})
			}
		}
		reports[filepath.Base(f.Name)] = findings
	}
	return reports, nil
}

// collectViolations walks a failed rule's check tree and maps each resource it locates to the message
// of the innermost rule above it: one rule's helpers can carry different fixes. Keys are visited in
// order so the result does not depend on map iteration.
func collectViolations(node any, msg message, found map[string]message) {
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			collectViolations(v, msg, found)
		}
	case map[string]any:
		if m, ok := parseMessage(n); ok {
			msg = m
		}
		// {path, value} locates a template value; the value is template content, not checks.
		if path, ok := n["path"].(string); ok {
			if m := resourcePath.FindStringSubmatch(path); m != nil {
				if _, seen := found[m[1]]; !seen {
					found[m[1]] = msg
				}
			}
			return
		}
		for _, k := range slices.Sorted(maps.Keys(n)) {
			collectViolations(n[k], msg, found)
		}
	}
}

// parseMessage reads a check's custom message, if it is a control's.
func parseMessage(check map[string]any) (message, bool) {
	messages, _ := check["messages"].(map[string]any)
	custom, _ := messages["custom_message"].(string)
	title := controlTitle.FindStringSubmatch(custom)
	if title == nil {
		return message{}, false
	}
	m := message{control: title[1], title: strings.TrimSpace(title[2])}
	if fix := controlFix.FindStringSubmatch(custom); fix != nil {
		m.fix = strings.TrimSpace(fix[1])
	}
	return m, true
}
