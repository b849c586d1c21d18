package compu_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/compu"
)

func TestFromSpecErrors(t *testing.T) {
	one := 1.0
	for _, tc := range []struct {
		s    compu.Spec
		want string
	}{
		{compu.Spec{Type: "CUBIC"}, "unknown conversion type"},
		{compu.Spec{Type: "LINEAR", Coeffs: []float64{0, 1}}, "a != 0"},
		{compu.Spec{Type: "LINEAR"}, "LINEAR needs"},
		{compu.Spec{Type: "RAT_FUNC", Coeffs: []float64{1}}, "6 coefficients"},
		{compu.Spec{Type: "TAB_INTP", In: []float64{1, 2}, Out: []float64{1}}, "as many in as out"},
		{compu.Spec{Type: "TAB_NOINTP", Default: &one}, "at least one"},
		{compu.Spec{Type: "TAB_VERB", In: []float64{1}}, "as many in values as texts"},
		{compu.Spec{Type: "TAB_VERB", Min: []float64{1}, Max: []float64{2}}, "min, max and text"},
		{compu.Spec{Type: "FORM", Formula: "X1 +"}, "FORMULA"},
		{compu.Spec{Type: "FORM", Formula: "X1", FormulaInv: "(("}, "FORMULA_INV"},
	} {
		_, err := compu.FromSpec(tc.s)
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
		var sp compu.Spec
		if json.Unmarshal([]byte(js), &sp) != nil {
			return
		}
		c, err := compu.FromSpec(sp)
		if err != nil {
			return
		}
		c.Phys(raw)
		c.Text(raw)
		c.Raw(raw)
	})
}

// TestSpecJSONKeys: a Spec is written with snake_case keys and read in
// both those and the camelCase keys of recordings written before
// (defaultText, formulaInv).
func TestSpecJSONKeys(t *testing.T) {
	def := 7.0
	want := compu.Spec{Type: "FORM", Formula: "X1*2", FormulaInv: "X1/2", DefaultText: "n/a", Default: &def}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"formula_inv":"X1/2"`) || !strings.Contains(s, `"default_text":"n/a"`) {
		t.Errorf("marshalled %s, want snake_case keys", s)
	}
	for _, js := range []string{
		string(b),
		`{"type":"FORM","formula":"X1*2","formulaInv":"X1/2","defaultText":"n/a","default":7}`,
	} {
		var got compu.Spec
		if err := json.Unmarshal([]byte(js), &got); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if got.FormulaInv != want.FormulaInv || got.DefaultText != want.DefaultText || got.Formula != want.Formula || got.Default == nil || *got.Default != def {
			t.Errorf("%s: got %+v", js, got)
		}
	}
	var bad compu.Spec
	if err := json.Unmarshal([]byte(`{"type":"FORM","formulaInv":3}`), &bad); err == nil {
		t.Error("a number as formulaInv: no error")
	}
}
