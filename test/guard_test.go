package test

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
	"testing"
	"text/tabwriter"
)

// guardPackage is the pinned @cdklabs/cdk-validator-cfnguard: the cfn-guard binaries and the AWS
// Control Tower proactive controls, the same rules the CDK plugin would run at synthesis.
const guardPackage = "../node_modules/@cdklabs/cdk-validator-cfnguard"

var (
	// controlID is a Control Tower proactive control, e.g. CT.S3.PR.10.
	controlID    = regexp.MustCompile(`^CT\.[A-Z0-9-]+\.PR\.\d+$`)
	controlTitle = regexp.MustCompile(`\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]:\s*(.*)`)
	controlFix   = regexp.MustCompile(`\[FIX\]:\s*(.*)`)
	resourcePath = regexp.MustCompile(`^/Resources/([^/]+)`)
)

// TestControlTowerProactiveControls runs every Control Tower proactive control over every
// environment's template and fails on each finding that its resource does not suppress, and on each
// suppression that no longer matches a finding.
func TestControlTowerProactiveControls(t *testing.T) {
	guard, err := guardBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	templates := make([]string, len(names))
	for i, name := range names {
		templates[i] = filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(templates[i], []byte(jsonOf(envs[name].assert.ToJSON())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One run for all templates: cfn-guard is single-threaded, and on Linux its allocator spends most of
	// the time in mmap/munmap, so parallel runs contend in the kernel and were slower than this one.
	out, err := runGuard(guard, templates)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := parseGuardReport(out)
	if err != nil {
		t.Fatal(err)
	}
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		findings, ok := reports[s.env.Name+".template.json"]
		if !ok {
			t.Fatalf("cfn-guard did not report on %s.template.json", s.env.Name)
		}
		verdicts, problems := judgeGuard(s.template, findings)
		t.Logf("Control Tower findings:\n%s", guardTable(verdicts))
		for _, p := range problems {
			t.Error(p)
		}
	})
}

// guardBinary is the cfn-guard for this machine, in the package's bin/<ubuntu|macos>/<arch> layout.
func guardBinary() (string, error) {
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if platform == "" || arch == "" {
		return "", fmt.Errorf("cfn-guard is not packaged for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(guardPackage, "bin", platform, arch, "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("cfn-guard is missing, run npm ci: %w", err)
	}
	return bin, nil
}

// runGuard validates the templates against every Control Tower rule and returns the structured report.
func runGuard(bin string, templates []string) ([]byte, error) {
	args := []string{"validate", "--rules", filepath.Join(guardPackage, "rules", "control-tower", "cfn-guard"),
		"--output-format", "json", "--show-summary", "none", "--structured"}
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
	return stdout.Bytes(), nil
}

// guardFinding is one resource that fails one Control Tower control.
type guardFinding struct {
	Control  string // CT.S3.PR.10
	Rule     string // the guard rule, e.g. s3_bucket_default_encryption_kms_check
	Resource string // logical ID
	Message  string // what the control requires
	Fix      string // how to comply, from the rule
}

// guardMessage is a control's message: the rules write "[CT.S3.PR.2]: <title>" and "[FIX]: <fix>".
type guardMessage struct{ control, title, fix string }

// parseGuardReport turns cfn-guard's --structured output into findings per template file base name
// (cfn-guard reports the path it resolved, not the one it was given).
func parseGuardReport(out []byte) (map[string][]guardFinding, error) {
	var files []struct {
		Name         string `json:"name"`
		NotCompliant []struct {
			Rule map[string]any `json:"Rule"`
		} `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &files); err != nil {
		return nil, fmt.Errorf("cfn-guard report: %w", err)
	}
	reports := map[string][]guardFinding{}
	for _, f := range files {
		var findings []guardFinding
		for _, nc := range f.NotCompliant {
			rule, _ := nc.Rule["name"].(string)
			violations := map[string]guardMessage{}
			collectViolations(nc.Rule, guardMessage{}, violations)
			if len(violations) == 0 {
				return nil, fmt.Errorf("%s: rule %q failed on no resource", f.Name, rule)
			}
			for _, id := range slices.Sorted(maps.Keys(violations)) {
				m := violations[id]
				if m.control == "" {
					return nil, fmt.Errorf("%s: rule %q names no control for %s", f.Name, rule, id)
				}
				findings = append(findings, guardFinding{Control: m.control, Rule: rule, Resource: id, Message: m.title, Fix: m.fix})
			}
		}
		reports[filepath.Base(f.Name)] = findings
	}
	return reports, nil
}

// collectViolations walks a failed rule's check tree and maps each resource it locates to the message
// of the innermost rule above it: one rule's helpers can carry different fixes. Keys are visited in
// order so the result does not depend on map iteration.
func collectViolations(node any, msg guardMessage, found map[string]guardMessage) {
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			collectViolations(v, msg, found)
		}
	case map[string]any:
		if m, ok := parseGuardMessage(n); ok {
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

// parseGuardMessage reads a check's custom message, if it is a control's.
func parseGuardMessage(check map[string]any) (guardMessage, bool) {
	messages, _ := check["messages"].(map[string]any)
	custom, _ := messages["custom_message"].(string)
	title := controlTitle.FindStringSubmatch(custom)
	if title == nil {
		return guardMessage{}, false
	}
	m := guardMessage{control: title[1], title: strings.TrimSpace(title[2])}
	if fix := controlFix.FindStringSubmatch(custom); fix != nil {
		m.fix = strings.TrimSpace(fix[1])
	}
	return m, true
}

// guardSuppression accepts one control on one resource, with the reason an auditor reads. It sits in
// the resource's template metadata: {"guard": {"SuppressedRules": [{"id": "CT.S3.PR.10", "reason": "…"}]}}.
// cfn-guard has no suppressions of its own and the Control Tower rules do not read metadata.
type guardSuppression struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// suppressionsOf reads and checks a resource's guard suppressions.
func suppressionsOf(r Resource) ([]guardSuppression, error) {
	raw, ok := r.Metadata["guard"]
	if !ok {
		return nil, nil
	}
	var guard struct {
		SuppressedRules []guardSuppression `json:"SuppressedRules"`
	}
	// Strict, so that a misspelt key cannot drop a reason or a whole suppression list unnoticed.
	dec := json.NewDecoder(strings.NewReader(jsonOf(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&guard); err != nil {
		return nil, fmt.Errorf("metadata guard: %w", err)
	}
	for _, s := range guard.SuppressedRules {
		if !controlID.MatchString(s.ID) {
			return nil, fmt.Errorf("metadata guard: suppression %q is not a control ID such as CT.S3.PR.10", s.ID)
		}
		if strings.TrimSpace(s.Reason) == "" {
			return nil, fmt.Errorf("metadata guard: suppression of %s has no reason", s.ID)
		}
	}
	return guard.SuppressedRules, nil
}

// guardVerdict is a finding on a resource of a type, with the suppression that accepts it, if any.
type guardVerdict struct {
	guardFinding
	Type       string
	Suppressed *guardSuppression
}

// judgeGuard matches findings with the template's suppressions. Problems are the unsuppressed findings,
// malformed suppressions and suppressions of a control that does not fire on their resource: a stale
// suppression would hide the control if the resource ever regressed.
func judgeGuard(tmpl Template, findings []guardFinding) (verdicts []guardVerdict, problems []string) {
	fired := map[[2]string]bool{}
	for _, f := range findings {
		fired[[2]string{f.Resource, f.Control}] = true
	}
	suppressed := map[[2]string]*guardSuppression{}
	for _, id := range slices.Sorted(maps.Keys(tmpl.Resources)) {
		list, err := suppressionsOf(tmpl.Resources[id])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		for i, s := range list {
			key := [2]string{id, s.ID}
			suppressed[key] = &list[i]
			if !fired[key] {
				problems = append(problems, fmt.Sprintf("%s: stale suppression, %s does not fire on it: remove it", id, s.ID))
			}
		}
	}
	for _, f := range findings {
		v := guardVerdict{guardFinding: f, Type: tmpl.Resources[f.Resource].Type, Suppressed: suppressed[[2]string{f.Resource, f.Control}]}
		verdicts = append(verdicts, v)
		if v.Suppressed == nil {
			problems = append(problems, fmt.Sprintf("%s on %s (%s): %s [%s]\n\tfix: %s",
				f.Control, f.Resource, v.Type, f.Message, f.Rule, f.Fix))
		}
	}
	return verdicts, problems
}

// guardTable renders verdicts one per line, for the -v log.
func guardTable(verdicts []guardVerdict) string {
	if len(verdicts) == 0 {
		return "none"
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "CONTROL\tRESOURCE\tTYPE\tSUPPRESSED")
	for _, v := range verdicts {
		suppressed := "no"
		if v.Suppressed != nil {
			suppressed = "yes: " + v.Suppressed.Reason
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.Control, v.Resource, v.Type, suppressed)
	}
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// TestParseGuardReport reads a report captured from cfn-guard 3.1.1, run with ct-cloudwatch-pr-2 and
// ct-s3-pr-2 over two templates:
//
//	failing: log groups Kept (400 days), Short (7), Shorter (1); bucket Bucket without logging
//	passing: log group Logs (400 days); bucket Bucket with LoggingConfiguration
//
// It holds the shapes that locate a resource (Resolved value, Binary from/to, UnResolved traversed_to,
// Block) under Disjunctions and helper rules, and a template that passes.
func TestParseGuardReport(t *testing.T) {
	out, err := os.ReadFile("testdata/guard-report.json")
	if err != nil {
		t.Fatal(err)
	}
	reports, err := parseGuardReport(out)
	if err != nil {
		t.Fatal(err)
	}
	const (
		retention = "Require an Amazon CloudWatch log group to be retained for at least one year"
		logging   = "Require an Amazon S3 bucket to have server access logging configured"
	)
	want := map[string][]guardFinding{
		"failing.template.json": {
			{Control: "CT.CLOUDWATCH.PR.2", Rule: "cloudwatch_log_group_retention_period_check", Resource: "Short", Message: retention},
			{Control: "CT.CLOUDWATCH.PR.2", Rule: "cloudwatch_log_group_retention_period_check", Resource: "Shorter", Message: retention},
			{Control: "CT.S3.PR.2", Rule: "s3_bucket_logging_enabled_check", Resource: "Bucket", Message: logging},
		},
		"passing.template.json": nil,
	}
	for _, findings := range reports {
		for i, f := range findings {
			if f.Fix == "" {
				t.Errorf("%s on %s: no fix", f.Control, f.Resource)
			}
			findings[i].Fix = ""
		}
	}
	if got := jsonOf(reports); got != jsonOf(want) {
		t.Errorf("findings:\n got %s\nwant %s", got, jsonOf(want))
	}
}

// TestJudgeGuard checks suppressions: a matching one accepts its finding, and a stale, unreasoned,
// malformed or misspelt one is a problem like an unsuppressed finding.
func TestJudgeGuard(t *testing.T) {
	suppress := func(rules ...any) map[string]any {
		return map[string]any{"guard": map[string]any{"SuppressedRules": rules}}
	}
	rule := func(id, reason string) map[string]any { return map[string]any{"id": id, "reason": reason} }
	tmpl := Template{Resources: map[string]Resource{
		"Accepted": {Type: "AWS::S3::Bucket", Metadata: suppress(rule("CT.S3.PR.10", "access logs need SSE-S3"))},
		"Open":     {Type: "AWS::S3::Bucket"},
		"Stale":    {Type: "AWS::S3::Bucket", Metadata: suppress(rule("CT.S3.PR.9", "no longer fires"))},
		"NoReason": {Type: "AWS::S3::Bucket", Metadata: suppress(rule("CT.S3.PR.2", " "))},
		"BadID":    {Type: "AWS::S3::Bucket", Metadata: suppress(rule("s3_bucket_logging_enabled_check", "rule name"))},
		"Misspelt": {Type: "AWS::S3::Bucket", Metadata: suppress(map[string]any{"id": "CT.S3.PR.2", "why": "x"})},
	}}
	findings := []guardFinding{
		{Control: "CT.S3.PR.10", Resource: "Accepted"},
		{Control: "CT.S3.PR.2", Resource: "Open"},
	}
	verdicts, problems := judgeGuard(tmpl, findings)
	if verdicts[0].Suppressed == nil || verdicts[1].Suppressed != nil {
		t.Errorf("suppressed: got %s", jsonOf(verdicts))
	}
	want := []string{"BadID: ", "Misspelt: ", "NoReason: ", "Stale: stale suppression", "CT.S3.PR.2 on Open (AWS::S3::Bucket)"}
	if len(problems) != len(want) {
		t.Fatalf("problems: got %d, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	for i, p := range problems {
		if !strings.HasPrefix(p, want[i]) {
			t.Errorf("problem %d: got %q, want it to start with %q", i, p, want[i])
		}
	}
}
