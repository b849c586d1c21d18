package sim_test

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Serve a simulated ECU on an in-process connection and talk raw XCP to it.
func Example() {
	s, err := sim.New(sim.Config{Order: xcp.Motorola, MaxCTO: 64, Protect: xcp.ResCalPag})
	if err != nil {
		panic(err)
	}
	master, slave := memconn.Pipe(8)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, slave) }()

	master.Send(ctx, xcp.Connect{}.Append(nil, xcp.Format{}))
	p, _ := master.Recv(ctx)
	var r xcp.ConnectResponse
	if err := r.Decode(p.Data, xcp.Format{}); err != nil {
		panic(err)
	}
	f, _ := r.Format()
	fmt.Println(f.Order, f.AG, f.MaxCTO, r.SlaveBlockMode())

	master.Send(ctx, xcp.GetStatus{}.Append(nil, f))
	p, _ = master.Recv(ctx)
	var st xcp.GetStatusResponse
	_ = st.Decode(p.Data, f)
	fmt.Println("protected:", st.Protection)

	master.Close()
	cancel()
	<-done
	// Output:
	// Motorola BYTE 64 true
	// protected: CAL/PAG
}

// DemoKey is the key function for a simulator with protected resources.
func ExampleDemoKey() {
	fmt.Printf("% X\n", sim.DemoKey(xcp.ResCalPag, []byte{0x01, 0x02, 0x03}))
	// Output: 16 18 2A
}
