package hdf5_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"log"
	"os"
	"path/filepath"

	h5 "github.com/scigolib/hdf5"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/hdf5"
)

// Convert a recording to HDF5 and read it back with an independent HDF5
// reader (github.com/scigolib/hdf5, which converts 4- and 8-byte numbers;
// h5py and h5dump read every type): one group per DAQ list holding one
// dataset per column (units are attributes). The
// number of samples per list is counted first (Count), so that every
// dataset is laid out before the first value is written.
func Example() {
	dir, err := os.MkdirTemp("", "hdf5-example")
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
	counts, err := hdf5.Count(context.Background(), r)
	r.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("samples per list:", counts)

	r, err = record.Open(rec)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "run.h5")
	if _, err := convert.Run(context.Background(), r, hdf5.New(out, counts)); err != nil {
		log.Fatal(err)
	}

	f, err := h5.Open(out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Walk(func(path string, obj h5.Object) {
		ds, ok := obj.(*h5.Dataset)
		if !ok {
			return
		}
		values, err := ds.Read()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(path, values)
	})
	// Output:
	// samples per list: [3]
	// /engine/host_ns [1e+06 2e+06 3e+06]
	// /engine/rpm [1500 1504 1508]
	// /engine/slave_ns [0 1e+06 2e+06]
	// /engine/temp [50 51 52]
}

// writeRecording records three samples of the DAQ list "engine" (rpm,
// U32 in 1/min; temp with a LINEAR conversion raw/10 - 40 to degC) into a goxcp
// recording at path, with record.Writer as the recorder does.
func writeRecording(path string) error {
	meta := &record.Meta{
		Slave: record.Slave{ByteOrder: "intel"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT, TimestampSize: 2, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "engine", Number: 0, Event: 1, Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "rpm", Type: dto.U32}, Offset: 3, Unit: "1/min"},
					{Measurement: dto.Measurement{Name: "temp", Type: dto.U16}, Offset: 7, Unit: "degC", Conversion: &compu.Spec{Type: "LINEAR", Unit: "degC", Coeffs: []float64{0.1, -40}}},
				},
			}},
		},
	}
	w, err := record.Create(path, meta, record.Options{})
	if err != nil {
		return err
	}
	// DTOs: PID 0, slave timestamp (µs ticks), rpm, temp (little endian).
	w.Write(1_000_000, []byte{0x00, 0x00, 0x00, 0xDC, 0x05, 0x00, 0x00, 0x84, 0x03}) // 1500 rpm, 50 degC
	w.Write(2_000_000, []byte{0x00, 0xE8, 0x03, 0xE0, 0x05, 0x00, 0x00, 0x8E, 0x03}) // 1504 rpm, 51 degC
	w.Write(3_000_000, []byte{0x00, 0xD0, 0x07, 0xE4, 0x05, 0x00, 0x00, 0x98, 0x03}) // 1508 rpm, 52 degC
	return w.Close()
}
