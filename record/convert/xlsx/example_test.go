package xlsx_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/xlsx"
)

// Convert a recording to an Excel workbook and read the list's sheet back
// with excelize: units in the header row, host and ECU time in seconds,
// physical values. The first sheet describes the recording.
func Example() {
	dir, err := os.MkdirTemp("", "xlsx-example")
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
	out := filepath.Join(dir, "run.xlsx")
	if _, err := convert.Run(context.Background(), r, xlsx.New(out, xlsx.Options{})); err != nil {
		log.Fatal(err)
	}

	f, err := excelize.OpenFile(out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(f.GetSheetList())
	rows, err := f.GetRows("engine")
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rows {
		fmt.Println(row)
	}
	// Output:
	// [Recording engine]
	// [time [s] ecu_time [s] rpm [1/min] temp [degC]]
	// [0.001000000 0.000000000 1500 50]
	// [0.002000000 0.001000000 1504 51]
	// [0.003000000 0.002000000 1508 52]
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
