package eth_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

// TestUDPManyMastersConcurrently runs several masters against one UDP
// listener at once: each slave-side connection echoes what it receives,
// and every master must get exactly its own packets back, in order. The
// connections take turns reading the shared socket and hand each other's
// datagrams over, and Accept keeps finding new masters meanwhile.
func TestUDPManyMastersConcurrently(t *testing.T) {
	ctx := testCtx(t)
	l, err := eth.Listen("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.UDPAddr).Port

	var slaves sync.WaitGroup
	slaves.Go(func() {
		for {
			s, err := l.Accept(ctx)
			if err != nil {
				return
			}
			slaves.Go(func() {
				defer s.Close()
				for {
					p, err := s.Recv(ctx)
					if err != nil {
						return
					}
					if err := s.Send(ctx, p.Data); err != nil {
						return
					}
				}
			})
		}
	})

	const masters, rounds, window = 6, 200, 8
	var wg sync.WaitGroup
	errc := make(chan error, masters)
	for i := range masters {
		wg.Go(func() {
			m, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Port: port})
			if err != nil {
				errc <- err
				return
			}
			defer m.Close()
			pkt := func(seq int) []byte { return []byte{0xFF, byte(i), byte(seq), byte(seq >> 8)} }
			// A window of packets in flight exercises the queues.
			for r := 0; r < rounds; r += window {
				for k := range window {
					if err := m.Send(ctx, pkt(r+k)); err != nil {
						errc <- err
						return
					}
				}
				for k := range window {
					p, err := m.Recv(ctx)
					if err != nil {
						errc <- err
						return
					}
					if !bytes.Equal(p.Data, pkt(r+k)) {
						t.Errorf("master %d: got % X, want % X", i, p.Data, pkt(r+k))
						return
					}
				}
			}
			if st := m.Stats(); st.Lost != 0 || st.PacketsReceived != rounds {
				t.Errorf("master %d: %+v", i, st)
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	l.Close()
	slaves.Wait()
}

// TestUDPAcceptWhileConnectionIdle: a connection that was accepted but is
// not receiving must not keep Accept from seeing a new master.
func TestUDPAcceptWhileConnectionIdle(t *testing.T) {
	ctx := testCtx(t)
	l, err := eth.Listen("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.UDPAddr).Port
	var conns, masters []transport.Conn
	for i := range 3 {
		m, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Port: port})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		masters = append(masters, m)
		if err := m.Send(ctx, []byte{0xFF, byte(i)}); err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		conns = append(conns, s)
	}
	// Every connection got its master's first datagram.
	for i, s := range conns {
		p, err := s.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Data, []byte{0xFF, byte(i)}) {
			t.Errorf("connection %d got % X", i, p.Data)
		}
	}
	// After its connection is closed, master 0 is a new master for
	// Accept, found while connection 1 is receiving (it reads the socket
	// and hands the datagram over) ...
	conns[0].Close()
	actx, cancel := context.WithCancel(ctx)
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		conns[1].Recv(actx)
	}()
	if err := masters[0].Send(ctx, []byte{0xFF, 9}); err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Info().Remote != masters[0].Info().Local {
		t.Errorf("accepted %s, want master 0 at %s", s.Info().Remote, masters[0].Info().Local)
	}
	cancel()
	<-recvDone
	// ... and a brand-new master while no connection is receiving.
	c, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(ctx, []byte{0xFF, 10}); err != nil {
		t.Fatal(err)
	}
	s2, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Info().Remote != c.Info().Local {
		t.Errorf("accepted %s, want %s", s2.Info().Remote, c.Info().Local)
	}
}
