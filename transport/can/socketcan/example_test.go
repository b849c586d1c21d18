package socketcan_test

import (
	"fmt"
	"log"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/socketcan"
)

// The kernel's struct can_frame of a frame, and back: identifier (in the
// host's byte order), length, padding, 8 data bytes. No CAN interface is
// needed.
func ExampleEncode() {
	b, err := socketcan.Encode(nil, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes, length %d, data % X\n", len(b), b[4], b[8:])
	f, ok, err := socketcan.Decode(b)
	fmt.Println(f, ok, err)
	// Output:
	// 16 bytes, length 2, data FF 00 00 00 00 00 00 00
	// 7E0#FF00 true <nil>
}
