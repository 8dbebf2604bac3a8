package cost

import (
	"strings"
	"testing"
)

func TestMarkdownTable(t *testing.T) {
	endpoint := func(id, service, subnets string) string {
		return `"` + id + `": ` + strings.Replace(strings.Replace(interfaceEndpoint, "bedrock-runtime", service, 1), "SUBNETS", subnets, 1)
	}
	mixed := template(endpoint("Runtime", "bedrock-runtime", `{"Ref": "A"}, {"Ref": "B"}`) + `, ` +
		endpoint("Logs", "logs", `{"Ref": "A"}, {"Ref": "B"}`) + `, ` + endpoint("Sts", "sts", `{"Ref": "A"}`) + `,
"Key": {"Type": "AWS::KMS::Key", "Properties": {}},
"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "M", "Period": 300}}`)
	bare := template(`"Key": {"Type": "AWS::KMS::Key", "Properties": {}}`)

	got, err := MarkdownTable([]Stack{{"mixed", mixed, "us-east-1"}, {"bare", bare, "us-east-1"}}, prices)
	if err != nil {
		t.Fatal(err)
	}
	want := `| stack | interface endpoints × zones | endpoints | keys | alarms and metrics | total |
|---|---|---:|---:|---:|---:|
| mixed | 2 × 2 + 1 × 1 | $36.50 | $1.00 | $0.10 | $37.60 |
| bare | none | $0.00 | $1.00 | $0.00 | $1.00 |
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	if _, err := MarkdownTable([]Stack{{"elsewhere", bare, "eu-north-1"}}, prices); err == nil || !strings.HasPrefix(err.Error(), "elsewhere: ") {
		t.Errorf("error %v does not name the stack", err)
	}
}
