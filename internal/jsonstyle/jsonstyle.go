// Package jsonstyle checks goxcp's one JSON key style: every key that
// names a field is snake_case (lower-case letters, digits and
// underscores, starting with a letter). The tests of the packages that
// write JSON use it on the types they marshal and on the JSON the xcp
// commands print, so the style cannot drift. Keys that are data (A2L
// object names in a map, resource names) are not field names: callers
// name the places where such maps are expected.
package jsonstyle

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// IsSnake reports whether key is snake_case.
func IsSnake(key string) bool { return snake.MatchString(key) }

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// CheckType returns the fields of t (followed through pointers, slices,
// arrays, map values and nested structs) whose JSON key is not snake_case,
// as "Type.Field: key" — including exported fields without a json tag,
// which encoding/json writes under their Go name. Types with their own
// MarshalJSON are not looked into (check their output with CheckJSON).
func CheckType(t reflect.Type) []string {
	var bad []string
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			if t.Kind() != reflect.Map && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)) {
				return
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) ||
			t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			tag, hasTag := f.Tag.Lookup("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" && tag == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft) // promoted fields
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if !hasTag || name == "" {
				name = f.Name
			}
			if !IsSnake(name) {
				bad = append(bad, fmt.Sprintf("%s.%s: %q", t, f.Name, name))
			}
			walk(f.Type)
		}
	}
	walk(t)
	return bad
}

// CheckJSON returns the paths of the keys in data that are not
// snake_case. data is one JSON value or a stream of values (JSON lines).
// A path is the keys from the top joined by "." with "[]" for an array
// element; dataMaps are the paths of objects whose keys are data (for
// example "values" or "lists[].signals"): their keys are not checked,
// their values are (under the path "<map>.*").
func CheckJSON(data []byte, dataMaps ...string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	bad := map[string]bool{}
	n := 0
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("jsonstyle: value %d: %w", n+1, err)
		}
		n++
		walkValue(v, "", dataMaps, bad)
	}
	if n == 0 {
		return nil, fmt.Errorf("jsonstyle: no JSON value in %q", truncate(data))
	}
	out := make([]string, 0, len(bad))
	for p := range bad {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func walkValue(v any, path string, dataMaps []string, bad map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		isData := slices.Contains(dataMaps, path)
		for k, x := range v {
			p := join(path, k)
			if isData {
				p = join(path, "*")
			} else if !IsSnake(k) {
				bad[p] = true
			}
			walkValue(x, p, dataMaps, bad)
		}
	case []any:
		for _, x := range v {
			walkValue(x, path+"[]", dataMaps, bad)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
