package paramset

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Difference is how one object differs between two sets.
type Difference struct {
	Name string `json:"name"`
	// State is "changed", "only-a" or "only-b".
	State string `json:"state"`
	A     *Item  `json:"a,omitempty"`
	B     *Item  `json:"b,omitempty"`
	// Details list the differences in physical values, one per element:
	// "[2] 800 -> 850 rpm", "x[1] 20 -> 25 degC", "unit rpm -> 1/min".
	Details []string `json:"details,omitempty"`
}

// DiffOptions control Diff.
type DiffOptions struct {
	// Tolerance is the largest absolute difference of two physical values
	// still taken as equal (0: exactly equal).
	Tolerance float64
	// Names restricts the comparison to these objects (nil: all).
	Names []string
}

// Diff compares two sets object by object (by name) and returns the
// objects that differ, sorted by name.
func Diff(a, b *Set, opt DiffOptions) []Difference {
	a, b = sorted(a), sorted(b)
	var out []Difference
	want := func(string) bool { return true }
	if opt.Names != nil {
		want = func(n string) bool { return slices.Contains(opt.Names, n) }
	}
	i, j := 0, 0
	for i < len(a.Items) || j < len(b.Items) {
		switch {
		case j == len(b.Items) || i < len(a.Items) && a.Items[i].Name < b.Items[j].Name:
			if want(a.Items[i].Name) {
				out = append(out, Difference{Name: a.Items[i].Name, State: "only-a", A: a.Items[i]})
			}
			i++
		case i == len(a.Items) || b.Items[j].Name < a.Items[i].Name:
			if want(b.Items[j].Name) {
				out = append(out, Difference{Name: b.Items[j].Name, State: "only-b", B: b.Items[j]})
			}
			j++
		default:
			if want(a.Items[i].Name) {
				if d := CompareItems(a.Items[i], b.Items[j], opt.Tolerance); len(d) > 0 {
					out = append(out, Difference{Name: a.Items[i].Name, State: "changed", A: a.Items[i], B: b.Items[j], Details: d})
				}
			}
			i++
			j++
		}
	}
	return out
}

// sorted returns s, or a copy sorted by name when it is not.
func sorted(s *Set) *Set {
	if slices.IsSortedFunc(s.Items, func(x, y *Item) int { return strings.Compare(x.Name, y.Name) }) {
		return s
	}
	c := *s
	c.Items = slices.Clone(s.Items)
	c.Sort()
	return &c
}

// CompareItems lists how b differs from a in content: values, verbal
// texts, strings, dimensions, units and axis points. Comments, kinds and
// functions are not compared (formats differ in what they keep).
func CompareItems(a, b *Item, tol float64) []string {
	var out []string
	if a.Unit != b.Unit && a.Unit != "" && b.Unit != "" {
		out = append(out, fmt.Sprintf("unit %q -> %q", a.Unit, b.Unit))
	}
	if (a.String == nil) != (b.String == nil) {
		return append(out, "string and numeric content")
	}
	if a.String != nil {
		if *a.String != *b.String {
			out = append(out, fmt.Sprintf("%q -> %q", *a.String, *b.String))
		}
		return out
	}
	if !slices.Equal(dims(a), dims(b)) {
		return append(out, fmt.Sprintf("dimensions %s -> %s", dimString(a), dimString(b)))
	}
	out = append(out, compareValues("", a.Values, b.Values, a.Text, b.Text, b.Unit, tol)...)
	if len(a.Axes) == len(b.Axes) {
		for k := range a.Axes {
			x, y := a.Axes[k], b.Axes[k]
			out = append(out, compareValues(axisName(k), x.Values, y.Values, x.Text, y.Text, y.Unit, tol)...)
		}
	}
	return out
}

func dims(it *Item) []int {
	if len(it.Dims) > 0 {
		return it.Dims
	}
	if len(it.Values) > 1 {
		return []int{len(it.Values)}
	}
	return nil
}

func dimString(it *Item) string {
	d := dims(it)
	if d == nil {
		return "scalar"
	}
	s := make([]string, len(d))
	for i, n := range d {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, "x")
}

func axisName(k int) string {
	if k < 3 {
		return string("xyz"[k])
	}
	return strconv.Itoa(k + 1)
}

func compareValues(prefix string, a, b []float64, at, bt []string, unit string, tol float64) []string {
	var out []string
	for i := range max(len(a), len(b), len(at), len(bt)) {
		xt, yt := textAt(at, i), textAt(bt, i)
		x, xok := numAt(a, i)
		y, yok := numAt(b, i)
		switch {
		case xt != "" && yt != "":
			if xt == yt {
				continue
			}
		case xt == "" && yt == "" && xok && yok && near(x, y, tol):
			continue
		}
		xs, ys := or(xt, fmtNum(x, xok)), or(yt, fmtNum(y, yok))
		d := fmt.Sprintf("%s[%d] %s -> %s", prefix, i, xs, ys)
		if unit != "" && yt == "" && yok {
			d += " " + unit
		}
		out = append(out, d)
	}
	return out
}

func numAt(v []float64, i int) (float64, bool) {
	if i < len(v) {
		return v[i], true
	}
	return 0, false
}

func fmtNum(v float64, ok bool) string {
	if !ok {
		return "(none)"
	}
	return FormatValue(v)
}

func textAt(t []string, i int) string {
	if i < len(t) {
		return t[i]
	}
	return ""
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func near(x, y, tol float64) bool {
	if x == y || math.IsNaN(x) && math.IsNaN(y) {
		return true
	}
	return math.Abs(x-y) <= tol
}

// FormatValue renders a physical value as the shortest text that reads
// back as the same float64.
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
