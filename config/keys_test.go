package config

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Duplicate keys cannot be written through a map, so this edits the fixture's text: once at the top of
// dev, once in the first element of its first list of objects.
func TestDuplicateKeysAreRejected(t *testing.T) {
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, dup := range [][2]string{
		{`"vpcCidr": "10.10.0.0/20",`, `"vpcCidr": "10.10.0.0/20", "vpcCidr": "10.99.0.0/20",`},
		{`{"type": "HATE", "input": "HIGH",`, `{"type": "HATE", "input": "HIGH", "input": "LOW",`},
		{`"project": "private-bedrock",`, `"project": "private-bedrock", "project": "other",`},
	} {
		if !bytes.Contains(raw, []byte(dup[0])) {
			t.Fatalf("fixture no longer contains %s", dup[0])
		}
		raw = bytes.Replace(raw, []byte(dup[0]), []byte(dup[1]), 1)
	}
	_, err = Parse(raw)
	for _, want := range []string{
		`environment configuration: project: appears twice in one object, and only the last would count: keep one`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant it to contain %q", err, want)
		}
	}
	// With the top level fixed, the environment's duplicates are reported together.
	raw = bytes.Replace(raw, []byte(`"project": "other",`), nil, 1)
	_, err = Parse(raw)
	for _, want := range []string{
		`environment "dev": vpcCidr: appears twice in one object, and only the last would count: keep one`,
		`environment "dev": guardrail.contentFilters[0].input: appears twice in one object`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant it to contain %q", err, want)
		}
	}
}

// Every key mistake of an environment is reported, with a value of the wrong type and other
// environments' mistakes.
func TestKeyMistakesAreReportedTogether(t *testing.T) {
	doc := base(t)
	rename(env(doc, 0), "vpcCidr", "VpcCidr")
	rename(filters(doc, 0)[2].(map[string]any), "type", "Type")
	env(doc, 0)["logRetention"] = 365
	env(doc, 0)["invokerReservedConcurrency"] = "two"
	rename(role(doc, 1, 0), "requireMfa", "requireMFA")
	raw, _ := json.Marshal(doc)
	_, err := Parse(raw)
	for _, want := range []string{
		`environment "dev": VpcCidr: unknown field: write it "vpcCidr" (keys are case-sensitive)`,
		`environment "dev": guardrail.contentFilters[2].Type: unknown field: write it "type"`,
		`environment "dev": logRetention: unknown field: correct its spelling or remove it`,
		`environment "dev": invokerReservedConcurrency: a JSON string is not valid here`,
		`environment "staging": accessRoles[0].requireMFA: unknown field: write it "requireMfa"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant it to contain %q", err, want)
		}
	}
}

// A top-level $schema, which editors read, is accepted and ignored.
func TestSchemaReferenceIsIgnored(t *testing.T) {
	doc := base(t)
	doc["$schema"] = "./environments.schema.json"
	raw, _ := json.Marshal(doc)
	if _, err := Parse(raw); err != nil {
		t.Error(err)
	}
}
