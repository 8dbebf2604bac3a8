package cfnresolve

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const template = `{"Resources": {
	"Role":      {"Type": "AWS::IAM::Role", "Properties": {}},
	"NamedRole": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "BedrockExecutionRole"}},
	"Bucket":    {"Type": "AWS::S3::Bucket"},
	"Key":       {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
	"Named":     {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/stack/invocations"}},
	"Unnamed":   {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 365}},
	"Endpoint":  {"Type": "AWS::EC2::VPCEndpoint", "Properties": {}},
	"Vpc":       {"Type": "AWS::EC2::VPC", "Properties": {}},
	"Guardrail": {"Type": "AWS::Bedrock::Guardrail", "Properties": {}},
	"Topic":     {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "stack-alerts"}},
	"Unnamed2":  {"Type": "AWS::SNS::Topic", "Properties": {}},
	"Version":   {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {"GuardrailIdentifier": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]}}}
}}`

var deployment = Deployment{Partition: "aws", Region: "us-east-1", Account: "111111111111"}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name, in, want string
		deployment     *Deployment // default: deployment
	}{
		{"literal", `"arn:aws:s3:::x"`, `"arn:aws:s3:::x"`, nil},
		{"partition", `{"Ref": "AWS::Partition"}`, `"aws"`, nil},
		{"region", `{"Ref": "AWS::Region"}`, `"us-east-1"`, nil},
		{"account", `{"Ref": "AWS::AccountId"}`, `"111111111111"`, nil},
		{"URL suffix", `{"Ref": "AWS::URLSuffix"}`, `"amazonaws.com"`, nil},
		{"URL suffix in China", `{"Ref": "AWS::URLSuffix"}`, `"amazonaws.com.cn"`,
			&Deployment{Partition: "aws-cn", Region: "cn-north-1", Account: "111111111111"}},
		{"role name", `{"Ref": "Role"}`, `"Role"`, nil},
		{"bucket name", `{"Ref": "Bucket"}`, `"bucket"`, nil},
		{"key ID", `{"Ref": "Key"}`, `"key"`, nil},
		{"named log group", `{"Ref": "Named"}`, `"/stack/invocations"`, nil},
		{"log group named by CloudFormation", `{"Ref": "Unnamed"}`, `"Unnamed"`, nil},
		{"VPC endpoint ID", `{"Ref": "Endpoint"}`, `"vpce-endpoint"`, nil},
		{"role ARN", `{"Fn::GetAtt": ["Role", "Arn"]}`, `"arn:aws:iam::111111111111:role/Role"`, nil},
		{"named role ARN", `{"Fn::GetAtt": ["NamedRole", "Arn"]}`, `"arn:aws:iam::111111111111:role/BedrockExecutionRole"`, nil},
		{"bucket ARN", `{"Fn::GetAtt": ["Bucket", "Arn"]}`, `"arn:aws:s3:::bucket"`, nil},
		{"key ARN", `{"Fn::GetAtt": ["Key", "Arn"]}`, `"arn:aws:kms:us-east-1:111111111111:key/key"`, nil},
		{"log group ARN", `{"Fn::GetAtt": ["Named", "Arn"]}`, `"arn:aws:logs:us-east-1:111111111111:log-group:/stack/invocations:*"`, nil},
		{"ARN in another partition", `{"Fn::GetAtt": ["Role", "Arn"]}`, `"arn:aws-us-gov:iam::111111111111:role/Role"`,
			&Deployment{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "111111111111"}},
		{"topic ARN", `{"Ref": "Topic"}`, `"arn:aws:sns:us-east-1:111111111111:stack-alerts"`, nil},
		{"guardrail ARN", `{"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}`, `"arn:aws:bedrock:us-east-1:111111111111:guardrail/guardrail"`, nil},
		{"guardrail ID", `{"Fn::GetAtt": ["Guardrail", "GuardrailId"]}`, `"guardrail"`, nil},
		{"guardrail version as GuardrailIdentifier compares it", `{"Fn::Join": [":", [{"Fn::GetAtt": ["Version", "GuardrailArn"]}, {"Fn::GetAtt": ["Version", "Version"]}]]}`,
			`"arn:aws:bedrock:us-east-1:111111111111:guardrail/guardrail:1"`, nil},
		{"join", `{"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/logs/*"]]}`, `"arn:aws:s3:::bucket/logs/*"`, nil},
		{"join with a separator and a nested join", `{"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, {"Fn::Join": ["-", ["a", "b"]]}]]}`, `"arn:aws:a-b"`, nil},
		{"policy document", `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": [{"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::111111111111:root"]},
			"Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": {"Ref": "Endpoint"}}}, "Count": 2}]}`,
			`{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/Role", "arn:aws:iam::111111111111:root"]},
			"Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-endpoint"}}, "Count": 2}]}`, nil},
		{"a map with Ref beside other keys is no intrinsic", `{"Ref": "Role", "Note": "x"}`, `{"Ref": "Role", "Note": "x"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := deployment
			if c.deployment != nil {
				d = *c.deployment
			}
			r, err := New([]byte(template), d)
			if err != nil {
				t.Fatal(err)
			}
			in := decode(t, c.in)
			before, _ := json.Marshal(in)
			got, err := r.Resolve(in)
			if err != nil {
				t.Fatal(err)
			}
			if want := decode(t, c.want); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("got %s, want %s", g, c.want)
			}
			if after, _ := json.Marshal(in); string(after) != string(before) {
				t.Errorf("input modified: %s, was %s", after, before)
			}
		})
	}
}

func TestResolveRejectsWhatItCannotResolve(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"Fn::Sub", `{"Fn::Sub": "${AWS::Region}"}`, `cannot resolve {"Fn::Sub":"${AWS::Region}"}`},
		{"an attribute other than Arn", `{"Fn::GetAtt": ["Role", "RoleId"]}`, `cannot resolve {"Fn::GetAtt":["Role","RoleId"]}`},
		{"GetAtt in its string form", `{"Fn::GetAtt": "Role.Arn"}`, `cannot resolve {"Fn::GetAtt":"Role.Arn"}`},
		{"Ref of an unknown resource", `{"Ref": "NoSuchResource"}`, `cannot resolve {"Ref":"NoSuchResource"}`},
		{"Ref of an unknown pseudo parameter", `{"Ref": "AWS::StackName"}`, `cannot resolve {"Ref":"AWS::StackName"}`},
		{"Ref of a type without a known name", `{"Ref": "Vpc"}`, `cannot resolve {"Ref":"Vpc"}`},
		{"Ref of a topic CloudFormation names", `{"Ref": "Unnamed2"}`, `cannot resolve {"Ref":"Unnamed2"}`},
		{"guardrail attribute of another type", `{"Fn::GetAtt": ["Role", "GuardrailArn"]}`, `cannot resolve {"Fn::GetAtt":["Role","GuardrailArn"]}`},
		{"ARN of a type without a known ARN", `{"Fn::GetAtt": ["Endpoint", "Arn"]}`, `cannot resolve {"Fn::GetAtt":["Endpoint","Arn"]}`},
		{"join of an unresolvable part", `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::StackId"}]]}`, `cannot resolve {"Ref":"AWS::StackId"}`},
		{"join of a part that is no string", `{"Fn::Join": ["", ["a", {"x": 1}]]}`, `cannot resolve {"Fn::Join":["",["a",{"x":1}]]}`},
		{"join of no list", `{"Fn::Join": ["", {"Ref": "Role"}]}`, `cannot resolve {"Fn::Join":["",{"Ref":"Role"}]}`},
		{"deep in a policy", `{"Statement": [{"Resource": [{"Fn::GetAtt": ["Role", "Arn"]}, {"Fn::ImportValue": "x"}]}]}`, `cannot resolve {"Fn::ImportValue":"x"}`},
	}
	r, err := New([]byte(template), deployment)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Resolve(decode(t, c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				g, _ := json.Marshal(got)
				t.Errorf("got %s, error %v; want an error containing %s", g, err, c.want)
			}
		})
	}
}

func TestNewRejectsWhatIsNoTemplate(t *testing.T) {
	if _, err := New([]byte(`{"Resources": []}`), deployment); err == nil {
		t.Error("a template whose Resources is a list was accepted")
	}
}

func TestGuardrailIdentifierOfAnotherForm(t *testing.T) {
	for _, identifier := range []string{`"abc123"`, `["Guardrail"]`, `{"Fn::GetAtt": "Guardrail.GuardrailId"}`, `{"Fn::GetAtt": [1, "GuardrailId"]}`} {
		tmpl := `{"Resources": {"Version": {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {"GuardrailIdentifier": ` + identifier + `}}}}`
		r, err := New([]byte(tmpl), deployment)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Resolve(decode(t, `{"Fn::GetAtt": ["Version", "GuardrailArn"]}`))
		if !errors.Is(err, ErrUnresolvable) || !strings.Contains(err.Error(), `cannot resolve {"Fn::GetAtt":["Version","GuardrailArn"]}`) {
			t.Errorf("GuardrailIdentifier %s: error %v, want ErrUnresolvable", identifier, err)
		}
	}
}

func TestRoleArnHasItsPath(t *testing.T) {
	r, err := New([]byte(`{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service/", "RoleName": "Reader"}}}}`), deployment)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Resolve(decode(t, `{"Fn::GetAtt": ["Role", "Arn"]}`))
	if want := "arn:aws:iam::111111111111:role/service/Reader"; err != nil || got != want {
		t.Errorf("got %v, %v; want %s", got, err, want)
	}
}

// A name the template gives is the name; what AWS picks is recognisable, or at its longest with
// Deployment.Longest.
func TestStandIns(t *testing.T) {
	template := []byte(`{"Resources": {
		"Role": {"Type": "AWS::IAM::Role", "Properties": {}},
		"Bucket": {"Type": "AWS::S3::Bucket"},
		"NamedBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "reports"}},
		"Key": {"Type": "AWS::KMS::Key"},
		"Endpoint": {"Type": "AWS::EC2::VPCEndpoint"}
	}}`)
	for _, tt := range []struct {
		longest bool
		want    map[string]string
	}{
		{false, map[string]string{"Role": "Role", "Bucket": "bucket", "NamedBucket": "reports", "Key": "key", "Endpoint": "vpce-endpoint"}},
		{true, map[string]string{"Role": strings.Repeat("r", 64), "Bucket": strings.Repeat("b", 63), "NamedBucket": "reports",
			"Key": "00000000-0000-0000-0000-000000000000", "Endpoint": "vpce-0123456789abcdef0"}},
	} {
		d := deployment
		d.Longest = tt.longest
		r, err := New(template, d)
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range tt.want {
			if got, err := r.Resolve(map[string]any{"Ref": id}); err != nil || got != want {
				t.Errorf("longest %v: Ref %s = %v, %v; want %s", tt.longest, id, got, err, want)
			}
		}
	}
}

// deployedTemplate is a deployed stack's template: its outputs say what the stack outputs.
const deployedTemplate = `{"Resources": {
	"Role":      {"Type": "AWS::IAM::Role", "Properties": {}},
	"PathRole":  {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service/"}},
	"Bucket":    {"Type": "AWS::S3::Bucket"},
	"Endpoint":  {"Type": "AWS::EC2::VPCEndpoint", "Properties": {}},
	"Guardrail": {"Type": "AWS::Bedrock::Guardrail", "Properties": {}},
	"Version":   {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {"GuardrailIdentifier": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]}}},
	"Other":     {"Type": "AWS::Bedrock::Guardrail", "Properties": {}}
}, "Outputs": {
	"GuardrailArn":     {"Value": {"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}},
	"GuardrailVersion": {"Value": {"Fn::GetAtt": ["Version", "Version"]}},
	"NotDeployed":      {"Value": {"Fn::GetAtt": ["Other", "GuardrailArn"]}}
}}`

var deployedStack = Deployment{Partition: "aws", Region: "us-east-1", Account: "111111111111", Stack: &Stack{
	Name: "stack-dev",
	PhysicalIDs: map[string]string{
		"Role":      "stack-dev-Role-AbC",
		"PathRole":  "stack-dev-PathRole-1",
		"Bucket":    "stack-dev-bucket-xyz",
		"Endpoint":  "vpce-0123456789abcdef0",
		"Guardrail": "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123",
	},
	Outputs: map[string]string{
		"GuardrailArn":     "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123",
		"GuardrailVersion": "3",
		"Unknown":          "x",
	},
}}

func TestResolveDeployed(t *testing.T) {
	r, err := New([]byte(deployedTemplate), deployedStack)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, want string }{
		{`{"Ref": "AWS::Partition"}`, `"aws"`},
		{`{"Ref": "AWS::Region"}`, `"us-east-1"`},
		{`{"Ref": "AWS::AccountId"}`, `"111111111111"`},
		{`{"Ref": "AWS::StackName"}`, `"stack-dev"`},
		{`{"Ref": "AWS::URLSuffix"}`, `"amazonaws.com"`},
		{`{"Ref": "Endpoint"}`, `"vpce-0123456789abcdef0"`},
		{`{"Ref": "Role"}`, `"stack-dev-Role-AbC"`},
		{`{"Fn::GetAtt": ["Role", "Arn"]}`, `"arn:aws:iam::111111111111:role/stack-dev-Role-AbC"`},
		{`{"Fn::GetAtt": ["PathRole", "Arn"]}`, `"arn:aws:iam::111111111111:role/service/stack-dev-PathRole-1"`},
		{`{"Fn::GetAtt": ["Bucket", "Arn"]}`, `"arn:aws:s3:::stack-dev-bucket-xyz"`},
		{`{"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}`, `"arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123"`},
		{`{"Fn::Join": [":", [{"Fn::GetAtt": ["Version", "GuardrailArn"]}, {"Fn::GetAtt": ["Version", "Version"]}]]}`,
			`"arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123:3"`},
		{`{"a": [{"Ref": "AWS::Region"}, "b"]}`, `{"a":["us-east-1","b"]}`},
	}
	for _, c := range cases {
		got, err := r.Resolve(decode(t, c.in))
		if want := decode(t, c.want); err != nil || !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Errorf("Resolve(%s) = %s, %v; want %s", c.in, g, err, c.want)
		}
	}
	// Nothing is made up: what the stack does not list or output does not resolve.
	for _, in := range []string{`{"Ref": "Nowhere"}`, `{"Ref": "Other"}`, `{"Fn::GetAtt": ["Other", "GuardrailArn"]}`,
		`{"Fn::GetAtt": ["Guardrail", "GuardrailId"]}`, `{"Fn::GetAtt": ["Endpoint", "DnsEntries"]}`, `{"Fn::Sub": "${AWS::Region}"}`,
		`{"Fn::Join": [":", "not a list"]}`} {
		if got, err := r.Resolve(decode(t, in)); !errors.Is(err, ErrUnresolvable) {
			t.Errorf("Resolve(%s) = %v, %v; want ErrUnresolvable", in, got, err)
		}
	}
}

func TestResources(t *testing.T) {
	r, err := New([]byte(deployedTemplate), deployedStack)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Resources("AWS::Bedrock::Guardrail")
	if len(got) != 2 || got["Guardrail"] == nil || got["Other"] == nil {
		t.Errorf("Resources(AWS::Bedrock::Guardrail) = %v, want Guardrail and Other", got)
	}
	if got := r.Resources("AWS::Lambda::Function"); len(got) != 0 {
		t.Errorf("Resources(AWS::Lambda::Function) = %v, want none", got)
	}
}
