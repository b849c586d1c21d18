package eth_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openPair opens a listener and dials it; over UDP the master sends one
// packet first, which the slave receives, so that Accept has a peer.
func openPair(proto string, host string) (m, s transport.Conn, l *eth.Listener, err error) {
	ipv6 := host == "::1"
	network := proto + "4"
	if ipv6 {
		network = proto + "6"
	}
	l, err = eth.Listen(network, net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, nil, nil, err
	}
	fail := func(e error) (transport.Conn, transport.Conn, *eth.Listener, error) {
		if m != nil {
			m.Close()
		}
		l.Close()
		return nil, nil, nil, e
	}
	ap, err := netip.ParseAddrPort(l.Addr().String())
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mc, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: host, Port: int(ap.Port()), IPv6: ipv6})
	if err != nil {
		return fail(err)
	}
	m = mc
	if proto == "udp" {
		if err := m.Send(ctx, []byte{0xFF, 0x00}); err != nil {
			return fail(err)
		}
	}
	s, err = l.Accept(ctx)
	if err != nil {
		return fail(err)
	}
	if proto == "udp" {
		if p, err := s.Recv(ctx); err != nil || string(p.Data) != "\xFF\x00" {
			s.Close()
			return fail(fmt.Errorf("first datagram: % X, %v", p.Data, err))
		}
	}
	return m, s, l, nil
}

func TestConformance(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		for _, ipv6 := range []bool{false, true} {
			name := proto + "4"
			if ipv6 {
				name = proto + "6"
			}
			t.Run(name, func(t *testing.T) {
				host := transporttest.Loopback(t, ipv6)
				transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
					m, s, l, err := openPair(proto, host)
					if err != nil {
						return nil, nil, nil, err
					}
					return m, s, func() { l.Close() }, nil
				})
			})
		}
	}
}

// Both ends report the 16-bit CTR that numbers every packet: the master
// recognises stale answers by it.
func TestInfoCounterBits(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		m, s, l, err := openPair(proto, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if mb, sb := m.Info().CounterBits, s.Info().CounterBits; mb != 16 || sb != 16 {
			t.Errorf("%s: CounterBits %d (master), %d (slave), want 16", proto, mb, sb)
		}
		m.Close()
		s.Close()
		l.Close()
	}
}
