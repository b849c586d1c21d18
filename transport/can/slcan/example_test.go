package slcan_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/slcan"
	"github.com/goxcp/goxcp/transport/can/virtual"
	"github.com/goxcp/goxcp/transport/sxi"
)

// Drive an slcan adapter as a can.Bus. The adapter here is the package's
// Emulator on the far side of a pseudo-terminal, bridged to an in-process
// virtual bus; with a real CANable or USBtin, Port is its serial device
// (/dev/ttyACM0) and the rest is the same.
func ExampleOpen() {
	pty, err := sxi.OpenPTY()
	if err != nil {
		log.Fatal(err)
	}
	defer pty.Close()
	vbus := virtual.New(virtual.Config{Name: "bench", Queue: 64})
	ecu := vbus.Open() // the other node on the bus
	defer ecu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	emu := slcan.NewEmulator(pty.Master, vbus.Open())
	served := make(chan error, 1)
	go func() { served <- emu.Serve(ctx) }()
	defer func() { cancel(); <-served }()

	// Open sets the bitrate ("S6") and opens the channel ("O").
	bus, err := slcan.Open(ctx, slcan.Config{Port: pty.TTYPath, Bitrate: 500000})
	if err != nil {
		log.Fatal(err)
	}
	defer bus.Close()
	if err := bus.Send(ctx, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}}); err != nil {
		log.Fatal(err)
	}
	f, err := ecu.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("on the bus:", f)

	if err := ecu.Send(ctx, can.Frame{ID: 0x7E1, Len: 3, Data: [64]byte{0xFF, 0x15, 0xC0}}); err != nil {
		log.Fatal(err)
	}
	f, err = bus.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("from the adapter:", f)
	// Output:
	// on the bus: 7E0#FF00
	// from the adapter: 7E1#FF15C0
}

// The Lawicel lines of frames (classic, 29-bit, CAN FD with bit rate
// switch: DLC 9 = 12 bytes) and back; a line whose length digit and data
// disagree is refused.
func ExampleAppendFrame() {
	for _, f := range []can.Frame{
		{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}},
		{ID: 0x18DA00F1, Extended: true, Len: 1, Data: [64]byte{0x42}},
		{ID: 0x7E1, FD: true, BRS: true, Len: 12},
	} {
		line, err := slcan.AppendFrame(nil, f)
		if err != nil {
			log.Fatal(err)
		}
		back, err := slcan.ParseFrame(line)
		fmt.Printf("%s  %v %v\n", line, back == f, err)
	}
	_, err := slcan.ParseFrame([]byte("t7E03FF00"))
	fmt.Println(err)
	// Output:
	// t7E02FF00  true <nil>
	// T18DA00F1142  true <nil>
	// b7E19000000000000000000000000  true <nil>
	// slcan: malformed line: 4 data digits for 3 bytes in "t7E03FF00"
}
