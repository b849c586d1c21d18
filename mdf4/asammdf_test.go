package mdf4

import (
	"math"
	"path/filepath"
	"testing"
)

// The three files written by asammdf 8.2.9 (../../shared/mdf/asammdf, see
// its README): the same two groups as plain DT, deflate and transposed
// deflate blocks.
func TestReadAsammdf(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "mdf", "asammdf")
	for _, tc := range []struct {
		file    string
		version int
	}{
		{"asammdf_410_plain.mf4", 410},
		{"asammdf_410_deflate.mf4", 410},
		{"asammdf_420_transposed_deflate.mf4", 420},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := Open(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Version != tc.version {
				t.Errorf("version %d, want %d", f.Version, tc.version)
			}
			if len(f.Groups) != 2 {
				t.Fatalf("%d groups, want 2", len(f.Groups))
			}
			fast, slow := f.Groups[0], f.Groups[1]
			if fast.Comment != "fast list" || slow.Comment != "slow list" {
				t.Errorf("comments %q, %q", fast.Comment, slow.Comment)
			}
			ch := func(g *ChannelGroup, name string) *Channel {
				for _, c := range g.Channels {
					if c.Name == name {
						return c
					}
				}
				t.Fatalf("group %q: no channel %q", g.Comment, name)
				return nil
			}
			counter, sine := ch(fast, "counter"), ch(fast, "sine")
			if counter.Unit != "ms" || counter.Comment != "tick counter" || sine.Unit != "V" {
				t.Errorf("counter %q %q, sine %q", counter.Unit, counter.Comment, sine.Unit)
			}
			if fast.Master == nil || fast.Master.Unit != "s" || slow.Master == nil {
				t.Fatalf("master channels %+v %+v", fast.Master, slow.Master)
			}
			n := 0
			for r := f.Records(fast); ; n++ {
				if !r.Next() {
					if r.Err() != nil {
						t.Fatal(r.Err())
					}
					break
				}
				rec := r.Record()
				tm := fast.Master.Conversion.Phys(fast.Master.Float(rec))
				if math.Abs(tm-float64(n)*0.001) > 1e-12 {
					t.Fatalf("fast[%d]: time %v", n, tm)
				}
				if c := counter.Uint(rec); c != uint64(n) {
					t.Fatalf("fast[%d]: counter %d", n, c)
				}
				want := float64(float32(math.Sin(2 * math.Pi * tm)))
				if s := sine.Float(rec); math.Abs(s-want) > 1e-6 {
					t.Fatalf("fast[%d]: sine %v, want %v", n, s, want)
				}
			}
			if n != 1000 {
				t.Errorf("fast: %d records", n)
			}
			temp, mode := ch(slow, "temp"), ch(slow, "mode")
			if temp.Unit != "degC" || temp.Conversion == nil || temp.Conversion.Type != ConvLinear {
				t.Errorf("temp: unit %q conversion %+v", temp.Unit, temp.Conversion)
			}
			if mode.Conversion == nil || mode.Conversion.Type != ConvValueText {
				t.Fatalf("mode conversion %+v", mode.Conversion)
			}
			texts := []string{"OFF", "ECO", "SPORT"}
			n = 0
			for r := f.Records(slow); r.Next(); n++ {
				rec := r.Record()
				tm := slow.Master.Conversion.Phys(slow.Master.Float(rec))
				if math.Abs(tm-float64(n)*0.01) > 1e-12 {
					t.Fatalf("slow[%d]: time %v", n, tm)
				}
				if raw := temp.Int(rec); raw != int64(n) {
					t.Fatalf("slow[%d]: temp raw %d", n, raw)
				}
				if p := temp.Conversion.Phys(temp.Float(rec)); p != 0.5*float64(n)-40 {
					t.Fatalf("slow[%d]: temp %v", n, p)
				}
				_, s, isText := mode.Conversion.Apply(mode.Float(rec))
				if !isText || s != texts[n%3] {
					t.Fatalf("slow[%d]: mode %q %v", n, s, isText)
				}
				if _, s, _ := mode.Conversion.Apply(7); s != "?" {
					t.Fatalf("mode default %q", s)
				}
			}
			if n != 100 {
				t.Errorf("slow: %d records", n)
			}
		})
	}
}
