// Helpers that read synthesized templates.

package test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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
		name := jsonOf(r.Properties["ServiceName"])
		i := strings.LastIndex(name, ".")
		out[strings.Trim(name[i+1:], `"]}`)] = r
	}
	return out
}

// logicalID is the template logical ID of an L1 resource.
func logicalID(s *synthesized, resource constructs.IConstruct) string {
	return *s.stack.Stack.GetLogicalId(resource.(awscdk.CfnElement))
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
