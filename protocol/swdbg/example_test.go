package swdbg_test

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Encoding DBG_READ of table 80 and decoding its response.
func ExampleRead() {
	f := xcp.Format{Order: xcp.Motorola}
	req := swdbg.Read{TRI: 1, EW: swdbg.EWDWord, N: 1, Addr: 0x70000000}.Append(nil, f)
	fmt.Printf("% X\n", req)
	r := swdbg.ReadResponse{EW: swdbg.EWDWord, N: 1}
	if err := r.Decode([]byte{0xFF, 0, 0, 0, 1, 2, 3, 4}, f); err != nil {
		panic(err)
	}
	fmt.Printf("0x%08X\n", swdbg.Element(r.Data, f.Order, r.EW))
	// Output:
	// C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00
	// 0x01020304
}

// Building the JPL that reads a 32-bit IDCODE and packing it into
// DBG_SEQUENCE_MULTIPLE commands.
func ExampleJPLBuilder() {
	b := swdbg.NewJPLBuilder().ResetToIdle().ScanDR(swdbg.Bits{N: 32, V: make([]byte, 4)}, swdbg.RunTestIdle, true)
	seqs, err := b.Sequences()
	if err != nil {
		panic(err)
	}
	cmds, err := swdbg.PackSequences(seqs, 0, 1456)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% X\n", cmds[0].Append(nil, xcp.Format{}))
	// Output:
	// C0 FC 09 03 01 00 27 00 03 00 01 08 7F 03 00 01 03 01 04 04 20 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 03 00 01 02 01 00
}

// Decoding the ERR_DBG_LLT answer of table 77.
func ExampleErrorResponse() {
	r := swdbg.ErrorResponse{Err: swdbg.Error{Cmd: swdbg.CmdLLT}}
	if err := r.Decode([]byte{0xFE, 0xFC, 0x04, 0x02, 0x02}, xcp.Format{}); err != nil {
		panic(err)
	}
	var err error = &r.Err
	fmt.Println(errors.Is(err, swdbg.ErrLLT), errors.Is(err, xcp.ErrDbg))
	fmt.Println(err)
	// Output:
	// true true
	// xcp/swdbg: DBG_LLT answered ERR_DBG_LLT: error in a low level telegram (telegram 2: timeout)
}
