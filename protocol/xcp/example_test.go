package xcp_test

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Encode a command in the session's format and decode the slave's answer.
func Example() {
	f := xcp.Format{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16}
	req := xcp.ShortUpload{N: 2, Addr: 0x1000}.Append(nil, f)
	fmt.Printf("% X\n", req)

	var r xcp.UploadResponse
	if err := r.DecodeElems([]byte{0xFF, 0x00, 0xCA, 0xFE, 0xBA, 0xBE}, f, 2); err != nil {
		panic(err)
	}
	fmt.Printf("% X\n", r.Data)

	e, err := xcp.DecodeError(xcp.CmdShortUpload, []byte{0xFE, 0x25})
	if err != nil {
		panic(err)
	}
	fmt.Println(errors.Is(e, xcp.ErrAccessLocked), xcp.Handling(e.Cmd, e.Code))
	// Output:
	// F4 02 00 00 00 00 10 00
	// CA FE BA BE
	// true unlock slave → repeat 2 times
}
