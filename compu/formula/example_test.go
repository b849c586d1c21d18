package formula_test

import (
	"fmt"

	"github.com/goxcp/goxcp/compu/formula"
)

func ExampleCompile() {
	f, _ := formula.Compile("(X1 & 0xFF) * 0.5 - 40")
	inv, _ := formula.Compile("(X1 + 40) * 2")
	phys, _ := f.Eval(0x1A0)
	raw, _ := inv.Eval(phys)
	fmt.Println(phys, raw)
	// Output: 40 160
}
