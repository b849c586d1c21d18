package dbg_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/dbg"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Attach to the simulator's SW-DBG target and read and patch memory.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slave, err := sim.New(sim.Config{Order: xcp.Motorola})
	if err != nil {
		panic(err)
	}
	a, b := memconn.Pipe(64)
	done := make(chan struct{})
	go func() { _ = slave.Serve(ctx, b); close(done) }()
	defer func() { cancel(); <-done }()
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		panic(err)
	}
	s, err := dbg.Attach(ctx, m, dbg.Config{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	fmt.Println("MAX_CTO_DBG", s.MaxCTODbg(), s.Mode().Dialect)

	data, err := s.Read(ctx, 1, swdbg.EWDWord, 0x70000000, 1) // table 80
	if err != nil {
		panic(err)
	}
	fmt.Printf("% X\n", data)
	v, err := s.ReadModifyWrite(ctx, 1, swdbg.EWDWord, 0x70000000, 0x0000FF00, 0x0000AA00)
	if err != nil {
		panic(err)
	}
	fmt.Printf("0x%08X\n", v)
	// Output:
	// MAX_CTO_DBG 1456 JTAG (JPL)
	// 01 02 03 04
	// 0x0102AA04
}
