package a2ldaq_test

import (
	"fmt"
	"log"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/sim"
)

// simA2L parses the simulator's A2L (what GET_ID 4 returns).
func simA2L() *a2l.Module {
	s, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	f, err := a2l.Parse("sim.a2l", []byte(s.A2L()), a2l.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return f.Modules[0]
}

// A DAQ list whose signals and event are given by A2L name: Resolve turns
// them into measurements (address, type, bit mask) and the event channel,
// and keeps per measurement the A2L signal (unit, conversion) for the
// recording.
func ExampleResolve() {
	ecu := simA2L()
	lists := []daq.List{{Name: "fast", EventName: "10ms", Signals: []string{"waves.sine", "counter16"}}}
	resolved, err := a2ldaq.Resolve(ecu, lists)
	if err != nil {
		log.Fatal(err)
	}
	l := lists[0]
	fmt.Println("event channel", l.Event)
	for _, m := range l.Measurements {
		sig := resolved[0][m.Name]
		fmt.Printf("%-10s 0x%08X %-4v unit %q\n", m.Name, m.Address, m.Type, sig.Unit)
	}
	// Output:
	// event channel 1
	// waves.sine 0x00100008 F32  unit ""
	// counter16  0x00100004 U16  unit "ms"
}

// A misspelt name is an error that suggests the names close to it.
func ExampleResolve_typo() {
	lists := []daq.List{{Name: "fast", EventName: "10ms", Signals: []string{"countr16"}}}
	_, err := a2ldaq.Resolve(simA2L(), lists)
	fmt.Println(err)
	// Output:
	// DAQ list "fast": signal "countr16": a2l: "countr16": not found (no MEASUREMENT, CHARACTERISTIC, AXIS_PTS, BLOB or INSTANCE path of that name in module goxcp_sim); did you mean "counter16"?
}
