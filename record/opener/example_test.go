package opener_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/opener"
)

// Open recordings without knowing their format: a goxcp recording and the
// MDF 4 file converted from it give the same samples. The format is
// recognised by content, not by the file name. The samples hold raw
// values; the measurements carry their conversions.
func Example() {
	dir, err := os.MkdirTemp("", "opener-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	xlog := filepath.Join(dir, "run.xlog")
	if err := writeRecording(xlog); err != nil {
		log.Fatal(err)
	}
	mdf := filepath.Join(dir, "run.dat") // an MDF 4 file under another name
	r, err := record.Open(xlog)
	if err != nil {
		log.Fatal(err)
	}
	_, err = convert.RunWith(context.Background(), r, mf4.New(mdf, mf4.Options{}), convert.Options{Raw: true})
	r.Close()
	if err != nil {
		log.Fatal(err)
	}

	for _, path := range []string{xlog, mdf} {
		rec, err := opener.Open(path)
		if err != nil {
			log.Fatal(err)
		}
		l := rec.Meta().DAQ.Lists[0]
		fmt.Printf("%s: list %s:", rec.Format, l.Name)
		for _, m := range l.Measurements {
			fmt.Printf(" %s [%s]", m.Name, m.Unit)
			if m.Conversion != nil {
				fmt.Printf(" %s%v", m.Conversion.Type, m.Conversion.Coeffs)
			}
		}
		fmt.Println()
		for rec.Next() {
			fmt.Println("  raw values", rec.Sample().Values)
		}
		if err := rec.Err(); err != nil {
			log.Fatal(err)
		}
		rec.Close()
	}
	// Output:
	// xlog: list engine: rpm [1/min] temp [degC] LINEAR[0.1 -40]
	//   raw values [1500 900]
	//   raw values [1504 910]
	//   raw values [1508 920]
	// mf4: list engine: rpm [1/min] temp [degC] LINEAR[0.1 -40]
	//   raw values [1500 900]
	//   raw values [1504 910]
	//   raw values [1508 920]
}

// Convert any recording to another format in one call: here the MDF 4
// file converted from a goxcp recording becomes a CSV file with physical
// values. The Outcome describes the conversion in the same terms for every
// input format. (The MDF file's ECU time starts at the first sample's host
// time, so slave_ns does here too.)
func ExampleConvert() {
	dir, err := os.MkdirTemp("", "opener-convert")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	xlog := filepath.Join(dir, "run.xlog")
	if err := writeRecording(xlog); err != nil {
		log.Fatal(err)
	}
	mdf := filepath.Join(dir, "run.mf4")
	toMDF := func(*record.Meta, []uint64) (convert.Sink, error) { return mf4.New(mdf, mf4.Options{}), nil }
	if _, err := opener.Convert(context.Background(), xlog, toMDF, false, convert.Options{Raw: true}); err != nil {
		log.Fatal(err)
	}

	out := filepath.Join(dir, "engine.csv")
	toCSV := func(*record.Meta, []uint64) (convert.Sink, error) { return csv.New(out), nil }
	oc, err := opener.Convert(context.Background(), mdf, toCSV, false, convert.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("from", oc.Format, "samples", oc.Samples, "complete", oc.Complete, "skipped", oc.Skipped)
	text, err := os.ReadFile(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(text))
	// Output:
	// from mf4 samples 3 complete true skipped []
	// host_ns,slave_ns,rpm [1/min],temp [degC]
	// 1000000,1000000,1500,50
	// 2000000,2000000,1504,51
	// 3000000,3000000,1508,52
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
