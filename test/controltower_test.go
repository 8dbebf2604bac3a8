// The AWS Control Tower proactive controls gate: cfn-guard findings judged against suppressions.

package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/privatebedrock/stack/internal/cfnguard"
)

// guardPackage is the pinned @cdklabs/cdk-validator-cfnguard: the cfn-guard binaries and the AWS
// Control Tower proactive controls, the same rules the CDK plugin would run at synthesis.
const guardPackage = "../node_modules/@cdklabs/cdk-validator-cfnguard"

// TestControlTowerProactiveControls runs every Control Tower proactive control over every
// environment's template and fails on each finding that its resource does not suppress, and on each
// suppression that no longer matches a finding.
func TestControlTowerProactiveControls(t *testing.T) {
	// Every environment's template, the organisation stack's and the pipeline's.
	all := map[string]templates{organizationLabel: org.templates, pipelineLabel: deliveryTemplates}
	for _, name := range names {
		all[name] = envs[name].templates
	}
	controlTowerPasses(t, all)
}

// controlTowerPasses runs the Control Tower rules over the templates, by name, with a subtest each.
func controlTowerPasses(t *testing.T, all map[string]templates) {
	t.Helper()
	guard, err := cfnguard.Binary(guardPackage)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for _, name := range slices.Sorted(maps.Keys(all)) {
		file := filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(file, all[name].raw, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	// One run for all templates: cfn-guard is single-threaded, and on Linux its allocator spends most of
	// the time in mmap/munmap, so parallel runs contend in the kernel and were slower than this one.
	reports, err := cfnguard.Validate(guard, filepath.Join(guardPackage, "rules", "control-tower", "cfn-guard"), files)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(all)) {
		t.Run(name, func(t *testing.T) {
			findings, ok := reports[name+".template.json"]
			if !ok {
				t.Fatalf("cfn-guard did not report on %s.template.json", name)
			}
			verdicts, problems := judgeGuard(all[name].template, findings)
			t.Logf("Control Tower findings:\n%s", guardTable(verdicts))
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
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
		if !cfnguard.IsControl(s.ID) {
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
	cfnguard.Finding
	Type       string
	Suppressed *guardSuppression
}

// judgeGuard matches findings with the template's suppressions. Problems are the unsuppressed findings,
// malformed suppressions and suppressions of a control that does not fire on their resource: a stale
// suppression would hide the control if the resource ever regressed.
func judgeGuard(tmpl Template, findings []cfnguard.Finding) (verdicts []guardVerdict, problems []string) {
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
		v := guardVerdict{Finding: f, Type: tmpl.Resources[f.Resource].Type, Suppressed: suppressed[[2]string{f.Resource, f.Control}]}
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
	findings := []cfnguard.Finding{
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
