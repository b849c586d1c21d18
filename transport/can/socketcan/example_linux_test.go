//go:build linux

package socketcan_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/socketcan"
)

// Send and receive on a SocketCAN interface (Linux), here can0 at the
// bitrate set with `ip link`. The identifiers an XCP master listens to are
// filtered in the kernel.
//
// This example needs a CAN interface (a real adapter or vcan): it is
// compiled, not run. The package's vcan tests run the same calls on a
// real kernel (see README "SocketCAN on a real kernel").
func ExampleOpen() {
	if ok, why := socketcan.Available(); !ok {
		log.Fatal("no SocketCAN here: ", why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	bus, err := socketcan.Open(ctx, socketcan.Config{Interface: "can0"})
	if err != nil {
		log.Fatal(err)
	}
	defer bus.Close()
	if err := bus.SetFilter([]can.ID{{Value: 0x7E1}}); err != nil { // the slave's answers
		log.Fatal(err)
	}
	if err := bus.Send(ctx, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}}); err != nil { // CONNECT
		log.Fatal(err)
	}
	f, err := bus.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("answer:", f, "dropped by the kernel:", bus.Dropped())
}
