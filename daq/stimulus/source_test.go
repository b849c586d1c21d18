package stimulus_test

import (
	"errors"
	"github.com/goxcp/goxcp/protocol/dto"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/stimulus"
)

func TestParseWave(t *testing.T) {
	for _, c := range []struct {
		spec string
		at   []struct {
			i int
			t time.Duration
		}
		want []float64
		err  string
	}{
		{spec: "ramp:0:1:0.25", at: []struct {
			i int
			t time.Duration
		}{{0, 0}, {1, 0}, {4, 0}, {5, 0}, {6, 0}}, want: []float64{0, 0.25, 1, 0, 0.25}},
		{spec: "ramp:10:0:-5", at: []struct {
			i int
			t time.Duration
		}{{0, 0}, {2, 0}, {3, 0}}, want: []float64{10, 0, 10}},
		{spec: "SQUARE:1:2:10ms", at: []struct {
			i int
			t time.Duration
		}{{0, 0}, {0, 4 * time.Millisecond}, {0, 5 * time.Millisecond}, {0, 12 * time.Millisecond}}, want: []float64{1, 1, 2, 1}},
		{spec: "sine:2:5:1s", at: []struct {
			i int
			t time.Duration
		}{{0, 0}, {0, 250 * time.Millisecond}, {0, 750 * time.Millisecond}}, want: []float64{5, 7, 3}},
		{spec: "tri:0:1:1", err: "unknown waveform"},
		{spec: "ramp:0:1", err: "want KIND:A:B:C"},
		{spec: "ramp:0:1:-1", err: "does not lead"},
		{spec: "ramp:0:1:0", err: "does not lead"},
		{spec: "ramp:x:1:1", err: `the first parameter "x"`},
		{spec: "ramp:0:NaN:1", err: `the second parameter "NaN"`},
		{spec: "sine:1:0:fast", err: "PERIOD"},
		{spec: "square:1:0:-1s", err: "PERIOD"},
	} {
		w, err := stimulus.ParseWave(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		for k, at := range c.at {
			if got := w(at.i, at.t); math.Abs(got-c.want[k]) > 1e-9 {
				t.Errorf("%s at set %d, %v: %v, want %v", c.spec, at.i, at.t, got, c.want[k])
			}
		}
	}
}

func TestSource(t *testing.T) {
	var s stimulus.Source
	if s.Changing() {
		t.Fatal("empty source changes")
	}
	if err := s.Const("a", 1.5, "--set"); err != nil {
		t.Fatal(err)
	}
	if s.Changing() {
		t.Fatal("constants change")
	}
	var dup *stimulus.DuplicateError
	if err := s.Signal("a", func(int, time.Duration) float64 { return 0 }, "--wave"); !errors.As(err, &dup) || err.Error() != `--wave: "a" is already given by --set` {
		t.Fatalf("duplicate: %v", err)
	}
	if err := s.Table([]string{"b", "c"}, [][]float64{{1, 2}, {3}}, false, "v.csv"); err == nil || !strings.Contains(err.Error(), "row 2 has 1 values") {
		t.Fatalf("ragged table: %v", err)
	}
	if err := s.Table([]string{"b", "a"}, [][]float64{{1, 2}}, false, "v.csv"); !errors.As(err, &dup) || dup.Name != "a" {
		t.Fatalf("table with a name given before: %v", err)
	}
	if err := s.Table([]string{"b", "b"}, [][]float64{{1, 2}}, false, "w.csv"); !errors.As(err, &dup) || err.Error() != `w.csv: "b" is already given by w.csv` {
		t.Fatalf("table naming a column twice: %v", err)
	}
	if err := s.Table([]string{"b", "c"}, [][]float64{{1, 2}, {3, 4}}, false, "v.csv"); err != nil {
		t.Fatal(err)
	}
	if !s.Changing() || strings.Join(s.Names(), ",") != "a,b,c" {
		t.Fatalf("changing %v, names %v", s.Changing(), s.Names())
	}
	out := map[string]float64{}
	if !s.Values(1, 0, out) || out["a"] != 1.5 || out["b"] != 3 || out["c"] != 4 {
		t.Fatalf("set 1: %v", out)
	}
	if s.Values(2, 0, out) {
		t.Fatal("the table did not end")
	}

	lists := []daq.List{{Name: "watch", Measurements: []dto.Measurement{{Name: "a"}}},
		{Name: "drive", Stim: true, Measurements: []dto.Measurement{{Name: "b"}, {Name: "c"}}}}
	var un *stimulus.UnknownNameError
	if err := stimulus.Check(lists, &s); !errors.As(err, &un) || un.Name != "a" || strings.Join(un.Have, ",") != "b,c" {
		t.Fatalf("unknown name: %v", err)
	}
	if err := stimulus.Check(lists[:1], &s); !errors.Is(err, stimulus.ErrNoStimList) {
		t.Fatalf("no STIM list: %v", err)
	}
	lists[1].Measurements = append(lists[1].Measurements, dto.Measurement{Name: "a"})
	if err := stimulus.Check(lists, &s); err != nil {
		t.Fatal(err)
	}
}

func TestReadTable(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"", "v.csv: empty file"},
		{"time\n0\n", "v.csv: the header names no measurement"},
		{"a,,c\n1,2,3\n", "v.csv: column 2 has no name"},
		{"a,b\n1,x\n", `v.csv:2: column "b": "x" is not a number`},
		{"a\n", "v.csv: no rows after the header"},
		{"a,b\n1\n", "v.csv: record on line 2: wrong number of fields"},
	} {
		if _, _, err := stimulus.ReadTable(strings.NewReader(c.in), "v.csv"); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.in, err, c.err)
		}
	}
	cols, rows, err := stimulus.ReadTable(strings.NewReader("timestamp_ns, a ,b\n# comment\n5, 1e3,-2\n"), "v.csv")
	if err != nil || strings.Join(cols, ",") != "a,b" || len(rows) != 1 || rows[0][0] != 1000 || rows[0][1] != -2 {
		t.Fatalf("%v %v %v", cols, rows, err)
	}
}
