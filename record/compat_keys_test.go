package record_test

import (
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/record"
)

// TestCompatConversionKeys: the conversions of recordings written before
// the snake_case keys ("formulaInv") keep their inverse formula.
func TestCompatConversionKeys(t *testing.T) {
	for _, f := range []string{"v2-tcp.xlog", "v2-can.xlog"} {
		r, err := record.Open(filepath.Join("testdata", "compat", f))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range r.Meta().DAQ.Lists {
			for _, m := range l.Measurements {
				if m.Name == "temp_limit" && m.Conversion != nil {
					found = true
					if c := m.Conversion; c.Formula != "X1/10-40" || c.FormulaInv != "(X1+40)*10" {
						t.Errorf("%s: temp_limit conversion %+v, want formula_inv (X1+40)*10 read from formulaInv", f, c)
					}
				}
			}
		}
		r.Close()
		if !found {
			t.Errorf("%s: no temp_limit with a conversion", f)
		}
	}
}
