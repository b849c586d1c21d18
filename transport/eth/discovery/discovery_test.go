package discovery_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth/discovery"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func loName(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 && ifi.Flags&net.FlagUp != 0 {
			return ifi.Name
		}
	}
	t.Skip("no loopback interface")
	return ""
}

// serve runs ServeDiscovery of a simulator on the loopback interface on
// group (port 0: a free port) and returns the group address joined.
func serve(t *testing.T, s *sim.Slave, group string, served netip.AddrPort, proto string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *net.UDPAddr, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.ServeDiscovery(ctx, sim.DiscoveryConfig{Group: group, Served: served, Protocol: proto,
			Ready: func(a *net.UDPAddr) { ready <- a }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeDiscovery: %v", err)
		}
	})
	select {
	case a := <-ready:
		return a.String()
	case err := <-done:
		t.Fatalf("ServeDiscovery: %v", err)
	}
	return ""
}

func TestDiscoverSimulators(t *testing.T) {
	lo := loName(t)
	a, _ := sim.New(sim.Config{Name: "ecu-a"})
	b, _ := sim.New(sim.Config{Name: "ecu-b"})
	group := serve(t, a, "239.255.0.0:0", netip.MustParseAddrPort("127.0.0.1:5555"), "tcp")
	// A second slave on the same group and port (SO_REUSEADDR).
	gb := serve(t, b, group, netip.MustParseAddrPort("127.0.0.1:6000"), "udp")
	if gb != group {
		t.Fatalf("second slave on %s, want %s", gb, group)
	}
	for _, ext := range []bool{false, true} {
		got, err := discovery.Discover(context.Background(), discovery.Config{Group: group, Interface: lo, Wait: 300 * time.Millisecond, Extended: ext})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("extended=%v: %d answers: %+v", ext, len(got), got)
		}
		wantMAC := ""
		if ext {
			wantMAC = "02:00:00:00:00:01"
		}
		for i, w := range []struct {
			port  uint16
			proto string
			id    string
		}{{5555, "tcp", "ecu-a"}, {6000, "udp", "ecu-b"}} {
			g := got[i]
			if g.Addr != netip.MustParseAddr("127.0.0.1") || g.Port != w.port || g.Protocol != w.proto || g.ID != w.id ||
				g.Busy || g.Extended == ext || g.MAC != wantMAC || g.Interface != lo || g.Resource&xcp.ResPgm == 0 {
				t.Errorf("extended=%v answer %d: %+v", ext, i, g)
			}
		}
	}
}

func TestSetIP(t *testing.T) {
	lo := loName(t)
	s, _ := sim.New(sim.Config{})
	group := serve(t, s, "239.255.0.0:0", netip.MustParseAddrPort("127.0.0.1:5555"), "tcp")
	cfg := discovery.Config{Group: group, Interface: lo, Wait: 300 * time.Millisecond}
	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	res, err := discovery.SetIP(context.Background(), cfg, mac, netip.MustParseAddr("10.1.2.3"))
	if err != nil || len(res) != 1 || res[0].MAC != "02:00:00:00:00:01" || res[0].Status != 0 {
		t.Fatalf("SetIP: %+v, %v", res, err)
	}
	got, err := discovery.Discover(context.Background(), cfg)
	if err != nil || len(got) != 1 || got[0].Addr != netip.MustParseAddr("10.1.2.3") || got[0].Port != 5555 {
		t.Fatalf("after SET_SLAVE_IP_ADDRESS: %+v, %v", got, err)
	}
	other, _ := net.ParseMAC("02:00:00:00:00:02")
	if _, err := discovery.SetIP(context.Background(), cfg, other, netip.MustParseAddr("10.1.2.4")); !errors.Is(err, discovery.ErrNoAnswer) {
		t.Fatalf("other MAC: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		cfg  discovery.Config
		want string
	}{
		{discovery.Config{Group: "10.0.0.1:5556"}, "discovery: group 10.0.0.1 is not an IPv4 multicast address"},
		{discovery.Config{Group: "239.255.0.0"}, `discovery: group "239.255.0.0": want IPv4:PORT`},
		{discovery.Config{Interface: "nonexistent0"}, `discovery: interface "nonexistent0" not found or without IPv4 address`},
	} {
		if _, err := discovery.Discover(ctx, tc.cfg); err == nil || len(err.Error()) < len(tc.want) || err.Error()[:len(tc.want)] != tc.want {
			t.Errorf("%+v: got %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := discovery.SetIP(ctx, discovery.Config{}, net.HardwareAddr{1, 2}, netip.MustParseAddr("1.2.3.4")); err == nil {
		t.Error("short MAC accepted")
	}
	// An answer within the wait of a cancelled context returns the cancellation.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := discovery.Discover(cctx, discovery.Config{Interface: loName(t), Wait: time.Second}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// A slave with a connected master answers "busy".
func TestBusy(t *testing.T) {
	lo := loName(t)
	s, _ := sim.New(sim.Config{})
	group := serve(t, s, "239.255.0.0:0", netip.MustParseAddrPort("127.0.0.1:5555"), "tcp")
	mc, sc := memconn.Pipe(16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, sc) }()
	m := master.New(mc, master.Config{})
	defer func() {
		m.Close()
		cancel()
		<-done
	}()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	got, err := discovery.Discover(ctx, discovery.Config{Group: group, Interface: lo, Wait: 200 * time.Millisecond})
	if err != nil || len(got) != 1 || !got[0].Busy {
		t.Fatalf("%+v, %v", got, err)
	}
}
