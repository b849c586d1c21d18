package cal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/internal/editdist"
)

// Suggest returns "; did you mean …?" with up to five measurement,
// characteristic or instance names of the module close to name
// (case-insensitive, edit distance ≤ 2 or a common prefix), or "" if none
// is close or name exists.
func Suggest(m *a2l.Module, name string) string {
	if m.Measurement(name) != nil || m.Characteristic(name) != nil || m.Instance(name) != nil {
		return "" // the name exists; the error is about something else
	}
	type cand struct {
		n string
		d int
	}
	var cs []cand
	ln := strings.ToLower(name)
	try := func(n string) {
		l := strings.ToLower(n)
		d := editdist.Levenshtein(ln, l)
		if d <= 2 || (len(ln) >= 3 && (strings.HasPrefix(l, ln) || strings.Contains(l, ln))) {
			cs = append(cs, cand{n, d})
		}
	}
	for _, x := range m.Measurements {
		try(x.Name)
	}
	for _, x := range m.Characteristics {
		try(x.Name)
	}
	for _, x := range m.Instances {
		try(x.Name)
	}
	if len(cs) == 0 {
		return ""
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].d < cs[b].d })
	var names []string
	for i := 0; i < len(cs) && i < 5; i++ {
		names = append(names, strconv.Quote(cs[i].n))
	}
	return "; did you mean " + strings.Join(names, ", ") + "?"
}

// DescribeAll describes the objects called names (Describe), in order; the
// error for a name the module does not have ends in "did you mean …?"
// (Suggest).
func DescribeAll(m *a2l.Module, names []string) ([]*Desc, error) {
	ds := make([]*Desc, len(names))
	for i, n := range names {
		var err error
		if ds[i], err = Describe(m, n); err != nil {
			return nil, fmt.Errorf("%w%s", err, Suggest(m, n))
		}
	}
	return ds, nil
}
