package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// ErrNotSynchronised is matched (errors.Is) by the error of a command that
// was not sent because the master could not re-establish which response
// belongs to which command: after a timeout (or a cancelled or malformed
// answer) the master sends SYNCH and believes answers again only once the
// slave's ERR_CMD_SYNCH has arrived; a SYNCH without that answer within t1
// leaves the master unsynchronised, and the next command tries again.
var ErrNotSynchronised = errors.New("master: not synchronised with the slave")

// ErrCommandDeadline is matched (errors.Is) by the error of a command the
// slave kept pending (EV_CMD_PENDING) for longer than the command deadline
// (Config.CommandDeadline).
var ErrCommandDeadline = errors.New("master: command deadline exceeded")

// now returns the time in the transport's clock (ns since Info().Start),
// the clock of transport.Packet.Time.
func (m *Master) now() int64 { return int64(time.Since(m.start)) }

// arm prepares the hand-off for a command: queued responses of an earlier
// attempt are dropped, and only packets received from now on can answer.
func (m *Master) arm(cmd xcp.Command, nresp int, synch bool) {
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
	m.synching = synch
	if synch {
		m.synchOut++
	}
	m.pendCmd = cmd
	m.sentAt = m.now()
	m.respMu.Unlock()
}

// transact sends the packets in reqs (spaced by gap, for master block mode)
// and waits for nresp responses (more than one in slave block mode), each
// within timeout of the previous one. It returns the first response; all
// responses are in m.resps, aliasing m.respBuf until the next transact.
// An ERR packet ends the wait at once and is returned as *xcp.Error; no
// answer in time is *xcp.TimeoutError. After any exchange that did not end
// with the answer (timeout, cancellation, an answer that does not fit) the
// master is out of step with the slave and resynchronises (resync) before
// the next command. Callers hold m.mu.
func (m *Master) transact(ctx context.Context, reqs [][]byte, gap time.Duration, nresp int, timeout time.Duration) ([]byte, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	select {
	case <-m.done:
		return nil, m.goneErr()
	default:
	}
	cmd := xcp.Command(reqs[0][0])
	if cmd == xcp.CmdSynch && len(reqs) == 1 {
		// SYNCH is always the resynchronisation: its answer is ERR_CMD_SYNCH.
		if err := m.resync(ctx); err != nil {
			return nil, err
		}
		return nil, &xcp.Error{Cmd: xcp.CmdSynch, Code: xcp.ErrCmdSynch}
	}
	if m.desync && cmd != xcp.CmdConnect {
		if err := m.resync(ctx); err != nil {
			return nil, fmt.Errorf("master: %s not sent: %w", cmd, err)
		}
	}
	m.arm(cmd, nresp, false)
	m.resps = m.resps[:0]
	trace := m.log.Enabled(ctx, slog.LevelDebug)
	sent := 0
	for i, req := range reqs {
		if i > 0 && gap > 0 {
			if err := wait.For(ctx, gap); err != nil {
				m.lost()
				return nil, err
			}
		}
		if i > 0 && len(m.respCh) > 0 {
			break // the slave already answered (with an error)
		}
		if trace {
			m.log.Debug("-> " + traceCmd(req))
		}
		if err := m.conn.Send(ctx, req); err != nil {
			if sent > 0 {
				m.lost()
			} else {
				m.cancelExpect()
			}
			return nil, m.sendErr(ctx, cmd, err)
		}
		sent++
	}
	start := time.Now()
	deadline := m.cfg.commandDeadline()
	pending := false
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
					if !m.drainBlock(sent-1-len(m.resps), timeout) {
						m.desync = true
					}
				}
				e, err := xcp.DecodeError(cmd, p)
				if err != nil {
					return nil, err
				}
				return nil, e
			}
			if len(m.resps) == 0 && nresp == 1 {
				if err := checkShape(reqs[0], p, m.format, m.padded); err != nil {
					m.lost()
					m.log.Warn("xcp response does not fit the command: resynchronising", "cmd", cmd.String(), "bytes", len(p))
					return nil, err
				}
			}
			m.resps = append(m.resps, r)
			if len(m.resps) == nresp {
				if cmd == xcp.CmdConnect {
					// The slave answered in order up to here.
					m.desync = false
					m.respMu.Lock()
					m.synchOut = 0
					m.respMu.Unlock()
				}
				f := m.resps[0]
				return m.respBuf[f.off : f.off+f.n], nil
			}
			m.timer.Reset(timeout)
		case <-m.extendCh:
			// EV_CMD_PENDING: the slave asks for more time, within the
			// command deadline.
			pending = true
			left := deadline - time.Since(start)
			if left <= 0 {
				m.lost()
				return nil, m.deadlineErr(cmd, deadline)
			}
			m.timer.Reset(min(timeout, left))
		case <-m.timer.C:
			m.lost()
			if pending && time.Since(start) >= deadline {
				return nil, m.deadlineErr(cmd, deadline)
			}
			return nil, &xcp.TimeoutError{Cmd: cmd, Attempts: 1}
		case <-ctx.Done():
			m.lost()
			return nil, ctx.Err()
		case <-m.done:
			m.cancelExpect()
			return nil, m.goneErr()
		}
	}
}

func (m *Master) deadlineErr(cmd xcp.Command, d time.Duration) error {
	return fmt.Errorf("master: %s: the slave kept the command pending (EV_CMD_PENDING) for longer than the command deadline of %v (Config.CommandDeadline): %w", cmd, d, ErrCommandDeadline)
}

// goneErr is the error of a command after the receive goroutine ended:
// ErrClosed after Close, else the lost connection (matching
// transport.ErrConnectionLost).
func (m *Master) goneErr() error {
	if m.closed.Load() && !errors.Is(m.recvErr, transport.ErrConnectionLost) {
		return ErrClosed
	}
	return fmt.Errorf("master: %w", m.recvErr)
}

// sendErr wraps a failed send of cmd. Unless ctx ended or the master was
// closed, the slave cannot be reached (a broken TCP connection, a UDP port
// nobody listens on, a CAN controller off the bus): the error then matches
// transport.ErrConnectionLost.
func (m *Master) sendErr(ctx context.Context, cmd xcp.Command, err error) error {
	if ctx.Err() == nil && !m.closed.Load() && !errors.Is(err, transport.ErrConnectionLost) {
		return fmt.Errorf("master: %w", &transport.LostError{Op: "send " + cmd.String(), Err: err})
	}
	return fmt.Errorf("master: send %s: %w", cmd, err)
}

// lost ends the wait for an answer that did not come (in full, in time or
// in the right shape): its late packets must never answer a later command,
// so the master resynchronises before the next one. Callers hold m.mu.
func (m *Master) lost() {
	m.cancelExpect()
	m.desync = true
}

// resync sends SYNCH and waits (t1) for the slave's ERR_CMD_SYNCH,
// discarding every packet before it: late answers to commands that timed
// out. The slave answers in order, so once its ERR_CMD_SYNCH has arrived
// every later packet answers a later command. Like the error-handling
// matrix for SYNCH, an unanswered SYNCH is repeated twice; without
// ERR_CMD_SYNCH the master stays unsynchronised (ErrNotSynchronised).
// Callers hold m.mu.
func (m *Master) resync(ctx context.Context) error {
	attempts := 1 + min(2, m.maxRetries())
	discarded := 0
	m.respMu.Lock()
	seen := m.synchSeen
	m.respMu.Unlock()
	for a := 1; ; a++ {
		ok, err := m.synchOnce(ctx, &discarded)
		if err != nil {
			m.desync = true
			return err
		}
		if ok {
			m.desync = false
			if discarded > 0 {
				m.log.Debug("xcp resynchronised: late answers discarded", "packets", discarded)
			}
			return nil
		}
		if a == attempts {
			break
		}
	}
	m.desync = true
	m.respMu.Lock()
	alive, out := m.synchSeen != seen, m.synchOut
	m.respMu.Unlock()
	if alive && out > 0 {
		// The slave answers SYNCH, but not as often as it was sent: an
		// answer was lost. Once the slave has been quiet for a while no
		// answer is still on its way and counting starts afresh.
		m.settle(ctx)
	}
	return fmt.Errorf("SYNCH got no ERR_CMD_SYNCH within t1 (%v, %d attempts), so answers cannot be matched to commands: %w (%w)",
		m.tmo.T1, attempts, ErrNotSynchronised, &xcp.TimeoutError{Cmd: xcp.CmdSynch, Attempts: attempts})
}

// settleQuiet is how many t1 the slave must be quiet before settle takes
// every outstanding SYNCH answer for lost. It is a heuristic: a slave that
// answers a command still later than this after it lost a SYNCH answer
// could have that answer taken for a later command's.
const settleQuiet = 10

// settle discards packets until the slave has been quiet for settleQuiet
// t1 (at most 4 times as long), then forgets the outstanding SYNCHs.
// Callers hold m.mu.
func (m *Master) settle(ctx context.Context) {
	quiet := settleQuiet * m.tmo.T1
	m.arm(xcp.CmdSynch, 1<<30, false)
	m.respMu.Lock()
	m.synching = true
	m.respMu.Unlock()
	defer m.cancelExpect()
	end := time.Now().Add(4 * quiet)
	m.timer.Reset(quiet)
	defer m.timer.Stop()
	for time.Now().Before(end) {
		select {
		case <-m.respCh:
			m.timer.Reset(quiet)
		case <-m.extendCh:
			m.timer.Reset(quiet)
		case <-m.timer.C:
			m.respMu.Lock()
			m.synchOut = 0
			m.respMu.Unlock()
			m.log.Warn("xcp SYNCH answers lost: counting afresh")
			return
		case <-ctx.Done():
			return
		case <-m.done:
			return
		}
	}
}

// synchOnce sends one SYNCH and waits t1 for an ERR_CMD_SYNCH; ok is
// false if none came.
func (m *Master) synchOnce(ctx context.Context, discarded *int) (ok bool, err error) {
	m.arm(xcp.CmdSynch, 1<<30, true)
	req := [1]byte{byte(xcp.CmdSynch)}
	if m.log.Enabled(ctx, slog.LevelDebug) {
		m.log.Debug("-> " + traceCmd(req[:]))
	}
	if err := m.conn.Send(ctx, req[:]); err != nil {
		m.cancelExpect()
		return false, m.sendErr(ctx, xcp.CmdSynch, err)
	}
	m.timer.Reset(m.tmo.T1)
	defer m.timer.Stop()
	for {
		select {
		case r := <-m.respCh:
			if r.pid == xcp.PIDErr && r.code == int(xcp.ErrCmdSynch) {
				m.cancelExpect()
				return true, nil
			}
			*discarded++
		case <-m.extendCh:
		case <-m.timer.C:
			m.cancelExpect()
			return false, nil
		case <-ctx.Done():
			m.cancelExpect()
			return false, ctx.Err()
		case <-m.done:
			m.cancelExpect()
			return false, m.goneErr()
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
	m.synching = false
	m.respMu.Unlock()
}
