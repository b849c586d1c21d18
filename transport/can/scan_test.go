package can_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// simOnBus serves a simulator on bus with the given identifiers until the
// test ends.
func simOnBus(t *testing.T, bus *virtual.Bus, cfg can.Config, order xcp.ByteOrder) {
	t.Helper()
	s, err := sim.New(sim.Config{MaxCTO: cfg.MaxPacket(), MaxDTO: cfg.MaxPacket(), Order: order})
	if err != nil {
		t.Fatal(err)
	}
	c, err := can.NewConn(bus.Open(), cfg, can.Slave)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, c) }()
	t.Cleanup(func() {
		cancel()
		c.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func TestDetectSlavesAndScan(t *testing.T) {
	for _, pad := range []bool{false, true} {
		bus := virtual.New(virtual.Config{Name: "scan"})
		a := can.Config{CanIDMaster: 0x701, CanIDSlave: 0x702, CanIDBroadcast: 0x700, MaxDLCRequired: pad, PaddingValue: 0x55}
		b := can.Config{CanIDMaster: 0x80012345, CanIDSlave: 0x80012346, CanIDBroadcast: 0x700, MaxDLCRequired: pad}
		simOnBus(t, bus, a, xcp.Intel)
		simOnBus(t, bus, b, xcp.Motorola)
		port := bus.Open()
		ctx := context.Background()
		found, err := can.DetectSlaves(ctx, port, can.Config{}, 0x700, 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(found, func(x, y can.SlaveID) int { return int(x.ResponseID.Value) - int(y.ResponseID.Value) })
		want := []can.SlaveID{
			{ResponseID: can.ID{Value: 0x702}, CmdID: can.ID{Value: 0x701}, Order: xcp.Intel},
			{ResponseID: can.ID{Value: 0x12346, Extended: true}, CmdID: can.ID{Value: 0x12345, Extended: true}, Order: xcp.Motorola},
		}
		if !slices.Equal(found, want) {
			t.Fatalf("pad %v: DetectSlaves = %+v, want %+v", pad, found, want)
		}
		var done []int64
		rs, err := can.ScanConnect(ctx, port, can.Config{CanIDMaster: 1, CanIDSlave: 2, MaxDLCRequired: pad}, 0x6FD, 0x703, 50*time.Millisecond, func(d, total int64) {
			if total != 7 {
				t.Errorf("progress total %d, want 7 identifiers", total)
			}
			done = append(done, d)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(done, want) {
			t.Errorf("progress done %v, want %v", done, want)
		}
		if len(rs) != 1 || rs[0].MasterID != (can.ID{Value: 0x701}) || rs[0].SlaveID != (can.ID{Value: 0x702}) {
			t.Fatalf("ScanConnect = %+v", rs)
		}
		if c := rs[0].Connect; c.MaxCTO != 8 || c.Order() != xcp.Intel {
			t.Errorf("ScanConnect decoded CONNECT response %+v", c)
		}
		// The slave was disconnected again: a second scan finds it again.
		rs, err = can.ScanConnect(ctx, port, can.Config{CanIDMaster: 1, CanIDSlave: 2}, 0x701, 0x701, 200*time.Millisecond, nil)
		if err != nil || len(rs) != 1 {
			t.Fatalf("second ScanConnect = %+v, %v", rs, err)
		}
		port.Close()
	}
}

func TestScanErrors(t *testing.T) {
	bus := virtual.New(virtual.Config{Name: "e"})
	p := bus.Open()
	defer p.Close()
	ctx := context.Background()
	if _, err := can.DetectSlaves(ctx, p, can.Config{}, 0x40000000, time.Millisecond); err == nil {
		t.Error("DetectSlaves with an invalid broadcast id accepted")
	}
	if _, err := can.DetectSlaves(ctx, p, can.Config{BRS: true}, 0x100, time.Millisecond); err == nil {
		t.Error("DetectSlaves with brs but no fd accepted")
	}
	if _, err := can.ScanConnect(ctx, p, can.Config{CanIDMaster: 1, CanIDSlave: 2}, 0x700, 0x80000800, time.Millisecond, nil); err == nil {
		t.Error("mixed 11/29-bit range accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := can.ScanConnect(cctx, p, can.Config{CanIDMaster: 1, CanIDSlave: 2}, 0x700, 0x7FF, time.Second, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
}

func FuzzDecodeSlaveID(f *testing.F) {
	f.Add([]byte{0xFF, 'X', 'C', 'P', 0x01, 0x07, 0, 0})
	f.Add([]byte{0xFF, 'X', 'C', 'P', 0x80, 0x01, 0x23, 0x45})
	f.Add([]byte{0xFF, 0xA7, 0xBC, 0xAF, 0, 0, 0, 0})
	f.Add([]byte{0xFF, 'X'})
	f.Fuzz(func(t *testing.T, p []byte) {
		s, err := can.DecodeSlaveID(can.ID{Value: 1}, p)
		if err == nil {
			if _, err := can.ParseID(s.CmdID.Raw()); err != nil {
				t.Fatalf("accepted invalid identifier %v", s.CmdID)
			}
		}
	})
}
