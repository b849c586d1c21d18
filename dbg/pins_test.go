package dbg_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/dbg"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// attachSim attaches to the SW-DBG target of a simulator on an
// in-process pipe; stop ends everything.
func attachSim(ctx context.Context) (*dbg.Session, func(), error) {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	a, b := memconn.Pipe(64)
	done := make(chan struct{})
	go func() { _ = slave.Serve(ctx, b); close(done) }()
	m := master.New(a, master.Config{})
	stop := func() { m.Close(); cancel(); <-done }
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		stop()
		return nil, nil, err
	}
	s, err := dbg.Attach(ctx, m, dbg.Config{})
	if err != nil {
		stop()
		return nil, nil, err
	}
	return s, func() { s.Close(); stop() }, nil
}

// Clock HW-IO pin 2 at 1 kHz, trigger an event on pin 1, and show every
// pin.
func ExampleSession_SetPins() {
	ctx := context.Background()
	s, stop, err := attachSim(ctx)
	if err != nil {
		panic(err)
	}
	defer stop()
	clock, _ := swdbg.ParsePinControl("2=clock:1000")
	res, err := s.SetPins(ctx, map[uint8]swdbg.Trigger{1: swdbg.TriggerChange}, []swdbg.PinControl{clock})
	if err != nil {
		panic(err)
	}
	for i, p := range res.Pins {
		fmt.Printf("pin %d %v: %v\n", p.Index, p.Class, res.States[i])
	}
	// Output:
	// pin 0 PORST: high
	// pin 1 secondary reset: high
	// pin 2 watchdog disable: clock
	// pin 3 Vref: high
}

func TestSetPinsUnknownPin(t *testing.T) {
	ctx := context.Background()
	s, stop, err := attachSim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := s.SetPins(ctx, nil, []swdbg.PinControl{{Index: 200, State: swdbg.StateHigh}}); !errors.Is(err, dbg.ErrNoSuchPin) {
		t.Fatalf("pin 200: %v", err)
	}
	if _, err := s.SetPins(ctx, map[uint8]swdbg.Trigger{0: 7}, nil); err == nil {
		t.Fatal("reserved trigger accepted")
	}
}
