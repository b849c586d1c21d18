package master_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

// heldSlave is a scripted XCP slave that answers in order, like a real one,
// but holds its answers until the test releases or drops them: the test
// decides exactly which answer is late, lost or on time. It knows CONNECT,
// SYNCH, GET_STATUS and SHORT_UPLOAD (data byte i of address a is a+i);
// everything else gets ERR_CMD_UNKNOWN.
//
// With counter set, the slave numbers its packets like XCP on Ethernet
// (ctrConn carries the number to the master's Packet.Ctr), and the test
// can release a held answer out of order, as a datagram network may
// deliver it.
type heldSlave struct {
	conn    *memconn.Conn
	counter bool
	mu      sync.Mutex
	got     []xcp.Command
	fifo    [][]byte
	ctr     uint16
	auto    bool // answer at once
	base    int  // commands received before hold
}

// ctrConn is the master's end of a held slave with a counter: each packet
// starts with its CTR (2 bytes, Intel order), which Recv moves to
// Packet.Ctr; Info reports a 16-bit counter.
type ctrConn struct{ *memconn.Conn }

func (c ctrConn) Recv(ctx context.Context) (transport.Packet, error) {
	p, err := c.Conn.Recv(ctx)
	if err != nil || len(p.Data) < 2 {
		return p, err
	}
	p.Ctr = uint16(p.Data[0]) | uint16(p.Data[1])<<8
	p.Data = p.Data[2:]
	return p, nil
}

func (c ctrConn) Info() transport.Info {
	i := c.Conn.Info()
	i.CounterBits = 16
	return i
}

func newHeldSlave(t *testing.T, cfg master.Config, counter bool) (*heldSlave, *master.Master) {
	t.Helper()
	a, b := memconn.Pipe(256)
	h := &heldSlave{conn: b, auto: true, counter: counter}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			p, err := b.Recv(ctx)
			if err != nil {
				return
			}
			h.mu.Lock()
			h.got = append(h.got, xcp.Command(p.Data[0]))
			ans := heldAnswer(p.Data)
			if h.counter {
				ans = append([]byte{byte(h.ctr), byte(h.ctr >> 8)}, ans...)
				h.ctr++
			}
			h.fifo = append(h.fifo, ans)
			auto := h.auto
			h.mu.Unlock()
			if auto {
				h.release(-1)
			}
		}
	}()
	var conn transport.Conn = a
	if counter {
		conn = ctrConn{a}
	}
	m := master.New(conn, cfg)
	t.Cleanup(func() {
		m.Close()
		cancel()
		b.Close()
		<-done
	})
	if _, err := m.Connect(t.Context(), xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	return h, m
}

func heldAnswer(req []byte) []byte {
	switch xcp.Command(req[0]) {
	case xcp.CmdConnect:
		return xcp.ConnectResponse{CommModeBasic: 0, MaxCTO: 8, MaxDTO: 8, ProtocolVersion: 1, TransportVersion: 1}.Append(nil, xcp.Format{})
	case xcp.CmdSynch:
		return []byte{xcp.PIDErr, byte(xcp.ErrCmdSynch)}
	case xcp.CmdGetStatus:
		return []byte{xcp.PIDRes, 0, 0, 0, 0, 0}
	case xcp.CmdShortUpload:
		n, addr := int(req[1]), req[4] // little endian: the address's low byte
		p := []byte{xcp.PIDRes}
		for i := range n {
			p = append(p, addr+byte(i))
		}
		return p
	}
	return []byte{xcp.PIDErr, byte(xcp.ErrCmdUnknown)}
}

// hold makes the slave keep its answers until release or drop.
func (h *heldSlave) hold() {
	h.mu.Lock()
	h.auto = false
	h.base = len(h.got)
	h.mu.Unlock()
}

// answerAll sends everything held and answers at once from now on.
func (h *heldSlave) answerAll() {
	h.mu.Lock()
	h.auto = true
	h.mu.Unlock()
	h.release(-1)
}

// release sends the n oldest held answers (all for n < 0), in order.
func (h *heldSlave) release(n int) {
	h.mu.Lock()
	if n < 0 || n > len(h.fifo) {
		n = len(h.fifo)
	}
	out := h.fifo[:n:n]
	h.fifo = h.fifo[n:]
	h.mu.Unlock()
	for _, p := range out {
		h.conn.Send(context.Background(), p)
	}
}

// releaseAt sends the i-th oldest held answer (0 = the oldest) before
// the others: a reordering network.
func (h *heldSlave) releaseAt(i int) {
	h.mu.Lock()
	p := h.fifo[i]
	h.fifo = append(h.fifo[:i:i], h.fifo[i+1:]...)
	h.mu.Unlock()
	h.conn.Send(context.Background(), p)
}

// drop loses the n oldest held answers.
func (h *heldSlave) drop(n int) {
	h.mu.Lock()
	h.fifo = h.fifo[min(n, len(h.fifo)):]
	h.mu.Unlock()
}

// waitCommands waits (up to a second) until the slave has received n
// commands since hold.
func (h *heldSlave) waitCommands(n int) {
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		h.mu.Lock()
		k := len(h.got) - h.base
		h.mu.Unlock()
		if k >= n {
			return
		}
	}
}

// A SYNCH answer that was lost and later ones that are only late: the
// master must never end a resynchronisation on the answer to a SYNCH
// sent before the missing answer, or the late answer of one read becomes
// the answer of the next. (Before the counting rule of synchAnswered, the
// master wrote lost SYNCH answers off after a quiet time; the late answers
// then ended the next resynchronisation too early and a read of 0x70
// returned the bytes of 0x40.)
func TestLostAndLateSynchAnswersNeverMisattribute(t *testing.T) {
	const t1 = 20 * time.Millisecond
	h, m := newHeldSlave(t, master.Config{Timeouts: master.Timeouts{T1: t1, T7: time.Millisecond}}, false)
	ctx := context.Background()
	read := func(addr byte, noRetry bool) ([]byte, error) {
		req := []byte{byte(xcp.CmdShortUpload), 4, 0, 0, addr, 0, 0, 0}
		return m.DoWith(ctx, req, master.CallOptions{NoRetry: noRetry})
	}
	check := func(step string, addr byte, got []byte, err error) {
		t.Helper()
		want := []byte{xcp.PIDRes, addr, addr + 1, addr + 2, addr + 3}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("%s: read of 0x%02X returned % X without an error, want % X", step, addr, got, want)
		}
		t.Logf("%s: % X, %v", step, got, err)
	}
	type result struct {
		p   []byte
		err error
	}
	async := func(addr byte, noRetry bool) chan result {
		ch := make(chan result, 1)
		go func() { p, err := read(addr, noRetry); ch <- result{p, err} }()
		return ch
	}

	h.hold()
	// 1: the read and the three SYNCHs after its timeout are not answered.
	r := <-async(0x10, false)
	check("1", 0x10, r.p, r.err)
	h.waitCommands(4)
	h.drop(2) // the read's answer and the first SYNCH's are lost
	// 2: the second SYNCH's answer comes, the rest stays late.
	c := async(0x10, false)
	h.waitCommands(5)
	h.release(1)
	r = <-c
	check("2", 0x10, r.p, r.err)
	// 3: one more late SYNCH answer comes; the read of 0x40 is not answered.
	c = async(0x40, true)
	h.waitCommands(8)
	h.release(1)
	r = <-c
	check("3", 0x40, r.p, r.err)
	// 4: one more SYNCH answer, then everything: the late answer of 0x40
	// arrives while 0x70 is read.
	c = async(0x70, false)
	h.waitCommands(10)
	h.release(1)
	h.waitCommands(11)
	h.answerAll()
	r = <-c
	check("4", 0x70, r.p, r.err)
	// And the master finds its way back.
	for i := range 10 {
		p, err := read(0x20, false)
		check("after", 0x20, p, err)
		if err == nil {
			return
		}
		if !errors.Is(err, master.ErrNotSynchronised) && !errors.Is(err, xcp.ErrTimeout) {
			t.Fatalf("read %d after the faults: %v", i, err)
		}
	}
	t.Fatal("the master did not resynchronise with a slave that answers every SYNCH")
}

// On a medium whose slave numbers its packets (XCP on Ethernet, SxI with a
// CTR), a late answer that a datagram network delivers after the
// ERR_CMD_SYNCH meant to flush it is recognised by its counter and
// dropped; without a counter nothing could tell it from the next answer.
func TestReorderedLateAnswerRecognisedByCounter(t *testing.T) {
	const t1 = 100 * time.Millisecond // the test releases answers within it
	var logs logBuf
	h, m := newHeldSlave(t, master.Config{
		Timeouts: master.Timeouts{T1: t1, T7: time.Millisecond},
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}, true)
	ctx := context.Background()
	read := func(addr byte, noRetry bool) ([]byte, error) {
		req := []byte{byte(xcp.CmdShortUpload), 4, 0, 0, addr, 0, 0, 0}
		return m.DoWith(ctx, req, master.CallOptions{NoRetry: noRetry})
	}
	h.hold()
	// The read of 0x40 times out; its answer is on its way.
	if _, err := read(0x40, true); !errors.Is(err, xcp.ErrTimeout) {
		t.Fatalf("read of 0x40: %v", err)
	}
	type result struct {
		p   []byte
		err error
	}
	c := make(chan result, 1)
	go func() { p, err := read(0x70, false); c <- result{p, err} }()
	h.waitCommands(2) // the SYNCH: its answer overtakes the late one
	h.releaseAt(1)
	h.waitCommands(3) // the read of 0x70
	h.release(1)      // the late answer of 0x40 (counter 0)
	h.answerAll()
	r := <-c
	want := []byte{xcp.PIDRes, 0x70, 0x71, 0x72, 0x73}
	if r.err != nil || !bytes.Equal(r.p, want) {
		t.Fatalf("read of 0x70: % X, %v; want % X", r.p, r.err, want)
	}
	if !strings.Contains(logs.String(), "transport counter") {
		t.Fatalf("the late answer was not recognised by its counter:\n%s", logs.String())
	}
}
