package stimulus_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/stimulus"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// ExampleRun replays a small value table and a ramp onto two simulator
// variables through a STIM list on the 1 ms event, and reads them back.
func ExampleRun() {
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

	lists := []daq.List{{Name: "drive", Event: 0, Stim: true, Measurements: []dto.Measurement{
		{Name: "target", Address: sim.RAMBase + 0x100, Type: dto.U16},
		{Name: "gain", Address: sim.RAMBase + 0x104, Type: dto.F32},
	}}}
	var src stimulus.Source
	cols, rows, err := stimulus.ReadTable(strings.NewReader("time,target\n0,10\n0.001,20\n0.002,30\n"), "drive.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := src.Table(cols, rows, false, "drive.csv"); err != nil {
		fmt.Println(err)
		return
	}
	ramp, _ := stimulus.ParseWave("ramp:0:1:0.25")
	if err := src.Signal("gain", ramp, "ramp"); err != nil {
		fmt.Println(err)
		return
	}
	res, err := stimulus.Run(ctx, m, lists, &src, stimulus.Options{Verify: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d sets, %d DTOs, period %v, verified %v\n", res.Sets, res.DTOs, res.Period, res.Verified)
	fmt.Println("last:", res.Last["target"], res.Last["gain"])
	// Output:
	// 3 sets, 3 DTOs, period 1ms, verified true
	// last: 30 0.5
}
