package eth_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

func frame(ctr uint16, packet []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(len(packet)))
	b = binary.LittleEndian.AppendUint16(b, ctr)
	return append(b, packet...)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawUDPSlave is a plain UDP socket playing the slave; it learns the
// master's address from the master's first datagram.
func rawUDPSlave(t *testing.T) (conn transport.Conn, raw *net.UDPConn, master netip.AddrPort) {
	t.Helper()
	ctx := testCtx(t)
	raw, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	port := raw.LocalAddr().(*net.UDPAddr).Port
	conn, err = eth.Dial(ctx, eth.Config{Protocol: "udp", Host: "127.0.0.1", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Send(ctx, []byte{0xFF, 0x00}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, master, err := raw.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf[:n]; !bytes.Equal(got, []byte{2, 0, 0, 0, 0xFF, 0x00}) {
		t.Fatalf("CONNECT frame on the wire % X, want 02 00 00 00 FF 00", got)
	}
	return conn, raw, master
}

func TestUDPDatagrams(t *testing.T) {
	ctx := testCtx(t)
	conn, raw, master := rawUDPSlave(t)
	send := func(d []byte) {
		t.Helper()
		if _, err := raw.WriteToUDPAddrPort(d, master); err != nil {
			t.Fatal(err)
		}
	}
	recv := func(want []byte, ctr uint16) transport.Packet {
		t.Helper()
		p, err := conn.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Data, want) || p.Ctr != ctr {
			t.Fatalf("got % X ctr %d, want % X ctr %d", p.Data, p.Ctr, want, ctr)
		}
		return p
	}
	// Three packets in one datagram share one receive time.
	send(append(append(frame(0, []byte{0xFF, 1}), frame(1, []byte{0x00, 2, 3})...), frame(2, []byte{0xFD, 4})...))
	p0 := recv([]byte{0xFF, 1}, 0)
	recv([]byte{0x00, 2, 3}, 1)
	p2 := recv([]byte{0xFD, 4}, 2)
	if p0.Time != p2.Time || p0.Time <= 0 {
		t.Errorf("times %d and %d in one datagram, want equal and positive", p0.Time, p2.Time)
	}
	// A jumbo datagram of DTOs (about 8 KB, as real slaves send).
	var jumbo []byte
	for i := range 60 {
		jumbo = append(jumbo, frame(uint16(3+i), bytes.Repeat([]byte{byte(i)}, 130))...)
	}
	send(jumbo)
	for i := range 60 {
		recv(bytes.Repeat([]byte{byte(i)}, 130), uint16(3+i))
	}
	// Bad datagrams are skipped whole and counted; the good one after
	// them arrives, and the CTR gap (63 → 70) counts 7 lost frames.
	send([]byte{0, 0, 0, 0, 0xFF})                                 // LEN 0
	send(append(frame(63, []byte{0xFF}), 0x10, 0, 64, 0, 1, 2, 3)) // second frame truncated
	send([]byte{1, 0})                                             // header cut
	send(frame(70, []byte{0xFF, 0x42}))
	recv([]byte{0xFF, 0x42}, 70)
	st := conn.Stats()
	if st.Garbage != 3 || st.Lost != 7 || st.PacketsReceived != 64 {
		t.Errorf("stats %+v, want Garbage 3, Lost 7, PacketsReceived 64", st)
	}
	// The largest datagram.
	big := bytes.Repeat([]byte{0xAB}, conn.Info().MaxPacket)
	send(frame(71, big))
	recv(big, 71)
}

func TestTCPStreamFromRawSlave(t *testing.T) {
	ctx := testCtx(t)
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := eth.Dial(ctx, eth.Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if k := conn.Info().Kind; k != "tcp" {
		t.Errorf("Kind %q", k)
	}
	// Frames split at every byte, with pauses so they arrive separately.
	var stream []byte
	for i := range 5 {
		stream = append(stream, frame(uint16(i), []byte{0xFF, byte(i), 0xAA})...)
	}
	go func() {
		for i := range stream {
			raw.Write(stream[i : i+1])
			if i%4 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		// then a bad LEN
		raw.Write([]byte{0xFF, 0xFF, 5, 0})
	}()
	for i := range 5 {
		p, err := conn.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []byte{0xFF, byte(i), 0xAA}; !bytes.Equal(p.Data, want) || p.Ctr != uint16(i) {
			t.Fatalf("frame %d: % X ctr %d", i, p.Data, p.Ctr)
		}
	}
	_, err = conn.Recv(ctx)
	var fe *eth.FrameError
	if !errors.As(err, &fe) || !errors.Is(err, transport.ErrFrame) || fe.Len != 65535 || fe.Offset != 35 {
		t.Fatalf("bad LEN gave %v (%+v), want *FrameError with Len 65535 at offset 35", err, fe)
	}
	// Fatal for the stream: the error repeats.
	if _, err2 := conn.Recv(ctx); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("second Recv: %v, want the same error", err2)
	}
}

func TestUDPListenerPeers(t *testing.T) {
	ctx := testCtx(t)
	l, err := eth.Listen("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.UDPAddr).Port
	var masters []transport.Conn
	for i := range 3 {
		m, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Host: "127.0.0.1", Port: port})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		masters = append(masters, m)
		if err := m.Send(ctx, []byte{0xFF, byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		s, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, err := s.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := int(p.Data[1])
		if s.Info().Remote != masters[i].Info().Local {
			t.Errorf("slave conn remote %s, master %d local %s", s.Info().Remote, i, masters[i].Info().Local)
		}
		// The answer goes to that master only.
		if err := s.Send(ctx, []byte{0xFF, byte(i), 0x77}); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range masters {
		p, err := m.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Data, []byte{0xFF, byte(i), 0x77}) {
			t.Errorf("master %d got % X", i, p.Data)
		}
	}
	// Accept honours its context.
	actx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.Accept(actx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Accept with nobody new: %v, want DeadlineExceeded", err)
	}
}

func TestListenerAcceptClose(t *testing.T) {
	for _, network := range []string{"tcp4", "udp4"} {
		t.Run(network, func(t *testing.T) {
			l, err := eth.Listen(network, "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			actx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			if _, err := l.Accept(actx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Accept: %v, want DeadlineExceeded", err)
			}
			errc := make(chan error, 1)
			go func() {
				_, err := l.Accept(context.Background())
				errc <- err
			}()
			time.Sleep(10 * time.Millisecond)
			l.Close()
			if err := <-errc; !errors.Is(err, net.ErrClosed) {
				t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
			}
			if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := testCtx(t)
	tests := []struct {
		cfg  eth.Config
		want string
	}{
		{eth.Config{Protocol: "sctp"}, `protocol "sctp"`},
		{eth.Config{Port: 70000}, "port 70000"},
		{eth.Config{RecvBuffer: -1}, "recv_buffer -1"},
		{eth.Config{Bind: "not an address!"}, `bind address "not an address!"`},
	}
	for _, tt := range tests {
		_, err := eth.Dial(ctx, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Dial(%+v): %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
	if _, err := eth.Listen("ip", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), `network "ip"`) {
		t.Errorf("Listen(ip): %v", err)
	}
	// Nobody listening.
	l, _ := net.Listen("tcp4", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if _, err := eth.Dial(ctx, eth.Config{Port: port}); err == nil {
		t.Error("Dial to a closed port succeeded")
	}
}

func TestBindAndSendErrors(t *testing.T) {
	ctx := testCtx(t)
	m, s, l, err := openPair("tcp", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	defer s.Close()
	defer m.Close()
	if err := m.Send(ctx, nil); err == nil || !strings.Contains(err.Error(), "empty packet") {
		t.Errorf("Send(empty): %v", err)
	}
	if err := m.Send(ctx, make([]byte, eth.MaxPacket+1)); err == nil || !strings.Contains(err.Error(), "exceeds the maximum 65531") {
		t.Errorf("Send(too big): %v", err)
	}
	// Bind to the loopback address explicitly.
	port := l.Addr().(*net.TCPAddr).Port
	c, err := eth.Dial(ctx, eth.Config{Host: "127.0.0.1", Port: port, Bind: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.HasPrefix(c.Info().Local, "127.0.0.1:") {
		t.Errorf("bound to %s", c.Info().Local)
	}
	s2, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestSendBatch(t *testing.T) {
	type batcher interface {
		SendBatch(ctx context.Context, packets [][]byte) error
	}
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			ctx := testCtx(t)
			m, s, l, err := openPair(proto, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			defer s.Close()
			defer m.Close()
			var pkts [][]byte
			for i := range 100 {
				pkts = append(pkts, bytes.Repeat([]byte{byte(i)}, 1+i*13))
			}
			for _, c := range []transport.Conn{m, s} {
				if err := c.(batcher).SendBatch(ctx, pkts); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []transport.Conn{s, m} {
				for i, want := range pkts {
					p, err := c.Recv(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(p.Data, want) {
						t.Fatalf("packet %d: %d bytes, want %d", i, len(p.Data), len(want))
					}
				}
				if st := c.Stats(); st.Lost != 0 {
					t.Errorf("Lost %d after a batch", st.Lost)
				}
			}
			if err := m.(batcher).SendBatch(ctx, [][]byte{{1}, {}}); err == nil || !strings.Contains(err.Error(), "packet 1") {
				t.Errorf("SendBatch with an empty packet: %v", err)
			}
		})
	}
}

func TestUDPSlaveAbsent(t *testing.T) {
	// A master whose slave is not there: the ICMP "port unreachable" for
	// its first datagram ends Recv at once with an error saying nothing
	// listens there (matching transport.ErrConnectionLost), instead of
	// letting CONNECT time out in silence.
	ctx := testCtx(t)
	pc, _ := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	m, err := eth.Dial(ctx, eth.Config{Protocol: "udp", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_ = m.Send(ctx, []byte{0xFF, 0x00})
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := m.Recv(rctx); !errors.Is(err, transport.ErrConnectionLost) || !strings.Contains(err.Error(), "nothing listens") {
		t.Fatalf("Recv with the slave absent: %v, want 'nothing listens' matching transport.ErrConnectionLost", err)
	}
}

func TestNoPacketsAfterClose(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			ctx := testCtx(t)
			m, s, l, err := openPair(proto, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			defer s.Close()
			// Two packets in one write/datagram: after the first Recv the
			// second is buffered, but Close ends delivery.
			if err := transport.SendAll(ctx, s, [][]byte{{0xFF, 1}, {0xFF, 2}}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Recv(ctx); err != nil {
				t.Fatal(err)
			}
			m.Close()
			if p, err := m.Recv(ctx); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("Recv after Close: % X, %v; want net.ErrClosed", p.Data, err)
			}
		})
	}
}

// TestTCPSendTimeoutNeverCorruptsTheStream: when a send times out with a
// frame partly written, the connection is closed rather than going on
// with a stream that is out of step, so the peer sees whole frames and at
// most a frame cut off by the end of the connection, never a wrong LEN.
func TestTCPSendTimeoutNeverCorruptsTheStream(t *testing.T) {
	ctx := testCtx(t)
	m, s, l, err := openPair("tcp", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	defer s.Close()
	defer m.Close()
	big := make([]byte, eth.MaxPacket) // zeros: a misparse shows as LEN 0
	big[0] = 0xFF
	sent := 0
	for {
		sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		err := m.Send(sctx, big)
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Send after %d frames: %v, want context.DeadlineExceeded", sent, err)
			}
			break
		}
		sent++
	}
	cut := false
	if err := m.Send(ctx, []byte{0xFF, 0x01}); err != nil {
		if !strings.Contains(err.Error(), "cut off") {
			t.Fatalf("Send after the timeout: %v", err)
		}
		cut = true
	} else {
		sent++
	}
	got := 0
	for {
		p, err := s.Recv(ctx)
		if err != nil {
			var fe *eth.FrameError
			if errors.As(err, &fe) && !strings.Contains(fe.Reason, "connection closed inside") {
				t.Fatalf("after %d frames: %v", got, err)
			}
			if !cut {
				t.Fatalf("after %d of %d frames: %v", got, sent, err)
			}
			break
		}
		if p.Data[0] != 0xFF {
			t.Fatalf("frame %d starts with %02X", got, p.Data[0])
		}
		got++
		if !cut && got == sent {
			break
		}
	}
	t.Logf("%d frames sent whole, %d received, cut %v", sent, got, cut)
	if got != sent {
		t.Errorf("peer received %d frames, %d were sent whole", got, sent)
	}
	if st := s.Stats(); st.Lost != 0 {
		t.Errorf("peer counted %d lost frames", st.Lost)
	}
}

// TestDialErrorSaysItOnce: a refused TCP connection names network and
// address once ("eth: dial tcp4 127.0.0.1:N: connect: connection refused").
func TestDialErrorSaysItOnce(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, err = eth.Dial(testCtx(t), eth.Config{Protocol: "tcp", Host: "127.0.0.1", Port: port})
	if err == nil || strings.Count(err.Error(), "dial tcp4") != 1 {
		t.Fatalf("error %v, want 'dial tcp4' once", err)
	}
}
