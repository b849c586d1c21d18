package canbus_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// A bus created elsewhere (here a port of an in-process virtual bus; it
// could be any can.Bus implementation, e.g. your own driver) used through
// the "user" interface.
func ExampleDial_userBus() {
	bus := virtual.New(virtual.Config{Name: "example"})
	peer, _ := can.NewConn(bus.Open(), can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102}, can.Slave)
	defer peer.Close()

	cfg := can.Config{Interface: canbus.User, CanIDMaster: 0x101, CanIDSlave: 0x102, Bus: bus.Open()}
	conn, err := canbus.Dial(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	conn.Send(context.Background(), []byte{0xFF, 0x00}) // CONNECT
	p, _ := peer.Recv(context.Background())
	fmt.Printf("% X on %s\n", p.Data, conn.Info().Remote)
	// Output: FF 00 on rx 102 on virtual bus "example"
}
