package can_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		raw  uint32
		want can.ID
		ok   bool
	}{
		{0x7E1, can.ID{Value: 0x7E1}, true},
		{0x80000123, can.ID{Value: 0x123, Extended: true}, true},
		{0x12345, can.ID{Value: 0x12345, Extended: true}, true},
		{0x9FFFFFFF, can.ID{Value: 0x1FFFFFFF, Extended: true}, true},
		{0x20000000, can.ID{}, false},
	}
	for _, tt := range tests {
		got, err := can.ParseID(tt.raw)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseID(%#x) = %v, %v", tt.raw, got, err)
		}
		if tt.ok && tt.raw&can.ExtendedFlag != 0 && got.Raw() != tt.raw {
			t.Errorf("Raw() = %#x, want %#x", got.Raw(), tt.raw)
		}
	}
}

func TestFDLengths(t *testing.T) {
	for n, want := range map[int]int{0: 0, 8: 8, 9: 12, 13: 16, 21: 24, 25: 32, 33: 48, 49: 64, 64: 64, 65: -1} {
		if got := can.FDLen(n); got != want {
			t.Errorf("FDLen(%d) = %d, want %d", n, got, want)
		}
	}
	for dlc := uint8(0); dlc <= 15; dlc++ {
		n, _ := can.DLCToLen(dlc, true)
		back, err := can.LenToDLC(n)
		if err != nil || back != dlc {
			t.Errorf("DLC %d -> %d -> %d %v", dlc, n, back, err)
		}
	}
	if n, _ := can.DLCToLen(12, false); n != 8 {
		t.Errorf("classic DLC 12 = %d bytes, want 8", n)
	}
	if err := (can.Frame{FD: true, Len: 10}).Validate(); err == nil {
		t.Error("FD length 10 accepted")
	}
	if err := (can.Frame{ID: 0x800}).Validate(); err == nil {
		t.Error("standard id 0x800 accepted")
	}
	if s := (can.Frame{ID: 0x7E1, Len: 2, Data: [64]byte{0xFF, 0x01}}).String(); s != "7E1#FF01" {
		t.Errorf("String() = %q", s)
	}
}

func pair(t *testing.T, cfg can.Config) (m, s *can.Conn, bus *virtual.Bus) {
	t.Helper()
	bus = virtual.New(virtual.Config{Name: "test", Queue: 64})
	var err error
	if m, err = can.NewConn(bus.Open(), cfg, can.Master); err != nil {
		t.Fatal(err)
	}
	if s, err = can.NewConn(bus.Open(), cfg, can.Slave); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s, bus
}

func TestConnFramesAndPadding(t *testing.T) {
	tests := []struct {
		name    string
		cfg     can.Config
		pkt     []byte
		wantLen int
	}{
		{"classic", can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1}, []byte{0xFF, 0x00}, 2},
		{"classic padded", can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1, MaxDLCRequired: true, PaddingValue: 0xCC}, []byte{0xFF, 0x00}, 8},
		{"fd step", can.Config{CanIDMaster: 0x80000100, CanIDSlave: 0x80000101, FD: true, BRS: true, PaddingValue: 0x55}, bytes.Repeat([]byte{1}, 13), 16},
		{"fd padded", can.Config{CanIDMaster: 0x100, CanIDSlave: 0x101, FD: true, MaxDLCRequired: true}, []byte{0xF5, 4}, 64},
		{"fd max 32", can.Config{CanIDMaster: 0x100, CanIDSlave: 0x101, FD: true, MaxFDLen: 32, MaxDLCRequired: true}, []byte{0xF5, 4}, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := virtual.New(virtual.Config{Name: "t", Queue: 16})
			spy := bus.Open()
			m, err := can.NewConn(bus.Open(), tt.cfg, can.Master)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			defer spy.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := m.Send(ctx, tt.pkt); err != nil {
				t.Fatal(err)
			}
			f, err := spy.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := can.ParseID(tt.cfg.CanIDMaster)
			if f.Key() != id || int(f.Len) != tt.wantLen || f.FD != tt.cfg.FD || f.BRS != tt.cfg.BRS {
				t.Fatalf("frame %v", f)
			}
			if !bytes.Equal(f.Payload()[:len(tt.pkt)], tt.pkt) {
				t.Fatalf("payload %v", f)
			}
			for _, c := range f.Payload()[len(tt.pkt):] {
				if c != tt.cfg.PaddingValue {
					t.Fatalf("padding %v", f)
				}
			}
			if err := m.Send(ctx, make([]byte, tt.cfg.MaxPacket()+1)); err == nil {
				t.Fatal("oversized packet accepted")
			}
		})
	}
}

func TestConnRoundTripAndDaqIDs(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1, CanIDBroadcast: 0x7DF}
	m, s, bus := pair(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := m.Send(ctx, []byte{0xFF, 0x00}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Recv(ctx)
	if err != nil || !bytes.Equal(p.Data, []byte{0xFF, 0x00}) {
		t.Fatalf("% X %v", p.Data, err)
	}
	if err := m.SendBroadcast(ctx, []byte{0xF2, 0xFF, 'X', 'C', 'P', 0}); err != nil {
		t.Fatal(err)
	}
	if p, err = s.Recv(ctx); err != nil || p.Data[0] != 0xF2 {
		t.Fatalf("broadcast: % X %v", p.Data, err)
	}
	// Other traffic is ignored; a DAQ-list id is accepted once added.
	other := bus.Open()
	defer other.Close()
	other.Send(ctx, can.Frame{ID: 0x333, Len: 1})
	daqID, _ := can.ParseID(0x400)
	if err := s.SendOn(ctx, daqID, []byte{0x00, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := m.AddReceiveIDs(0x400); err != nil {
		t.Fatal(err)
	}
	if err := s.SendOn(ctx, daqID, []byte{0x01, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if p, err = m.Recv(ctx); err != nil || p.Data[0] != 0x01 {
		t.Fatalf("daq id: % X %v", p.Data, err)
	}
}

func TestConnCloseAndCancel(t *testing.T) {
	m, _, _ := pair(t, can.Config{CanIDMaster: 1, CanIDSlave: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	m.Close()
	if _, err := m.Recv(context.Background()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err %v", err)
	}
	if err := m.Send(context.Background(), []byte{1}); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []can.Config{
		{CanIDMaster: 5, CanIDSlave: 5},
		{CanIDMaster: 0x20000000, CanIDSlave: 1},
		{CanIDMaster: 1, CanIDSlave: 2, BRS: true},
		{CanIDMaster: 1, CanIDSlave: 2, FD: true, MaxFDLen: 10},
		{CanIDMaster: 1, CanIDSlave: 2, DaqIdentifiers: []uint32{0x30000000}},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
