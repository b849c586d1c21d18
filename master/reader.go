package master

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/goxcp/goxcp/transport"
)

// The reader token: one goroutine at a time reads the connection (Recv
// allows no more) and dispatches what it reads (dispatch). Usually that is
// the receive goroutine (recvLoop). On a connection that implements
// transport.Waker, a command whose caller finds the token free — no DTO
// handler installed, the receive goroutine idle — takes it and receives
// its own answer: no hand-off between goroutines, no scheduler wake-up,
// about the cost of a blocking read. If the receive goroutine is reading,
// the caller sends first, then asks for the token (Wake) and meanwhile
// takes an answer the receive goroutine still delivers the usual way.
//
// After a command the token stays free for readerLinger, so that a caller
// issuing commands back to back keeps it without handing it over; then the
// receive goroutine takes it again and delivers what arrives while no
// command runs (events, service requests, a lost connection). Installing a
// DTO handler, a resynchronisation, master block mode and Close give the
// token to the receive goroutine at once.

// readerLinger is how long the token stays free after a command before the
// receive goroutine takes it back: the longest an event or a lost
// connection waits to be seen while no command runs. A command issued
// within it needs no hand-over.
const readerLinger = 5 * time.Millisecond

type rdState uint8

const (
	rdFree   rdState = iota // nobody reads
	rdBack                  // the receive goroutine reads
	rdCaller                // a command's caller reads
	rdDead                  // a caller saw the connection fail (rdErr)
)

// noLinger as rdFreed lets the receive goroutine take the token at once.
const noLinger = math.MinInt64 / 2

// takeReader is called by a command after sending a single packet. It
// reports whether the caller now holds the token; if the receive goroutine
// holds it, the caller asks for it and receives it later on rdGive.
// Callers hold m.mu.
func (m *Master) takeReader() bool {
	if m.waker == nil || m.dto.Load() != nil {
		return false
	}
	m.rdMu.Lock()
	switch m.rdState {
	case rdFree:
		m.rdState = rdCaller
		m.rdMu.Unlock()
		return true
	case rdBack:
		m.rdWant = true
		m.rdMu.Unlock()
		m.waker.Wake()
		return false
	}
	m.rdMu.Unlock()
	return false
}

// releaseReader ends a command's claim on the token: a request not yet
// granted is withdrawn, a token held (or granted but not yet taken from
// rdGive) becomes free. now (or an installed DTO handler) gives it to the
// receive goroutine at once instead of after readerLinger. Callers hold
// m.mu.
func (m *Master) releaseReader(now bool) {
	if m.waker == nil {
		return
	}
	now = now || m.dto.Load() != nil
	m.rdMu.Lock()
	m.rdWant = false // the receive goroutine keeps reading
	switch m.rdState {
	case rdCaller:
		select {
		case <-m.rdGive: // granted, not taken
		default:
		}
		m.rdState = rdFree
		m.rdFreed = m.now()
		if now {
			m.rdFreed = noLinger
			m.kickBack()
		}
	case rdFree:
		if now {
			m.rdFreed = noLinger
			m.kickBack()
		}
	}
	m.rdMu.Unlock()
}

// kickBack wakes the receive goroutine if it waits for the token.
func (m *Master) kickBack() {
	select {
	case m.rdKick <- struct{}{}:
	default:
	}
}

// backgroundTurn waits until the receive goroutine may read: the token is
// free and has been for readerLinger (at once with a DTO handler or after
// Close). It reports false when a caller saw the connection fail.
func (m *Master) backgroundTurn() bool {
	if m.waker == nil {
		return true
	}
	for {
		m.rdMu.Lock()
		wait := readerLinger
		switch m.rdState {
		case rdDead:
			m.rdMu.Unlock()
			return false
		case rdFree:
			if m.dto.Load() != nil || m.closed.Load() {
				wait = 0
			} else {
				wait -= time.Duration(m.now() - m.rdFreed)
			}
			if wait <= 0 {
				m.rdState = rdBack
				m.rdMu.Unlock()
				return true
			}
		}
		m.bgTimer.Reset(wait)
		m.rdMu.Unlock()
		select {
		case <-m.rdKick:
		case <-m.bgTimer.C:
		}
	}
}

// yieldToCaller is called by the receive goroutine when its Recv was woken:
// if a command asked for the token, it is handed over (true).
func (m *Master) yieldToCaller() bool {
	m.rdMu.Lock()
	defer m.rdMu.Unlock()
	if !m.rdWant {
		return false // a stale Wake, or a timeout's
	}
	m.rdWant = false
	m.rdState = rdCaller
	m.rdGive <- struct{}{} // capacity 1, empty: only one grant per request
	return true
}

// readerFailed records that the caller holding the token saw the
// connection fail with err, lets the receive goroutine end on it (it
// decides how Lost and Err report it) and waits for that.
func (m *Master) readerFailed(err error) {
	m.rdMu.Lock()
	m.rdState = rdDead
	m.rdErr = err
	m.rdMu.Unlock()
	m.kickBack()
	<-m.done
}

// waitEvent is what ended one step of a command's wait.
type waitEvent uint8

const (
	evResp   waitEvent = iota // a response (respMsg)
	evExtend                  // EV_CMD_PENDING
	evTick                    // the wait timer may have expired
	evCtx                     // ctx is done
	evGone                    // the connection is gone (m.done closed)
)

// readDirect is one step of the wait of a caller holding the token: it
// returns what is queued, else reads and dispatches packets itself until
// something for the command comes. Callers hold m.mu.
func (m *Master) readDirect(ctx context.Context, trace bool) (waitEvent, respMsg) {
	for {
		select {
		case r := <-m.respCh:
			return evResp, r
		case <-m.extendCh:
			return evExtend, respMsg{}
		default:
		}
		p, err := m.conn.Recv(ctx)
		if err != nil {
			switch {
			case errors.Is(err, transport.ErrWoken):
				return evTick, respMsg{}
			case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
				// (The transport may see ctx's deadline pass an instant
				// before ctx itself reports it.)
				return evCtx, respMsg{}
			}
			m.readerFailed(err)
			return evGone, respMsg{}
		}
		m.dispatch(p, trace, false)
	}
}

// setWait (re)starts the wait timer of a command: it expires after d.
// Callers hold m.mu.
func (m *Master) setWait(d time.Duration) {
	m.waitUntil = time.Now().Add(d)
	m.waitTimer.Reset(d)
}

// waitExpired reports whether the wait timer has expired (a tick may be
// stale). Callers hold m.mu.
func (m *Master) waitExpired() bool { return !time.Now().Before(m.waitUntil) }

// onWaitTimer runs when a command's wait timer fires: it signals a waiting
// caller and wakes a caller blocked in Recv.
func (m *Master) onWaitTimer() {
	select {
	case m.waitTick <- struct{}{}:
	default:
	}
	if m.waker != nil {
		m.waker.Wake()
	}
}
