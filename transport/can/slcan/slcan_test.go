package slcan_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/slcan"
	"github.com/goxcp/goxcp/transport/can/virtual"
	"github.com/goxcp/goxcp/transport/sxi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLinesGolden(t *testing.T) {
	tests := []struct {
		f    can.Frame
		line string
	}{
		{can.Frame{ID: 0x7E1, Len: 2, Data: [64]byte{0xFF, 0x01}}, "t7E12FF01"},
		{can.Frame{ID: 0x1ABCDEF, Extended: true, Len: 1, Data: [64]byte{0xA5}}, "T01ABCDEF1A5"},
		{can.Frame{ID: 0x100, FD: true, Len: 12}, "d1009000000000000000000000000"},
		{can.Frame{ID: 0x100, FD: true, BRS: true, Extended: true, Len: 0}, "B000001000"},
	}
	for _, tt := range tests {
		got, err := slcan.AppendFrame(nil, tt.f)
		if err != nil || string(got) != tt.line {
			t.Errorf("%v: %q %v, want %q", tt.f, got, err, tt.line)
		}
		f, err := slcan.ParseFrame([]byte(tt.line))
		if err != nil || f != tt.f {
			t.Errorf("%q: %v %v", tt.line, f, err)
		}
	}
	// timestamps appended by some adapters are accepted; remote frames have no data
	if f, err := slcan.ParseFrame([]byte("t1231AA1234")); err != nil || f.Len != 1 || f.Data[0] != 0xAA {
		t.Errorf("timestamped line: %v %v", f, err)
	}
	if f, err := slcan.ParseFrame([]byte("r1238")); err != nil || f.Len != 0 {
		t.Errorf("remote frame: %v %v", f, err)
	}
	for _, bad := range []string{"", "x123", "t12", "t12G1AA", "t1239" + "00", "t1232AA", "t1231ZZ", "d1009AA", "T2000000010"} {
		if _, err := slcan.ParseFrame([]byte(bad)); !errors.Is(err, slcan.ErrLine) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, s := range []string{"t7E12FF01", "T01ABCDEF1A5", "d1009000000000000000000000000", "r1238", "b1000", "t1231AA1234"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fr, err := slcan.ParseFrame(line)
		if err != nil {
			return
		}
		if fr.Validate() != nil {
			t.Fatalf("invalid frame from %q", line)
		}
		again, err := slcan.AppendFrame(nil, fr)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := slcan.ParseFrame(again); err != nil || back != fr {
			t.Fatalf("%q -> %v -> %q", line, fr, again)
		}
	})
}

// TestAdapterOverPTY runs an XCP-on-CAN master through an slcan adapter
// (the emulator on the far side of a pseudo-terminal, bridged to a virtual
// bus) to a slave-side Conn on that bus, in classic and FD mode.
func TestAdapterOverPTY(t *testing.T) {
	for _, fd := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "fd"}[fd], func(t *testing.T) {
			p, err := sxi.OpenPTY()
			if err != nil {
				t.Skip(err)
			}
			defer p.Close()
			vbus := virtual.New(virtual.Config{Name: "pty", Queue: 64})
			ctx, cancel := context.WithCancel(context.Background())
			emu := slcan.NewEmulator(p.Master, vbus.Open())
			served := make(chan error, 1)
			go func() { served <- emu.Serve(ctx) }()
			defer func() { cancel(); <-served }()

			cfg := can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1, FD: fd, BRS: fd}
			sc := slcan.Config{Port: p.TTYPath, Bitrate: 500000}
			if fd {
				sc.DataBitrate = 2000000
			}
			tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
			defer tcancel()
			bus, err := slcan.Open(tctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			m, err := can.NewConn(bus, cfg, can.Master)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			s, err := can.NewConn(vbus.Open(), cfg, can.Slave)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			pkt := []byte{0xF5, 0x04}
			if fd {
				pkt = bytes.Repeat([]byte{0x5A}, 40)
			}
			if err := m.Send(tctx, pkt); err != nil {
				t.Fatal(err)
			}
			got, err := s.Recv(tctx)
			if err != nil || !bytes.Equal(got.Data[:len(pkt)], pkt) {
				t.Fatalf("slave got % X %v", got.Data, err)
			}
			if err := s.Send(tctx, []byte{0xFF, 1, 2, 3}); err != nil {
				t.Fatal(err)
			}
			got, err = m.Recv(tctx)
			if err != nil || !bytes.Equal(got.Data[:4], []byte{0xFF, 1, 2, 3}) {
				t.Fatalf("master got % X %v", got.Data, err)
			}
		})
	}
}

func TestSetupErrors(t *testing.T) {
	if _, err := slcan.BitrateCode(333333); err == nil {
		t.Error("odd bitrate accepted")
	}
	if _, err := slcan.Open(context.Background(), slcan.Config{}); err == nil {
		t.Error("missing port accepted")
	}
	if _, err := slcan.Open(context.Background(), slcan.Config{Port: "/nonexistent/ttyACM9"}); err == nil {
		t.Error("missing device accepted")
	}
}

func TestErrorFrameNotSent(t *testing.T) {
	_, err := slcan.AppendFrame(nil, can.ErrorFrame(can.ErrClassBusOff, [8]byte{}))
	if err == nil || !strings.Contains(err.Error(), "cannot be sent") {
		t.Fatalf("error frame encoded for slcan: %v", err)
	}
}
