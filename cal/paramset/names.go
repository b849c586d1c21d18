package paramset

import (
	"path"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// Names returns the names of the set's items in the set's order.
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.Items))
	for _, it := range s.Items {
		out = append(out, it.Name)
	}
	return out
}

// Calibratable returns those of names that m describes as calibration
// objects Save can read (CHARACTERISTICs and AXIS_PTS, also through
// INSTANCEs), in the order given: names m lacks, MEASUREMENTs and BLOBs
// are left out. It is what comparing an ECU or image with a parameter set
// file reads.
func Calibratable(m *a2l.Module, names []string) []string {
	var out []string
	for _, n := range names {
		if d, err := cal.Describe(m, n); err == nil && d.Kind() != "MEASUREMENT" && d.Kind() != "BLOB" {
			out = append(out, n)
		}
	}
	return out
}

// Match returns the names of the items of sets that match one of the
// patterns (object names or path.Match globs like idle_*), in the order
// of the sets and their items (a name in several sets appears once per
// set). FUNCTION and GROUP names need an A2L (Select) and match nothing
// here.
func Match(patterns []string, sets ...*Set) []string {
	var out []string
	for _, set := range sets {
		for _, it := range set.Items {
			for _, p := range patterns {
				if ok, _ := path.Match(p, it.Name); ok {
					out = append(out, it.Name)
					break
				}
			}
		}
	}
	return out
}
