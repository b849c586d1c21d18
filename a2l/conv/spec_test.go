package conv_test

import (
	"encoding/json"
	"testing"

	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/compu"
)

// TestSpecRoundTrip: every COMPU_METHOD survives Spec → JSON → FromSpec
// with the same physical values, texts and inverses.
func TestSpecRoundTrip(t *testing.T) {
	m := module(t)
	for _, cm := range m.CompuMethods {
		orig, err := conv.FromMethod(m, cm)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(orig.Spec())
		if err != nil {
			t.Fatal(err)
		}
		var sp compu.Spec
		if err := json.Unmarshal(b, &sp); err != nil {
			t.Fatal(err)
		}
		c, err := compu.FromSpec(sp)
		if err != nil {
			t.Fatalf("%s: %v (%s)", cm.Name, err, b)
		}
		if c.Name != orig.Name || c.Unit != orig.Unit || c.Format != orig.Format || c.Type != orig.Type {
			t.Errorf("%s: %+v, want %+v", cm.Name, c, orig)
		}
		for _, raw := range []float64{-3, 0, 1, 2, 5, 10, 15, 20, 50, 200} {
			if g, w := c.Phys(raw), orig.Phys(raw); g != w && !(g != g && w != w) {
				t.Errorf("%s: Phys(%v) = %v, want %v", cm.Name, raw, g, w)
			}
			if g, w := c.Text(raw), orig.Text(raw); g != w {
				t.Errorf("%s: Text(%v) = %q, want %q", cm.Name, raw, g, w)
			}
			g, gerr := c.Raw(raw)
			w, werr := orig.Raw(raw)
			if (gerr == nil) != (werr == nil) || (gerr == nil && g != w && !(g != g && w != w)) {
				t.Errorf("%s: Raw(%v) = %v %v, want %v %v", cm.Name, raw, g, gerr, w, werr)
			}
		}
	}
}
