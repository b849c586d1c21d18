package conv_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l/conv"
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
		var sp conv.Spec
		if err := json.Unmarshal(b, &sp); err != nil {
			t.Fatal(err)
		}
		c, err := conv.FromSpec(sp)
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

func TestFromSpecErrors(t *testing.T) {
	one := 1.0
	for _, tc := range []struct {
		s    conv.Spec
		want string
	}{
		{conv.Spec{Type: "CUBIC"}, "unknown conversion type"},
		{conv.Spec{Type: "LINEAR", Coeffs: []float64{0, 1}}, "a != 0"},
		{conv.Spec{Type: "LINEAR"}, "LINEAR needs"},
		{conv.Spec{Type: "RAT_FUNC", Coeffs: []float64{1}}, "6 coefficients"},
		{conv.Spec{Type: "TAB_INTP", In: []float64{1, 2}, Out: []float64{1}}, "as many in as out"},
		{conv.Spec{Type: "TAB_NOINTP", Default: &one}, "at least one"},
		{conv.Spec{Type: "TAB_VERB", In: []float64{1}}, "as many in values as texts"},
		{conv.Spec{Type: "TAB_VERB", Min: []float64{1}, Max: []float64{2}}, "min, max and text"},
		{conv.Spec{Type: "FORM", Formula: "X1 +"}, "FORMULA"},
		{conv.Spec{Type: "FORM", Formula: "X1", FormulaInv: "(("}, "FORMULA_INV"},
	} {
		_, err := conv.FromSpec(tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
}

// FuzzFromSpec: a Spec from a damaged recording never panics FromSpec or
// the conversion it returns.
func FuzzFromSpec(f *testing.F) {
	f.Add(`{"type":"LINEAR","coeffs":[2,1]}`, 3.0)
	f.Add(`{"type":"TAB_INTP","in":[1,2],"out":[10,20]}`, 1.5)
	f.Add(`{"type":"TAB_VERB","min":[0],"max":[1],"text":["a"]}`, 0.5)
	f.Add(`{"type":"FORM","formula":"X1*2","formulaInv":"X1/2"}`, 4.0)
	f.Add(`{"type":"RAT_FUNC","coeffs":[0,1,0,0,0,1]}`, 7.0)
	f.Fuzz(func(t *testing.T, js string, raw float64) {
		var sp conv.Spec
		if json.Unmarshal([]byte(js), &sp) != nil {
			return
		}
		c, err := conv.FromSpec(sp)
		if err != nil {
			return
		}
		c.Phys(raw)
		c.Text(raw)
		c.Raw(raw)
	})
}
