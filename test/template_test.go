// Helpers that read synthesized templates.

package test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
)

// Template is a synthesized CloudFormation template, decoded for assertions in Go.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
	Outputs   map[string]any      `json:"Outputs"`
}

// Resource is one template resource.
type Resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DependsOn      any            `json:"DependsOn"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	UpdateReplace  string         `json:"UpdateReplacePolicy"`
	Metadata       map[string]any `json:"Metadata"`
}

// ofType returns the logical IDs of the resources of a type, sorted.
func (t Template) ofType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// only returns the single resource of a type, failing the test when there are more or none.
func (t Template) only(tb testing.TB, typ string) (string, Resource) {
	tb.Helper()
	ids := t.ofType(typ)
	if len(ids) != 1 {
		tb.Fatalf("want exactly one %s, found %v", typ, ids)
	}
	return ids[0], t.Resources[ids[0]]
}

// dependsOn lists a resource's DependsOn entries.
func (r Resource) dependsOn() []string {
	switch d := r.DependsOn.(type) {
	case string:
		return []string{d}
	case []any:
		out := make([]string, len(d))
		for i, v := range d {
			out[i] = v.(string)
		}
		return out
	}
	return nil
}

// statefulTypes are resources whose replacement loses data or makes it unreadable.
var statefulTypes = []string{"AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"}

func statefulIDs(tmpl Template) []string {
	var ids []string
	for _, typ := range statefulTypes {
		ids = append(ids, tmpl.ofType(typ)...)
	}
	return ids
}

// endpoints maps a service name suffix (bedrock-runtime, s3, logs...) to the endpoint resource.
func endpoints(tmpl Template) map[string]Resource {
	out := map[string]Resource{}
	for _, id := range tmpl.ofType("AWS::EC2::VPCEndpoint") {
		r := tmpl.Resources[id]
		// com.amazonaws.<region>.<service>, or a join of the same whose last part is ".<service>".
		name, _ := r.Properties["ServiceName"].(string)
		if intrinsic, ok := r.Properties["ServiceName"].(map[string]any); ok {
			if join, _ := intrinsic["Fn::Join"].([]any); len(join) == 2 {
				if parts, _ := join[1].([]any); len(parts) > 0 {
					name, _ = parts[len(parts)-1].(string)
				}
			}
		}
		out[name[strings.LastIndex(name, ".")+1:]] = r
	}
	return out
}

// logicalID is the template logical ID of an L1 resource.
func logicalID(s *synthesized, resource constructs.IConstruct) string {
	return *s.stack.Stack.GetLogicalId(resource.(awscdk.CfnElement))
}

// expect fails the test unless actual, a template value, matches pattern by the rules of
// assertions.Match. A plain map pattern is Match.objectLike, as in Template.hasResourceProperties:
// nested maps match partially, lists exactly. Unlike Template's assertions, it names the value and
// fails the test instead of panicking, and it can check one resource among several of a type.
func expect(t testing.TB, what string, pattern, actual any) {
	t.Helper()
	if r := matcher(pattern).Test(actual); *r.HasFailed() {
		t.Errorf("%s does not match:\n%s", what, *r.RenderMismatch())
	}
}

// matches reports whether actual matches pattern, by the rules of expect.
func matches(pattern, actual any) bool {
	return !*matcher(pattern).Test(actual).HasFailed()
}

func matcher(pattern any) assertions.Matcher {
	if m, ok := pattern.(assertions.Matcher); ok {
		return m
	}
	object := pattern.(map[string]any)
	return assertions.Match_ObjectLike(&object)
}

// jsonOf renders a value for comparison and messages.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ref is the CloudFormation reference to a logical ID.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }

// getAtt is the CloudFormation attribute reference.
func getAtt(id, attr string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

// objects is the ARN pattern of every object in a bucket of the template.
func objects(bucketID string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{getAtt(bucketID, "Arn"), "/*"}}}
}

// statements returns a policy document's statements as maps.
func statements(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	list, _ := d["Statement"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, s := range list {
		out = append(out, s.(map[string]any))
	}
	return out
}

// strs turns a string-or-list policy field into a list.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any: // one intrinsic, e.g. {"Fn::GetAtt": [...]}
		return []string{jsonOf(x)}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			} else {
				out = append(out, jsonOf(e))
			}
		}
		return out
	}
	return nil
}

func sorted(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

// resolved is the template form of a token, e.g. {"Fn::GetAtt": [...]}.
func resolved(s *synthesized, token *string) map[string]any {
	var out map[string]any
	if err := json.Unmarshal([]byte(jsonOf(s.stack.Stack.Resolve(token))), &out); err != nil {
		panic(err)
	}
	return out
}

// anys is s as a JSON list, for comparisons with decoded templates.
func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
