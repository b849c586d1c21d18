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

// Write several objects by name from NAME=VALUE texts, all or nothing: a
// value outside its limits refuses the whole set before anything is
// written.
func ExampleWriteAll() {
	f, err := a2l.ParseString("w.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin RECORD_LAYOUT RL FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin CHARACTERISTIC gain "" VALUE 0x1000 RL 0 NO_COMPU_METHOD 0 100 /end CHARACTERISTIC
/begin CHARACTERISTIC offset "" VALUE 0x1001 RL 0 NO_COMPU_METHOD 0 50 /end CHARACTERISTIC
/end MODULE /end PROJECT`, a2l.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	m := &mem{b: []byte{1, 2}}
	write := func(args ...string) {
		var as []cal.Assignment
		for _, s := range args {
			a, err := cal.ParseAssignment(s)
			if err != nil {
				fmt.Println(err)
				return
			}
			as = append(as, a)
		}
		names, inputs, err := cal.Merge(as)
		if err != nil {
			fmt.Println(err)
			return
		}
		ds := make([]*cal.Desc, len(names))
		for i, n := range names {
			if ds[i], err = cal.Describe(f.Modules[0], n); err != nil {
				fmt.Println(err)
				return
			}
		}
		vs, err := cal.WriteAll(ctx, m, ds, inputs, cal.Options{})
		if err != nil {
			fmt.Println("refused:", err)
			return
		}
		for _, v := range vs {
			fmt.Println(v.Name, "=", v.Strings())
		}
	}
	write("gain=80", "offset=60")
	fmt.Println("memory", m.b)
	write("gain=80", "offset=20")
	fmt.Println("memory", m.b)
	// Output:
	// refused: values: offset: value out of range: value 1 = 60 is outside [0, 50]
	// memory [1 2]
	// gain = [80]
	// offset = [20]
	// memory [80 20]
}
