package eth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/transport"
)

// aLongTimeAgo is a deadline in the past: setting it unblocks pending I/O.
var aLongTimeAgo = time.Unix(1, 0)

// deadliner turns a context into I/O deadlines of one direction of a
// socket. It remembers the context of the last call, so steady-state calls
// with the same context cost two loads and no allocation; only a new
// context registers a context.AfterFunc (which expires the deadline when the
// context is cancelled). Calls of arm must not overlap (callers serialise
// them: Recv is single-goroutine, Send holds its mutex).
type deadliner struct {
	set func(time.Time) error

	done <-chan struct{} // Done() of the context currently armed
	dl   time.Time       // its deadline

	mu   sync.Mutex // guards gen and stop against the AfterFunc
	gen  uint64
	stop func() bool

	// stale is set by interrupt: the next arm must set the deadline again.
	stale atomic.Bool
}

func newDeadliner(set func(time.Time) error) *deadliner {
	return &deadliner{set: set}
}

// arm prepares an I/O call under ctx. It returns ctx.Err() if ctx is done.
func (d *deadliner) arm(ctx context.Context) error {
	done := ctx.Done()
	dl, _ := ctx.Deadline()
	if done != d.done || !dl.Equal(d.dl) || d.stale.Load() {
		d.mu.Lock()
		d.stale.Store(false)
		d.gen++
		if d.stop != nil {
			d.stop()
			d.stop = nil
		}
		d.done, d.dl = done, dl
		_ = d.set(dl) // zero time = no deadline
		if done != nil {
			gen := d.gen
			d.stop = context.AfterFunc(ctx, func() {
				d.mu.Lock()
				if d.gen == gen {
					_ = d.set(aLongTimeAgo)
				}
				d.mu.Unlock()
			})
		}
		d.mu.Unlock()
	}
	if done != nil {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
	}
	return nil
}

// interrupt expires the deadline now, unblocking pending I/O, from any
// goroutine; the next arm sets the deadline afresh.
func (d *deadliner) interrupt() {
	d.mu.Lock()
	d.gen++
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
	d.stale.Store(true)
	_ = d.set(aLongTimeAgo)
	d.mu.Unlock()
}

// release stops the AfterFunc of the armed context.
func (d *deadliner) release() {
	d.mu.Lock()
	d.gen++
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
	d.mu.Unlock()
}

// ctxErr maps an I/O error caused by an expired deadline to the context's
// error. ok is false if err was not caused by ctx.
func ctxErr(ctx context.Context, err error) (error, bool) {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err, false
	}
	if e := ctx.Err(); e != nil {
		return e, true
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded, true
	}
	return err, false
}

// The errors of a Recv ended by Wake.
var (
	errWokenTCP = fmt.Errorf("eth: tcp receive: %w", transport.ErrWoken)
	errWokenUDP = fmt.Errorf("eth: udp receive: %w", transport.ErrWoken)
)

var (
	_ transport.Waker = (*tcpConn)(nil)
	_ transport.Waker = (*udpConn)(nil)
)

// stats are a connection's counters. The receive counters are written by
// the single receiving goroutine, the send counters under the send mutex.
type stats struct {
	ps, pr, bs, br, lost, garbage, dup atomic.Uint64
}

func (s *stats) snapshot() transport.Stats {
	return transport.Stats{
		PacketsSent: s.ps.Load(), PacketsReceived: s.pr.Load(),
		BytesSent: s.bs.Load(), BytesReceived: s.br.Load(),
		Lost: s.lost.Load(), Garbage: s.garbage.Load(), Repeated: s.dup.Load(),
	}
}

// ctrTracker counts gaps in the peer's CTR sequence. XCP slaves may use one
// counter for every packet they send (responses, events and DTOs alike), so
// the counter is tracked per connection, not per packet kind.
//
// A 16-bit counter sizes a gap only modulo 65536: the tracker counts every
// forward jump as lost frames (a gap of exactly k×65536 frames is
// invisible, a gap of 65536k+g counts as g). Over TCP (ordered) nothing
// else is possible. Over UDP a datagram can also arrive late or twice: a
// counter up to reorderWindow behind the newest one is such a frame, not
// a jump of nearly 65536; if it was counted lost it is un-counted.
//
// The tracker also recognises frames the peer sent once but that arrive
// twice (a network that duplicates datagrams, a retransmitting gateway):
// see repeated.
type ctrTracker struct {
	ordered bool // TCP: every jump is a loss
	seen    bool
	next    uint16
	// counting is set once the peer was seen to count (a frame carried
	// exactly the expected counter); only then are repeats recognised.
	counting bool
	repeats  int // repeats recognised in a row
	// missing[c&0xFF] records frame c as counted lost (UDP only), so a
	// late arrival within the window can be un-counted.
	missing [reorderWindow]missingCtr
}

type missingCtr struct {
	ctr uint16
	ok  bool
}

// reorderWindow is how far (in frames) a UDP counter may lag behind the
// newest one and still be taken for a late or repeated datagram.
const reorderWindow = 256

// observe records ctr and returns the change of the lost-frame count: the
// frames missing before ctr, or -1 for a late frame that was counted lost.
func (t *ctrTracker) observe(ctr uint16) int64 {
	if !t.seen {
		t.seen, t.next = true, ctr+1
		return 0
	}
	if ctr == t.next {
		t.counting = true
	}
	gap := ctr - t.next
	if t.ordered {
		t.next = ctr + 1
		return int64(gap)
	}
	if back := t.next - 1 - ctr; back < reorderWindow {
		// Late or repeated: the newest counter stays.
		if m := &t.missing[ctr%reorderWindow]; m.ok && m.ctr == ctr {
			m.ok = false
			return -1
		}
		return 0
	}
	for k := gap - min(gap, reorderWindow); k < gap; k++ {
		c := t.next + k
		t.missing[c%reorderWindow] = missingCtr{ctr: c, ok: true}
	}
	t.missing[ctr%reorderWindow].ok = false
	t.next = ctr + 1
	return int64(gap)
}

// maxRepeats is how many frames in a row may be taken for repeats before
// the tracker decides the peer restarted its counter (a rebooted ECU) and
// starts afresh.
const maxRepeats = 4

// repeated reports whether a frame with counter ctr repeats one already
// received, so that it must be discarded (it is not passed to observe).
// This is only decided once the peer is known to count its frames one by
// one (XCP on Ethernet: the slave increments its CTR for every packet it
// sends); a peer with a constant or otherwise unrelated counter never has
// a frame discarded. Over TCP a repeat is the counter of the previous
// frame again; over UDP any counter up to reorderWindow behind the newest
// one that was not counted lost (a late frame that was is delivered).
// After maxRepeats repeats in a row the peer is taken to have restarted
// its counter and the frame is delivered.
func (t *ctrTracker) repeated(ctr uint16) bool {
	if !t.counting {
		return false
	}
	var rep bool
	if t.ordered {
		rep = ctr == t.next-1
	} else if back := t.next - 1 - ctr; back < reorderWindow {
		m := t.missing[ctr%reorderWindow]
		rep = !(m.ok && m.ctr == ctr)
	}
	if !rep {
		t.repeats = 0
		return false
	}
	t.repeats++
	if t.repeats > maxRepeats {
		*t = ctrTracker{ordered: t.ordered}
		return false
	}
	return true
}

// addLost applies a change from observe to a lost-frame counter.
func addLost(c *atomic.Uint64, d int64) {
	if d != 0 {
		c.Add(uint64(d)) // two's complement: -1 subtracts
	}
}

// sender is the send side shared by XCP on TCP and UDP, master and slave
// side: it builds frames (header and packet) in a reusable buffer under a
// mutex, so that every packet leaves in one write call with its own CTR.
// The connection sets max, limit, ready and write.
type sender struct {
	mu    sync.Mutex
	buf   []byte
	ctr   uint16
	max   int // largest packet accepted
	limit int // bytes per write call of a batch (a single frame may exceed it)
	// ready is called with mu held before anything is sent: it arms the
	// write deadline of ctx and returns why the connection cannot send.
	ready func(ctx context.Context) error
	// write writes the frames f holding n packets, with mu held. When
	// nothing left, it gives their counters back (ctr -= n).
	write func(ctx context.Context, f []byte, n int) error
}

// send sends packet in one frame, copies times with the same CTR (2 for
// SendTwice).
func (s *sender) send(ctx context.Context, packet []byte, copies int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	f, err := s.frame(packet)
	if err != nil {
		return err
	}
	for i := range copies {
		n := 0
		if i == 0 {
			n = 1 // the copies are not counted as packets sent
		}
		if err := s.write(ctx, f, n); err != nil {
			return err
		}
	}
	return nil
}

// sendBatch sends several packets, each in its own frame with its own CTR,
// with as few write calls as limit allows.
func (s *sender) sendBatch(ctx context.Context, packets [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	return s.batch(packets, s.limit, func(f []byte, n int) error { return s.write(ctx, f, n) })
}

// frame returns the frame for packet; callers hold s.mu.
func (s *sender) frame(packet []byte) ([]byte, error) {
	if len(packet) == 0 {
		return nil, errors.New("eth: send: empty packet (an XCP packet has at least a PID)")
	}
	if len(packet) > s.max {
		return nil, fmt.Errorf("eth: send: packet of %d bytes exceeds the maximum %d", len(packet), s.max)
	}
	s.buf = appendHeader(s.buf[:0], len(packet), s.ctr)
	s.buf = append(s.buf, packet...)
	s.ctr++
	return s.buf, nil
}

// frames appends the frames for packets to s.buf, at most limit bytes (a
// single frame may exceed it); it returns how many packets it took.
// Callers hold s.mu and have checked the packets with check.
func (s *sender) frames(packets [][]byte, limit int) int {
	s.buf = s.buf[:0]
	for i, p := range packets {
		if i > 0 && len(s.buf)+HeaderLen+len(p) > limit {
			return i
		}
		s.buf = appendHeader(s.buf, len(p), s.ctr)
		s.buf = append(s.buf, p...)
		s.ctr++
	}
	return len(packets)
}

// batch frames packets and hands them to write, at most limit bytes (or a
// single frame) per call; write gets the frames and their number. Callers
// hold s.mu.
func (s *sender) batch(packets [][]byte, limit int, write func(f []byte, n int) error) error {
	if err := s.check(packets); err != nil {
		return err
	}
	for len(packets) > 0 {
		n := s.frames(packets, limit)
		if err := write(s.buf, n); err != nil {
			return err
		}
		packets = packets[n:]
	}
	return nil
}

// check validates the sizes of packets.
func (s *sender) check(packets [][]byte) error {
	for i, p := range packets {
		if len(p) == 0 || len(p) > s.max {
			_, err := s.frame(p)
			return fmt.Errorf("packet %d: %w", i, err)
		}
	}
	return nil
}

// clock gives receive times in ns since a connection's start (monotonic).
type clock struct{ start time.Time }

func (c clock) now() int64 { return int64(time.Since(c.start)) }

// Duplicator is implemented by the connections of this package (both
// sides). SendTwice sends packet in one frame and then the very same frame
// (same CTR) again: what a network that duplicates datagrams delivers. It
// exists for fault injection (the simulator's DuplicateResponses); a
// receiver of this package discards the second copy (Stats.Repeated) once
// it has seen the sender count.
type Duplicator interface {
	SendTwice(ctx context.Context, packet []byte) error
}

var (
	_ Duplicator = (*tcpConn)(nil)
	_ Duplicator = (*udpConn)(nil)
	_ Duplicator = (*udpPeer)(nil)
)
