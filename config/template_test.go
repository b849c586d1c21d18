package config_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goxcp/goxcp/config"
)

// The template lists every key, each with a comment, and loads back to
// exactly the defaults.
func TestTemplate(t *testing.T) {
	tmpl := config.Template()
	c, err := config.Parse("template.toml", tmpl)
	if err != nil {
		t.Fatalf("template does not load: %v\n%s", err, tmpl)
	}
	c.File = ""
	if d := cmp.Diff(config.Default(), c, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("template differs from the defaults (-default +template):\n%s", d)
	}
	keys, err := config.FileKeys(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	settings := config.Settings(config.Default())
	if len(keys) != len(settings) {
		t.Errorf("template sets %d keys, the config has %d", len(keys), len(settings))
	}
	for _, s := range settings {
		if s.Doc == "" {
			t.Errorf("%s has no description", s.Key)
		}
		if !strings.Contains(string(tmpl), "\n# "+s.Doc+"\n") {
			t.Errorf("template lacks the comment of %s", s.Key)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"a\"b", `"a\"b"`}, {"\x01\n\\\xff", `"\u0001\n\\` + "\uFFFD" + `"`}, {2 * 1e9, "2e+09"}, {1.0, "1.0"}, {1.5, "1.5"}, {[]uint32{1, 2}, "[1, 2]"}, {[]uint32(nil), "[]"},
		{true, "true"}, {uint16(7), "7"}, {config.Default().Transport.Timeout, `"2s"`},
	} {
		if got := config.FormatValue(tc.v); got != tc.want {
			t.Errorf("FormatValue(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
