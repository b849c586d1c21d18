package csv_test

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
)

// Convert a recording to CSV: three DTOs of one DAQ list are recorded with
// record.Writer, converted with convert.Run and the CSV file printed. The
// temperature carries a LINEAR conversion, so its column holds physical
// values (raw/10 - 40) in degC.
func Example() {
	dir, err := os.MkdirTemp("", "csv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	rec := filepath.Join(dir, "run.xlog")

	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT, TimestampSize: 2, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "engine", Number: 0, Event: 1, Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "rpm", Type: dto.U16}, Offset: 3, Unit: "1/min"},
					{Measurement: dto.Measurement{Name: "temp", Type: dto.U16}, Offset: 5, Unit: "degC",
						Conversion: &compu.Spec{Type: "LINEAR", Unit: "degC", Coeffs: []float64{0.1, -40}}},
				},
			}},
		},
	}
	w, err := record.Create(rec, meta, record.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// DTOs: PID 0, slave timestamp (µs ticks), rpm, temp (little endian).
	w.Write(1_000_000, []byte{0x00, 0x00, 0x00, 0xDC, 0x05, 0x84, 0x03}) // 1500 rpm, 50 degC
	w.Write(2_000_000, []byte{0x00, 0xE8, 0x03, 0xE0, 0x05, 0x8E, 0x03}) // 1504 rpm, 51 degC
	w.Write(3_000_000, []byte{0x00, 0xD0, 0x07, 0xE4, 0x05, 0x98, 0x03}) // 1508 rpm, 52 degC
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := record.Open(rec)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "engine.csv")
	res, err := convert.Run(context.Background(), r, csv.New(out))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("samples:", res.Samples, "closed cleanly:", res.Complete)
	text, err := os.ReadFile(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(text))
	// Output:
	// samples: 3 closed cleanly: true
	// host_ns,slave_ns,rpm [1/min],temp [degC]
	// 1000000,0,1500,50
	// 2000000,1000000,1504,51
	// 3000000,2000000,1508,52
}
