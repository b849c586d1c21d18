package conv_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/compu/formula"
)

const src = `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin COMPU_METHOD lin "" LINEAR "%6.2" "rpm" COEFFS_LINEAR 0.5 -10 /end COMPU_METHOD
/begin COMPU_METHOD rat "" RAT_FUNC "%6.2" "degC" COEFFS 0 4 8 0 0 2 /end COMPU_METHOD
/begin COMPU_METHOD quad "" RAT_FUNC "%6.2" "" COEFFS 1 0 0 0 0 1 /end COMPU_METHOD
/begin COMPU_METHOD tint "" TAB_INTP "%6.2" "V" COMPU_TAB_REF tab /end COMPU_METHOD
/begin COMPU_TAB tab "" TAB_INTP 3 10 20 0 0 20 50 /end COMPU_TAB
/begin COMPU_METHOD tno "" TAB_NOINTP "%6.2" "" COMPU_TAB_REF tabn /end COMPU_METHOD
/begin COMPU_TAB tabn "" TAB_NOINTP 2 1 11 2 22 DEFAULT_VALUE_NUMERIC -1 /end COMPU_TAB
/begin COMPU_METHOD verb "" TAB_VERB "%.0" "" COMPU_TAB_REF vt /end COMPU_METHOD
/begin COMPU_VTAB vt "" TAB_VERB 2 0 "off" 1 "on" DEFAULT_VALUE "invalid" /end COMPU_VTAB
/begin COMPU_METHOD range "" TAB_VERB "%.0" "" COMPU_TAB_REF vr /end COMPU_METHOD
/begin COMPU_VTAB_RANGE vr "" 2 0 9 "low" 10 100 "high" /end COMPU_VTAB_RANGE
/begin COMPU_METHOD form "" FORM "%6.3" "m" /begin FORMULA "X1*X1/100" FORMULA_INV "sqrt(X1*100)" /end FORMULA /end COMPU_METHOD
/begin COMPU_METHOD formnoinv "" FORM "%6.3" "" /begin FORMULA "(X & 0xF0) >> 4" /end FORMULA /end COMPU_METHOD
/begin COMPU_METHOD ident "" IDENTICAL "%4.0" "-" /end COMPU_METHOD
/end MODULE
/end PROJECT
`

func module(t *testing.T) *a2l.Module {
	f, err := a2l.ParseString("c.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f.Modules[0]
}

func TestRoundTrip(t *testing.T) {
	m := module(t)
	tests := []struct {
		name      string
		raw, phys float64
	}{
		{"lin", 100, 40},
		{"rat", 10, 3}, // raw = (4*3+8)/2 = 10
		{"quad", 9, 3}, // raw = p²
		{"tint", 15, 35},
		{"tint", 5, 10},
		{"tint", -5, 0},
		{"tno", 2, 22},
		{"form", 50, 25},
		{"ident", 7, 7},
		{"NO_COMPU_METHOD", 3, 3},
	}
	for _, tc := range tests {
		c, err := conv.New(m, tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Phys(tc.raw); math.Abs(got-tc.phys) > 1e-9 {
			t.Errorf("%s.Phys(%v) = %v, want %v", tc.name, tc.raw, got, tc.phys)
		}
		if tc.name == "tint" && tc.raw == -5 {
			continue // clamped, not invertible to 5
		}
		got, err := c.Raw(tc.phys)
		if err != nil || math.Abs(got-tc.raw) > 1e-9 {
			t.Errorf("%s.Raw(%v) = %v, %v; want %v", tc.name, tc.phys, got, err, tc.raw)
		}
	}
}

func TestVerbal(t *testing.T) {
	m := module(t)
	c, _ := conv.New(m, "verb")
	if !c.Verbal() || c.Text(1) != "on" || c.Text(0) != "off" || c.Text(7) != "invalid" {
		t.Errorf("verbal texts: %q %q %q", c.Text(1), c.Text(0), c.Text(7))
	}
	if r, err := c.RawFromText("on"); err != nil || r != 1 {
		t.Errorf("RawFromText(on) = %v, %v", r, err)
	}
	if _, err := c.RawFromText("maybe"); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("RawFromText(maybe) = %v", err)
	}
	r, _ := conv.New(m, "range")
	if r.Text(5) != "low" || r.Text(50) != "high" || r.Text(200) != "200" {
		t.Errorf("range texts %q %q %q", r.Text(5), r.Text(50), r.Text(200))
	}
	if v, err := r.RawFromText("high"); err != nil || v != 10 {
		t.Errorf("range RawFromText = %v %v", v, err)
	}
}

func TestTextAndErrors(t *testing.T) {
	m := module(t)
	lin, _ := conv.New(m, "lin")
	if s := lin.Text(100); s != "40.00" {
		t.Errorf("Text = %q", s)
	}
	if lin.Unit != "rpm" {
		t.Errorf("unit %q", lin.Unit)
	}
	tno, _ := conv.New(m, "tno")
	if tno.Phys(5) != -1 {
		t.Error("TAB_NOINTP default")
	}
	if _, err := tno.Raw(33); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("tno.Raw(33) = %v", err)
	}
	tint, _ := conv.New(m, "tint")
	if _, err := tint.Raw(80); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("tint.Raw(80) = %v", err)
	}
	f, _ := conv.New(m, "formnoinv")
	if f.Phys(0xAB) != 0xA {
		t.Error("form bit ops")
	}
	if _, err := f.Raw(3); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("no inverse: %v", err)
	}
	if _, err := conv.New(m, "missing"); err == nil {
		t.Error("missing method accepted")
	}
	form, _ := conv.New(m, "form")
	if r, err := form.RawBisect(25, 0, 255); err != nil || math.Abs(r-50) > 1e-6 {
		t.Errorf("bisect = %v %v", r, err)
	}
	if _, err := form.RawBisect(1e9, 0, 255); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("bisect out of range = %v", err)
	}
}

// TestBadFormulaIsTyped: a FORMULA that does not compile is reported with
// the COMPU_METHOD and keeps the *formula.Error (offset into the formula).
func TestBadFormulaIsTyped(t *testing.T) {
	f, err := a2l.ParseString("b.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin COMPU_METHOD bad "" FORM "%6.3" "" /begin FORMULA "X1 * (2" /end FORMULA /end COMPU_METHOD
/end MODULE /end PROJECT`, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conv.New(f.Modules[0], "bad")
	var fe *formula.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "COMPU_METHOD bad") {
		t.Fatalf("conv.New(bad) = %v, want a *formula.Error naming the COMPU_METHOD", err)
	}
}
