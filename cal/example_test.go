package cal_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

func ExampleRead() {
	f, err := a2l.ParseString("v.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin RECORD_LAYOUT RL NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR DIRECT FNC_VALUES 3 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin COMPU_METHOD pct "" LINEAR "%4.1" "%" COEFFS_LINEAR 0.5 0 /end COMPU_METHOD
/begin CHARACTERISTIC duty "duty over speed" CURVE 0x1000 RL 0 pct 0 100
  /begin AXIS_DESCR STD_AXIS speed NO_COMPU_METHOD 4 0 255 /end AXIS_DESCR
/end CHARACTERISTIC
/end MODULE /end PROJECT`, a2l.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := &mem{b: []byte{3, 10, 20, 30, 40, 100, 160, 0, 0}} // 3 of 4 points: axis 10 20 30, values; room for 4
	v, err := cal.Read(context.Background(), f.Modules[0], m, "duty")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Axes[0].Phys, v.Strings(), v.Unit)
	_, err = cal.Write(context.Background(), f.Modules[0], m, "duty", "10, 20, 120", cal.Options{})
	fmt.Println(err)
	// Output:
	// [10 20 30] [20.0 50.0 80.0] %
	// values: duty: value out of range: value 3 = 120 is outside [0, 100]
}
