package formula_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/compu/formula"
)

func TestEval(t *testing.T) {
	tests := []struct {
		src  string
		x    []float64
		want float64
	}{
		{"X1*0.5+10", []float64{4}, 12},
		{"x*2", []float64{3}, 6},
		{"-X1^3", []float64{1}, -4}, // XOR binds looser than unary minus: (-1) XOR 3 = -4
		{"(X1 & 0xF0) >> 4", []float64{0xAB}, 0xA},
		{"X1 | 1 << 3", []float64{1}, 9},
		{"~X1 & 0xFF", []float64{0x0F}, 0xF0},
		{"sqrt(X1) + pow(2, 3)", []float64{16}, 12},
		{"X1 > 10 && X2 < 5", []float64{11, 4}, 1},
		{"!(X1 == 3) || 0", []float64{3}, 0},
		{"abs(X1 - X2) % 4", []float64{3, 10}, 3},
		{"2 + 3 * 4 - 6 / 2", nil, 11},
		{"sin(0) + cos(0) + exp(0) + log(1) + log10(100)", nil, 4},
		{"1.5e2 + 0x10", nil, 166},
		{"floor(X1) + ceil(X1)", []float64{2.5}, 5},
	}
	for _, tc := range tests {
		e, err := formula.Compile(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		got, err := e.Eval(tc.x...)
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s(%v) = %v, %v; want %v", tc.src, tc.x, got, err, tc.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{"", "X1 +", "(X1", "foo(1)", "sin 1", "pow(1)", "X1 $ 2", "X10", "1..2", "sin(1,"} {
		_, err := formula.Compile(src)
		var fe *formula.Error
		if !errors.As(err, &fe) {
			t.Errorf("Compile(%q) = %v, want *formula.Error", src, err)
		}
	}
	e, _ := formula.Compile("X1+X2")
	if _, err := e.Eval(1); err == nil {
		t.Error("missing X2 not reported")
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"X1*2+1", "(X & 0xFF) >> 2", "pow(X1, 2) / sqrt(X2)", "!X || ~X", "-(-(-X))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := formula.Compile(s)
		if err != nil {
			return
		}
		x := make([]float64, e.Vars())
		if _, err := e.Eval(x...); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDeepNesting(t *testing.T) {
	src := ""
	for i := 0; i < 10000; i++ {
		src += "("
	}
	if _, err := formula.Compile(src + "1"); err == nil {
		t.Error("deep nesting accepted")
	}
}

// CANape's extensions: variadic min/max and other spellings evaluate;
// run-time functions compile but say they need run-time context.
func TestCANapeExtensions(t *testing.T) {
	for _, tc := range []struct {
		src  string
		x, y float64
	}{
		{"max(X1, 2, 7)", 3, 7},
		{"min(X1, 2, 7, -1)", 3, -1},
		{"ln(X1)", 1, 0},
		{"arctan(X1)*4", 1, math.Pi},
		{"sign(X1)*trunc(2.7)", -5, -2},
		{"hypot(X1, 4)", 3, 5},
	} {
		e, err := formula.Compile(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if v, err := e.Eval(tc.x); err != nil || math.Abs(v-tc.y) > 1e-12 {
			t.Errorf("%s(%g) = %g, %v; want %g", tc.src, tc.x, v, err, tc.y)
		}
	}
	for _, src := range []string{"time(X1)", "X1 * 2 + phy(X1)", "diff(X1, 2) / 3"} {
		e, err := formula.Compile(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if e.RuntimeFunc() == "" {
			t.Errorf("%s: not marked as needing run-time context", src)
		}
		if _, err := e.Eval(1); !errors.Is(err, formula.ErrRuntimeContext) {
			t.Errorf("%s: Eval error %v", src, err)
		}
	}
	if _, err := formula.Compile("min(X1)"); err == nil {
		t.Error("min of one value compiled")
	}
	if _, err := formula.Compile("time(X1"); err == nil {
		t.Error("unclosed time( compiled")
	}
}

func TestSystemConstants(t *testing.T) {
	consts := map[string]string{"CONTROLLERx constant1": "0.33", "N": "4", "txt": "Text"}
	for _, tc := range []struct{ src, want, err string }{
		{`X1*sysc("CONTROLLERx constant1")`, `X1*(0.33)`, ""},
		{`sysc(N) + SYSC( N )*X`, `(4) + (4)*X`, ""},
		{`mysysc(1)`, `mysysc(1)`, ""},
		{`sysc(missing)`, "", `no SYSTEM_CONSTANT "missing"`},
		{`sysc(txt)`, "", `"Text" is not a number`},
		{`sysc N`, "", `expected '(' after sysc`},
	} {
		got, err := formula.ExpandSystemConstants(tc.src, consts)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", tc.src, got, err, tc.want)
		}
	}
}
