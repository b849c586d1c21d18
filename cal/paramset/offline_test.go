package paramset_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/cal/hexedit"
	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/sim"
)

// TestOfflineImage calibrates a hex image of the simulator's ROM and
// calibration page without an ECU: the values read from the image are
// the ECU's, a set applied to the image changes only the records holding
// those values, and the EPK is checked.
func TestOfflineImage(t *testing.T) {
	s, m, mod := startSim(t, "tcp")
	ctx := context.Background()
	rom, err := s.ReadMemory(sim.ROMBase, 0, sim.ROMSize)
	if err != nil {
		t.Fatal(err)
	}
	calPage, err := s.ReadMemory(sim.CalBase, 0, sim.CalSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []hexedit.Format{hexedit.IntelHex, hexedit.SRecord} {
		t.Run(f.String(), func(t *testing.T) {
			img, err := hexedit.New(f, []hexedit.Segment{{Addr: sim.ROMBase, Data: rom}, {Addr: sim.CalBase, Data: calPage}})
			if err != nil {
				t.Fatal(err)
			}
			var original bytes.Buffer
			img.WriteTo(&original)
			if err := cal.CheckEPK(ctx, mod, img); err != nil {
				t.Fatalf("EPK of the image: %v", err)
			}
			names, err := paramset.Select(mod)
			if err != nil {
				t.Fatal(err)
			}
			fromECU, _, err := paramset.Save(ctx, mod, m, names)
			if err != nil {
				t.Fatal(err)
			}
			fromImage, skips, err := paramset.Save(ctx, mod, img, names)
			if err != nil || len(skips) > 0 {
				t.Fatalf("save from image: %v %v", skips, err)
			}
			if d := paramset.Diff(fromECU, fromImage, paramset.DiffOptions{}); len(d) > 0 {
				t.Fatalf("image and ECU differ: %+v", d)
			}
			set := &paramset.Set{Items: []*paramset.Item{
				{Name: "temp_limit", Kind: "VALUE", Values: []float64{90}},
				{Name: "mode", Kind: "VALUE", Text: []string{"ECO"}},
			}}
			rep, err := paramset.Apply(ctx, mod, img, set, paramset.ApplyOptions{})
			if err != nil || len(rep.Changed) != 2 {
				t.Fatalf("apply to image: %+v %v", rep, err)
			}
			var out bytes.Buffer
			img.WriteTo(&out)
			a, b := strings.Split(original.String(), "\n"), strings.Split(out.String(), "\n")
			changed := 0
			for i := range a {
				if a[i] != b[i] {
					changed++
				}
			}
			if changed != 1 { // mode (0x138) and temp_limit (0x13A) share a record
				t.Errorf("%d records changed, want 1", changed)
			}
			back, err := hexedit.Parse(out.Bytes(), f)
			if err != nil {
				t.Fatal(err)
			}
			again, _, err := paramset.Save(ctx, mod, back, []string{"mode", "temp_limit"})
			if err != nil {
				t.Fatal(err)
			}
			if d := paramset.Diff(set, again, paramset.DiffOptions{}); len(d) > 0 {
				t.Errorf("written image: %+v", d)
			}
			// Another software version: the EPK differs.
			if err := back.Write(ctx, sim.ROMBase, 0, []byte("other")); err != nil {
				t.Fatal(err)
			}
			if err := cal.CheckEPK(ctx, mod, back); !errors.Is(err, cal.ErrEPKMismatch) {
				t.Errorf("EPK of a changed image: %v", err)
			}
		})
	}
}
