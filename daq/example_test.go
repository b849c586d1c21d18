package daq_test

import (
	"context"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Example measures two simulator variables on the 1 ms event and reads the
// samples from a channel.
func Example() {
	slave, _ := sim.New(sim.Config{})
	a, b := memconn.Pipe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go slave.Serve(ctx, b)
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		fmt.Println(err)
		return
	}

	lists := []daq.List{{Name: "fast", Event: 0, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "counter", Address: sim.RAMBase + 0x00, Type: dto.U32},
		{Name: "sine", Address: sim.RAMBase + 0x08, Type: dto.F32},
	}}}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	samples := ses.Samples(1000)
	if err := ses.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// Measure for a while (at least until the first samples arrived).
	for start := time.Now(); time.Since(start) < 100*time.Millisecond ||
		(ses.Stats().Lists[0].Samples == 0 && time.Since(start) < 5*time.Second); {
		time.Sleep(10 * time.Millisecond)
	}
	st, err := ses.Stop(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	n := 0
	for r := range samples {
		_ = r.Values[0].Uint64()  // counter
		_ = r.Values[1].Float64() // sine
		n++
	}
	fmt.Println("samples received:", n > 0 && uint64(n) == st.Lists[0].Samples)
	fmt.Println("losses:", st.Lost())
	// Output:
	// samples received: true
	// losses: 0
}

// ExampleAllocate shows how measurements are merged and packed into ODTs.
func ExampleAllocate() {
	l := daq.List{Name: "l", Timestamps: true, Measurements: []dto.Measurement{
		{Name: "a", Address: 0x1000, Type: dto.U32},
		{Name: "b", Address: 0x1004, Type: dto.U16}, // adjacent: merged with a
		{Name: "c", Address: 0x2000, Type: dto.F64},
	}}
	lay, err := daq.Allocate([]daq.List{l}, daq.Limits{MaxDTO: 12, IDField: xcp.IDRelODTAbsDAQWord, TimestampSize: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, odt := range lay.Lists[0].ODTs {
		fmt.Printf("ODT %d: %+v\n", i, odt.Entries)
	}
	// Output:
	// ODT 0: [{Address:4096 Extension:0 Size:6}]
	// ODT 1: [{Address:8192 Extension:0 Size:8}]
}
