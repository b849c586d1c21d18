package udpbus_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/udpbus"
)

// Two ports on one multicast bus on the loopback interface, as a master
// and a simulator in two processes would join it: what one sends, the
// other receives. A port does not receive its own frames; a filter keeps
// only the identifiers asked for.
func ExampleOpen() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cfg := udpbus.Config{Group: "239.74.67.240:43240"} // "" = udpbus.DefaultGroup
	master, err := udpbus.Open(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer master.Close()
	slave, err := udpbus.Open(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer slave.Close()
	if err := slave.SetFilter([]can.ID{{Value: 0x7E0}}); err != nil {
		log.Fatal(err)
	}

	master.Send(ctx, can.Frame{ID: 0x123, Len: 1})                             // filtered out
	master.Send(ctx, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}}) // CONNECT
	f, err := slave.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("slave received ID 0x%X: % X\n", f.ID, f.Payload())
	// Output:
	// slave received ID 0x7E0: FF 00
}

// The datagram of one frame: magic, version, flags, length, identifier,
// sender and data.
func ExampleEncode() {
	b := udpbus.Encode(nil, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}}, 0x0102030405060708)
	fmt.Printf("% X\n", b)
	f, sender, err := udpbus.Decode(b)
	fmt.Printf("%v from sender %X, %v\n", f, sender, err)
	_, _, err = udpbus.Decode(b[:10])
	fmt.Println(err)
	// Output:
	// 58 43 41 4E 01 00 02 00 00 00 07 E0 01 02 03 04 05 06 07 08 FF 00
	// 7E0#FF00 from sender 102030405060708, <nil>
	// udpbus: malformed datagram: 10 bytes, header needs 20
}
