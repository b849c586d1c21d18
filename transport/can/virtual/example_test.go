package virtual_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// Two controllers on one virtual bus: what one sends, the other receives.
func Example() {
	bus := virtual.New(virtual.Config{Name: "demo"})
	ecu, tool := bus.Open(), bus.Open()
	defer ecu.Close()
	defer tool.Close()
	ctx := context.Background()
	f := can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}} // XCP CONNECT
	if err := tool.Send(ctx, f); err != nil {
		fmt.Println(err)
		return
	}
	got, err := ecu.Receive(ctx)
	fmt.Println(got, err)
	// Output: 7E0#FF00 <nil>
}
