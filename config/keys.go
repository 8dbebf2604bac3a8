package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
)

// keyProblems walks the JSON in data against the Go type it decodes into and reports every object key
// that is not exactly one of the json tags at its place, or repeats a key of its object. encoding/json
// accepts both silently: it matches keys in any case, so "VpcCidr" sets vpcCidr and "vpcCIDR" next to
// "vpcCidr" replaces it, and it keeps the last of duplicate keys. Each problem reads "<path>: <what is
// wrong and the fix>", the path as the configuration reference writes it, e.g.
// guardrail.contentFilters[2].type. The error is the JSON's syntax error, if any.
func keyProblems(data []byte, t reflect.Type) ([]string, error) {
	w := keyWalk{dec: json.NewDecoder(bytes.NewReader(data))}
	err := w.value("", t)
	return w.problems, err
}

type keyWalk struct {
	dec      *json.Decoder
	problems []string
}

// value walks the next JSON value, which decodes into t. A nil t is a value nothing is known about:
// under an unknown key, of the wrong kind (the decoder reports that), or a json.RawMessage decoded, and
// walked, on its own later.
func (w *keyWalk) value(path string, t reflect.Type) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		if t != nil && t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
			t = nil
		}
		return w.object(path, t)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		return w.array(path, elem)
	}
	return nil
}

// object walks an object that decodes into t: a struct, whose keys must be its fields, or a map, whose
// keys are free but, like a struct's, not repeated.
func (w *keyWalk) object(path string, t reflect.Type) error {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = jsonFields(t)
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		at := key
		if path != "" {
			at = path + "." + key
		}
		field, known := fields[key]
		if t != nil && t.Kind() == reflect.Map {
			field, known = t.Elem(), true
		}
		switch {
		case t == nil: // nothing to check against
		case seen[key]:
			w.problems = append(w.problems, at+": appears twice in one object, and only the last would count: keep one")
		case !known:
			name, ok := sameButCase(fields, key)
			if !ok {
				w.problems = append(w.problems, at+": unknown field: correct its spelling or remove it (see the configuration reference in README.md)")
				break
			}
			w.problems = append(w.problems, fmt.Sprintf("%s: unknown field: write it %q (keys are case-sensitive)", at, name))
			// The decoder fills that field from this key, so what is inside counts.
			field = fields[name]
		}
		seen[key] = true
		if err := w.value(at, field); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // }
	return err
}

func (w *keyWalk) array(path string, elem reflect.Type) error {
	for i := 0; w.dec.More(); i++ {
		if err := w.value(fmt.Sprintf("%s[%d]", path, i), elem); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // ]
	return err
}

// jsonFields are the keys a struct type decodes, each with the type its value decodes into.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// encoding/json decodes an embedded struct's fields as keys of the outer object.
			maps.Copy(fields, jsonFields(f.Type))
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// sameButCase is the field that key names in another case, the one encoding/json would fill.
func sameButCase(fields map[string]reflect.Type, key string) (string, bool) {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name, true
		}
	}
	return "", false
}
