package supervise_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Measure the simulator's millisecond counter on its 1 ms event for a
// fixed time, unattended: Run configures and starts the DAQ list, stops it
// after Duration and returns the totals.
func ExampleRecorder_Run() {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	a, b := memconn.Pipe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go slave.Serve(ctx, b)
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}

	var n, backwards uint64
	var last uint64
	rec := &supervise.Recorder{
		Lists: []daq.List{{Name: "fast", Event: 0, Timestamps: true, Measurements: []dto.Measurement{
			{Name: "counter", Address: sim.RAMBase + 0x00, Type: dto.U32},
		}}},
		Duration: 200 * time.Millisecond,
		Options: daq.Options{OnSample: func(s *dto.Sample) {
			if c := s.Values[0].Uint64(); c < last {
				backwards++
			} else {
				last = c
			}
			n++
		}},
	}
	res, err := rec.Run(ctx, m)
	if err != nil {
		log.Fatal(err)
	}
	lay := res.Layout
	fmt.Println("list", lay.Lists[0].Name, "measuring", lay.Lists[0].Measurements[0].Name, "byte order", lay.Order, "timestamp bytes", lay.TimestampSize)
	fmt.Println("samples seen = counted:", n > 0 && n == res.Stats.Lists[0].Samples, "counter went backwards:", backwards)
	fmt.Println("lost:", res.Stats.Lost(), "interruptions:", len(res.Interruptions))
	// Output:
	// list fast measuring counter byte order Intel timestamp bytes 4
	// samples seen = counted: true counter went backwards: 0
	// lost: 0 interruptions: 0
}

// A measurement whose connection is lost ends at once with an
// *InterruptedError instead of hanging; the interruption is reported.
// (With Reconnect set, the Recorder would reconnect and continue.)
func ExampleInterruptedError() {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	a, b := memconn.Pipe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go slave.Serve(ctx, b)
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}

	var n int
	var cut sync.Once
	rec := &supervise.Recorder{
		Lists: []daq.List{{Name: "fast", Event: 0, Measurements: []dto.Measurement{
			{Name: "counter", Address: sim.RAMBase + 0x00, Type: dto.U32},
		}}},
		Duration: time.Minute,
		Options: daq.Options{OnSample: func(*dto.Sample) {
			if n++; n == 20 {
				cut.Do(func() { b.Close() }) // the slave's end of the line goes away
			}
		}},
		OnInterruption: func(i supervise.Interruption) {
			fmt.Println("interrupted:", i.End.IsZero(), errors.Is(i.Cause, transport.ErrConnectionLost))
		},
	}
	_, err = rec.Run(ctx, m)
	var ie *supervise.InterruptedError
	fmt.Println(errors.As(err, &ie), errors.Is(err, transport.ErrConnectionLost))
	// Output:
	// interrupted: true true
	// true true
}
