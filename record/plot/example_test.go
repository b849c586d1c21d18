package plot_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/opener"
	"github.com/goxcp/goxcp/record/plot"
)

// Plot two signals of a recording as SVG: Collect reads and decimates the
// signals (physical values, ECU time), Panels groups them by unit, Write
// draws the picture.
func Example() {
	dir, err := os.MkdirTemp("", "plot-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.xlog")
	if err := writeRecording(path); err != nil {
		log.Fatal(err)
	}

	rec, err := opener.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Close()
	data, err := plot.Collect(context.Background(), rec, rec.Interruptions, plot.Options{Signals: []string{"rpm", "engine.temp"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range data.Series {
		fmt.Printf("%s.%s [%s]: %d samples in %d buckets, %g..%g\n", s.List, s.Name, s.Unit, s.Samples, len(s.T), s.Lo, s.Hi)
	}
	panels, err := plot.Panels(data, plot.Style{})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range panels {
		fmt.Printf("panel [%s] with %d series\n", p.Unit, len(p.Series))
	}
	var svg bytes.Buffer
	if err := plot.Write(&svg, data, plot.Style{Title: "engine"}, "svg"); err != nil {
		log.Fatal(err)
	}
	out := svg.String()
	fmt.Println("SVG with title and units:", strings.HasPrefix(out, "<?xml") && strings.Contains(out, "<svg"),
		strings.Contains(out, ">engine<"), strings.Contains(out, "1/min"), strings.Contains(out, "degC"))

	// A signal the recording does not have is refused by name.
	_, err = plot.Collect(context.Background(), rec, nil, plot.Options{Signals: []string{"speed"}})
	fmt.Println(err)
	// Output:
	// engine.rpm [1/min]: 3 samples in 3 buckets, 1500..1508
	// engine.temp [degC]: 3 samples in 3 buckets, 50..52
	// panel [1/min] with 1 series
	// panel [degC] with 1 series
	// SVG with title and units: true true true true
	// plot: "speed": no such signal in the recording (it has engine.rpm, engine.temp)
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
