package usb_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// XCP on USB over an in-process pair of bulk endpoints (a real device
// needs the build tag usb): each packet travels in one bulk transfer with
// the LEN CTR header of XCP on SxI.
func ExampleNewConn() {
	a, b := usb.Pipe()
	master, err := usb.NewConn(a, usb.Options{Header: sxi.LenCtrWord})
	if err != nil {
		fmt.Println(err)
		return
	}
	slave, err := usb.NewConn(b, usb.Options{Header: sxi.LenCtrWord})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer master.Close()
	defer slave.Close()
	ctx := context.Background()
	if err := master.Send(ctx, []byte{0xFF, 0x00}); err != nil { // CONNECT
		fmt.Println(err)
		return
	}
	p, err := slave.Recv(ctx)
	fmt.Printf("% X (counter %d) %v\n", p.Data, p.Ctr, err)
	// Output: FF 00 (counter 0) <nil>
}
