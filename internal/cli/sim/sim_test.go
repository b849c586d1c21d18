package sim

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/protocol/xcp"
	xsim "github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/eth/discovery"
	"github.com/goxcp/goxcp/transport/sxi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var dbg2 = xsim.DbgConfig{ServiceLevel: 2} // the default initial service level

func TestOptions(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{nil, Options{TCP: []string{DefaultAddr}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024, Checksum: xcp.ChecksumCRC16CITT}}, ""},
		{[]string{"--udp", "127.0.0.1:0", "--byte-order", "Motorola", "--ag", "4", "--max-cto", "8", "--max-dto", "1500"},
			Options{UDP: []string{"127.0.0.1:0"}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Motorola, AG: xcp.DWord, MaxCTO: 8, MaxDTO: 1500, Checksum: xcp.ChecksumCRC16CITT}}, ""},
		{[]string{"--tcp", ":1", "--tcp", ":2", "--udp", ":3", "--ag", "2"},
			Options{TCP: []string{":1", ":2"}, UDP: []string{":3"}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Intel, AG: xcp.Word, MaxCTO: 254, MaxDTO: 1024, Checksum: xcp.ChecksumCRC16CITT}}, ""},
		{[]string{"--protect", "cal,DAQ, pgm", "--checksum", "add_44", "--seed-len", "7", "--no-slave-block", "--no-master-block", "--max-bs", "4", "--min-st", "2", "--name", "ecu", "--id-inline", "--max-checksum-block", "256", "--ram-size", "8192"},
			Options{TCP: []string{DefaultAddr}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024, Checksum: xcp.ChecksumAdd44,
				Protect: xcp.ResCalPag | xcp.ResDaq | xcp.ResPgm, SeedLen: 7, NoSlaveBlockMode: true, NoMasterBlockMode: true, MaxBS: 4, MinST: 2,
				Name: "ecu", IDInResponse: true, MaxChecksumBlock: 256, RAMSize: 8192}}, ""},
		{[]string{"--protect", "all"}, Options{TCP: []string{DefaultAddr}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024, Checksum: xcp.ChecksumCRC16CITT, Protect: 0x3D}}, ""},
		{[]string{"--protect", "cal,foo"}, Options{}, `--protect: unknown resource "foo"`},
		{[]string{"--checksum", "md5"}, Options{}, `--checksum: unknown type "md5" (want one of XCP_ADD_11`},
		{[]string{"--seed-len", "256"}, Options{}, "--seed-len: want 1..255"},
		{[]string{"--ag", "4"}, Options{TCP: []string{DefaultAddr}, Slave: xsim.Config{Dbg: dbg2, Order: xcp.Intel, AG: xcp.DWord, MaxCTO: 252, MaxDTO: 1024, Checksum: xcp.ChecksumCRC16CITT}}, ""},
		{[]string{"--ag", "3"}, Options{}, "--ag: want 1, 2 or 4"},
		{[]string{"--byte-order", "pdp"}, Options{}, `--byte-order: want intel or motorola, got "pdp"`},
		{[]string{"--max-cto", "7"}, Options{}, "--max-cto: want 8..255, got 7"},
		{[]string{"--max-dto", "70000"}, Options{}, "--max-dto: want 8..65535, got 70000"},
		{[]string{"--max-cto-dbg", "8", "--dbg-service-level", "4", "--dbg-dap", "--dbg-halt-after-reset", "--discovery-group", "239.255.0.0:0"},
			Options{TCP: []string{DefaultAddr}, Discovery: true, DiscoveryGroup: "239.255.0.0:0", Slave: xsim.Config{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024, Checksum: xcp.ChecksumCRC16CITT,
				Dbg: xsim.DbgConfig{MaxCTODbg: 8, ServiceLevel: 4, DAP: true, HaltAfterReset: true}}}, ""},
		{[]string{"--max-cto-dbg", "7"}, Options{}, "--max-cto-dbg: want 8..65535 (0 = 1456), got 7"},
		{[]string{"--dbg-service-level", "5"}, Options{}, "--dbg-service-level: want 1..4, got 5"},
		{[]string{"--discovery", "--sxi", "pty"}, Options{}, "--discovery announces an XCP-on-Ethernet server: give --tcp or --udp too"},
		{[]string{"extra"}, Options{}, "takes no arguments"},
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
			g := *got
			g.IO, g.Log = nil, nil
			g.CANConfig, g.SxiConfig = can.Config{}, sxi.Config{} // media flags: tl_test.go
			if d := cmp.Diff(tt.want, g); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestRunListensAndStops(t *testing.T) {
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	ctx, cancel := context.WithCancel(context.Background())
	opts := &Options{IO: ios, Log: f.Logger, TCP: []string{"127.0.0.1:0"}, UDP: []string{"127.0.0.1:0"},
		Ready: func([]string) { cancel() }}
	if err := run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"listening on tcp 127.0.0.1:", "listening on udp 127.0.0.1:"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestRunBadAddress(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	err := run(context.Background(), &Options{IO: ios, Log: f.Logger, TCP: []string{"127.0.0.1:0"}, UDP: []string{"no-such-host.invalid:x"}})
	if err == nil || !strings.Contains(err.Error(), "no-such-host.invalid:x") {
		t.Fatalf("got %v", err)
	}
}

func TestRunBadSlaveConfig(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	err := run(context.Background(), &Options{IO: ios, Log: f.Logger, TCP: []string{"127.0.0.1:0"},
		Slave: xsim.Config{Dbg: dbg2, AG: xcp.DWord, MaxCTO: 255}})
	if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "MaxCTO 255") {
		t.Fatalf("got %v", err)
	}
}

// TestRunDiscovery: with --discovery the simulator answers GET_SLAVE_ID on
// the multicast group (a free port on the loopback interface here) with the
// TCP server's address.
func TestRunDiscovery(t *testing.T) {
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		slaves []discovery.Slave
		derr   error
	)
	opts := &Options{IO: ios, Log: f.Logger, TCP: []string{"127.0.0.1:0"}, Discovery: true, DiscoveryGroup: "239.255.0.0:0",
		Ready: func(addrs []string) {
			defer cancel()
			var group, server string
			for _, a := range addrs {
				if g, ok := strings.CutPrefix(a, "discovery "); ok {
					group = g
				} else if s, ok := strings.CutPrefix(a, "tcp "); ok {
					server = s
				}
			}
			lo := ""
			ifs, _ := net.Interfaces()
			for _, ifi := range ifs {
				if ifi.Flags&net.FlagLoopback != 0 && ifi.Flags&net.FlagUp != 0 {
					lo = ifi.Name
				}
			}
			slaves, derr = discovery.Discover(ctx, discovery.Config{Group: group, Interface: lo, Wait: 300 * time.Millisecond})
			if derr == nil && (len(slaves) != 1 || netip.AddrPortFrom(slaves[0].Addr, slaves[0].Port).String() != server || slaves[0].Protocol != "tcp") {
				derr = fmt.Errorf("answers %+v, want one for tcp %s", slaves, server)
			}
		}}
	if err := run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if derr != nil {
		t.Fatal(derr)
	}
	if !strings.Contains(out.String(), "listening on discovery 239.255.0.0:") {
		t.Errorf("output lacks the discovery group:\n%s", out)
	}
}
