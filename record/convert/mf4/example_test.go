package mf4_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
)

// Convert a recording to MDF 4 and read the file back with package mdf4:
// one channel group per DAQ list, the time master channel in seconds (from
// the ECU timestamps), raw values with their conversion as a CC block.
func Example() {
	dir, err := os.MkdirTemp("", "mf4-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	rec := filepath.Join(dir, "run.xlog")
	if err := writeRecording(rec); err != nil {
		log.Fatal(err)
	}

	r, err := record.Open(rec)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "run.mf4")
	// The MDF sink takes raw values: conversions go into the file.
	if _, err := convert.RunWith(context.Background(), r, mf4.New(out, mf4.Options{ToolVersion: "example"}), convert.Options{Raw: true}); err != nil {
		log.Fatal(err)
	}

	f, err := mdf4.Open(out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	g := f.Groups[0]
	fmt.Println("group", g.Name, "samples", g.Samples)
	for _, c := range g.Channels {
		fmt.Printf("channel %s [%s]\n", c.Name, c.Unit)
	}
	// The ECU time is placed so that the first sample lies at its host
	// receive time (1 ms after the start of the recording).
	rpm, temp := g.Channels[2], g.Channels[3]
	for it := f.Records(g); it.Next(); {
		x := it.Record()
		fmt.Printf("t=%.3f s rpm=%d temp raw=%d phys=%g %s\n",
			g.Master.Float(x), rpm.Int(x), temp.Int(x), temp.Conversion.Phys(temp.Float(x)), temp.Unit)
	}
	// Output:
	// group engine samples 3
	// channel time [s]
	// channel host_time [s]
	// channel rpm [1/min]
	// channel temp [degC]
	// t=0.001 s rpm=1500 temp raw=900 phys=50 degC
	// t=0.002 s rpm=1504 temp raw=910 phys=51 degC
	// t=0.003 s rpm=1508 temp raw=920 phys=52 degC
}

// writeRecording records three samples of the DAQ list "engine" (rpm in
// 1/min; temp with a LINEAR conversion raw/10 - 40 to degC) into a goxcp
// recording at path, with record.Writer as the recorder does.
func writeRecording(path string) error {
	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT, TimestampSize: 2, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "engine", Number: 0, Event: 1, Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "rpm", Type: dto.U16}, Offset: 3, Unit: "1/min"},
					{Measurement: dto.Measurement{Name: "temp", Type: dto.U16}, Offset: 5, Unit: "degC", Conversion: &compu.Spec{Type: "LINEAR", Unit: "degC", Coeffs: []float64{0.1, -40}}},
				},
			}},
		},
	}
	w, err := record.Create(path, meta, record.Options{})
	if err != nil {
		return err
	}
	// DTOs: PID 0, slave timestamp (µs ticks), rpm, temp (little endian).
	w.Write(1_000_000, []byte{0x00, 0x00, 0x00, 0xDC, 0x05, 0x84, 0x03}) // 1500 rpm, 50 degC
	w.Write(2_000_000, []byte{0x00, 0xE8, 0x03, 0xE0, 0x05, 0x8E, 0x03}) // 1504 rpm, 51 degC
	w.Write(3_000_000, []byte{0x00, 0xD0, 0x07, 0xE4, 0x05, 0x98, 0x03}) // 1508 rpm, 52 degC
	return w.Close()
}
