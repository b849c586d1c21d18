package dto_test

import (
	"encoding/json"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// twoODTs is a DAQ list with a 2-byte timestamp whose U32 "counter"
// starts in ODT 0 and continues in ODT 1 (DTOs of 8 bytes, as on
// classic CAN), and a masked bit in ODT 1.
func twoODTs() *dto.Layout {
	return &dto.Layout{Order: xcp.Intel, IDField: xcp.IDAbsODT, TimestampSize: 2, TickPS: 1_000_000, Lists: []dto.List{{
		Name: "fast", Number: 0, FirstPID: 0, Event: 1, EventName: "1ms", Timestamps: true,
		ODTs: []dto.ODT{
			dto.NewODT(dto.Entry{Address: 0x1000, Size: 5}),
			dto.NewODT(dto.Entry{Address: 0x1005, Size: 2}),
		},
		Measurements: []dto.Measurement{
			{Name: "speed", Address: 0x1000, Type: dto.U16},
			{Name: "counter", Address: 0x1002, Type: dto.U32},
			{Name: "enabled", Address: 0x1006, Type: dto.U8, BitMask: 0x02},
		},
		Offsets: []int{0, 2, 6},
	}}}
}

// ExampleLayout_EncodeSample builds the DTOs of one sample (what a slave
// sends) and decodes them again.
func ExampleLayout_EncodeSample() {
	lay := twoODTs()
	d, err := dto.NewDecoder(lay)
	if err != nil {
		panic(err)
	}
	sample := []byte{0x2C, 0x01, 0x78, 0x56, 0x34, 0x12, 0x02} // speed 300, counter 0x12345678, bit 1 set
	_, err = lay.EncodeSample(nil, 0, sample, 40, func(p []byte) {
		fmt.Printf("DTO % X\n", p)
		if s := d.Decode(1_000, p); s != nil {
			fmt.Println("sample", s.HostNS, s.SlaveNS, s.Values)
		}
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// DTO 00 28 00 2C 01 78 56 34
	// DTO 01 12 02
	// sample 1000 0 [300 305419896 1]
}

// ExampleLayout_Locate shows where a value starts in the DTOs: ODT and
// byte offset from the PID.
func ExampleLayout_Locate() {
	lay := twoODTs()
	for i, m := range lay.Lists[0].Measurements {
		odt, off := lay.Locate(0, i)
		fmt.Printf("%s: ODT %d offset %d\n", m.Name, odt, off)
	}
	// Output:
	// speed: ODT 0 offset 3
	// counter: ODT 0 offset 5
	// enabled: ODT 1 offset 2
}

// ExampleLayout_MarshalJSON shows the layout as recordings and tools
// store it.
func ExampleLayout_MarshalJSON() {
	lay := twoODTs()
	lay.Lists[0].Measurements = lay.Lists[0].Measurements[2:]
	lay.Lists[0].Offsets = lay.Lists[0].Offsets[2:]
	b, err := json.Marshal(lay)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	var back dto.Layout
	if err := json.Unmarshal(b, &back); err != nil {
		panic(err)
	}
	fmt.Println(back.IDField == xcp.IDAbsODT, back.Lists[0].ODTs[1].Entries[0].Address == 0x1005)
	// Output:
	// {"byte_order":"intel","id_field":"absolute","timestamp_size":2,"tick_ps":1000000,"overload_msb":false,"lists":[{"name":"fast","number":0,"first_pid":0,"event":1,"event_name":"1ms","prescaler":0,"priority":0,"timestamps":true,"odts":[{"size":5,"entries":[{"address":4096,"extension":0,"size":5}]},{"size":2,"entries":[{"address":4101,"extension":0,"size":2}]}],"measurements":[{"name":"enabled","address":4102,"extension":0,"type":"u8","bit_mask":2}],"offsets":[6]}]}
	// true true
}
