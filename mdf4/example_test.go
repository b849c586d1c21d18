package mdf4_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/goxcp/goxcp/mdf4"
)

// Write an MDF 4 file with one channel group (time master channel and a
// temperature with a linear conversion), then read it back.
func Example() {
	dir, _ := os.MkdirTemp("", "mdf4")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.mf4")

	ecu := &mdf4.Source{Name: "ECU1", Path: "XCP on UDP 127.0.0.1:5555", Type: mdf4.SourceECU, Bus: mdf4.BusEthernet}
	w, err := mdf4.Create(path, mdf4.Options{Header: mdf4.Header{Start: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)}})
	if err != nil {
		panic(err)
	}
	g, err := w.AddGroup(mdf4.ChannelGroup{Name: "10ms", Source: ecu, DataBytes: 10, Channels: []*mdf4.Channel{
		{Name: "time", Unit: "s", Type: mdf4.ChannelMaster, Sync: mdf4.SyncTime, DataType: mdf4.FloatLE, BitCount: 64},
		{Name: "temp", Unit: "degC", Comment: "coolant temperature", DataType: mdf4.IntLE, ByteOffset: 8, BitCount: 16,
			Conversion: &mdf4.Conversion{Type: mdf4.ConvLinear, Params: []float64{-40, 0.5}}},
	}})
	if err != nil {
		panic(err)
	}
	rec := make([]byte, 10)
	for i := range 3 {
		binary.LittleEndian.PutUint64(rec, math.Float64bits(float64(i)*0.01))
		binary.LittleEndian.PutUint16(rec[8:], uint16(100+i))
		g.Write(rec)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	f, err := mdf4.Open(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	grp := f.Groups[0]
	fmt.Println(f.Version, f.Header.Start, grp.Name, grp.Source.Name, grp.Samples)
	temp := grp.Channels[1]
	for r := f.Records(grp); r.Next(); {
		rec := r.Record()
		fmt.Printf("t=%.2f s %s=%v %s\n", grp.Master.Float(rec), temp.Name, temp.Conversion.Phys(temp.Float(rec)), temp.Unit)
	}
	// Output:
	// 410 2026-12-07 08:00:00 +0000 +0000 10ms ECU1 3
	// t=0.00 s temp=10 degC
	// t=0.01 s temp=10.5 degC
	// t=0.02 s temp=11 degC
}
