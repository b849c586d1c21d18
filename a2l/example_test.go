package a2l_test

import (
	"fmt"

	"github.com/goxcp/goxcp/a2l"
)

func Example() {
	src := `ASAP2_VERSION 1 71
/begin PROJECT demo ""
  /begin MODULE ecu ""
    /begin MEASUREMENT rpm "engine speed" UWORD NO_COMPU_METHOD 0 0 0 8000
      ECU_ADDRESS 0x1000 ECU_ADDRESS_EXTENSION 1
    /end MEASUREMENT
    /begin TYPEDEF_MEASUREMENT T_f32 "" FLOAT32_IEEE NO_COMPU_METHOD 0 0 -1e6 1e6 /end TYPEDEF_MEASUREMENT
    /begin TYPEDEF_STRUCTURE point_t "" 8
      /begin STRUCTURE_COMPONENT x T_f32 0 /end STRUCTURE_COMPONENT
      /begin STRUCTURE_COMPONENT y T_f32 4 /end STRUCTURE_COMPONENT
    /end TYPEDEF_STRUCTURE
    /begin INSTANCE points "" point_t 0x2000 MATRIX_DIM 10 /end INSTANCE
  /end MODULE
/end PROJECT
`
	f, err := a2l.ParseString("demo.a2l", src, a2l.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := f.Modules[0]
	for _, name := range []string{"rpm", "points[3].y"} {
		o, err := m.Resolve(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s at 0x%X ext %d, %s\n", o.Name(), o.Kind, o.Common().Address, o.Common().AddrExt, o.Measurement.DataType)
	}
	_, err = a2l.ParseString("bad.a2l", "ASAP2_VERSION 1 71\n/begin PROJECT p \"\" /begin MODULE m \"\"\n/begin MEASUREMENT x \"\" UBYTES", a2l.Options{})
	fmt.Println(err)
	// Output:
	// rpm: MEASUREMENT at 0x1000 ext 1, UWORD
	// points[3].y: MEASUREMENT at 0x201C ext 0, FLOAT32_IEEE
	// bad.a2l:3:25: expected data type (UBYTE, SBYTE, UWORD, SWORD, ULONG, SLONG, A_UINT64, A_INT64, FLOAT16_IEEE, FLOAT32_IEEE, FLOAT64_IEEE) for measurement data type, found identifier "UBYTES"
}
