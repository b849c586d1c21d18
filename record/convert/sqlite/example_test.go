package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/sqlite"
)

// Convert a recording into an SQLite database and query it: one table per
// DAQ list with physical values, and goxcp_columns with the units.
func Example() {
	dir, err := os.MkdirTemp("", "sqlite-example")
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
	out := filepath.Join(dir, "run.db")
	if _, err := convert.Run(context.Background(), r, sqlite.New(out, sqlite.Options{})); err != nil {
		log.Fatal(err)
	}

	// Package sqlite registers the "sqlite" driver (modernc.org/sqlite).
	db, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	units, err := db.Query(`SELECT col, unit FROM goxcp_columns WHERE tbl = 'engine' AND unit != ''`)
	if err != nil {
		log.Fatal(err)
	}
	for units.Next() {
		var col, unit string
		if err := units.Scan(&col, &unit); err != nil {
			log.Fatal(err)
		}
		fmt.Println(col, unit)
	}
	units.Close()

	var n int
	var avg, hottest float64
	err = db.QueryRow(`SELECT count(*), avg(rpm), max(temp) FROM engine`).Scan(&n, &avg, &hottest)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d samples, mean %.0f 1/min, hottest %g degC\n", n, avg, hottest)
	// Output:
	// host_ns ns
	// slave_ns ns
	// rpm 1/min
	// temp degC
	// 3 samples, mean 1504 1/min, hottest 52 degC
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
