package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Style controls the picture.
type Style struct {
	// Width and Height of the whole picture (default 25×8 cm per panel,
	// at most 4 panels high).
	Width, Height vg.Length
	// Overlay draws every signal in one panel instead of one per unit.
	Overlay bool
	Title   string
}

// Panel is one plot of the picture: the signals of one unit.
type Panel struct {
	Unit   string
	Series []*Series
	Plot   *gplot.Plot
}

// Panels builds the plots: one per unit in the order the signals were
// given (one for all with Overlay), each with its gaps shaded.
func Panels(d *Data, st Style) ([]Panel, error) {
	var panels []Panel
	index := map[string]int{}
	for _, s := range d.Series {
		key := s.Unit
		if st.Overlay {
			key = ""
		}
		i, ok := index[key]
		if !ok {
			i = len(panels)
			index[key] = i
			panels = append(panels, Panel{Unit: key})
		}
		panels[i].Series = append(panels[i].Series, s)
	}
	axis := "time (s, host)"
	if d.TimeBase == ECU {
		axis = "time (s, ECU)"
	}
	n := 0
	for pi := range panels {
		pn := &panels[pi]
		p := gplot.New()
		if pi == 0 {
			p.Title.Text = st.Title
		}
		p.X.Label.Text = axis
		p.Y.Label.Text = yLabel(pn)
		p.Legend.Top = true
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range pn.Series {
			if s.Samples > 0 {
				lo, hi = math.Min(lo, s.Lo), math.Max(hi, s.Hi)
			}
		}
		for _, g := range d.Gaps {
			if poly := gapBand(g, lo, hi, pn.Series); poly != nil {
				p.Add(poly)
			}
		}
		for _, s := range pn.Series {
			pts := envelope(s)
			if len(pts) == 0 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, fmt.Errorf("plot: %s: %w", s.Name, err)
			}
			l.Color = plotutil.Color(n)
			l.Width = vg.Points(1)
			n++
			p.Add(l)
			label := s.Name
			if st.Overlay && s.Unit != "" {
				label += " (" + s.Unit + ")"
			}
			p.Legend.Add(label, l)
		}
		p.Add(plotter.NewGrid())
		pn.Plot = p
	}
	return panels, nil
}

func yLabel(pn *Panel) string {
	if pn.Unit != "" {
		return pn.Unit
	}
	if len(pn.Series) == 1 {
		return pn.Series[0].Name
	}
	return "value"
}

// envelope draws each bucket as a vertical stroke from its minimum to its
// maximum, joined bucket to bucket: the extremes of every bucket show.
func envelope(s *Series) plotter.XYs {
	pts := make(plotter.XYs, 0, 2*len(s.T))
	for i, t := range s.T {
		if s.Min[i] == s.Max[i] {
			pts = append(pts, plotter.XY{X: t, Y: s.Min[i]})
			continue
		}
		pts = append(pts, plotter.XY{X: t, Y: s.Min[i]}, plotter.XY{X: t, Y: s.Max[i]})
	}
	return pts
}

// gapBand shades a gap over the panel's value range, limited to the time
// the series cover.
func gapBand(g Gap, lo, hi float64, series []*Series) *plotter.Polygon {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	tmin, tmax := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		if len(s.T) > 0 {
			tmin, tmax = math.Min(tmin, s.T[0]), math.Max(tmax, s.T[len(s.T)-1])
		}
	}
	start, end := math.Max(g.Start, tmin), math.Min(g.End, tmax)
	if !(end > start) {
		return nil
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	poly, err := plotter.NewPolygon(plotter.XYs{{X: start, Y: lo}, {X: end, Y: lo}, {X: end, Y: hi}, {X: start, Y: hi}})
	if err != nil {
		return nil
	}
	poly.Color = color.NRGBA{R: 220, G: 40, B: 40, A: 60}
	poly.LineStyle.Width = 0
	return poly
}

// Write draws the panels stacked into one picture in format (png, svg or
// pdf).
func Write(w io.Writer, d *Data, st Style, format string) error {
	panels, err := Panels(d, st)
	if err != nil {
		return err
	}
	if len(panels) == 0 {
		return fmt.Errorf("plot: nothing to draw")
	}
	width, height := st.Width, st.Height
	if width == 0 {
		width = 25 * vg.Centimeter
	}
	if height == 0 {
		height = vg.Length(min(len(panels), 4)) * 8 * vg.Centimeter
	}
	var dc draw.Canvas
	var out io.WriterTo
	switch strings.ToLower(format) {
	case "png":
		img := vgimg.New(width, height)
		dc = draw.New(img)
		out = vgimg.PngCanvas{Canvas: img}
	case "svg":
		img := vgsvg.New(width, height)
		dc = draw.New(img)
		out = img
	case "pdf":
		img := vgpdf.New(width, height)
		dc = draw.New(img)
		out = img
	default:
		return fmt.Errorf("plot: format %q: want png, svg or pdf", format)
	}
	plots := make([][]*gplot.Plot, len(panels))
	for i := range panels {
		plots[i] = []*gplot.Plot{panels[i].Plot}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadX: vg.Millimeter, PadY: 2 * vg.Millimeter}
	canvases := gplot.Align(plots, tiles, dc)
	for i := range panels {
		panels[i].Plot.Draw(canvases[i][0])
	}
	if _, err := out.WriteTo(w); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// Save writes the picture to path in the format its extension names
// (.png, .svg, .pdf), through a temporary file renamed into place.
func Save(path string, d *Data, st Style) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	var b bytes.Buffer
	if err := Write(&b, d, st, format); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
