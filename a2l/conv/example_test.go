package conv_test

import (
	"fmt"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
)

func ExampleNew() {
	f, _ := a2l.ParseString("c.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin COMPU_METHOD temp "" LINEAR "%5.1" "degC" COEFFS_LINEAR 0.1 -40 /end COMPU_METHOD
/begin COMPU_METHOD gear "" TAB_VERB "%.0" "" COMPU_TAB_REF gears /end COMPU_METHOD
/begin COMPU_VTAB gears "" TAB_VERB 3 0 "P" 1 "R" 2 "D" /end COMPU_VTAB
/end MODULE /end PROJECT`, a2l.Options{})
	m := f.Modules[0]
	temp, _ := conv.New(m, "temp")
	gear, _ := conv.New(m, "gear")
	raw, _ := temp.Raw(25)
	g, _ := gear.RawFromText("D")
	fmt.Println(temp.Text(650), temp.Unit, raw, gear.Text(1), g)
	// Output: 25.0 degC 650 R 2
}
