package a2l_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/goxcp/goxcp/a2l"
)

// Minimal tests for the defects real files from other producers showed
// (issue #13), one per defect.

const meas = `/begin MEASUREMENT m "Drehzahl" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT`

func TestTextEncodings(t *testing.T) {
	plain := wrap(meas)
	u16 := func(s string, big bool) string {
		var b []byte
		if big {
			b = append(b, 0xFE, 0xFF)
		} else {
			b = append(b, 0xFF, 0xFE)
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if big {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return string(b)
	}
	tests := []struct {
		name, src, longID string
	}{
		{"UTF-8 BOM", "\xEF\xBB\xBF" + plain, "Drehzahl"},
		{"UTF-16LE BOM", u16(strings.Replace(plain, "Drehzahl", "Drehzahl °C", 1), false), "Drehzahl °C"},
		{"UTF-16BE BOM", u16(strings.Replace(plain, "Drehzahl", "Drehzahl °C", 1), true), "Drehzahl °C"},
		{"Latin-1", strings.Replace(plain, "Drehzahl", "Drehzahl \xB0C gr\xF6\xDFer", 1), "Drehzahl °C größer"},
		{"UTF-8", strings.Replace(plain, "Drehzahl", "Drehzahl °C", 1), "Drehzahl °C"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, lenient := range []bool{false, true} {
				f, err := a2l.ParseString("t.a2l", tc.src, a2l.Options{Lenient: lenient})
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Problems) != 0 {
					t.Fatalf("problems: %v", f.Problems)
				}
				if got := f.Modules[0].Measurement("m").LongID; got != tc.longID {
					t.Errorf("long identifier %q, want %q", got, tc.longID)
				}
			}
		})
	}
	// A stray Latin-1 byte is named as the character it is, at its
	// position (the BOM does not count as a column).
	_, err := a2l.ParseString("t.a2l", "\xEF\xBB\xBFASAP2_VERSION 1 71 \xA7", a2l.Options{})
	if err == nil || !strings.Contains(err.Error(), "t.a2l:1:20: unexpected character '§' (U+00A7)") {
		t.Errorf("error %v", err)
	}
	if _, err := a2l.ParseString("t.a2l", "\xFF\xFEA", a2l.Options{}); err == nil || !strings.Contains(err.Error(), "odd length") {
		t.Errorf("odd UTF-16: %v", err)
	}
}

// Lenient parsing skips a bad token, records it at its position, and
// recovers every following object; later problems keep real positions
// (columns count bytes).
func TestLenientSkipsLexerErrors(t *testing.T) {
	src := "ASAP2_VERSION 1 71\n/begin PROJECT DPU-2XX \"\"\n/begin MODULE m \"\"\n" +
		"/begin MOD_PAR \"\"\n/begin MEMORY_SEGMENT s \"\" DATA FLASH INTERN 0 0x100 -1 \u20131 \u20131 \u20131 -1 /end MEMORY_SEGMENT\n/end MOD_PAR\n" +
		"/begin CALIBRATION_METHOD \u00e2\u20ac\u017eInCircuit\u00e2\u20ac\u0153 2 /end CALIBRATION_METHOD\n" +
		"/begin MEASUREMENT a \"\" UBYTE NO_COMPU_METHOD 0 0 0 255 @ /end MEASUREMENT\n" +
		"/begin MEASUREMENT b \"\" UBYTE NO_COMPU_METHOD 0 0 0 255 /end MEASUREMENT\n" +
		"/begin MEASUREMENT c \"\" UBYTE NOCONV 0 0 0 255 /end MEASUREMENT\n" +
		"/end MODULE\n/end PROJECT\n"
	_, err := a2l.ParseString("t.a2l", src, a2l.Options{})
	if err == nil || !strings.Contains(err.Error(), `t.a2l:2:19: malformed number "-2XX"`) {
		t.Fatalf("strict: %v", err)
	}
	f, err := a2l.ParseString("t.a2l", src, a2l.Options{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range f.Problems {
		got = append(got, p.Error())
	}
	want := []string{
		`t.a2l:2:19: malformed number "-2XX"`,
		`t.a2l:5:57: unexpected character '–' (U+2013)`,
		`t.a2l:5:62: unexpected character '–' (U+2013)`,
		`t.a2l:5:67: unexpected character '–' (U+2013)`,
		`t.a2l:7:27: unexpected characters "â€ž"`,
		`t.a2l:7:43: unexpected characters "â€œ"`,
		`t.a2l:8:57: unexpected character '@'`,
		`t.a2l:10:8: MEASUREMENT c refers to COMPU_METHOD NOCONV, which is not defined`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	m := f.Modules[0]
	if f.Project.Name != "DPU" || len(m.Measurements) != 3 || len(m.ModPar.MemorySegments) != 1 ||
		m.ModPar.MemorySegments[0].Offsets != [5]int64{-1, 1, 1, 1, -1} {
		t.Errorf("recovered project %q, %d measurements, segments %v", f.Project.Name, len(m.Measurements), m.ModPar.MemorySegments)
	}
}

// A backslash-newline inside a string continues the string on the next
// line, and every later position counts that line.
func TestBackslashNewlineCountsLine(t *testing.T) {
	src := wrap("/begin MEASUREMENT a \"first \\\nsecond\" UBYTE NO_COMPU_METHOD 0 0 0 255 /end MEASUREMENT\n" +
		"/begin MEASUREMENT b \"\" UBYTE NOCONV 0 0 0 255 /end MEASUREMENT")
	_, err := a2l.ParseString("t.a2l", src, a2l.Options{})
	if err == nil || !strings.Contains(err.Error(), "t.a2l:6:8: MEASUREMENT b refers to COMPU_METHOD NOCONV") {
		t.Errorf("error %v, want it at 6:8", err)
	}
}

// A RAT_FUNC method with both COEFFS and COEFFS_LINEAR uses COEFFS; a
// LINEAR one uses COEFFS_LINEAR, whatever the order.
func TestCoeffsAndCoeffsLinear(t *testing.T) {
	m := parse(t, wrap(`/begin COMPU_METHOD r "" RAT_FUNC "%f" "" COEFFS 0 1 2 0 0 1 COEFFS_LINEAR 3 4 /end COMPU_METHOD
/begin COMPU_METHOD l "" LINEAR "%f" "" COEFFS_LINEAR 3 4 COEFFS 0 1 2 0 0 1 /end COMPU_METHOD`))
	if got := m.CompuMethod("r").Coeffs; len(got) != 6 || got[2] != 2 {
		t.Errorf("RAT_FUNC coefficients %v", got)
	}
	if got := m.CompuMethod("l").Coeffs; len(got) != 2 || got[0] != 3 {
		t.Errorf("LINEAR coefficients %v", got)
	}
}

// ECU_ADDRESS_EXTENSION is a signed 16-bit value in ASAP2.
func TestAddressExtensionSigned16(t *testing.T) {
	m := parse(t, wrap(`/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS_EXTENSION 10000 /end MEASUREMENT
/begin MEASUREMENT b "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS_EXTENSION -2 /end MEASUREMENT
/begin MEASUREMENT c "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS_EXTENSION 0x9783 /end MEASUREMENT`))
	if a, b, c := m.Measurement("a").AddrExt, m.Measurement("b").AddrExt, m.Measurement("c").AddrExt; a != 10000 || b != -2 || c != -26749 {
		t.Errorf("extensions %d %d %d", a, b, c)
	}
	_, err := a2l.ParseString("t.a2l", wrap(`/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS_EXTENSION 32768 /end MEASUREMENT`), a2l.Options{})
	if err == nil || !strings.Contains(err.Error(), "ECU_ADDRESS_EXTENSION 32768 out of range [-32768, 32767]") {
		t.Errorf("error %v", err)
	}
}

// AXIS_PTS_REF may name an INSTANCE of a TYPEDEF_AXIS, a component path
// through an INSTANCE, or a sibling component with THIS.
func TestAxisPtsRefToInstances(t *testing.T) {
	src := wrap(`/begin RECORD_LAYOUT RA AXIS_PTS_X 1 UBYTE INDEX_INCR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RF FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin TYPEDEF_AXIS TA "" NO_INPUT_QUANTITY RA 0 NO_COMPU_METHOD 4 0 255 /end TYPEDEF_AXIS
/begin INSTANCE axis_inst "" TA 0x100 /end INSTANCE
/begin TYPEDEF_CHARACTERISTIC C1 "" CURVE RF 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR COM_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 255 AXIS_PTS_REF axis_inst /end AXIS_DESCR /end TYPEDEF_CHARACTERISTIC
/begin TYPEDEF_CHARACTERISTIC C2 "" CURVE RF 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR COM_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 255 AXIS_PTS_REF cal.ax /end AXIS_DESCR /end TYPEDEF_CHARACTERISTIC
/begin TYPEDEF_CHARACTERISTIC C3 "" CURVE RF 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR COM_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 255 AXIS_PTS_REF THIS.ax /end AXIS_DESCR /end TYPEDEF_CHARACTERISTIC
/begin TYPEDEF_STRUCTURE S "" 16
  /begin STRUCTURE_COMPONENT ax TA 0 /end STRUCTURE_COMPONENT
  /begin STRUCTURE_COMPONENT c1 C1 4 /end STRUCTURE_COMPONENT
  /begin STRUCTURE_COMPONENT c2 C2 8 /end STRUCTURE_COMPONENT
  /begin STRUCTURE_COMPONENT c3 C3 12 /end STRUCTURE_COMPONENT
/end TYPEDEF_STRUCTURE
/begin INSTANCE cal "" S 0x200 /end INSTANCE
/begin INSTANCE other "" S 0x300 MATRIX_DIM 2 /end INSTANCE`)
	m := parse(t, src) // strict: every reference resolves
	for _, tc := range []struct{ from, ref, want string }{
		{"cal.c1", "axis_inst", "axis_inst"},
		{"cal.c2", "cal.ax", "cal.ax"},
		{"cal.c3", "THIS.ax", "cal.ax"},
		{"other[1].c3", "THIS.ax", "other[1].ax"},
	} {
		o, err := m.ResolveAxisRef(tc.from, tc.ref)
		if err != nil {
			t.Errorf("%s %s: %v", tc.from, tc.ref, err)
			continue
		}
		if o.Kind != a2l.KindAxisPts || o.Name() != tc.want {
			t.Errorf("%s %s = %v %s, want AXIS_PTS %s", tc.from, tc.ref, o.Kind, o.Name(), tc.want)
		}
	}
	if _, err := m.ResolveAxisRef("top", "THIS.ax"); err == nil {
		t.Error("THIS outside a structure resolved")
	}
	_, err := a2l.ParseString("t.a2l", strings.Replace(src, "THIS.ax", "THIS.nothere", 1), a2l.Options{})
	if err == nil || !strings.Contains(err.Error(), "AXIS_PTS_REF THIS.nothere is not defined") {
		t.Errorf("unknown THIS component: %v", err)
	}
}

// The word-swapped byte orders of ASAP2 1.70 parse (cal refuses them
// rather than decode wrong values).
func TestWordSwappedByteOrders(t *testing.T) {
	m := parse(t, wrap(`/begin MEASUREMENT a "" ULONG NO_COMPU_METHOD 0 0 0 1 BYTE_ORDER MSB_FIRST_MSW_LAST /end MEASUREMENT
/begin MEASUREMENT b "" ULONG NO_COMPU_METHOD 0 0 0 1 BYTE_ORDER MSB_LAST_MSW_FIRST /end MEASUREMENT`))
	if a, b := *m.Measurement("a").ByteOrder, *m.Measurement("b").ByteOrder; a != a2l.MSBFirstMSWLast || b != a2l.MSBLastMSWFirst || a.String() != "MSB_FIRST_MSW_LAST" {
		t.Errorf("byte orders %v %v", a, b)
	}
}
