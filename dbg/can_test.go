package dbg

import (
	"bytes"
	"context"
	"testing"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// SW-DBG over XCP on CAN (virtual bus, classic 8-byte frames, padded to
// DLC 8): MAX_CTO_DBG 8 selects the CAN command set end to end.
func TestOverCAN(t *testing.T) {
	for _, pad := range []bool{false, true} {
		bus := virtual.New(virtual.Config{Name: "dbg-test", Queue: 256})
		cfg := can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1, MaxDLCRequired: pad, PaddingValue: 0xCC}
		mc, err := can.NewConn(bus.Open(), cfg, can.Master)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := can.NewConn(bus.Open(), cfg, can.Slave)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sim.New(sim.Config{Order: xcp.Motorola, MaxCTO: 8, MaxDTO: 8, Dbg: fast(sim.DbgConfig{MaxCTODbg: 8})})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = s.Serve(ctx, sc); close(done) }()
		m := master.New(mc, master.Config{})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			t.Fatal(err)
		}
		d, err := Attach(ctx, m, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if d.MaxCTODbg() != 8 {
			t.Fatalf("MAX_CTO_DBG %d", d.MaxCTODbg())
		}
		data := randBytes(64, 5)
		if err := d.Write(ctx, 0, swdbg.EWWord, 0x70000010, data); err != nil {
			t.Fatal(err)
		}
		got, err := d.Read(ctx, 0, swdbg.EWWord, 0x70000010, 32)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("pad %v: read back % X, %v", pad, got, err)
		}
		pins, err := d.HWIOInfo(ctx)
		if err != nil || len(pins) != 4 {
			t.Fatalf("pad %v: pins %v %v", pad, pins, err)
		}
		st, err := d.HWIOControl(ctx, []swdbg.PinControl{{Index: 3, State: swdbg.StateUnchanged}})
		if err != nil || len(st) != 1 || st[0] != swdbg.StateHigh {
			t.Fatalf("pad %v: Vref %v %v", pad, st, err)
		}
		d.Close()
		m.Close()
		cancel()
		<-done
	}
}
