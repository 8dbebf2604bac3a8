package cfnguard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const (
	retention    = "Require an Amazon CloudWatch log group to be retained for at least one year"
	retentionFix = "Omit the field value of 'RetentionInDays' to adopt the default retention setting of 'Never expire', or set 'RetentionInDays' to an integer value greater than or equal to 365."
	logging      = "Require an Amazon S3 bucket to have server access logging configured"
	loggingFix   = "Set a 'LoggingConfiguration' on the S3 Bucket and optionally set 'DestinationBucketName' to an S3 bucket configured to receive S3 Access Logs."
)

// capturedFindings are those of testdata/report.json, captured from cfn-guard 3.1.1 run with ct-cloudwatch-pr-2 and
// ct-s3-pr-2 over two templates:
//
//	failing: log groups Kept (400 days), Short (7), Shorter (1); bucket Bucket without logging
//	passing: log group Logs (400 days); bucket Bucket with LoggingConfiguration
//
// It holds the shapes that locate a resource (Resolved value, Binary from/to, UnResolved traversed_to,
// Block) under Disjunctions and helper rules, and a template that passes.
var capturedFindings = map[string][]Finding{
	"failing.template.json": {
		{Control: "CT.CLOUDWATCH.PR.2", Rule: "cloudwatch_log_group_retention_period_check", Resource: "Short", Message: retention, Fix: retentionFix},
		{Control: "CT.CLOUDWATCH.PR.2", Rule: "cloudwatch_log_group_retention_period_check", Resource: "Shorter", Message: retention, Fix: retentionFix},
		{Control: "CT.S3.PR.2", Rule: "s3_bucket_logging_enabled_check", Resource: "Bucket", Message: logging, Fix: loggingFix},
	},
	"passing.template.json": nil,
}

// check is a guard check with a custom message, as cfn-guard nests them.
func check(custom string, checks ...any) map[string]any {
	return map[string]any{"Rule": map[string]any{"name": "check", "messages": map[string]any{"custom_message": custom}, "checks": checks}}
}

// located is a clause that locates a template value.
func located(path string) map[string]any {
	return map[string]any{"Clause": map[string]any{"Unary": map[string]any{"check": map[string]any{
		"Resolved": map[string]any{"value": map[string]any{"path": path, "value": 7}}}}}}
}

// report is cfn-guard output for one template with one failed rule.
func report(rule string, checks ...any) []byte {
	out, _ := json.Marshal([]any{map[string]any{
		"name": "/work/cdk.out/x.template.json", "status": "FAIL",
		"not_compliant": []any{map[string]any{"Rule": map[string]any{"name": rule, "messages": map[string]any{}, "checks": checks}}},
	}})
	return out
}

func TestParseReport(t *testing.T) {
	const title, fix = "\n  [CT.S3.PR.2]: Require logging\n  [FIX]: Set a LoggingConfiguration.\n  ", "\n  [CT.S3.PR.9]: Require Object Lock\n  [FIX]: Enable it.\n  "
	cases := []struct {
		name string
		out  []byte
		want map[string][]Finding
	}{
		{"captured from cfn-guard", nil, capturedFindings},
		{"no template", []byte(`[]`), map[string][]Finding{}},
		{"a template that passes", []byte(`[{"name": "/a/b/ok.template.json", "status": "PASS", "not_compliant": []}]`), map[string][]Finding{"ok.template.json": nil}},
		{"each resource once, sorted, the innermost control's message", report("s3_check",
			check(title, located("/Resources/Logs/Properties"), located("/Resources/Access/Properties/X"),
				check(fix, located("/Resources/Vault/Properties"), located("/Resources/Access/Properties/Y")))),
			map[string][]Finding{"x.template.json": {
				{Control: "CT.S3.PR.2", Rule: "s3_check", Resource: "Access", Message: "Require logging", Fix: "Set a LoggingConfiguration."},
				{Control: "CT.S3.PR.2", Rule: "s3_check", Resource: "Logs", Message: "Require logging", Fix: "Set a LoggingConfiguration."},
				{Control: "CT.S3.PR.9", Rule: "s3_check", Resource: "Vault", Message: "Require Object Lock", Fix: "Enable it."},
			}}},
		{"a path outside Resources locates nothing", report("s3_check", check(title, located("/Resources/Logs"), located("/Outputs/Name"))),
			map[string][]Finding{"x.template.json": {{Control: "CT.S3.PR.2", Rule: "s3_check", Resource: "Logs", Message: "Require logging", Fix: "Set a LoggingConfiguration."}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := c.out
			if out == nil {
				out = mustRead(t, "testdata/report.json")
			}
			got, err := ParseReport(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(c.want, "", "  ")
				t.Errorf("findings:\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestParseReportRefusesWhatWouldLoseFindings(t *testing.T) {
	cases := []struct {
		name string
		out  []byte
		want string
	}{
		{"not JSON", []byte(`Rule evaluation failed`), "cfn-guard report: "},
		{"a report that is no list", []byte(`{"name": "x"}`), "cfn-guard report: "},
		{"a failed rule that locates no resource", report("s3_check", check("[CT.S3.PR.2]: Require logging")),
			`/work/cdk.out/x.template.json: rule "s3_check" failed on no resource`},
		{"a failed rule that names no control", report("s3_check", check("bucket has no logging", located("/Resources/Logs/Properties"))),
			`/work/cdk.out/x.template.json: rule "s3_check" names no control for Logs`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseReport(c.out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, error %v; want an error containing %q", got, err, c.want)
			}
		})
	}
}

// fakeGuard is a cfn-guard stand-in: a script that records its arguments, prints stdout and stderr and
// exits with code.
func fakeGuard(t *testing.T, stdout, stderr string, code int) (bin, args string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin, args = filepath.Join(dir, "cfn-guard"), filepath.Join(dir, "args")
	script := "#!/bin/sh\n" +
		`printf '%s\n' "$@" > "` + args + `"` + "\n" +
		`cat "` + filepath.Join(dir, "stdout") + `"; cat "` + filepath.Join(dir, "stderr") + `" >&2` + "\n" +
		"exit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, args
}

func TestValidate(t *testing.T) {
	passing := `[{"name": "/t/a.template.json", "status": "PASS", "not_compliant": []}]`
	cases := []struct {
		name           string
		stdout, stderr string
		code           int
		want           map[string][]Finding
		wantErr        string
	}{
		{"every rule passes", passing, "", 0, map[string][]Finding{"a.template.json": nil}, ""},
		{"some rule fails (exit 19)", string(mustRead(t, "testdata/report.json")), "", 19, capturedFindings, ""},
		{"a rule does not parse (exit 5)", "", "Parser Error when parsing rules file", 5, nil, "cfn-guard: exit status 5: Parser Error when parsing rules file"},
		{"a parse error beside a failure (exit 19)", passing, "Parser Error when parsing rules file", 19, nil, "cfn-guard wrote to stderr: Parser Error"},
		{"a report that does not parse", "oops", "", 19, nil, "cfn-guard report: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bin, args := fakeGuard(t, c.stdout, c.stderr, c.code)
			got, err := Validate(bin, "/rules/control-tower", []string{"/t/a.template.json", "/t/b.template.json"})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("findings %v, want %v", got, c.want)
			}
			wantArgs := "validate\n--rules\n/rules/control-tower\n--output-format\njson\n--show-summary\nnone\n--structured\n--data\n/t/a.template.json\n--data\n/t/b.template.json\n"
			if got := string(mustRead(t, args)); got != wantArgs {
				t.Errorf("arguments:\n%s\nwant\n%s", got, wantArgs)
			}
		})
	}
	if _, err := Validate(filepath.Join(t.TempDir(), "cfn-guard"), "/rules", nil); err == nil {
		t.Error("a missing binary was accepted")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBinary(t *testing.T) {
	pkg := t.TempDir()
	for _, platform := range []string{"ubuntu/x86_64", "ubuntu/aarch64", "macos/aarch64"} {
		dir := filepath.Join(pkg, "bin", platform)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cfn-guard"), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ goos, goarch, want, wantErr string }{
		{"linux", "amd64", "bin/ubuntu/x86_64/cfn-guard", ""},
		{"linux", "arm64", "bin/ubuntu/aarch64/cfn-guard", ""},
		{"darwin", "arm64", "bin/macos/aarch64/cfn-guard", ""},
		{"darwin", "amd64", "", "cfn-guard is missing, run npm ci"},
		{"windows", "amd64", "", "cfn-guard is not packaged for windows/amd64"},
		{"linux", "riscv64", "", "cfn-guard is not packaged for linux/riscv64"},
	}
	for _, c := range cases {
		t.Run(c.goos+"/"+c.goarch, func(t *testing.T) {
			got, err := binary(pkg, c.goos, c.goarch)
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("got %q, error %v; want an error containing %q", got, err, c.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case got != filepath.Join(pkg, c.want):
				t.Errorf("got %s, want %s", got, filepath.Join(pkg, c.want))
			}
		})
	}
}

func TestIsControl(t *testing.T) {
	for id, want := range map[string]bool{
		"CT.S3.PR.10": true, "CT.CLOUDWATCH.PR.2": true, "CT.EC2-VPC.PR.1": true,
		"s3_bucket_logging_enabled_check": false, "CT.S3.PR": false, "ct.s3.pr.2": false, " CT.S3.PR.2": false, "CT.S3.PR.2 ": false,
	} {
		if got := IsControl(id); got != want {
			t.Errorf("IsControl(%q) = %v, want %v", id, got, want)
		}
	}
}
