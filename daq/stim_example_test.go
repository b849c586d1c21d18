package daq_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// ExampleSession_Stimulator writes a value into simulator RAM through a
// STIM list on the 1 ms event and reads it back.
func ExampleSession_Stimulator() {
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

	target := sim.RAMBase + 0x100 // free RAM
	lists := []daq.List{{Name: "drive", Event: 0, Stim: true, Measurements: []dto.Measurement{
		{Name: "target", Address: target, Type: dto.U16},
	}}}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ses.Stop(ctx)
	if err := ses.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	st, err := ses.Stimulator(ctx, "drive")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := st.Set("target", 1500); err != nil {
		fmt.Println(err)
		return
	}
	if err := st.Send(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// The slave writes the value at its next 1 ms event.
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(time.Millisecond) {
		v, err := m.Read(ctx, target, 0, 2)
		if err == nil && xcp.Intel.Uint16(v) == 1500 {
			fmt.Println("target =", xcp.Intel.Uint16(v))
			return
		}
	}
	fmt.Println("not written")
	// Output: target = 1500
}

// BenchmarkStimSend measures how many STIM DTO sets (one DTO each) the
// master sends per second to the simulator over TCP on loopback.
func BenchmarkStimSend(b *testing.B) {
	m, s, stop := pairEth(b, "tcp", sim.Config{DAQ: sim.DAQConfig{Events: []sim.EventConfig{{Name: "1ms", Period: time.Millisecond}}}})
	defer stop()
	ctx := context.Background()
	ses, err := daq.Setup(ctx, m, stimLists()[:1], daq.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		b.Fatal(err)
	}
	st, err := ses.Stimulator(ctx, "stim")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		st.Set("u32", float64(i))
		if err := st.Send(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if _, err := ses.Stop(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
	if ss := s.StimStats(); ss.Rejected != 0 {
		b.Fatalf("rejected %d", ss.Rejected)
	}
}
