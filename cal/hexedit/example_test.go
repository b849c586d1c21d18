package hexedit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/goxcp/goxcp/cal/hexedit"
)

// Patch a calibration value into an Intel HEX image in memory: read the
// 16-bit idle speed at 0x8004, write a new one and print the records that
// changed. Every other line of the file stays byte for byte as it was.
func Example() {
	const file = ":020000040000FA\n" +
		":10800000676F7863702063616C6962726174696F15\n" +
		":108010006E20646174612C20343020627974657341\n" +
		":07802000206C6F6E672E2E2D\n" +
		":00000001FF\n"
	img, err := hexedit.Parse([]byte(file), hexedit.IntelHex)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	old, err := img.Read(ctx, 0x8004, 0, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ranges %X (end exclusive), value at 0x8004: 0x%04X\n", img.Ranges(), binary.BigEndian.Uint16(old))

	if err := img.Write(ctx, 0x8004, 0, binary.BigEndian.AppendUint16(nil, 0x0320)); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := img.WriteTo(&out); err != nil {
		log.Fatal(err)
	}
	before, after := strings.Split(file, "\n"), strings.Split(out.String(), "\n")
	for i := range after {
		if before[i] != after[i] {
			fmt.Printf("line %d: %s -> %s\n", i+1, before[i], after[i])
		}
	}
	fmt.Println("changed:", img.Changed())

	// An address outside the data records is refused.
	_, err = img.Read(ctx, 0x9000, 0, 1)
	fmt.Println(err)
	// Output:
	// ranges [[8000 8027]] (end exclusive), value at 0x8004: 0x7020
	// line 2: :10800000676F7863702063616C6962726174696F15 -> :10800000676F7863032063616C6962726174696F82
	// changed: true
	// hexedit: 0x9000 (of 0x9000+1): address not in the image
}

// Build an S-record image from segments, e.g. to hand a calibration page to
// a flash tool.
func ExampleNew() {
	img, err := hexedit.New(hexedit.SRecord, []hexedit.Segment{
		{Addr: 0x8000_1000, Data: []byte{0x00, 0x00, 0x27, 0x10, 0x01, 0xF4, 0x00, 0x64}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := img.WriteTo(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// S0080000676F786370D6
	// S30D800010000000271001F40064D2
	// S70500000000FA
}
