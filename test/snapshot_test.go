package test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSnapshot compares every environment's template, and the organisation stack's, with its golden
// file. After an intended change, rewrite them with: go test ./test -run TestSnapshot -update
func TestSnapshot(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) { snapshot(t, s.env.Name, s.templates) })
	t.Run(organizationLabel, func(t *testing.T) { snapshot(t, organizationLabel, org.templates) })
	t.Run(pipelineLabel, func(t *testing.T) { snapshot(t, pipelineLabel, deliveryTemplates) })
}

// snapshot compares one template with testdata/<name>.template.json.
func snapshot(t *testing.T, name string, tmpl templates) {
	t.Helper()
	got, err := json.MarshalIndent(tmpl.assert.ToJSON(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", name+".template.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: create it with: go test ./test -run TestSnapshot -update", err)
	}
	if !bytes.Equal(got, want) {
		actual := filepath.Join("testdata", name+".actual.json")
		_ = os.WriteFile(actual, got, 0o644)
		t.Errorf("template of %s differs from %s (written to %s; diff them, and if the change is intended run: go test ./test -run TestSnapshot -update)", name, golden, actual)
	}
}
