package cal_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/sim"
)

func TestSuggestAndDescribeAll(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := file.Modules[0]
	for _, c := range []struct{ name, want string }{
		{"temp_limt", `; did you mean "temp_limit"?`},
		{"Temp_Limit", `; did you mean "temp_limit"?`},
		{"temp_limit", ""}, // exists
		{"qqqqqqqq", ""},   // nothing close
	} {
		if got := cal.Suggest(m, c.name); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	ds, err := cal.DescribeAll(m, []string{"temp_limit", "amplitude"})
	if err != nil || len(ds) != 2 || ds[0].Name != "temp_limit" || ds[1].Name != "amplitude" {
		t.Fatalf("DescribeAll: %v %v", ds, err)
	}
	if _, err := cal.DescribeAll(m, []string{"temp_limit", "amplitud"}); err == nil || !strings.Contains(err.Error(), `did you mean "amplitude"`) {
		t.Errorf("DescribeAll of a misspelt name: %v", err)
	}
}
