// Package plot draws signals of a recording (any format record/opener
// reads: .xlog, .xmraw, MDF 4) as PNG, SVG or PDF with gonum/plot: time on
// the x axis (ECU or host time, in seconds), physical values with their
// units on the y axis, one panel per unit (or all overlaid), markers where
// the measurement was interrupted or samples are missing.
//
// Signals are reduced while they are read, with min/max decimation into a
// bounded number of time buckets: a 10-million-sample signal plots in
// bounded memory with its extremes intact.
package plot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// TimeBase selects the time axis.
type TimeBase int

// Time bases.
const (
	// Auto uses the ECU timestamps when every plotted list has them, else
	// the host receive time.
	Auto TimeBase = iota
	ECU
	Host
)

// Options control what is collected.
type Options struct {
	// Signals name the measurements to plot: "name" (any list) or
	// "list.name".
	Signals []string
	// From and To bound the time window in seconds from the start of the
	// recording; To <= From means to the end.
	From, To float64
	Time     TimeBase
	// Buckets is the number of time buckets a signal is reduced to
	// (default 2000): each keeps its minimum and maximum.
	Buckets int
}

// Series is one decimated signal.
type Series struct {
	Name, List, Unit string
	// T are bucket times (s); Min and Max the extremes in each bucket.
	T, Min, Max []float64
	// Samples is the number of samples read in the window.
	Samples uint64
	// Min and max over the window.
	Lo, Hi float64
}

// Gap is a time without data: an interruption of the measurement, or
// samples missing from a list.
type Gap struct {
	Start, End float64 // seconds
	Cause      string
}

// Data is what Collect read: the series and the gaps.
type Data struct {
	Series []*Series
	Gaps   []Gap
	// TimeBase is the time axis used (ECU or Host).
	TimeBase TimeBase
	Start    time.Time
}

// ErrNoSignal is returned (wrapped) for a signal name the recording lacks.
var ErrNoSignal = errors.New("no such signal in the recording")

// Collect reads src (a record/convert.Source: a goxcp, pyXCP or MDF 4
// recording) and returns the selected signals, decimated. interruptions,
// if not nil, is called after the last sample for the interruptions the
// file stores.
func Collect(ctx context.Context, src convert.Source, interruptions func() []record.Interruption, opt Options) (*Data, error) {
	if len(opt.Signals) == 0 {
		return nil, errors.New("plot: no signals given")
	}
	if opt.Buckets <= 0 {
		opt.Buckets = 2000
	}
	c := &collector{opt: opt, data: &Data{Start: src.Meta().Start}}
	_, err := convert.RunSource(ctx, src, c, convert.Options{})
	if err != nil {
		return nil, err
	}
	if interruptions != nil {
		for _, in := range interruptions() {
			end := float64(in.End) / 1e9
			if in.End == 0 {
				end = math.Inf(1)
			}
			c.data.Gaps = append(c.data.Gaps, Gap{Start: float64(in.Start) / 1e9, End: end, Cause: in.Cause})
		}
	}
	for _, tr := range c.tracks {
		c.data.Gaps = append(c.data.Gaps, tr.gaps...)
		s := tr.series
		for _, b := range tr.buckets {
			if b.n == 0 || math.IsInf(b.min, 1) {
				continue // empty, or only NaN values
			}
			s.T = append(s.T, tr.t0+(float64(b.idx)+0.5)*tr.width)
			s.Min = append(s.Min, b.min)
			s.Max = append(s.Max, b.max)
		}
		c.data.Series = append(c.data.Series, s)
	}
	sort.SliceStable(c.data.Gaps, func(i, j int) bool { return c.data.Gaps[i].Start < c.data.Gaps[j].Start })
	return c.data, nil
}

type bucket struct {
	idx      int64
	min, max float64
	n        uint64
}

// track decimates one signal: buckets of width seconds from t0, pairs
// merged (width doubled) whenever there are more than 2×Buckets.
type track struct {
	series   *Series
	list     int
	col      int // index in Sample.Values
	t0       float64
	width    float64
	buckets  []bucket
	lastT    float64
	period   float64 // running estimate of the sample period
	gaps     []Gap
	seenTime bool
}

type collector struct {
	opt    Options
	data   *Data
	tracks []*track
	byList map[int][]*track
	ecu    bool
}

func (c *collector) Begin(m *record.Meta, tables []convert.Table) error {
	c.byList = map[int][]*track{}
	for _, want := range c.opt.Signals {
		listName, name, qualified := strings.Cut(want, ".")
		if !qualified {
			name = want
		}
		found := false
		for _, t := range tables {
			if qualified && t.Name != listName && m.DAQ.Lists[t.List].Name != listName {
				continue
			}
			off := 1
			if t.HasSlave {
				off = 2
			}
			for k, col := range t.Columns[off:] {
				if col.Name != name && !(qualified && col.Name == want) {
					continue
				}
				tr := &track{series: &Series{Name: col.Name, List: t.Name, Unit: col.Unit, Lo: math.Inf(1), Hi: math.Inf(-1)}, list: t.List, col: k, width: 1e-6}
				c.tracks = append(c.tracks, tr)
				c.byList[t.List] = append(c.byList[t.List], tr)
				found = true
			}
		}
		if !found && qualified {
			// A dotted name may be a structure component: try it whole.
			for _, t := range tables {
				off := 1
				if t.HasSlave {
					off = 2
				}
				for k, col := range t.Columns[off:] {
					if col.Name == want {
						tr := &track{series: &Series{Name: col.Name, List: t.Name, Unit: col.Unit, Lo: math.Inf(1), Hi: math.Inf(-1)}, list: t.List, col: k, width: 1e-6}
						c.tracks = append(c.tracks, tr)
						c.byList[t.List] = append(c.byList[t.List], tr)
						found = true
					}
				}
			}
		}
		if !found {
			return fmt.Errorf("plot: %q: %w (it has %s)", want, ErrNoSignal, names(tables))
		}
	}
	switch c.opt.Time {
	case ECU:
		for l := range c.byList {
			if !tables[l].HasSlave {
				return fmt.Errorf("plot: list %s has no ECU timestamps: use the host time", tables[l].Name)
			}
		}
		c.ecu = true
	case Host:
	default:
		c.ecu = true
		for l := range c.byList {
			c.ecu = c.ecu && tables[l].HasSlave
		}
	}
	c.data.TimeBase = Host
	if c.ecu {
		c.data.TimeBase = ECU
	}
	return nil
}

func names(tables []convert.Table) string {
	var out []string
	for _, t := range tables {
		off := 1
		if t.HasSlave {
			off = 2
		}
		for _, col := range t.Columns[off:] {
			out = append(out, t.Name+"."+col.Name)
		}
	}
	if len(out) > 12 {
		out = append(out[:12], fmt.Sprintf("… %d more", len(out)-12))
	}
	return strings.Join(out, ", ")
}

func (c *collector) Sample(s *dto.Sample) error {
	trs := c.byList[s.List]
	if len(trs) == 0 {
		return nil
	}
	ns := s.HostNS
	if c.ecu {
		ns = s.SlaveNS
	}
	t := float64(ns) / 1e9
	if t < c.opt.From || c.opt.To > c.opt.From && t > c.opt.To {
		return nil
	}
	for _, tr := range trs {
		if tr.col >= len(s.Values) {
			continue
		}
		tr.add(t, s.Values[tr.col].Float64(), c.opt.Buckets)
	}
	return nil
}

func (c *collector) Close() error { return nil }

func (tr *track) add(t, v float64, max int) {
	s := tr.series
	if !tr.seenTime {
		tr.t0, tr.lastT, tr.seenTime = t, t, true
	}
	// A gap: more than 10 estimated periods (and 100 ms) without a sample.
	if dt := t - tr.lastT; tr.period > 0 && dt > 10*tr.period && dt > 0.1 {
		tr.gaps = append(tr.gaps, Gap{Start: tr.lastT, End: t, Cause: fmt.Sprintf("no samples of %s for %.3g s", s.List, dt)})
	} else if dt > 0 {
		if tr.period == 0 {
			tr.period = dt
		} else {
			tr.period += (dt - tr.period) / 16
		}
	}
	if t > tr.lastT {
		tr.lastT = t
	}
	s.Samples++
	if !math.IsNaN(v) {
		s.Lo, s.Hi = math.Min(s.Lo, v), math.Max(s.Hi, v)
	}
	idx := int64(math.Floor((t - tr.t0) / tr.width))
	if idx < 0 {
		idx = 0
	}
	for idx >= int64(2*max) {
		tr.merge()
		idx = int64(math.Floor((t - tr.t0) / tr.width))
	}
	n := len(tr.buckets)
	// A sample older than the last bucket (out of order) goes into it.
	if n == 0 || tr.buckets[n-1].idx < idx {
		tr.buckets = append(tr.buckets, bucket{idx: idx, min: math.Inf(1), max: math.Inf(-1)})
	}
	b := &tr.buckets[len(tr.buckets)-1]
	b.n++
	if !math.IsNaN(v) {
		b.min, b.max = math.Min(b.min, v), math.Max(b.max, v)
	}
}

// merge doubles the bucket width, combining neighbouring buckets.
func (tr *track) merge() {
	tr.width *= 2
	out := tr.buckets[:0]
	for _, b := range tr.buckets {
		b.idx /= 2
		if n := len(out); n > 0 && out[n-1].idx == b.idx {
			o := &out[n-1]
			o.min, o.max, o.n = math.Min(o.min, b.min), math.Max(o.max, b.max), o.n+b.n
			continue
		}
		out = append(out, b)
	}
	tr.buckets = out
}
