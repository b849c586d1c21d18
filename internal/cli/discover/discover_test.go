package discover

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/transport/eth/discovery"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		err  string
		chk  func(*Options) bool
	}{
		{nil, "", func(o *Options) bool {
			return o.Config.Group == "239.255.0.0:5556" && o.Config.Wait == time.Second && !o.SetIP.IsValid()
		}},
		{[]string{"--extended", "--wait", "3s", "--interface", "lo", "--json"}, "", func(o *Options) bool {
			return o.Config.Extended && o.Config.Wait == 3*time.Second && o.Config.Interface == "lo" && o.JSON
		}},
		{[]string{"--set-ip", "10.0.0.2", "--mac", "02-00-00-00-00-09"}, "", func(o *Options) bool {
			return o.SetIP.String() == "10.0.0.2" && o.MAC.String() == "02:00:00:00:00:09"
		}},
		{[]string{"--set-ip", "10.0.0.2"}, "--set-ip and --mac go together", nil},
		{[]string{"--set-ip", "::1", "--mac", "02:00:00:00:00:01"}, "--set-ip: not an IPv4 address", nil},
		{[]string{"--set-ip", "10.0.0.2", "--mac", "02:00"}, "--mac: not a 6-byte MAC address", nil},
		{[]string{"--wait", "0s"}, "--wait must be positive", nil},
		{[]string{"extra"}, "", nil},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.chk == nil {
				clitest.WantUsageError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.chk(got) {
				t.Errorf("options %+v", *got)
			}
		})
	}
}

// `xcp --sim discovery`: the embedded simulator answers on the loopback
// interface; its XCP server address is announced.
func TestSim(t *testing.T) {
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	log := func() *slog.Logger { return slog.New(slog.DiscardHandler) }
	opts := &Options{IO: ios, Printer: f.Printer, Log: log, Sim: true, JSON: true,
		Config: discovery.Config{Group: "239.255.0.0:5556", Wait: 300 * time.Millisecond, Extended: true}}
	if err := run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var got []slaveJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 1 || got[0].Addr.String() != "127.0.0.1" || got[0].Port == 0 || got[0].ID != "goxcp-sim" || got[0].MAC != "02:00:00:00:00:01" ||
		!strings.Contains(got[0].Resource, "DAQ") {
		t.Fatalf("answers %+v", got)
	}
	if errOut.String() != "1 slave(s) answered within 300ms\n" {
		t.Errorf("stderr %q", errOut)
	}

	out.Reset()
	opts.JSON = false
	opts.SetIP, opts.MAC = mustIP("10.0.0.7"), mustMAC("02:00:00:00:00:01")
	if err := run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "02:00:00:00:00:01") {
		t.Errorf("set-ip table:\n%s", out)
	}
	opts.MAC = mustMAC("02:00:00:00:00:05")
	if err := run(context.Background(), opts); !errors.Is(err, discovery.ErrNoAnswer) {
		t.Errorf("unknown MAC: %v", err)
	}
}

func mustIP(s string) netip.Addr { return netip.MustParseAddr(s) }

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}
