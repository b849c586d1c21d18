package record_test

import (
	"bytes"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
)

// ExampleLayoutOf derives the layout a recording stores from the layout
// a DAQ measurement used (what daq.Session.Layout returns): per value the
// ODT and the offset in the DTO where it starts. The U32 "counter" starts
// in ODT 0 and continues in ODT 1; the ODT sizes tell the reader so.
// Frames written with it decode to the measured values.
func ExampleLayoutOf() {
	lay := &dto.Layout{Order: xcp.Intel, IDField: xcp.IDAbsODT, TimestampSize: 2, TickPS: 1_000_000, Lists: []dto.List{{
		Name: "fast", Event: 1, EventName: "1ms", Timestamps: true,
		ODTs: []dto.ODT{dto.NewODT(dto.Entry{Address: 0x1000, Size: 5}), dto.NewODT(dto.Entry{Address: 0x1005, Size: 2})},
		Measurements: []dto.Measurement{
			{Name: "speed", Address: 0x1000, Type: dto.U16},
			{Name: "counter", Address: 0x1002, Type: dto.U32},
			{Name: "enabled", Address: 0x1006, Type: dto.U8, BitMask: 0x02},
		},
		Offsets: []int{0, 2, 6},
	}}}
	meta := &record.Meta{Slave: record.Slave{ByteOrder: dto.ByteOrderName(lay.Order)}, DAQ: record.LayoutOf(lay)}
	l := meta.DAQ.Lists[0]
	fmt.Printf("list %q: %d ODTs of %v bytes, tick %g ns\n", l.Name, l.ODTs, l.ODTBytes, meta.DAQ.TimestampTickNS)
	for _, m := range l.Measurements {
		fmt.Printf("  %s %s at 0x%X: ODT %d offset %d\n", m.Name, m.Type, m.Address, m.ODT, m.Offset)
	}

	var file bytes.Buffer
	w, err := record.NewWriter(&file, meta, record.Options{})
	if err != nil {
		panic(err)
	}
	lay.EncodeSample(nil, 0, []byte{0x2C, 0x01, 0x78, 0x56, 0x34, 0x12, 0x02}, 40, func(p []byte) { w.Write(1000, p) })
	if err := w.Close(); err != nil {
		panic(err)
	}
	r, err := record.NewReader(&file)
	if err != nil {
		panic(err)
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		panic(err)
	}
	for s := range d.All() {
		fmt.Println("sample", s.HostNS, s.Values)
	}
	// Output:
	// list "fast": 2 ODTs of [5 2] bytes, tick 1000 ns
	//   speed U16 at 0x1000: ODT 0 offset 3
	//   counter U32 at 0x1002: ODT 0 offset 5
	//   enabled U8 at 0x1006: ODT 1 offset 2
	// sample 1000 [300 305419896 1]
}
