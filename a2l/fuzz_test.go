package a2l_test

import (
	"testing"

	"github.com/goxcp/goxcp/a2l"
)

// FuzzParse feeds arbitrary text to the lexer and to the parser in both
// modes: no panic, no hang, strict errors are *Problems with a position,
// and lenient parsing never fails where strict parsing succeeds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		wrap(`/begin MEASUREMENT m "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /begin IF_DATA XCP /begin DAQ_EVENT FIXED_EVENT_LIST EVENT 0 /end DAQ_EVENT /end IF_DATA /end MEASUREMENT`),
		wrap(`/begin CHARACTERISTIC c "" CURVE 0x20 L 0 NO_COMPU_METHOD 0 1 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 8 0 7 FIX_AXIS_PAR_DIST 0 1 8 /end AXIS_DESCR /end CHARACTERISTIC`),
		wrap(`/begin TYPEDEF_STRUCTURE s "" 4 /begin STRUCTURE_COMPONENT a T 0 MATRIX_DIM 2 /end STRUCTURE_COMPONENT /end TYPEDEF_STRUCTURE /begin INSTANCE i "" s 0x100 /end INSTANCE`),
		wrap(`/begin COMPU_METHOD f "" FORM "%6.2" "" /begin FORMULA "X1*2" FORMULA_INV "X1/2" /end FORMULA /end COMPU_METHOD /begin COMPU_VTAB v "" TAB_VERB 1 0 "a""b" /end COMPU_VTAB`),
		wrap(`/begin A2ML struct { "x"; }; /end A2ML /begin RECORD_LAYOUT r NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UWORD INDEX_INCR DIRECT FNC_VALUES 3 SWORD COLUMN_DIR DIRECT /end RECORD_LAYOUT`),
		wrap(`/begin MOD_PAR "" EPK "x" /begin MEMORY_SEGMENT s "" DATA FLASH INTERN 0 8 -1 -1 -1 -1 -1 /end MEMORY_SEGMENT /end MOD_PAR /* c */ // d`),
		"ASAP2_VERSION 1 71 /begin PROJECT", "\"unterminated", "/* x", "0x", "-.5e+", "/begin /end /begin",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lx := a2l.NewLexer(src)
		for i := 0; ; i++ {
			tok := lx.Next()
			if tok.Kind == a2l.TokEOF {
				break
			}
			if i > len(src)+1 {
				t.Fatal("lexer does not advance")
			}
		}
		noInclude := a2l.Options{ReadFile: func(string) ([]byte, error) { return []byte(src), nil }}
		_, serr := a2l.ParseString("f.a2l", src, noInclude)
		if serr != nil {
			if p, ok := serr.(*a2l.Problem); !ok || p.Pos.Line < 1 || p.Pos.Col < 1 {
				t.Fatalf("strict error %T %v has no position", serr, serr)
			}
		}
		lo := noInclude
		lo.Lenient = true
		lf, lerr := a2l.ParseString("f.a2l", src, lo)
		if lerr != nil || lf == nil {
			t.Fatalf("lenient: %v", lerr)
		}
		if serr == nil && len(lf.Problems) > 0 {
			t.Fatalf("lenient found problems strict did not: %v", lf.Problems)
		}
		for _, m := range lf.Modules {
			for _, n := range m.Names() {
				if _, err := m.Resolve(n); err != nil && serr == nil {
					t.Fatalf("listed %q does not resolve: %v", n, err)
				}
			}
			for _, d := range m.IfData {
				d.Parse() // must not panic
			}
		}
	})
}
