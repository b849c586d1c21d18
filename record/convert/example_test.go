package convert_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// printSink is a convert.Sink of its own: it prints the table layout and
// every sample. The format packages (csv, parquet, sqlite, hdf5, mf4,
// xlsx) are sinks of the same shape.
type printSink struct{ tables []convert.Table }

func (p *printSink) Begin(m *record.Meta, tables []convert.Table) error {
	p.tables = tables
	for _, t := range tables {
		for _, c := range t.Columns {
			fmt.Printf("%s.%s kind=%s unit=%q\n", t.Name, c.Name, c.Kind, c.Unit)
		}
	}
	return nil
}

func (p *printSink) Sample(s *dto.Sample) error {
	fmt.Println(p.tables[s.List].Name, s.HostNS, s.SlaveNS, s.Values)
	return nil
}

func (p *printSink) Close() error { return nil }

// Run a recording through a sink: the driver decodes the DTOs per DAQ list
// and hands over physical values (RunWith with Options{Raw: true} gives
// the raw ones).
func Example() {
	dir, err := os.MkdirTemp("", "convert-example")
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
	res, err := convert.Run(context.Background(), r, &printSink{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("samples:", res.Samples, "per list:", res.PerList, "complete:", res.Complete)

	// The same recording with raw values: temp's unit belongs to its
	// physical value, so the raw column has none.
	r2, err := record.Open(rec)
	if err != nil {
		log.Fatal(err)
	}
	defer r2.Close()
	if _, err := convert.RunWith(context.Background(), r2, &printSink{}, convert.Options{Raw: true}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// engine.host_ns kind=host unit="ns"
	// engine.slave_ns kind=slave unit="ns"
	// engine.rpm kind=value unit="1/min"
	// engine.temp kind=value unit="degC"
	// engine 1000000 0 [1500 50]
	// engine 2000000 1000000 [1504 51]
	// engine 3000000 2000000 [1508 52]
	// samples: 3 per list: [3] complete: true
	// engine.host_ns kind=host unit="ns"
	// engine.slave_ns kind=slave unit="ns"
	// engine.rpm kind=value unit="1/min"
	// engine.temp kind=value unit=""
	// engine 1000000 0 [1500 900]
	// engine 2000000 1000000 [1504 910]
	// engine 3000000 2000000 [1508 920]
}

// Where the per-list formats (CSV, Parquet) write: a directory gets one
// file per DAQ list; a file name is refused for a recording with several.
func ExamplePerListPaths() {
	tables := []convert.Table{{Name: "fast"}, {Name: "slow"}}
	paths, dir, err := convert.PerListPaths("out/", ".csv", tables)
	fmt.Println(paths, dir, err)

	_, _, err = convert.PerListPaths("run.csv", ".csv", tables)
	fmt.Println(errors.Is(err, convert.ErrSeveralLists))
	fmt.Println(err)
	// Output:
	// [out/fast.csv out/slow.csv] true <nil>
	// true
	// run.csv names one file, but the recording has 2 DAQ lists (fast, slow) and this format holds one list per file: name a directory (run.csv/) for one file per list
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
