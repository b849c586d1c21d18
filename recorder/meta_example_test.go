package recorder_test

import (
	"fmt"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
)

// ExampleMeta derives a recording's header from a DAQ layout: here
// daq.Allocate places three values into the 8-byte DTOs of classic CAN
// (absolute PIDs, 2-byte timestamps of 10 µs), and the recorded layout
// says in which ODT and at which DTO offset each value starts: time_us
// fills ODT 0 after PID and timestamp and continues in ODT 1.
func ExampleMeta() {
	lists := []daq.List{{Name: "engine", Event: 1, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "rpm", Address: 0x2000, Type: dto.U16},
		{Name: "time_us", Address: 0x2008, Type: dto.U64},
		{Name: "enabled", Address: 0x2002, Type: dto.U8, BitMask: 0x02},
	}}}
	lay, err := daq.Allocate(lists, daq.Limits{Order: xcp.Intel, IDField: xcp.IDAbsODT, MaxDTO: 8,
		TimestampSize: 2, TimestampUnit: xcp.Unit10us, TimestampTick: 1})
	if err != nil {
		panic(err)
	}
	meta, err := recorder.Meta(daq.Header{Start: time.Unix(0, 0), Layout: lay, Transport: "can vcan0"}, record.Slave{})
	if err != nil {
		panic(err)
	}
	fmt.Println(meta.Slave.Transport, meta.Slave.ByteOrder, meta.DAQ.TimestampTickNS, "ns per tick")
	for _, l := range meta.DAQ.Lists {
		fmt.Printf("%s: %d ODTs of %v bytes\n", l.Name, l.ODTs, l.ODTBytes)
		for _, m := range l.Measurements {
			fmt.Printf("  %s (%s, mask 0x%X) at ODT %d offset %d\n", m.Name, m.Type, m.BitMask, m.ODT, m.Offset)
		}
	}
	// Output:
	// can intel 10000 ns per tick
	// engine: 2 ODTs of [5 6] bytes
	//   rpm (U16, mask 0x0) at ODT 1 offset 4
	//   time_us (U64, mask 0x0) at ODT 0 offset 3
	//   enabled (U8, mask 0x2) at ODT 1 offset 6
}
