package checklist

import (
	"strings"
	"testing"
)

func TestFailed(t *testing.T) {
	tests := []struct {
		name string
		rows []Row
		want bool
	}{
		{"empty", nil, false},
		{"all pass", []Row{Pass("a", "x"), Pass("b", "y")}, false},
		{"warnings do not fail", []Row{Pass("a", "x"), Warn("b", "y", "z")}, false},
		{"one failure fails", []Row{Pass("a", "x"), Fail("b", "y", "z"), Warn("c", "y", "z")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Checklist
			c.Add(tt.rows...)
			if got := c.Failed(); got != tt.want {
				t.Errorf("Failed() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		width int
		rows  []Row
		want  string
	}{
		{
			name: "names align, fixes indent",
			rows: []Row{
				Pass("Account", "111111111111"),
				Fail("CDK bootstrap", "no CDKToolkit stack", "npm run cdk -- bootstrap"),
				Warn("CloudTrail", "no trail", "create one"),
			},
			want: "" +
				"✓ Account        111111111111\n" +
				"✗ CDK bootstrap  no CDKToolkit stack\n" +
				"    fix: npm run cdk -- bootstrap\n" +
				"! CloudTrail     no trail\n" +
				"    fix: create one\n" +
				"\n1 passed, 1 warning, 1 failed\n",
		},
		{
			name:  "details and fixes wrap under themselves",
			width: 30,
			rows: []Row{
				Fail("Zones", "us-east-1z does not exist in this account", "use us-east-1a or us-east-1b instead"),
			},
			want: "" +
				"✗ Zones  us-east-1z does not\n" +
				"         exist in this account\n" +
				"    fix: use us-east-1a or\n" +
				"         us-east-1b instead\n" +
				"\n0 passed, 0 warnings, 1 failed\n",
		},
		{
			name:  "a word longer than the line overflows whole",
			width: 20,
			rows:  []Row{Pass("Role", "arn:aws:iam::111111111111:role/Deployer ok")},
			want: "" +
				"✓ Role  arn:aws:iam::111111111111:role/Deployer\n" +
				"        ok\n" +
				"\n1 passed, 0 warnings, 0 failed\n",
		},
		{
			name: "a name past the column cap puts its detail below",
			rows: []Row{
				Pass("Account", "111111111111"),
				Pass("An unusually long check name", "found"),
				Pass("Bare", ""),
			},
			want: "" +
				"✓ Account                   111111111111\n" +
				"✓ An unusually long check name\n" +
				"                            found\n" +
				"✓ Bare\n" +
				"\n3 passed, 0 warnings, 0 failed\n",
		},
		{
			name: "empty",
			want: "\n0 passed, 0 warnings, 0 failed\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Checklist{Width: tt.width}
			c.Add(tt.rows...)
			var b strings.Builder
			if err := c.Render(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("Render() =\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestRenderDefaultWidth(t *testing.T) {
	var c Checklist
	c.Add(Pass("Check", strings.Repeat("word ", 40)))
	var b strings.Builder
	if err := c.Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if n := len([]rune(line)); n > DefaultWidth {
			t.Errorf("line of %d columns, want at most %d: %q", n, DefaultWidth, line)
		}
	}
	if n := strings.Count(b.String(), "\n"); n < 4 {
		t.Errorf("200 columns of detail took %d lines, want it wrapped:\n%s", n, b.String())
	}
}
