package mf4_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/recordtest"
)

// collect keeps every sample with its values (physical when Run made
// them so).
type collect struct {
	tables  []convert.Table
	samples []dto.Sample
}

func (c *collect) Begin(m *record.Meta, t []convert.Table) error { c.tables = t; return nil }
func (c *collect) Sample(s *dto.Sample) error {
	cp := *s
	cp.Values = append([]dto.Value(nil), s.Values...)
	c.samples = append(c.samples, cp)
	return nil
}
func (c *collect) Close() error { return nil }

func f(v float64) *float64 { return &v }

// withConversions puts a conversion of every kind on the measurements of
// MixedMeta's "ints" list, and comments and limits.
func withConversions(m *record.Meta) {
	ms := m.DAQ.Lists[0].Measurements
	specs := []compu.Spec{
		{Name: "CM_VTAB", Type: "TAB_VERB", In: []float64{0, 1, 2}, Text: []string{"zero", "one", "two"}, DefaultText: "other"},
		{Name: "CM_LIN", Type: "LINEAR", Coeffs: []float64{0.5, -40}, Unit: "degC", Format: "%6.1"},
		{Name: "CM_RAT", Type: "RAT_FUNC", Coeffs: []float64{0, 4, 8, 0, 0, 2}, Unit: "km/h"}, // raw = 2p + 4 → p = raw/2 - 2
		{Name: "CM_TAB", Type: "TAB_INTP", In: []float64{-30000, 0, 30000}, Out: []float64{-1, 0, 10}},
		{Name: "CM_NOINTP", Type: "TAB_NOINTP", In: []float64{0, 1000, 70000}, Out: []float64{1, 2, 3}},
		{Name: "CM_FORM", Type: "FORM", Formula: "X1 * 0.001 + sqrt(abs(X1))"},
		{Name: "CM_RANGE", Type: "TAB_VERB", Min: []float64{-1e18, 0}, Max: []float64{-1, 1e18}, Text: []string{"neg", "pos"}},
		{Name: "CM_BITFORM", Type: "FORM", Formula: "X1 & 255"}, // no MDF equivalent: raw + comment
		{Name: "CM_DEF", Type: "TAB_NOINTP", In: []float64{0, 1, 2}, Out: []float64{10, 20, 30}, Default: f(-1)},
	}
	for i := range ms {
		sp := specs[i%len(specs)]
		ms[i].Conversion = &sp
		ms[i].Comment = "long identifier of " + ms[i].Name
		ms[i].Limits = &record.Limits{Lower: -100, Upper: 100}
	}
}

func TestMF4MatchesPhysicalValues(t *testing.T) {
	for _, tc := range []struct {
		order   string
		ts      int
		version int
	}{{"intel", 4, mdf4.Version410}, {"motorola", 2, mdf4.Version420}, {"intel", 0, mdf4.Version410}} {
		t.Run(tc.order, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "in.xlog")
			meta := recordtest.MixedMeta(xcp.IDRelODTAbsDAQWord, tc.ts, tc.order)
			meta.Slave.Identifier = "SIM_ECU"
			withConversions(meta)
			const n = 3000
			if err := recordtest.WriteFile(src, meta, n); err != nil {
				t.Fatal(err)
			}
			r, err := record.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.mf4")
			if _, err := convert.RunWith(context.Background(), r, mf4.New(out, mf4.Options{Version: tc.version, BlockSize: 4096, ToolVersion: "v9"}), convert.Options{Raw: true}); err != nil {
				t.Fatal(err)
			}
			r.Close()
			// The physical values `xcp convert --to csv` prints.
			r, _ = record.Open(src)
			var want collect
			if _, err := convert.Run(context.Background(), r, &want); err != nil {
				t.Fatal(err)
			}
			r.Close()

			file, err := mdf4.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			if file.Version != tc.version || !file.Header.Start.Equal(meta.Start) || file.History[0].Version != "v9" || file.History[0].Tool != "goxcp" {
				t.Errorf("file %d %v %+v", file.Version, file.Header.Start, file.History)
			}
			// One group per DAQ list; the empty list too.
			if len(file.Groups) != 3 {
				t.Fatalf("%d groups", len(file.Groups))
			}
			for li, g := range file.Groups {
				if g.Name != meta.DAQ.Lists[li].Name || g.Source == nil || g.Source.Name != "SIM_ECU" || g.Master == nil || g.Master.Unit != "s" {
					t.Errorf("group %d: %q source %+v", li, g.Name, g.Source)
				}
			}
			g := file.Groups[0]
			tab := want.tables[0]
			first := 1
			if tab.HasSlave {
				first = 2
				if g.Channels[1].Name != "host_time" {
					t.Fatalf("second channel %q", g.Channels[1].Name)
				}
			}
			chans := g.Channels[first:]
			for j, c := range chans {
				ms := meta.DAQ.Lists[0].Measurements[j]
				if !strings.HasPrefix(c.Comment, ms.Comment) || c.Limits == nil || c.Limits.Max != 100 {
					t.Errorf("%s: comment %q limits %+v", c.Name, c.Comment, c.Limits)
				}
				if ms.Conversion.Name == "CM_BITFORM" && (c.Conversion != nil || !strings.Contains(c.Comment, "raw value")) {
					t.Errorf("%s: %+v %q", c.Name, c.Conversion, c.Comment)
				}
			}
			var rows []dto.Sample
			for _, s := range want.samples {
				if s.List == 0 {
					rows = append(rows, s)
				}
			}
			if uint64(len(rows)) != g.Samples {
				t.Fatalf("%d samples, want %d", g.Samples, len(rows))
			}
			var firstSlave int64
			k := 0
			for rs := file.Records(g); rs.Next(); k++ {
				rec := rs.Record()
				s := rows[k]
				host := float64(s.HostNS) / 1e9
				tm := g.Master.Float(rec)
				if tab.HasSlave {
					if k == 0 {
						firstSlave = s.HostNS - s.SlaveNS
					}
					if got := g.Channels[1].Float(rec); got != host {
						t.Fatalf("row %d: host_time %v, want %v", k, got, host)
					}
					host = float64(s.SlaveNS+firstSlave) / 1e9
				}
				if tm != host {
					t.Fatalf("row %d: time %v, want %v", k, tm, host)
				}
				for j, c := range chans {
					col := tab.Columns[first+j]
					v, text, isText := c.Conversion.Apply(c.Float(rec))
					if c.Conversion == nil {
						v = c.Float(rec)
					}
					switch {
					case col.Kind == convert.ColText:
						if wt := col.Text(s.Values[j]); !isText && wt != "" || isText && text != wt {
							t.Fatalf("row %d %s: text %q, want %q", k, c.Name, text, wt)
						}
					case ms(meta, j).Conversion.Name == "CM_BITFORM":
						// raw value stored: compare to the raw value
						if v != c.Float(rec) {
							t.Fatal("raw")
						}
					default:
						w := s.Values[j].Float64()
						if !(v == w || math.Abs(v-w) <= 1e-9*math.Max(1, math.Abs(w))) {
							t.Fatalf("row %d %s (%s): %v, want %v", k, c.Name, col.Kind, v, w)
						}
					}
				}
			}
			if k != len(rows) {
				t.Fatalf("%d rows read", k)
			}
			// The floats list: f16/bf16 stored as float32, values exact.
			fg := file.Groups[1]
			k = 0
			for rs := file.Records(fg); rs.Next(); k++ {
				rec := rs.Record()
				for j, c := range fg.Channels[len(fg.Channels)-4:] {
					w := recordtest.Value(meta, 1, j, k).Float64()
					if got := c.Float(rec); got != w {
						t.Fatalf("floats row %d %s: %v, want %v", k, c.Name, got, w)
					}
				}
			}
		})
	}
}

func ms(m *record.Meta, j int) *record.Measurement { return &m.DAQ.Lists[0].Measurements[j] }

func TestConversionFallbacks(t *testing.T) {
	for _, tc := range []struct {
		spec compu.Spec
		why  string
	}{
		{compu.Spec{Name: "Q", Type: "RAT_FUNC", Coeffs: []float64{1, 0, 0, 0, 0, 1}}, "quadratic"},
		{compu.Spec{Name: "P", Type: "FORM", Formula: "pow(X1, 2)"}, "cannot express"},
		{compu.Spec{Name: "L", Type: "FORM", Formula: "log(X1)"}, "cannot express"},
		{compu.Spec{Name: "B", Type: "FORM", Formula: "X1 >> 2"}, "cannot express"},
		{compu.Spec{Name: "V", Type: "FORM", Formula: "X2 + 1"}, "cannot express"},
	} {
		c, why := mf4.Conversion(tc.spec, true)
		if c != nil || !strings.Contains(why, tc.why) || !strings.Contains(why, tc.spec.Name) {
			t.Errorf("%s: %+v %q", tc.spec.Name, c, why)
		}
	}
	c, why := mf4.Conversion(compu.Spec{Name: "F", Type: "FORM", Formula: "(X1 - 32) / 1.8"}, true)
	if c == nil || why != "" || c.Formula != "(X-32)/1.8" || c.Phys(212) != 100 {
		t.Errorf("formula: %+v %q", c, why)
	}
	// TAB_NOINTP with a default: the exact keys, the default elsewhere
	// (ranges tiling the number line), for integer and float raw values;
	// read back as the same table.
	def := -1.0
	sp := compu.Spec{Name: "T", Type: "TAB_NOINTP", In: []float64{0, 1, 5}, Out: []float64{10, 20, 30}, Default: &def}
	for _, integer := range []bool{true, false} {
		c, why := mf4.Conversion(sp, integer)
		if c == nil || why != "" {
			t.Fatalf("%+v %q", c, why)
		}
		for x, want := range map[float64]float64{-3: -1, 0: 10, 1: 20, 2: -1, 4: -1, 5: 30, 6: -1, 1e9: -1} {
			got := c.Phys(x)
			if !integer {
				got = c.PhysFloat(x)
			}
			if got != want {
				t.Errorf("integer %v: phys(%v) = %v, want %v", integer, x, got, want)
			}
		}
		back, err := mf4.Spec(c)
		if err != nil || fmt.Sprint(back.In, back.Out, *back.Default) != "[0 1 5] [10 20 30] -1" {
			t.Errorf("back: %+v %v", back, err)
		}
	}
}

// The recording's counters: interruptions become EV ranges, loss
// counters go into the group comment and the header.
func TestStatsAsEvents(t *testing.T) {
	m := recordtest.NarrowMeta()
	out := filepath.Join(t.TempDir(), "s.mf4")
	st := record.Stats{Frames: 10, Dropped: 2,
		Interruptions: []record.Interruption{{Start: 1e9, End: 3e9, Cause: "connection lost"}},
		Lists:         []record.Loss{{List: 0, CtrGaps: 4, MissingODTs: 1}}}
	s := mf4.New(out, mf4.Options{Stats: func() record.Stats { return st }})
	if err := s.Begin(m, convert.Tables(m)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sample(&dto.Sample{HasSlave: true, Values: []dto.Value{dto.UintValue(dto.U16, 7)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := mdf4.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.Events) != 2 || f.Events[0].Type != mdf4.EventRecordingInterrupt || f.Events[0].Time != 1 || f.Events[1].Time != 3 ||
		f.Events[1].Begin != 0 || !strings.Contains(f.Events[0].Comment, "connection lost") {
		t.Errorf("events %+v", f.Events)
	}
	if c := f.Groups[0].Comment; !strings.Contains(c, "4 transport counter gaps, 1 missing ODTs") {
		t.Errorf("group comment %q", c)
	}
	props := fmt.Sprint(f.Header.Properties)
	if !strings.Contains(props, "{frames dropped by the recorder 2}") {
		t.Errorf("header %s", props)
	}
}
