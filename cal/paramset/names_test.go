package paramset_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal/paramset"
)

func TestCalibratableAndMatch(t *testing.T) {
	f, err := a2l.ParseString("select.a2l", selectA2L, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	if got := strings.Join(paramset.Calibratable(mod, []string{"knock", "speed", "nope", "idle_a"}), " "); got != "knock idle_a" {
		t.Errorf("Calibratable: %q", got)
	}
	a := &paramset.Set{Items: []*paramset.Item{{Name: "idle_a"}, {Name: "boost"}}}
	b := &paramset.Set{Items: []*paramset.Item{{Name: "idle_b"}, {Name: "knock"}}}
	for _, c := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"idle_*"}, "idle_a idle_b"},
		{[]string{"boost", "k?ock"}, "boost knock"},
		{[]string{"F_Idle"}, ""},
		{[]string{"[bad"}, ""},
		{nil, ""},
	} {
		if got := strings.Join(paramset.Match(c.patterns, a, b), " "); got != c.want {
			t.Errorf("Match %q: %q, want %q", c.patterns, got, c.want)
		}
	}
	if got := strings.Join(b.Names(), " "); got != "idle_b knock" {
		t.Errorf("Names: %q", got)
	}
}

// Choose the objects of two parameter sets to compare by glob pattern.
func ExampleMatch() {
	base := &paramset.Set{Items: []*paramset.Item{{Name: "idle_speed"}, {Name: "boost_max"}}}
	tuned := &paramset.Set{Items: []*paramset.Item{{Name: "idle_speed"}, {Name: "idle_gain"}}}
	names := paramset.Match([]string{"idle_*"}, base, tuned)
	fmt.Println(names)
	fmt.Println(len(paramset.Diff(base, tuned, paramset.DiffOptions{Names: names})), "object(s) differ among them")
	// Output:
	// [idle_speed idle_speed idle_gain]
	// 1 object(s) differ among them
}
