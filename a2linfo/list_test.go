package a2linfo_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2linfo"
	"github.com/goxcp/goxcp/sim"
)

func TestList(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := file.Modules[0]
	for _, c := range []struct {
		pattern, kind string
		want          string // names joined by spaces
		err           string
	}{
		{"waves.s*", "", "waves.sine waves.sine64", ""},
		{"temp_limit", "CHARACTERISTIC", "temp_limit", ""},
		{"temp_limit", "measurement", "", ""},
		{"[", "", "", "syntax error in pattern"},
		{"*", "map", "", `unknown kind "map"`},
	} {
		got, err := a2linfo.List(m, c.pattern, c.kind)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("List(%q, %q): %v, want %q", c.pattern, c.kind, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		if strings.Join(names, " ") != c.want {
			t.Errorf("List(%q, %q) = %q, want %q", c.pattern, c.kind, names, c.want)
		}
	}
	if _, err := a2linfo.Describe(m, "no_such"); err == nil {
		t.Error("Describe of an unknown name: no error")
	}
}
