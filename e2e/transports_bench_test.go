package e2e

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/sxi"
)

// Throughput of the whole stack (master ↔ transport ↔ medium ↔ simulator)
// on the media of issue 6. Run with
//
//	go test ./e2e -run '^$' -bench 'Transport' -benchtime 2s
//
// RoundTrip reports command round trips (GET_STATUS: one request frame,
// one response frame) as frames/s; DTO reports DAQ DTOs of the medium's
// largest size sampled by the simulator's free-running event and delivered
// to the master's DTO handler.

func benchMedia() []medium {
	fd := canIDs
	fd.FD = true
	return []medium{
		virtualCAN("can-virtual", canIDs, true),
		virtualCAN("canfd-virtual", fd, true),
		sxiPTY(sxi.Framing{Header: sxi.LenCtrWord}, true),
		sxiPTY(sxi.Framing{Header: sxi.LenCtrWord, Tail: sxi.ChecksumWord, SyncEsc: true}, true),
	}
}

func BenchmarkTransportRoundTrip(b *testing.B) {
	for _, md := range benchMedia() {
		b.Run(md.name, func(b *testing.B) {
			l := md.open(b, sim.Config{})
			defer l.stop()
			m := master.New(l.conn, master.Config{})
			defer m.Close()
			ctx := context.Background()
			if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := m.GetStatus(ctx); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/el, "roundtrips/s")
			b.ReportMetric(float64(2*b.N)/el, "frames/s")
		})
	}
}

func BenchmarkTransportDTO(b *testing.B) {
	for _, md := range benchMedia() {
		b.Run(md.name, func(b *testing.B) {
			l := md.open(b, sim.Config{DAQ: sim.DAQConfig{TimestampSize: -1}})
			defer l.stop()
			m := master.New(l.conn, master.Config{})
			defer m.Close()
			ctx := context.Background()
			cr, err := m.Connect(ctx, xcp.ConnectNormal)
			if err != nil {
				b.Fatal(err)
			}
			f := m.Format()
			dto := min(int(cr.MaxDTO), 64)
			size := dto - 1 // PID + data
			var n atomic.Int64
			done := make(chan struct{})
			target := int64(b.N)
			m.SetDTOHandler(func(p transport.Packet) {
				if n.Add(1) == target {
					close(done)
				}
			})
			reqs := [][]byte{
				{byte(xcp.CmdFreeDaq)},
				xcp.AllocDaq{Count: 1}.Append(nil, f),
				xcp.AllocOdt{List: 0, Count: 1}.Append(nil, f),
				xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f),
				xcp.SetDaqPtr{List: 0}.Append(nil, f),
				xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: uint8(size), Addr: sim.RAMBase}}.Append(nil, f),
				xcp.SetDaqListMode{List: 0, Event: 3, Prescaler: 1}.Append(nil, f), // "max": as fast as the link takes
				xcp.StartStopDaqList{Mode: xcp.DaqListSelect, List: 0}.Append(nil, f),
			}
			for _, r := range reqs {
				if _, err := m.Do(ctx, r); err != nil {
					b.Fatalf("% X: %v", r, err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			if _, err := m.Do(ctx, xcp.StartStopSynch{Mode: xcp.SynchStartSelected}.Append(nil, f)); err != nil {
				b.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(2 * time.Minute):
				b.Fatalf("only %d of %d DTOs", n.Load(), b.N)
			}
			el := time.Since(start).Seconds()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/el, "DTOs/s")
			b.ReportMetric(float64(b.N*dto)/el/1e6, "MB/s")
			if _, err := m.Do(ctx, xcp.StartStopSynch{Mode: xcp.SynchStopAll}.Append(nil, f)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
