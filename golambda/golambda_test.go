package golambda

import (
	"os"
	"path/filepath"
	"testing"
)

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// The asset hash must change exactly when what builds into the binary changes.
func TestSourceHash(t *testing.T) {
	base := map[string]string{
		"go.mod": "module m\n", "go.sum": "",
		"fn/main.go": "package main\n", "fn/main_test.go": "package main\n",
	}
	hash := func(edit func(map[string]string)) string {
		files := map[string]string{}
		for k, v := range base {
			files[k] = v
		}
		edit(files)
		h, err := sourceHash(writeModule(t, files), "fn")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	want := hash(func(map[string]string) {})
	if got := hash(func(map[string]string) {}); got != want {
		t.Fatalf("same sources, different hashes: %s and %s", got, want)
	}
	for name, c := range map[string]struct {
		edit    func(map[string]string)
		changes bool
	}{
		"handler source":     {func(f map[string]string) { f["fn/main.go"] += "// x\n" }, true},
		"new source file":    {func(f map[string]string) { f["fn/util.go"] = "package main\n" }, true},
		"dependency pins":    {func(f map[string]string) { f["go.sum"] = "x v1 h1:y\n" }, true},
		"module file":        {func(f map[string]string) { f["go.mod"] += "go 1.26\n" }, true},
		"test file":          {func(f map[string]string) { f["fn/main_test.go"] += "// x\n" }, false},
		"stray build output": {func(f map[string]string) { f["fn/bootstrap"] = "\x7fELF" }, false},
		"other package":      {func(f map[string]string) { f["other/x.go"] = "package other\n" }, false},
	} {
		if got := hash(c.edit); (got != want) != c.changes {
			t.Errorf("%s: hash changed = %v, want %v", name, got != want, c.changes)
		}
	}
}
