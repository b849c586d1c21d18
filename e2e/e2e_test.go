package e2e

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/transporttest"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" { // re-executed as the simulator process (transports_test.go)
		os.Exit(runChildSim(spec))
	}
	goleak.VerifyTestMain(m)
}

// serveSim starts a simulator on a loopback listener and returns the
// configuration to dial it and a function that stops it.
func serveSim(tb testing.TB, proto, host string, cfg sim.Config) (eth.Config, func()) {
	tb.Helper()
	slave, err := sim.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ipv6 := host == "::1"
	network := proto + "4"
	if ipv6 {
		network = proto + "6"
	}
	l, err := eth.Listen(network, net.JoinHostPort(host, "0"))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept(ctx)
			if err != nil {
				return
			}
			wg.Go(func() { slave.Serve(ctx, c) })
		}
	})
	port := netip.MustParseAddrPort(l.Addr().String()).Port()
	return eth.Config{Protocol: proto, Host: host, Port: int(port), IPv6: ipv6}, func() {
		cancel()
		l.Close()
		wg.Wait()
	}
}

// connect dials the simulator and sends CONNECT.
func connect(tb testing.TB, ec eth.Config) *master.Master {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := eth.Dial(ctx, ec)
	if err != nil {
		tb.Fatal(err)
	}
	m := master.New(conn, master.Config{})
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	return m
}

func TestMasterSimOverEthernet(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		for _, ipv6 := range []bool{false, true} {
			name := proto + "4"
			if ipv6 {
				name = proto + "6"
			}
			t.Run(name, func(t *testing.T) {
				host := transporttest.Loopback(t, ipv6)
				ec, stop := serveSim(t, proto, host, sim.Config{})
				defer stop()
				m := connect(t, ec)
				defer m.Close()
				ctx := context.Background()
				for range 10 {
					r, err := m.Do(ctx, xcp.GetStatus{}.Append(nil, m.Format()))
					if err != nil {
						t.Fatal(err)
					}
					var st xcp.GetStatusResponse
					if err := st.Decode(r, m.Format()); err != nil {
						t.Fatal(err)
					}
				}
				if st := m.Conn().Stats(); st.Lost != 0 || st.Garbage != 0 || st.PacketsReceived != 11 {
					t.Errorf("master stats %+v, want 11 packets, none lost", st)
				}
				if err := m.Disconnect(ctx); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestSilentSlaveOverUDPTimesOut(t *testing.T) {
	// A UDP "slave" that never answers: CONNECT ends in a timeout error
	// after bounded retries, not a hang and not a transport failure.
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx := context.Background()
	conn, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Port: pc.LocalAddr().(*net.UDPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	m := master.New(conn, master.Config{Timeouts: master.Timeouts{T1: 20 * time.Millisecond, T6: 20 * time.Millisecond}, MaxRetries: 2})
	defer m.Close()
	_, err = m.Connect(ctx, xcp.ConnectNormal)
	var te *xcp.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("CONNECT to a silent slave: %v, want *xcp.TimeoutError", err)
	}
}
