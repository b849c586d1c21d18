package sxi_test

import (
	"fmt"

	"github.com/goxcp/goxcp/transport/sxi"
)

// A CONNECT packet framed for a serial line with a LEN CTR byte header and
// a byte checksum, then decoded again from a stream that starts with a
// noise byte: the decoder takes it for a LEN and waits for more; Flush
// (what the Conn does when the line goes idle) gives the guess up and
// finds the frame behind it, counting the noise as garbage.
func ExampleFraming() {
	f := sxi.Framing{Header: sxi.LenCtrByte, Tail: sxi.ChecksumByte}
	frame, err := f.AppendFrame(nil, 7, []byte{0xFF, 0x00})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% X\n", frame)
	d := sxi.NewDecoder(f)
	emit := func(p []byte, ctr uint16) { fmt.Printf("packet % X, counter %d\n", p, ctr) }
	d.Feed(append([]byte{0x55}, frame...), emit)
	d.Flush(emit)
	fmt.Println("garbage bytes:", d.Garbage())
	// Output:
	// 02 07 FF 00 08
	// packet FF 00, counter 7
	// garbage bytes: 1
}
