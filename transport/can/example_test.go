package can_test

import (
	"context"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// Find the XCP slaves on a bus with GET_SLAVE_ID on the broadcast
// identifier.
func ExampleDetectSlaves() {
	bus := virtual.New(virtual.Config{Name: "example"})
	slave, _ := sim.New(sim.Config{MaxCTO: 8, MaxDTO: 8})
	sc, _ := can.NewConn(bus.Open(), can.Config{CanIDMaster: 0x7E1, CanIDSlave: 0x7E2, CanIDBroadcast: 0x7E0}, can.Slave)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- slave.Serve(ctx, sc) }()
	defer func() { cancel(); <-done }()

	port := bus.Open() // no filter: the answers come on each slave's identifier
	defer port.Close()
	found, err := can.DetectSlaves(context.Background(), port, can.Config{}, 0x7E0, 100*time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range found {
		fmt.Printf("slave answers on %s, takes commands on %s\n", s.ResponseID, s.CmdID)
	}
	// Output: slave answers on 7E2, takes commands on 7E1
}
