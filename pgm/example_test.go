package pgm_test

import (
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/pgm"
)

// Load a Motorola S-record image and map it onto a slave's sectors (as
// ReadLayout would report them) without programming anything.
func ExampleNewPlan() {
	img, err := pgm.ReadSRec(strings.NewReader("S1070100DEADBEEFBF\nS9030000FC\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	layout := pgm.Layout{Properties: pgm.PropAbsolute, AG: 1, Sectors: []pgm.Sector{
		{Index: 0, Name: "BOOT", Start: 0x0000, Length: 0x100, ClearSeq: 0, ProgramSeq: 0},
		{Index: 1, Name: "APP", Start: 0x0100, Length: 0x400, ClearSeq: 1, ProgramSeq: 1},
	}}
	plan, err := pgm.NewPlan(img, layout, pgm.ClearAbsolute, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan)
	// Output:
	// clear   sector 1 "APP" 0x00000100..0x000004FF (1024 bytes, clear seq 1)
	// program sector 1 "APP" 0x00000100..0x00000103 (4 bytes, program seq 1)
}
