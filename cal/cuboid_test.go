package cal_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

func TestCuboidAndStaticLayout(t *testing.T) {
	src := `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin RECORD_LAYOUT RL FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_STATIC NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR DIRECT FNC_VALUES 3 UBYTE ROW_DIR DIRECT STATIC_RECORD_LAYOUT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_DECR AXIS_PTS_X 1 UBYTE INDEX_DECR DIRECT FNC_VALUES 2 UBYTE ROW_DIR DIRECT FIX_NO_AXIS_PTS_X 3 /end RECORD_LAYOUT
/begin CHARACTERISTIC cub "" CUBOID 0x1000 RL 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 1 FIX_AXIS_PAR_DIST 0 1 2 /end AXIS_DESCR
 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 1 FIX_AXIS_PAR_DIST 0 1 2 /end AXIS_DESCR
 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 1 FIX_AXIS_PAR_DIST 0 1 2 /end AXIS_DESCR
/end CHARACTERISTIC
/begin CHARACTERISTIC st "" CURVE 0x1010 RL_STATIC 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC dec "" CURVE 0x1020 RL_DECR 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/end MODULE /end PROJECT`
	f, err := a2l.ParseString("c.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &mem{b: make([]byte, 0x40)}
	copy(m.b, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	// static: 2 of 4 points in use; values still start after 4 axis slots
	copy(m.b[0x10:], []byte{2, 10, 20, 0, 0, 7, 9})
	// INDEX_DECR axis of 3 fixed points: stored 30 20 10
	copy(m.b[0x20:], []byte{30, 20, 10, 3, 2, 1})
	mod := f.Modules[0]
	v, err := cal.Read(context.Background(), mod, m, "cub")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Phys[v.Index(1, 0, 1)]; got != 6 || fmt.Sprint(v.Dims) != "[2 2 2]" {
		t.Errorf("cuboid [1,0,1] = %v dims %v", got, v.Dims)
	}
	v, err = cal.Read(context.Background(), mod, m, "st")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v.Phys, v.Axes[0].Phys) != "[7 9] [10 20]" {
		t.Errorf("static curve %v %v", v.Phys, v.Axes[0].Phys)
	}
	v, err = cal.Read(context.Background(), mod, m, "dec")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v.Phys, v.Axes[0].Phys) != "[3 2 1] [10 20 30]" {
		t.Errorf("decreasing axis %v %v", v.Phys, v.Axes[0].Phys)
	}
	if _, err := cal.Write(context.Background(), mod, m, "cub", "8 7 6 5 4 3 2 1", cal.Options{}); err != nil || m.b[0] != 8 {
		t.Errorf("cuboid write: %v % X", err, m.b[:8])
	}
}
