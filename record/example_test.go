package record_test

import (
	"bytes"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// A recording of one DAQ list with a 2-byte timestamp and two values,
// written to memory, read back and decoded.
func Example() {
	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT, TimestampSize: 2, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "engine", Number: 0, Event: 1, Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "rpm", Type: dto.U16}, Offset: 3},
					{Measurement: dto.Measurement{Name: "temp", Type: dto.I8}, Offset: 5},
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

// Iterating the samples of one DAQ list of a recording file: a file with
// two lists is written, opened by name and the samples of list 1 read.
func ExampleDecoder_List() {
	dir, err := os.MkdirTemp("", "xlog")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.xlog")
	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT,
			Lists: []record.List{
				{Name: "fast", Number: 0, Event: 0, ODTs: 1, FirstPID: 0,
					Measurements: []record.Measurement{{Measurement: dto.Measurement{Name: "counter", Type: dto.U16}, Offset: 1}}},
				{Name: "slow", Number: 1, Event: 1, ODTs: 1, FirstPID: 1,
					Measurements: []record.Measurement{{Measurement: dto.Measurement{Name: "temp", Type: dto.I8}, Offset: 1}}},
			},
		},
	}
	w, err := record.Create(path, meta, record.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// DTOs: PID (0 = list "fast", 1 = list "slow"), then the values.
	w.Write(1_000_000, []byte{0x00, 0x01, 0x00})
	w.Write(1_500_000, []byte{0x01, 0xF6})
	w.Write(2_000_000, []byte{0x00, 0x02, 0x00})
	w.Write(2_500_000, []byte{0x01, 0xF7})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := record.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	d, err := record.NewDecoder(r)
	if err != nil {
		log.Fatal(err)
	}
	for s := range d.List(1) {
		fmt.Println(s.HostNS, s.Values)
	}
	if err := d.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1500000 [-10]
	// 2500000 [-9]
}
