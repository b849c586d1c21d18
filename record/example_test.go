package record_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// A recording of one DAQ list with a 2-byte timestamp and two values,
// written to memory, read back and decoded.
func Example() {
	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: record.IDAbsolute, TimestampSize: 2, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "engine", Number: 0, Event: 1, Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{
					{Name: "rpm", Type: dto.U16, Offset: 3},
					{Name: "temp", Type: dto.I8, Offset: 5},
				},
			}},
		},
	}
	var file bytes.Buffer
	w, err := record.NewWriter(&file, meta, record.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// DTOs: PID 0, timestamp (ticks of 1 µs), rpm, temp.
	w.Write(1_000_000, []byte{0x00, 0x10, 0x00, 0xDC, 0x05, 0xF6})
	w.Write(2_000_000, []byte{0x00, 0xF8, 0x03, 0xE0, 0x05, 0xF7})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := record.NewReader(&file)
	if err != nil {
		log.Fatal(err)
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		log.Fatal(err)
	}
	for d.Next() {
		s := d.Sample()
		fmt.Println(r.Meta().DAQ.Lists[s.List].Name, s.HostNS, s.SlaveNS, s.Values[0], s.Values[1])
	}
	fmt.Println("closed cleanly:", r.Complete())
	// Output:
	// engine 1000000 0 1500 -10
	// engine 2000000 1000000 1504 -9
	// closed cleanly: true
}

// Iterating the samples of one DAQ list of a recording file.
func ExampleDecoder_List() {
	r, err := record.Open("run.xlog")
	if err != nil {
		fmt.Println(err != nil)
		return
	}
	defer r.Close()
	d, err := record.NewDecoder(r)
	if err != nil {
		log.Fatal(err)
	}
	for s := range d.List(0) {
		fmt.Println(s.HostNS, s.SlaveNS, s.Values)
	}
	if err := d.Err(); err != nil {
		log.Fatal(err)
	}
	// Output: true
}
