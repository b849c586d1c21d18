package parquet_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	pq "github.com/parquet-go/parquet-go"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/parquet"
)

// Convert a recording to Parquet and read the file back with parquet-go:
// the columns in layout order, the list and units as key-value metadata
// and the physical values of each sample.
func Example() {
	dir, err := os.MkdirTemp("", "parquet-example")
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
	out := filepath.Join(dir, "engine.parquet")
	if _, err := convert.Run(context.Background(), r, parquet.New(out, parquet.Options{})); err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	pf, err := pq.OpenFile(f, st.Size())
	if err != nil {
		log.Fatal(err)
	}
	list, _ := pf.Lookup("goxcp.list")
	units, _ := pf.Lookup("goxcp.units")
	fmt.Println("list", list, "rows", pf.NumRows())
	fmt.Println("units", units)
	for _, c := range pf.Schema().Fields() {
		fmt.Printf("column %s %v\n", c.Name(), c.Type())
	}
	rows := make([]pq.Row, 10)
	n, _ := pq.NewReader(pf).ReadRows(rows) // io.EOF after the last row
	for _, row := range rows[:n] {
		fmt.Println(row[0].Int64(), row[1].Int64(), row[2].Uint32(), row[3].Double())
	}
	// Output:
	// list engine rows 3
	// units {"host_ns":"ns","rpm":"1/min","slave_ns":"ns","temp":"degC"}
	// column host_ns INT(64,true)
	// column slave_ns INT(64,true)
	// column rpm INT(16,false)
	// column temp DOUBLE
	// 1000000 0 1500 50
	// 2000000 1000000 1504 51
	// 3000000 2000000 1508 52
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
