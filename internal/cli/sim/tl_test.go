package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	xsim "github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/udpbus"
	"github.com/goxcp/goxcp/transport/sxi"
)

func TestMediaOptions(t *testing.T) {
	tests := []struct {
		args     []string
		can      []CANSpec
		sxi      []string
		cto, dto int
		canCfg   can.Config
		wantErr  string
	}{
		{args: []string{"--can", "udp"}, can: []CANSpec{{Interface: "udp"}}, cto: 8, dto: 8,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}},
		{args: []string{"--can", "udpmcast:239.1.2.3:4000", "--fd", "--can-id-master", "0x80000701", "--can-id-slave", "0x702", "--max-dlc-required", "--padding-value", "0xAA"},
			can: []CANSpec{{Interface: "udp", Channel: "239.1.2.3:4000"}}, cto: 64, dto: 64,
			canCfg: can.Config{CanIDMaster: 0x80000701, CanIDSlave: 0x702, CanIDBroadcast: 0x100, FD: true, MaxDLCRequired: true, PaddingValue: 0xAA}},
		{args: []string{"--can", "udp", "--max-dto", "8", "--fd", "--max-can-fd-dlc", "16"}, can: []CANSpec{{Interface: "udp"}}, cto: 16, dto: 8,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100, FD: true, MaxFDLen: 16}},
		{args: []string{"--sxi", "pty", "--header-format", "LEN_BYTE"}, sxi: []string{"pty"}, cto: 255, dto: 255,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}},
		{args: []string{"--can", "virtual"}, wantErr: "exist only inside one program"},
		{args: []string{"--can", "pcan"}, wantErr: `unknown interface "pcan"`},
		{args: []string{"--can", "udp", "--can-id-slave", "0x101"}, wantErr: "--can: can: can_id_master and can_id_slave are both 0x101"},
		{args: []string{"--can-id-master", "zz"}, wantErr: `--can-id-master: not a CAN identifier (decimal or 0x hex): "zz"`},
		{args: []string{"--sxi", "pty", "--tail-format", "CRC"}, wantErr: "--header-format/--tail-format"},
		{args: []string{"--sxi", "pty", "--parity", "Q"}, wantErr: "--bitrate/--parity/--stopbits"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.wantErr != "" {
				clitest.WantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.can, got.CAN); d != "" {
				t.Errorf("CAN (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.sxi, got.SxI); d != "" {
				t.Errorf("SxI (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.canCfg, got.CANConfig); d != "" {
				t.Errorf("CANConfig (-want +got):\n%s", d)
			}
			if got.Slave.MaxCTO != tt.cto || got.Slave.MaxDTO != tt.dto {
				t.Errorf("MAX_CTO/DTO = %d/%d, want %d/%d", got.Slave.MaxCTO, got.Slave.MaxDTO, tt.cto, tt.dto)
			}
			if len(got.TCP) != 0 {
				t.Errorf("TCP = %v: no default TCP listener with CAN/SxI media", got.TCP)
			}
		})
	}
}

// TestRunServesCANAndSxI runs `xcp sim --can udp:GROUP --sxi pty` and
// talks to it as a master over both media.
func TestRunServesCANAndSxI(t *testing.T) {
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	group := "239.74.67.77:43277"
	cc := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan []string, 1)
	opts := &Options{IO: ios, Log: f.Logger, Slave: xsim.Config{MaxCTO: 8, MaxDTO: 8},
		CAN: []CANSpec{{Interface: "udp", Channel: group}}, CANConfig: cc,
		SxI: []string{"pty"}, SxiConfig: sxi.Config{HeaderFormat: "HEADER_LEN_BYTE", TailFormat: "CHECKSUM_BYTE"},
		Ready: func(a []string) { ready <- a }}
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts) }()
	var addrs []string
	select {
	case addrs = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	var tty string
	for _, a := range addrs {
		if p, ok := strings.CutPrefix(a, "sxi "); ok {
			tty, _, _ = strings.Cut(p, " ")
		}
	}
	if tty == "" || !strings.Contains(out.String(), "can udp multicast "+group) {
		t.Fatalf("addresses %q, output %s", addrs, out)
	}
	tctx, tcancel := context.WithTimeout(ctx, 10*time.Second)
	defer tcancel()
	port, err := udpbus.Open(context.Background(), udpbus.Config{Group: group})
	if err != nil {
		t.Fatal(err)
	}
	cconn, err := can.NewConn(port, cc, can.Master)
	if err != nil {
		t.Fatal(err)
	}
	sconn, err := sxi.Dial(tctx, sxi.Config{Port: tty, HeaderFormat: "HEADER_LEN_BYTE", TailFormat: "CHECKSUM_BYTE"})
	if err != nil {
		t.Fatal(err)
	}
	for _, conn := range []transport.Conn{cconn, sconn} {
		m := master.New(conn, master.Config{})
		r, err := m.Connect(tctx, xcp.ConnectNormal)
		if err != nil || r.MaxCTO != 8 {
			t.Fatalf("%s: CONNECT %+v %v", conn.Info().Kind, r, err)
		}
		if _, err := m.Read(tctx, 0x20000, 0, 40); err != nil {
			t.Fatalf("%s: %v", conn.Info().Kind, err)
		}
		m.Disconnect(tctx)
		m.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
