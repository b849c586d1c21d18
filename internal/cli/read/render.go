package read

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// Tables renders values for the terminal: scalars in one NAME/VALUE/UNIT
// table, arrays, curves and maps in a table each (maps as a grid with the
// x axis across and the y axis down). With raw the raw values are shown.
func Tables(vs []*cal.Value, raw bool) []cmdutil.Table {
	scalars := cmdutil.Table{Header: []string{"NAME", "VALUE", "UNIT"}}
	var out []cmdutil.Table
	for _, v := range vs {
		cells := cellsOf(v, raw)
		unit := v.Unit
		if raw {
			unit = "(raw)"
		}
		switch {
		case v.String != nil || (len(cells) == 1 && len(v.Axes) == 0):
			scalars.Add(v.Name, cells[0], unit)
		case len(v.Axes) == 1:
			t := cmdutil.Table{Title: fmt.Sprintf("%s (%s, %d points)", v.Name, v.Kind, len(cells)), Header: []string{axisHeader(v.Axes[0], raw), "VALUE " + unit}}
			ax := axisCells(v.Axes[0], raw)
			for i, c := range cells {
				t.Add(at(ax, i), c)
			}
			out = append(out, t)
		case len(v.Axes) == 2:
			xs, ys := axisCells(v.Axes[0], raw), axisCells(v.Axes[1], raw)
			t := cmdutil.Table{Title: fmt.Sprintf("%s (%s %d×%d) %s; x across: %s, y down: %s", v.Name, v.Kind, len(xs), len(ys), unit, axisHeader(v.Axes[0], raw), axisHeader(v.Axes[1], raw))}
			t.Header = append([]string{"y \\ x"}, xs...)
			for j, y := range ys {
				row := []string{y}
				for i := range xs {
					row = append(row, at(cells, v.Index(i, j)))
				}
				t.Add(row...)
			}
			out = append(out, t)
		case len(v.Dims) == 2 && len(v.Axes) == 0:
			nx, ny := v.Dims[0], v.Dims[1]
			t := cmdutil.Table{Title: strings.TrimSpace(fmt.Sprintf("%s (%s %d×%d) %s", v.Name, v.Kind, nx, ny, unit))}
			t.Header = []string{"[y][x]"}
			for i := 0; i < nx; i++ {
				t.Header = append(t.Header, strconv.Itoa(i))
			}
			for j := 0; j < ny; j++ {
				row := []string{strconv.Itoa(j)}
				for i := 0; i < nx; i++ {
					row = append(row, at(cells, v.Index(i, j)))
				}
				t.Add(row...)
			}
			out = append(out, t)
		default:
			t := cmdutil.Table{Title: strings.TrimSpace(fmt.Sprintf("%s (%s %v) %s", v.Name, v.Kind, v.Dims, unit)), Header: []string{"INDEX", "VALUE"}}
			for i, c := range cells {
				t.Add(indexString(v.Dims, i), c)
			}
			for k, a := range v.Axes {
				t.Add("axis "+strconv.Itoa(k+1), strings.Join(axisCells(a, raw), " "))
			}
			out = append(out, t)
		}
	}
	if len(scalars.Rows) > 0 {
		out = append([]cmdutil.Table{scalars}, out...)
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func cellsOf(v *cal.Value, raw bool) []string {
	if v.String != nil {
		return []string{strconv.Quote(*v.String)}
	}
	if raw {
		return floats(v.Raw, "")
	}
	return v.Strings()
}

func floats(f []float64, format string) []string {
	out := make([]string, len(f))
	for i, x := range f {
		out[i] = compu.FormatValue(x, format)
	}
	return out
}

func axisCells(a *cal.Axis, raw bool) []string {
	switch {
	case raw:
		return floats(a.Raw, "")
	case a.Text != nil:
		return a.Text
	}
	return floats(a.Phys, "")
}

func axisHeader(a *cal.Axis, raw bool) string {
	h := a.Input
	if h == "" || h == "NO_INPUT_QUANTITY" {
		h = "axis"
	}
	if a.Unit != "" && !raw {
		h += " [" + a.Unit + "]"
	}
	return h
}

// indexString renders flat index i of an array with dims (first fastest)
// as [a][b]… with the slowest index first, as in C.
func indexString(dims []int, i int) string {
	if len(dims) <= 1 {
		return "[" + strconv.Itoa(i) + "]"
	}
	idx := make([]int, len(dims))
	for k, d := range dims {
		idx[k] = i % d
		i /= d
	}
	var b strings.Builder
	for k := len(idx) - 1; k >= 0; k-- {
		b.WriteString("[" + strconv.Itoa(idx[k]) + "]")
	}
	return b.String()
}
