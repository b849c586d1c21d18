package master

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/protocol/xcp"
)

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// transact sends the packets in reqs (spaced by gap, for master block mode)
// and waits for nresp responses (more than one in slave block mode), each
// within timeout of the previous one. It returns the first response; all
// responses are in m.resps, aliasing m.respBuf until the next transact.
// An ERR packet ends the wait at once and is returned as *xcp.Error; no
// answer in time is *xcp.TimeoutError. Callers hold m.mu.
func (m *Master) transact(ctx context.Context, reqs [][]byte, gap time.Duration, nresp int, timeout time.Duration) ([]byte, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	select {
	case <-m.done:
		return nil, fmt.Errorf("master: connection lost: %w", m.recvErr)
	default:
	}
	cmd := xcp.Command(reqs[0][0])
	// Responses of an earlier timed-out attempt may still be queued.
	m.respMu.Lock()
	for drained := false; !drained; {
		select {
		case <-m.respCh:
		case <-m.extendCh:
		default:
			drained = true
		}
	}
	m.respOff = 0
	m.expect = nresp
	m.respMu.Unlock()
	m.resps = m.resps[:0]
	trace := m.log.Enabled(ctx, slog.LevelDebug)
	sent := 0
	for i, req := range reqs {
		if i > 0 && gap > 0 {
			if err := wait.For(ctx, gap); err != nil {
				m.cancelExpect()
				return nil, err
			}
		}
		if i > 0 && len(m.respCh) > 0 {
			break // the slave already answered (with an error)
		}
		if trace {
			m.log.Debug(fmt.Sprintf("-> % X", req))
		}
		if err := m.conn.Send(ctx, req); err != nil {
			m.cancelExpect()
			return nil, fmt.Errorf("master: send %s: %w", cmd, err)
		}
		sent++
	}
	m.timer.Reset(timeout)
	defer m.timer.Stop()
	for {
		select {
		case r := <-m.respCh:
			p := m.respBuf[r.off : r.off+r.n]
			if p[0] == xcp.PIDErr {
				m.cancelExpect()
				if sent > 1 { // a master block: later packets may be answered too
					p = append([]byte(nil), p...)
					m.drainBlock(sent-1-len(m.resps), timeout)
				}
				e, err := xcp.DecodeError(cmd, p)
				if err != nil {
					return nil, err
				}
				return nil, e
			}
			m.resps = append(m.resps, r)
			if len(m.resps) == nresp {
				f := m.resps[0]
				return m.respBuf[f.off : f.off+f.n], nil
			}
			m.timer.Reset(timeout)
		case <-m.extendCh:
			m.timer.Reset(timeout)
		case <-m.timer.C:
			m.cancelExpect()
			return nil, &xcp.TimeoutError{Cmd: cmd, Attempts: 1}
		case <-ctx.Done():
			m.cancelExpect()
			return nil, ctx.Err()
		case <-m.done:
			m.cancelExpect()
			if m.closed.Load() {
				return nil, ErrClosed
			}
			return nil, fmt.Errorf("master: connection lost: %w", m.recvErr)
		}
	}
}

// response returns the i-th response of the last transact.
func (m *Master) response(i int) []byte {
	r := m.resps[i]
	return m.respBuf[r.off : r.off+r.n]
}

func (m *Master) cancelExpect() {
	m.respMu.Lock()
	m.expect = 0
	m.respMu.Unlock()
}
