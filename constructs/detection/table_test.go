package detection

import (
	"strings"
	"testing"
)

func TestFullTableListsEveryAlertOnce(t *testing.T) {
	want := []string{GuardrailInterventions, PromptAttacks, SensitiveInformation, InvocationClientErrors,
		InvocationServerErrors, InvocationThrottles, FunctionAccessDenied, UndeliveredAlerts,
		InvocationLoggingChanges, GuardrailChanges, CloudTrailChanges, BucketChanges, EndpointChanges, KeyChanges}
	rows := FullTable()
	if len(rows) != len(want) {
		t.Fatalf("FullTable has %d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r.Name != want[i] {
			t.Errorf("row %d is %s, want %s", i, r.Name, want[i])
		}
		if r.Fires == "" || r.Threshold == "" || r.Action == "" {
			t.Errorf("%s: empty cell in %+v", r.Name, r)
		}
		if d := describe(r); len(d) > 1024 {
			t.Errorf("%s: alarm description has %d characters, CloudWatch takes 1024", r.Name, len(d))
		}
	}
}

func TestTableFollowsProps(t *testing.T) {
	tests := []struct {
		name  string
		props Props
		want  []string
	}{
		{"nothing given", Props{}, []string{UndeliveredAlerts, InvocationLoggingChanges, GuardrailChanges, CloudTrailChanges}},
		{"models and endpoint", Props{ModelIDs: []string{"m"}, EndpointID: new(string)},
			[]string{InvocationClientErrors, InvocationServerErrors, InvocationThrottles, UndeliveredAlerts,
				InvocationLoggingChanges, GuardrailChanges, CloudTrailChanges, EndpointChanges}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range Table(tt.props) {
				got = append(got, r.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestThresholdsAndDefaults(t *testing.T) {
	rows := Table(Props{ModelIDs: []string{"m"}, ServerErrorsPerFiveMinutes: 2})
	threshold := map[string]string{}
	for _, r := range rows {
		threshold[r.Name] = r.Threshold
	}
	for name, want := range map[string]string{
		InvocationClientErrors: "10 or more in 5 minutes",
		InvocationServerErrors: "2 or more in 5 minutes",
		InvocationThrottles:    "10 or more in 5 minutes",
	} {
		if threshold[name] != want {
			t.Errorf("%s threshold %q, want %q", name, threshold[name], want)
		}
	}
}

func TestMarkdownEscapesPipes(t *testing.T) {
	got := Markdown([]Row{{Name: "A", Kind: "alarm", Fires: "x | y", Threshold: "t", Action: "do"}})
	want := "| Alert | Kind | Fires on | Threshold | What to do |\n|---|---|---|---|---|\n| A | alarm | x \\| y | t | do |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
