package cal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// Record layouts whose axis points alternate with the function values
// (ALTERNATE_WITH_X / ALTERNATE_WITH_Y), and ALTERNATE_CURVES.
func TestAlternatingLayouts(t *testing.T) {
	src := altSrc
	f, err := a2l.ParseString("alt.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	m := &mem{b: make([]byte, 0x80)}
	// curve: 2 points; x0 pad v0(LE) x1 pad v1: UWORD values aligned to 2
	copy(m.b[0x00:], []byte{2, 10, 0, 0xE8, 0x03, 20, 0, 0xD0, 0x07})
	// map x=3, y=2 with ALTERNATE_WITH_X: x0 f(0,0) f(0,1) x1 f(1,0) f(1,1) x2 ...
	copy(m.b[0x20:], []byte{3, 2, 1, 11, 12, 2, 21, 22, 3, 31, 32, 100, 200})
	// the same map with ALTERNATE_WITH_Y after the x axis: y0 f(0..2,0) y1 f(0..2,1)
	copy(m.b[0x40:], []byte{3, 2, 1, 2, 3, 100, 11, 21, 31, 200, 12, 22, 32})
	// ALTERNATE_CURVES: value by value across the curves (x fastest)
	copy(m.b[0x60:], []byte{11, 21, 31, 12, 22, 32})
	for _, tc := range []struct{ name, want string }{
		{"crv", "[1000 2000] [[10 20]]"},
		{"mx", "[11 21 31 12 22 32] [[1 2 3] [100 200]]"},
		{"my", "[11 21 31 12 22 32] [[1 2 3] [100 200]]"},
		{"cs", "[11 21 31 12 22 32] [[0 1 2] [0 1]]"},
	} {
		v, err := cal.Read(context.Background(), mod, m, tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var axes [][]float64
		for _, a := range v.Axes {
			axes = append(axes, a.Phys)
		}
		if got := fmt.Sprint(v.Phys, axes); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
	// Writing puts values and axis points back in their interleaved slots.
	if _, err := cal.Write(context.Background(), mod, m, "mx", "41 51 61 42 52 62", cal.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.b[0x22:0x2B]); got != "[1 41 42 2 51 52 3 61 62]" {
		t.Errorf("map written as %v", got)
	}
	if _, err := cal.Describe(mod, "bad"); err == nil || !strings.Contains(err.Error(), "ALTERNATE_WITH_Y needs a second (Y) axis") {
		t.Errorf("ALTERNATE_WITH_Y curve: %v", err)
	}
	d, err := cal.Describe(mod, "crv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write(context.Background(), m, cal.Input{Values: []string{"7", "8"}, Axes: [][]string{{"5", "6"}}}, cal.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.b[0x01:0x09]); got != "[5 0 7 0 6 0 8 0]" {
		t.Errorf("curve written as %v", got)
	}
}

// A RES_AXIS curve takes its axis points from an AXIS_PTS of rescale pairs
// (X_i, Y_i) laid out with NO_RESCALE_X / AXIS_RESCALE_X (ASAM's demo file).
func TestRescaleAxis(t *testing.T) {
	src := resSrc
	f, err := a2l.ParseString("res.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	m := &mem{b: make([]byte, 0x20)}
	copy(m.b, []byte{3, 0, 10, 0, 20, 1, 40, 2})        // 3 pairs: (10,0) (20,1) (40,2)
	copy(m.b[0x10:], []byte{1, 0, 2, 0, 0xFD, 0xFF, 9}) // 1 2 -3
	v, err := cal.Read(context.Background(), mod, m, "res")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(v.Dims, v.Raw, v.Phys); got != "[2 3] [10 0 20 1 40 2] [5 0 10 1 20 2]" {
		t.Errorf("rescale pairs %s", got)
	}
	v, err = cal.Read(context.Background(), mod, m, "crv")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(v.Phys, v.Axes[0].Phys, " ", v.Axes[0].Attr); got != "[1 2 -3] [5 10 20] RES_AXIS" {
		t.Errorf("RES_AXIS curve %s", got)
	}
	if d, err := cal.Describe(mod, "crv"); err != nil || d.Size != 10 {
		t.Errorf("RES_AXIS curve size: %v %v", d, err)
	}
	if _, err := cal.Describe(mod, "com"); err == nil || !strings.Contains(err.Error(), "use RES_AXIS") {
		t.Errorf("COM_AXIS to rescale pairs: %v", err)
	}
	// Pairs are written as X0 Y0 X1 Y1 ...: X physical, Y raw.
	if _, err := cal.Write(context.Background(), mod, m, "res", "1 2", cal.Options{}); err == nil || !strings.Contains(err.Error(), "expects 3 rescale pairs") {
		t.Errorf("write 1 of 3 rescale pairs: %v", err)
	}
	if _, err := cal.Write(context.Background(), mod, m, "res", "6,0,12,1,30,3", cal.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.b[:8]); got != "[3 0 12 0 24 1 60 3]" {
		t.Errorf("rescale pairs written as %v", got)
	}
	if _, err := cal.Write(context.Background(), mod, m, "res", "6,0,12,1,300,3", cal.Options{}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("X beyond the limits: %v", err)
	}
}

const altSrc = `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin MOD_COMMON "" ALIGNMENT_WORD 2 /end MOD_COMMON
/begin RECORD_LAYOUT ALT_X NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR DIRECT FNC_VALUES 3 UWORD ALTERNATE_WITH_X DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT MAP_X NO_AXIS_PTS_X 1 UBYTE NO_AXIS_PTS_Y 2 UBYTE AXIS_PTS_X 3 UBYTE INDEX_INCR DIRECT AXIS_PTS_Y 5 UBYTE INDEX_INCR DIRECT FNC_VALUES 4 UBYTE ALTERNATE_WITH_X DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT MAP_Y NO_AXIS_PTS_X 1 UBYTE NO_AXIS_PTS_Y 2 UBYTE AXIS_PTS_X 3 UBYTE INDEX_INCR DIRECT AXIS_PTS_Y 4 UBYTE INDEX_INCR DIRECT FNC_VALUES 5 UBYTE ALTERNATE_WITH_Y DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT CURVES FNC_VALUES 1 UBYTE ALTERNATE_CURVES DIRECT /end RECORD_LAYOUT
/begin CHARACTERISTIC crv "" CURVE 0x1000 ALT_X 0 NO_COMPU_METHOD 0 65535
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC mx "" MAP 0x1020 MAP_X 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 255 /end AXIS_DESCR
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC my "" MAP 0x1040 MAP_Y 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 255 /end AXIS_DESCR
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC cs "" MAP 0x1060 CURVES 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 2 FIX_AXIS_PAR_DIST 0 1 3 /end AXIS_DESCR
 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 1 FIX_AXIS_PAR_DIST 0 1 2 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC bad "" CURVE 0x1070 MAP_Y 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/end MODULE /end PROJECT`

const resSrc = `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin RECORD_LAYOUT RL_RES NO_RESCALE_X 1 UBYTE RESERVED 2 BYTE AXIS_RESCALE_X 3 UBYTE 5 INDEX_INCR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_FNC FNC_VALUES 1 SWORD ROW_DIR DIRECT /end RECORD_LAYOUT
/begin COMPU_METHOD half "" LINEAR "%4.1" "" COEFFS_LINEAR 0.5 0 /end COMPU_METHOD
/begin AXIS_PTS res "" 0x1000 NO_INPUT_QUANTITY RL_RES 0 half 5 0 255 /end AXIS_PTS
/begin CHARACTERISTIC crv "" CURVE 0x1010 RL_FNC 0 NO_COMPU_METHOD -1000 1000
 /begin AXIS_DESCR RES_AXIS NO_INPUT_QUANTITY half 9 0 255 AXIS_PTS_REF res /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC com "" CURVE 0x1010 RL_FNC 0 NO_COMPU_METHOD -1000 1000
 /begin AXIS_DESCR COM_AXIS NO_INPUT_QUANTITY half 9 0 255 AXIS_PTS_REF res /end AXIS_DESCR /end CHARACTERISTIC
/end MODULE /end PROJECT`
