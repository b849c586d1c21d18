package cal_test

import (
	"context"
	"testing"

	"github.com/goxcp/goxcp/cal"
)

// FuzzDecode decodes arbitrary ECU memory as every object of the test A2L
// (dynamic axis counts, bit masks, verbal tables, ASCII): errors are fine,
// panics are not, and whatever decodes encodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, 0x100))
	_, m := setup(f)
	f.Add(m.b)
	f.Add([]byte{0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		mod, _ := setup(t)
		mm := &mem{b: append(b, make([]byte, 0x100)...)[:0x100]}
		for _, name := range mod.Names() {
			v, err := cal.Read(context.Background(), mod, mm, name)
			if err != nil || v.String != nil || len(v.Axes) > 0 && v.Axes[0].Attr != "STD_AXIS" {
				continue
			}
			// Round trip: writing back what was read leaves memory unchanged.
			before := append([]byte(nil), mm.b...)
			d, _ := cal.Describe(mod, name)
			if d.Kind() == "MEASUREMENT" && !d.Obj.Common().ReadWrite || d.Obj.Common().ReadOnly {
				continue
			}
			in := cal.Input{Values: v.Strings()}
			if _, err := d.Write(context.Background(), mm, in, cal.Options{ExtendedLimits: true}); err != nil {
				continue // e.g. memory holds a value outside the limits
			}
			if string(before) != string(mm.b) && !lossy(v) {
				t.Fatalf("%s: rewriting %v changed memory", name, v.Strings())
			}
		}
	})
}

// lossy reports values whose text form does not round-trip exactly
// (formatted with few decimals, NaN, or out of the verbal table).
func lossy(v *cal.Value) bool { return v.Format != "" || v.Text != nil }

// FuzzParseAssignment: name=value text from the command line never
// panics, and an accepted assignment names something.
func FuzzParseAssignment(f *testing.F) {
	for _, s := range []string{"a=1", "curve=[1,2,3]", "label=abc", "=1", "a", "a[2]=0x10", "map=[[1,2],[3,4]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := cal.ParseAssignment(s)
		if err == nil && a.Name == "" {
			t.Fatalf("%q accepted without a name: %+v", s, a)
		}
	})
}
