package slaveinfo_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/slaveinfo"
)

// Ask the built-in simulator what it supports: its identification, DAQ
// event channels and calibration segments.
func ExampleGather() {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	r, err := slaveinfo.Gather(ctx, s.Master, slaveinfo.Parts{IDs: true, DAQ: true, PAG: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("transport:", r.Transport.Kind)
	fmt.Println("resources:", r.Connect.Resources, "MAX_CTO", r.Connect.MaxCTO)
	fmt.Println("protocol:", r.Version.Protocol)
	fmt.Println("ASCII id:", r.IDs[0].Value)
	fmt.Println("DAQ:", r.DAQ.ConfigType, "with", len(r.DAQ.Events), "events, first", r.DAQ.Events[0].Name, "every", r.DAQ.Events[0].Cycle)
	seg := r.PAG.Segments[0]
	fmt.Printf("segment 0: 0x%08X, %d pages\n", seg.Address, len(seg.Pages))
	fmt.Println("skipped:", r.Skipped)
	// Output:
	// transport: tcp
	// resources: [CAL/PAG DAQ STIM PGM DBG] MAX_CTO 255
	// protocol: 1.5
	// ASCII id: goxcp-sim
	// DAQ: dynamic with 4 events, first 1ms every 1ms
	// segment 0: 0x00020000, 2 pages
	// skipped: [pgm]
}

// Read the DAQ processor, resolution, event channels and clock of the
// built-in simulator, with where each part came from.
func ExampleReadDAQ() {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	r, err := slaveinfo.ReadDAQ(ctx, s.Master, daq.InfoOptions{Events: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Processor.ConfigType, r.Processor.IDField, r.Processor.Properties, "from", r.Sources.Processor)
	fmt.Println("timestamp:", r.Resolution.TimestampSize, "bytes, tick", r.Resolution.TickNs)
	for _, e := range r.Events {
		fmt.Println("event", e.Number, e.Name, e.Cycle, e.Direction)
	}
	fmt.Println("clock read:", r.Clock != nil)
	// Output:
	// dynamic IDF_ABS_ODT_NUMBER [PRESCALER TIMESTAMP OVERLOAD_MSB] from slave
	// timestamp: 4 bytes, tick 1µs
	// event 0 1ms 1ms DAQ/STIM
	// event 1 10ms 10ms DAQ/STIM
	// event 2 100ms 100ms DAQ/STIM
	// event 3 max not cyclic DAQ/STIM
	// clock read: true
}
