package conv_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
)

// FuzzConv builds every COMPU_METHOD of arbitrary A2L text (tables,
// coefficients and formulas straight from the file) and runs each
// direction on arbitrary values, NaN and infinities included: errors are
// fine, panics are not.
func FuzzConv(f *testing.F) {
	body := src[strings.Index(src, "/begin COMPU_METHOD"):strings.Index(src, "/end MODULE")]
	f.Add(body, 15.0, "35")
	f.Add(body, math.NaN(), "nan")
	f.Add(body, math.Inf(-1), "on")
	f.Add(`/begin COMPU_METHOD t "" TAB_INTP "%6.2" "" COMPU_TAB_REF x /end COMPU_METHOD /begin COMPU_TAB x "" TAB_INTP 1 5 5 /end COMPU_TAB`, 5.0, "5")
	f.Add(`/begin COMPU_METHOD r "" RAT_FUNC "%6.2" "" COEFFS 0 0 0 0 0 0 /end COMPU_METHOD`, 0.0, "0")
	f.Add(`/begin COMPU_METHOD v "" TAB_VERB "%6.2" "" COMPU_TAB_REF x /end COMPU_METHOD /begin COMPU_VTAB_RANGE x "" 1 5 1 "inverted" /end COMPU_VTAB_RANGE`, 3.0, "inverted")
	f.Fuzz(func(t *testing.T, body string, raw float64, text string) {
		file, err := a2l.ParseString("f.a2l", "ASAP2_VERSION 1 71 /begin PROJECT p \"\" /begin MODULE m \"\" "+body+" /end MODULE /end PROJECT", a2l.Options{Lenient: true})
		if err != nil || len(file.Modules) == 0 {
			return
		}
		m := file.Modules[0]
		for _, cm := range m.CompuMethods {
			c, err := conv.FromMethod(m, cm)
			if err != nil {
				continue
			}
			p := c.Phys(raw)
			_ = c.Text(raw)
			_, _ = c.Raw(p)
			_, _ = c.RawFromText(text)
			_, _ = c.RawBisect(p, -1e3, 1e3)
		}
	})
}
