package connect_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/sxi"
)

// Serve a simulated ECU on TCP and UDP of the loopback address (free
// ports), then open a session to it from settings as to a real ECU.
func ExampleServe() {
	ctx := context.Background()
	slave, err := sim.New(sim.Config{Name: "bench-ecu"})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := connect.Serve(ctx, slave, connect.ServeConfig{TCP: []string{"127.0.0.1:0"}, UDP: []string{"127.0.0.1:0"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	for _, a := range srv.Addrs() {
		network, addr, _ := strings.Cut(a, " ")
		host, _, _ := net.SplitHostPort(addr)
		fmt.Println("serving on", network, host)
	}

	c := config.Default()
	_, port, _ := net.SplitHostPort(strings.Fields(srv.Addrs()[0])[1])
	c.Transport.Eth.Host = "127.0.0.1"
	fmt.Sscan(port, &c.Transport.Eth.Port)
	s, err := connect.Open(ctx, c, connect.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	id, err := s.GetID(ctx, xcp.IDASCII)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("connected to %s\n", id)
	// Output:
	// serving on tcp 127.0.0.1
	// serving on udp 127.0.0.1
	// connected to bench-ecu
}

func TestServeErrors(t *testing.T) {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  connect.ServeConfig
		want string
	}{
		{connect.ServeConfig{TCP: []string{"127.0.0.1:0"}, UDP: []string{"no-such-host.invalid:x"}}, "no-such-host.invalid"},
		{connect.ServeConfig{Discovery: true}, "serve on TCP or UDP too"},
		{connect.ServeConfig{TCP: []string{"127.0.0.1:0"}, SxI: []string{"pty"}, SxiConfig: config.Default().Transport.Sxi}, ""},
	} {
		srv, err := connect.Serve(context.Background(), slave, c.cfg)
		if c.want == "" {
			if err != nil {
				if strings.Contains(err.Error(), "not supported") || strings.Contains(err.Error(), "pty") {
					t.Skipf("no pseudo-terminal here: %v", err)
				}
				t.Fatal(err)
			}
			if got := srv.Addrs(); len(got) != 2 || !strings.HasPrefix(got[1], "sxi /dev/") {
				t.Errorf("addresses %q", got)
			}
			if err := srv.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
			if err == nil {
				srv.Close()
			}
		}
	}
}

func TestServeDiscovery(t *testing.T) {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := connect.Serve(context.Background(), slave, connect.ServeConfig{UDP: []string{"127.0.0.1:0"}, Discovery: true, DiscoveryGroup: "239.255.0.0:0"})
	if err != nil {
		t.Skipf("no multicast on loopback here: %v", err)
	}
	defer srv.Close()
	if g := srv.DiscoveryGroup(); !strings.HasPrefix(g, "239.255.0.0:") || strings.HasSuffix(g, ":0") {
		t.Errorf("group %q", g)
	}
	if srv.DiscoveryInterface() == "" {
		t.Error("no loopback interface named")
	}
	if a := srv.Addrs(); len(a) != 2 || a[1] != "discovery "+srv.DiscoveryGroup() {
		t.Errorf("addresses %q", a)
	}
}

func TestEffectiveSettings(t *testing.T) {
	c := config.Default()
	c.General.T3 = 7 * time.Second
	c.Transport.Timeout = 2 * time.Second
	eff := connect.EffectiveSettings(c)
	if e := eff["general.t1"]; e.Value != 2*time.Second || e.From != "transport.timeout" {
		t.Errorf("t1: %+v", e)
	}
	if _, ok := eff["general.t3"]; ok {
		t.Error("t3 is set but reported as effective default")
	}
	if e := eff["general.t2"]; e.Value != master.DefaultTimeouts().T2 || e.From != "default (master)" {
		t.Errorf("t2: %+v", e)
	}
	if e := eff["general.max_retries"]; e.Value != master.DefaultMaxRetries {
		t.Errorf("max_retries: %+v", e)
	}
	if e := eff["logging.level"]; e.Value != "off" {
		t.Errorf("logging.level: %+v", e)
	}
}

func TestServeConfigMaxPacket(t *testing.T) {
	sx := config.Default().Transport.Sxi
	fd := can.Config{CanIDMaster: 1, CanIDSlave: 2, FD: true}
	for _, c := range []struct {
		cfg  connect.ServeConfig
		want int
		err  string
	}{
		{connect.ServeConfig{TCP: []string{"127.0.0.1:0"}}, 0, ""},
		{connect.ServeConfig{CAN: []connect.CANMedium{{Interface: "udp"}}, CANConfig: can.Config{CanIDMaster: 1, CanIDSlave: 2}}, 8, ""},
		{connect.ServeConfig{CAN: []connect.CANMedium{{Interface: "udp"}}, CANConfig: fd}, 64, ""},
		{connect.ServeConfig{CAN: []connect.CANMedium{{Interface: "udp"}}, CANConfig: fd, SxI: []string{"pty"}, SxiConfig: sx}, 64, ""},
		{connect.ServeConfig{CAN: []connect.CANMedium{{Interface: "udp"}}, CANConfig: can.Config{CanIDMaster: 1, CanIDSlave: 1}}, 0, "can"},
		{connect.ServeConfig{SxI: []string{"pty"}, SxiConfig: sxi.Config{HeaderFormat: "HEADER_NONE"}}, 0, "HEADER_NONE"},
	} {
		got, err := c.cfg.MaxPacket()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: %v, want %q", c.cfg, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %d %v, want %d", c.cfg, got, err, c.want)
		}
	}
}
