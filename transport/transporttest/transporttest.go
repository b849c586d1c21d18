// Package transporttest is a conformance suite that every transport.Conn
// implementation runs (in the manner of golang.org/x/net/nettest): packet
// round trips of all sizes up to the medium's maximum, ordering, concurrent
// senders, Close unblocking Recv and Send with net.ErrClosed, double Close,
// context cancellation and deadlines, Wake (transport.Waker) where
// implemented, Stats, monotonic receive times and
// goroutine leaks.
//
// A transport's test calls TestConn with a function that opens a connected
// pair. The suite checks for leaked goroutines after each subtest, so the
// calling test must not run in parallel with others.
package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport"
)

// MakePipe opens a connected pair: the master side and the slave side. stop
// releases anything else the pair needed (a listener, a goroutine); the
// suite closes both connections itself before calling stop. Packets sent
// while setting up (e.g. the first datagram a UDP slave needs to see its
// master) must have been received before MakePipe returns.
type MakePipe func() (master, slave transport.Conn, stop func(), err error)

// limit is the largest packet tested on media without a limit of their own.
const limit = 65535

// timeout bounds every operation of the suite, so that a broken transport
// fails instead of hanging.
const timeout = 20 * time.Second

// TestConn runs the conformance suite against pairs made by mp.
func TestConn(t *testing.T, mp MakePipe) {
	tests := []struct {
		name string
		fn   func(t *testing.T, m, s transport.Conn)
	}{
		{"Info", testInfo},
		{"RoundTripSizes", testRoundTripSizes},
		{"TooLarge", testTooLarge},
		{"Ordering", testOrdering},
		{"ConcurrentSend", testConcurrentSend},
		{"CloseUnblocksRecv", testCloseUnblocksRecv},
		{"CloseUnblocksRecvSlave", swap(testCloseUnblocksRecv)},
		{"CloseUnblocksSend", testCloseUnblocksSend},
		{"DoubleClose", testDoubleClose},
		{"RecvContext", testRecvContext},
		{"Wake", testWake},
		{"SendAll", testSendAll},
		{"Stats", testStats},
		{"Time", testTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaks := goleak.IgnoreCurrent()
			m, s, stop, err := mp()
			if err != nil {
				t.Fatalf("MakePipe: %v", err)
			}
			defer func() {
				m.Close()
				s.Close()
				if stop != nil {
					stop()
				}
				goleak.VerifyNone(t, leaks)
			}()
			tt.fn(t, m, s)
		})
	}
}

// Loopback returns the loopback address of an IP version ("127.0.0.1" or
// "::1") for tests of network transports, skipping the test when the
// machine has no IPv6 loopback.
func Loopback(tb testing.TB, ipv6 bool) string {
	tb.Helper()
	if !ipv6 {
		return "127.0.0.1"
	}
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		tb.Skipf("no IPv6 loopback: %v", err)
	}
	l.Close()
	return "::1"
}

// maxPacket returns the largest packet to test on c.
func maxPacket(c transport.Conn) int {
	if n := c.Info().MaxPacket; n > 0 {
		return n
	}
	return limit
}

// packet returns a packet of n bytes whose contents depend on seq.
func packet(seq, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(seq*131 + i*7 + i>>8)
	}
	return p
}

// sizes returns the packet sizes to test up to max: all of them up to 300,
// then a spread including max-1 and max.
func sizes(max int) []int {
	var s []int
	for n := 1; n <= max && n <= 300; n++ {
		s = append(s, n)
	}
	for n := 301; n < max-1; n += 997 {
		s = append(s, n)
	}
	for _, n := range []int{max - 1, max} {
		if n > 300 {
			s = append(s, n)
		}
	}
	return s
}

func testInfo(t *testing.T, m, s transport.Conn) {
	for _, c := range []transport.Conn{m, s} {
		in := c.Info()
		if in.Kind == "" {
			t.Errorf("Info().Kind is empty: %+v", in)
		}
		if in.Start.IsZero() {
			t.Errorf("Info().Start is zero: %+v", in)
		}
		if in.MaxPacket < 0 {
			t.Errorf("Info().MaxPacket %d < 0", in.MaxPacket)
		}
	}
}

// echo answers every packet that s receives with the same bytes, until
// Recv fails; it reports the error on done.
func echo(s transport.Conn) (done chan error) {
	done = make(chan error, 1)
	go func() {
		ctx := context.Background()
		for {
			p, err := s.Recv(ctx)
			if err != nil {
				done <- err
				return
			}
			if err := s.Send(ctx, p.Data); err != nil {
				done <- err
				return
			}
		}
	}()
	return done
}

func testRoundTripSizes(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := echo(s)
	max := min(maxPacket(m), maxPacket(s))
	for i, n := range sizes(max) {
		want := packet(i, n)
		if err := m.Send(ctx, want); err != nil {
			t.Fatalf("Send(%d bytes): %v", n, err)
		}
		p, err := m.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv after sending %d bytes: %v", n, err)
		}
		if !bytes.Equal(p.Data, want) {
			t.Fatalf("round trip of %d bytes: got %d bytes %s, want %s", n, len(p.Data), head(p.Data), head(want))
		}
	}
	m.Close()
	s.Close()
	<-done
}

func head(b []byte) string {
	if len(b) > 16 {
		return fmt.Sprintf("% X …", b[:16])
	}
	return fmt.Sprintf("% X", b)
}

func testTooLarge(t *testing.T, m, s transport.Conn) {
	max := m.Info().MaxPacket
	if max == 0 {
		t.Skip("medium has no packet size limit")
	}
	err := m.Send(context.Background(), make([]byte, max+1))
	if err == nil {
		t.Fatalf("Send of %d bytes (MaxPacket %d) succeeded", max+1, max)
	}
}

func testOrdering(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	const bursts, burst = 40, 25
	// Bursts (each received in full before the next is sent) keep the
	// test independent of socket buffer sizes.
	for b := range bursts {
		errc := make(chan error, 1)
		go func() {
			for i := range burst {
				seq := b*burst + i
				if err := m.Send(ctx, packet(seq, 1+seq%min(64, maxPacket(m)))); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
		for i := range burst {
			seq := b*burst + i
			p, err := s.Recv(ctx)
			if err != nil {
				t.Fatalf("Recv #%d: %v", seq, err)
			}
			if want := packet(seq, 1+seq%min(64, maxPacket(m))); !bytes.Equal(p.Data, want) {
				t.Fatalf("packet #%d: got % X, want % X", seq, p.Data, want)
			}
		}
		if err := <-errc; err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
}

func testConcurrentSend(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	const senders, each = 4, 25
	var wg sync.WaitGroup
	errc := make(chan error, senders)
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				// Byte 0 names the sender, byte 1 the sequence.
				p := packet(g*1000+i, min(100+g*50, maxPacket(m)))
				p[0], p[1] = byte(g), byte(i)
				if err := m.Send(ctx, p); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	next := make([]int, senders)
	for range senders * each {
		p, err := s.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if len(p.Data) < 2 || int(p.Data[0]) >= senders {
			t.Fatalf("unexpected packet % X", p.Data)
		}
		g, i := int(p.Data[0]), int(p.Data[1])
		want := packet(g*1000+i, min(100+g*50, maxPacket(m)))
		want[0], want[1] = byte(g), byte(i)
		if !bytes.Equal(p.Data, want) {
			t.Fatalf("sender %d packet %d corrupted: got %s", g, i, head(p.Data))
		}
		if i != next[g] {
			t.Fatalf("sender %d: got packet %d, want %d (reordered)", g, i, next[g])
		}
		next[g]++
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("Send: %v", err)
	}
}

// swap runs fn with the roles of the connections exchanged.
func swap(fn func(t *testing.T, m, s transport.Conn)) func(t *testing.T, m, s transport.Conn) {
	return func(t *testing.T, m, s transport.Conn) { fn(t, s, m) }
}

func testCloseUnblocksRecv(t *testing.T, m, s transport.Conn) {
	for _, c := range []struct {
		name string
		conn transport.Conn
	}{{"conn", m}} {
		errc := make(chan error, 1)
		go func() {
			_, err := c.conn.Recv(context.Background())
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond) // let Recv block
		if err := c.conn.Close(); err != nil {
			t.Errorf("%s: Close: %v", c.name, err)
		}
		select {
		case err := <-errc:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("%s: Recv after Close returned %v, want net.ErrClosed", c.name, err)
			}
		case <-time.After(timeout):
			t.Fatalf("%s: Close did not unblock Recv", c.name)
		}
		if _, err := c.conn.Recv(context.Background()); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: Recv on a closed conn returned %v, want net.ErrClosed", c.name, err)
		}
		if err := c.conn.Send(context.Background(), []byte{0xFF}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: Send on a closed conn returned %v, want net.ErrClosed", c.name, err)
		}
	}
}

func testCloseUnblocksSend(t *testing.T, m, s transport.Conn) {
	// Nobody reads s: sending eventually blocks on media with flow
	// control; Close must end it with net.ErrClosed.
	errc := make(chan error, 1)
	p := make([]byte, min(maxPacket(m), 4096))
	p[0] = 0xFF
	go func() {
		for {
			if err := m.Send(context.Background(), p); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	m.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(timeout):
		t.Fatal("Close did not unblock Send")
	}
}

func testDoubleClose(t *testing.T, m, s transport.Conn) {
	for _, c := range []transport.Conn{m, s} {
		if err := c.Close(); err != nil {
			t.Errorf("first Close: %v", err)
		}
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("second Close: %v, want nil or net.ErrClosed", err)
		}
	}
}

func testRecvContext(t *testing.T, m, s transport.Conn) {
	bg := context.Background()
	// Already cancelled.
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := m.Recv(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Recv with a cancelled context returned %v, want context.Canceled", err)
	}
	// Cancelled while waiting.
	ctx, cancel = context.WithCancel(bg)
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := m.Recv(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Recv cancelled while waiting returned %v, want context.Canceled", err)
	}
	// Deadline.
	ctx, cancel = context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	if _, err := m.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Recv past the context's deadline returned %v, want context.DeadlineExceeded", err)
	}
	// The same cancelled context again, then a fresh one: the connection
	// stays usable and nothing was lost.
	if _, err := m.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Recv with an expired context returned %v, want context.DeadlineExceeded", err)
	}
	ctx, cancel = context.WithTimeout(bg, timeout)
	defer cancel()
	for i := range 3 {
		want := packet(i, min(10+i, maxPacket(s)))
		if err := s.Send(ctx, want); err != nil {
			t.Fatalf("Send: %v", err)
		}
		p, err := m.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv after cancellations: %v", err)
		}
		if !bytes.Equal(p.Data, want) {
			t.Fatalf("Recv after cancellations: got % X, want % X", p.Data, want)
		}
		// A cancelled context in between must not disturb the next Recv.
		if _, err := m.Recv(canceled()); !errors.Is(err, context.Canceled) {
			t.Fatalf("Recv with a cancelled context returned %v", err)
		}
	}
}

// testWake checks transport.Waker: a Wake before Recv and one during a
// blocked Recv end it with ErrWoken, several Wakes count as one, and the
// connection stays usable with nothing lost, also for packets sent around
// the Wakes (woken Recvs may come before them, never instead of them).
func testWake(t *testing.T, m, s transport.Conn) {
	w, ok := m.(transport.Waker)
	if !ok {
		t.Skipf("%T does not implement transport.Waker", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	w.Wake()
	w.Wake()
	if _, err := m.Recv(ctx); !errors.Is(err, transport.ErrWoken) {
		t.Fatalf("Recv after Wake returned %v, want ErrWoken", err)
	}
	// Woken while blocked.
	time.AfterFunc(20*time.Millisecond, w.Wake)
	if _, err := m.Recv(ctx); !errors.Is(err, transport.ErrWoken) {
		t.Fatalf("Recv woken while waiting returned %v, want ErrWoken", err)
	}
	// Packets and Wakes interleaved: every packet arrives once, in order.
	const n = 200
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			if i%3 == 0 {
				w.Wake()
			}
			if err := s.Send(ctx, packet(i, min(8, maxPacket(s)))); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for i := 0; i < n; {
		p, err := m.Recv(ctx)
		if errors.Is(err, transport.ErrWoken) {
			continue
		}
		if err != nil {
			t.Fatalf("Recv of packet %d: %v", i, err)
		}
		if want := packet(i, min(8, maxPacket(s))); !bytes.Equal(p.Data, want) {
			t.Fatalf("packet %d: got % X, want % X", i, p.Data, want)
		}
		i++
	}
	if err := <-sent; err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func testStats(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	m0, s0 := m.Stats(), s.Stats()
	const n = 50
	var payload uint64
	for i := range n {
		p := packet(i, 1+i%maxPacket(m))
		payload += uint64(len(p))
		if err := m.Send(ctx, p); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if _, err := s.Recv(ctx); err != nil {
			t.Fatalf("Recv: %v", err)
		}
	}
	m1, s1 := m.Stats(), s.Stats()
	if d := m1.PacketsSent - m0.PacketsSent; d != n {
		t.Errorf("master PacketsSent grew by %d, want %d", d, n)
	}
	if d := s1.PacketsReceived - s0.PacketsReceived; d != n {
		t.Errorf("slave PacketsReceived grew by %d, want %d", d, n)
	}
	if d := m1.BytesSent - m0.BytesSent; d < payload {
		t.Errorf("master BytesSent grew by %d, less than the %d bytes of packets", d, payload)
	}
	if d := s1.BytesReceived - s0.BytesReceived; d < payload {
		t.Errorf("slave BytesReceived grew by %d, less than the %d bytes of packets", d, payload)
	}
	if s1.Lost != 0 || s1.Garbage != 0 {
		t.Errorf("slave Lost %d Garbage %d on a clean connection, want 0", s1.Lost, s1.Garbage)
	}
}

func testTime(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last int64
	for i := range 20 {
		if err := m.Send(ctx, packet(i, 8)); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if i%5 == 0 {
			time.Sleep(time.Millisecond)
		}
		p, err := s.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		since := int64(time.Since(s.Info().Start))
		if p.Time < last || p.Time < 0 || p.Time > since {
			t.Fatalf("packet %d: Time %d, previous %d, now %d since Start: not monotonic", i, p.Time, last, since)
		}
		last = p.Time
	}
	if last == 0 {
		t.Error("Packet.Time is always 0")
	}
}

func testSendAll(t *testing.T, m, s transport.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var pkts [][]byte
	for i := range 50 {
		pkts = append(pkts, packet(i, 1+(i*41)%min(maxPacket(m), 1500)))
	}
	errc := make(chan error, 1)
	go func() { errc <- transport.SendAll(ctx, m, pkts) }()
	for i, want := range pkts {
		p, err := s.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv #%d: %v", i, err)
		}
		if !bytes.Equal(p.Data, want) {
			t.Fatalf("packet #%d of a batch: got %s, want %s", i, head(p.Data), head(want))
		}
	}
	if err := <-errc; err != nil {
		t.Fatalf("SendAll: %v", err)
	}
	if st := s.Stats(); st.Lost != 0 {
		t.Errorf("Lost %d after a batch", st.Lost)
	}
}
