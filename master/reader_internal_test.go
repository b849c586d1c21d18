package master

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

// noWake hides the connection's transport.Waker: only the receive
// goroutine reads.
type noWake struct{ transport.Conn }

// dtoSlave answers CONNECT and GET_STATUS, sending a DTO before each
// answer; extra sends DTOs on their own.
func dtoSlave(t *testing.T, wake bool) (m *Master, extra func(n int), stop func()) {
	t.Helper()
	a, b := memconn.Pipe(256)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var ctr atomic.Uint32
	dto := func() []byte { return []byte{0x00, byte(ctr.Add(1))} }
	go func() {
		defer close(done)
		for {
			p, err := b.Recv(ctx)
			if err != nil {
				return
			}
			var res []byte
			switch xcp.Command(p.Data[0]) {
			case xcp.CmdConnect:
				res = []byte{0xFF, 0x15, 0x00, 0x08, 0x00, 0x01, 0x01, 0x01}
			case xcp.CmdGetStatus:
				res = []byte{0xFF, 0x00, 0x00, 0x00, 0x00, 0x00}
			default:
				res = []byte{0xFE, byte(xcp.ErrCmdUnknown)}
			}
			if b.Send(ctx, dto()) != nil || b.Send(ctx, res) != nil {
				return
			}
		}
	}()
	var conn transport.Conn = a
	if !wake {
		conn = noWake{a}
	}
	m = New(conn, Config{Timeouts: Timeouts{T1: time.Second}})
	extra = func(n int) {
		for range n {
			if err := b.Send(ctx, dto()); err != nil {
				t.Error(err)
			}
		}
	}
	return m, extra, func() { m.Close(); cancel(); b.Close(); <-done }
}

// TestReaderDTOsReachTheHandler: with a DTO handler installed every DTO
// reaches it — those sent with answers and those sent while no command
// runs — one call at a time, whichever goroutine reads; with and without
// a connection that can be woken.
func TestReaderDTOsReachTheHandler(t *testing.T) {
	for _, wake := range []bool{true, false} {
		m, extra, stop := dtoSlave(t, wake)
		ctx := context.Background()
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var got atomic.Int64
		m.SetDTOHandler(func(p transport.Packet) {
			if !mu.TryLock() {
				t.Error("DTO handler called concurrently")
				return
			}
			got.Add(1)
			mu.Unlock()
		})
		const n = 200
		for i := range n {
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatal(err)
			}
			if i%20 == 0 {
				extra(3)
				time.Sleep(readerLinger + time.Millisecond)
			}
		}
		want := int64(n + 3*n/20)
		deadline := time.Now().Add(10 * time.Second)
		for got.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if g := got.Load(); g != want {
			t.Errorf("wake %v: handler got %d DTOs, want %d", wake, g, want)
		}
		stop()
	}
}

// TestReaderCallerReadsItself: commands back to back leave the token with
// nobody (the next caller takes it without a hand-over); after the linger
// the receive goroutine has it again; with a DTO handler or a connection
// that cannot be woken it never leaves the receive goroutine.
func TestReaderCallerReadsItself(t *testing.T) {
	state := func(m *Master) rdState {
		m.rdMu.Lock()
		defer m.rdMu.Unlock()
		return m.rdState
	}
	waitState := func(m *Master, want rdState) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for state(m) != want {
			if time.Now().After(deadline) {
				t.Fatalf("token state %d, want %d", state(m), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	ctx := context.Background()

	m, _, stop := dtoSlave(t, true)
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := m.GetStatus(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waitState(m, rdBack) // after the linger
	m.SetDTOHandler(func(transport.Packet) {})
	for range 20 {
		if _, err := m.GetStatus(ctx); err != nil {
			t.Fatal(err)
		}
		if s := state(m); s != rdBack {
			t.Fatalf("with a DTO handler the token went to state %d", s)
		}
	}
	stop()

	m, _, stop = dtoSlave(t, false)
	defer stop()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	if _, err := m.GetStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if m.waker != nil || state(m) != rdFree {
		t.Fatalf("without Waker: waker %v, state %d", m.waker, state(m))
	}
}
