package recorder_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Record a DAQ list of the simulator into a file with a FileSink, then read
// the recording: its layout says where each value sits in the frames.
func ExampleFileSink() {
	ctx := context.Background()
	slave, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	a, b := memconn.Pipe(1024)
	sctx, stopSim := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- slave.Serve(sctx, b) }()
	defer func() { stopSim(); <-served }()
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}

	dir, err := os.MkdirTemp("", "recorder")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "example", Slave: recorder.SlaveOf(m)}
	lists := []daq.List{{Name: "fast", Event: 1, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "counter", Address: 0x00100000, Type: dto.U32},
		{Name: "sine", Address: 0x00100008, Type: dto.F32},
	}}}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{Sink: sink})
	if err != nil {
		log.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for end := time.Now().Add(5 * time.Second); ses.Stats().Frames < 5 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond) // record at least 5 samples of the 10 ms event
	}
	if _, err := ses.Stop(ctx); err != nil {
		log.Fatal(err)
	}

	r, err := record.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	meta := r.Meta()
	fmt.Println("byte order", meta.Slave.ByteOrder, "timestamp", meta.DAQ.TimestampSize, "bytes")
	for _, l := range meta.DAQ.Lists {
		fmt.Println("list", l.Name, "event", l.Event)
		for _, ms := range l.Measurements {
			fmt.Printf("  %-7s %v ODT %d offset %d\n", ms.Name, ms.Type, ms.ODT, ms.Offset)
		}
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for range d.All() {
		n++
	}
	fmt.Println("at least 5 samples:", n >= 5, d.Err())
	// Output:
	// byte order intel timestamp 4 bytes
	// list fast event 1
	//   counter U32 ODT 0 offset 5
	//   sine    F32 ODT 0 offset 9
	// at least 5 samples: true <nil>
}
