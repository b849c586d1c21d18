package plot_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/goxcp/goxcp/protocol/xcp"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/plot"
)

// source is a synthetic recording: list 0 "fast" (ECU timestamps) with
// "speed" (rpm) and "temp" (degC), list 1 "slow" without timestamps with
// "gear"; n samples of fast at 1 ms, speed a ramp with one spike.
type source struct {
	meta   *record.Meta
	n, i   int
	spike  int
	hole   [2]int // fast samples [hole[0], hole[1]) are missing
	sample dto.Sample
}

func newSource(n int) *source {
	m := &record.Meta{Version: record.MetaVersion, DAQ: record.Layout{IDField: xcp.IDAbsODT, TimestampSize: 4, TimestampTickNS: 1000, Lists: []record.List{
		{Name: "fast", Number: 0, Timestamps: true, ODTs: 1, Measurements: []record.Measurement{
			{Measurement: dto.Measurement{Name: "speed", Type: dto.F64}, Offset: 5, Unit: "rpm"},
			{Measurement: dto.Measurement{Name: "temp", Type: dto.F64}, Offset: 13, Unit: "degC"}}},
		{Name: "slow", Number: 1, FirstPID: 1, ODTs: 1, Measurements: []record.Measurement{{Measurement: dto.Measurement{Name: "gear", Type: dto.F64}, Offset: 1}}},
	}}}
	return &source{meta: m, n: n, spike: n / 3, hole: [2]int{n / 2, n/2 + 3000}}
}

func (s *source) Meta() *record.Meta  { return s.meta }
func (s *source) Sample() *dto.Sample { return &s.sample }
func (s *source) Err() error          { return nil }
func (s *source) Next() bool {
	for s.i >= s.hole[0] && s.i < s.hole[1] {
		s.i++
	}
	if s.i >= s.n {
		return false
	}
	i := s.i
	s.i++
	t := int64(i) * 1e6
	if i%100 == 99 {
		s.sample = dto.Sample{List: 1, HostNS: t + 50000, Values: []dto.Value{dto.FloatValue(dto.F64, float64(i/100%6))}}
		return true
	}
	v := float64(i)
	if i == s.spike {
		v = 1e9
	}
	s.sample = dto.Sample{List: 0, HostNS: t + 70000, SlaveNS: t, HasSlave: true,
		Values: []dto.Value{dto.FloatValue(dto.F64, v), dto.FloatValue(dto.F64, 20+math.Sin(float64(i)/1000))}}
	return true
}

func TestCollectDecimatesKeepingExtremes(t *testing.T) {
	src := newSource(1_000_000)
	d, err := plot.Collect(context.Background(), src, func() []record.Interruption {
		return []record.Interruption{{Start: 100e9, End: 101e9, Cause: "connection lost"}}
	}, plot.Options{Signals: []string{"speed", "fast.temp"}, Buckets: 500})
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeBase != plot.ECU || len(d.Series) != 2 {
		t.Fatalf("time base %v, %d series", d.TimeBase, len(d.Series))
	}
	sp := d.Series[0]
	if sp.Name != "speed" || sp.Unit != "rpm" || sp.List != "fast" {
		t.Errorf("series %+v", sp)
	}
	if len(sp.T) > 1000 || len(sp.T) < 250 {
		t.Errorf("%d buckets for 500 wanted", len(sp.T))
	}
	if sp.Hi != 1e9 || sp.Lo != 0 {
		t.Errorf("extremes %g..%g", sp.Lo, sp.Hi)
	}
	var top float64
	for _, v := range sp.Max {
		top = math.Max(top, v)
	}
	if top != 1e9 {
		t.Errorf("the spike is lost in decimation: max bucket %g", top)
	}
	var found, interrupted bool
	for _, g := range d.Gaps {
		if g.Start > 490 && g.Start < 500.1 && g.End > 502.9 && g.End < 504 {
			found = true
		}
		if g.Cause == "connection lost" && g.Start == 100 && g.End == 101 {
			interrupted = true
		}
	}
	if !found || !interrupted {
		t.Errorf("gaps %+v: want the 3 s hole at 500 s and the interruption at 100 s", d.Gaps)
	}
}

func TestCollectWindowAndTimeBase(t *testing.T) {
	d, err := plot.Collect(context.Background(), newSource(20000), nil, plot.Options{Signals: []string{"gear", "speed"}, From: 2, To: 4})
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeBase != plot.Host {
		t.Errorf("slow has no ECU timestamps: time base %v, want host", d.TimeBase)
	}
	for _, s := range d.Series {
		if s.Samples == 0 || s.T[0] < 2 || s.T[len(s.T)-1] > 4 {
			t.Errorf("%s: %d samples, %v..%v", s.Name, s.Samples, s.T[0], s.T[len(s.T)-1])
		}
	}
	_, err = plot.Collect(context.Background(), newSource(100), nil, plot.Options{Signals: []string{"gear"}, Time: plot.ECU})
	if err == nil || !strings.Contains(err.Error(), "no ECU timestamps") {
		t.Errorf("ECU time for a list without: %v", err)
	}
	_, err = plot.Collect(context.Background(), newSource(100), nil, plot.Options{Signals: []string{"sped"}})
	if !errors.Is(err, plot.ErrNoSignal) || !strings.Contains(err.Error(), "fast.speed") {
		t.Errorf("unknown signal: %v", err)
	}
}

func TestPanelsAndPictures(t *testing.T) {
	d, err := plot.Collect(context.Background(), newSource(20000), nil, plot.Options{Signals: []string{"speed", "temp", "gear"}})
	if err != nil {
		t.Fatal(err)
	}
	panels, err := plot.Panels(d, plot.Style{Title: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range panels {
		got = append(got, p.Unit+":"+p.Plot.Y.Label.Text+":"+p.Plot.X.Label.Text)
	}
	if want := "rpm:rpm:time (s, host) degC:degC:time (s, host) :gear:time (s, host)"; strings.Join(got, " ") != want {
		t.Errorf("panels %q, want %q", strings.Join(got, " "), want)
	}
	if panels[0].Plot.Title.Text != "test" {
		t.Errorf("title %q", panels[0].Plot.Title.Text)
	}
	over, _ := plot.Panels(d, plot.Style{Overlay: true})
	if len(over) != 1 || len(over[0].Series) != 3 {
		t.Errorf("overlay: %d panels", len(over))
	}
	var b bytes.Buffer
	if err := plot.Write(&b, d, plot.Style{}, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	// Not blank: many distinct colours are drawn.
	colors := map[[4]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			colors[[4]uint32{cr, cg, cb, ca}] = true
		}
	}
	if len(colors) < 20 || r.Dx() < 500 {
		t.Errorf("picture %v with %d colours", r, len(colors))
	}
	for _, f := range []string{"svg", "pdf"} {
		b.Reset()
		if err := plot.Write(&b, d, plot.Style{}, f); err != nil || b.Len() < 1000 {
			t.Errorf("%s: %d bytes, %v", f, b.Len(), err)
		}
	}
	if err := plot.Write(&b, d, plot.Style{}, "gif"); err == nil {
		t.Error("gif: no error")
	}
}

func BenchmarkCollect10M(b *testing.B) {
	for range b.N {
		d, err := plot.Collect(context.Background(), newSource(10_000_000), nil, plot.Options{Signals: []string{"speed"}})
		if err != nil || d.Series[0].Samples == 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10_000_000*b.N)/b.Elapsed().Seconds(), "samples/s")
}
