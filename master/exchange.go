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

// ErrCommandDeadline is matched (errors.Is) by the error of a command that
// did not end within the command deadline (Config.CommandDeadline) with
// all its attempts, pre-actions and EV_CMD_PENDING extensions.
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
		m.synchSince++
		m.synchSent = true
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
	if cmd == xcp.CmdSynch || m.desync {
		// The resynchronisation waits for the receive goroutine.
		m.releaseReader(true)
	}
	if cmd == xcp.CmdSynch && len(reqs) == 1 {
		// SYNCH is always the resynchronisation: its answer is ERR_CMD_SYNCH.
		// A SYNCH asked for is sent, and answers to earlier SYNCHs must
		// not end it.
		m.expectSynch()
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
	// An answer proves the order of everything before it (believed) only
	// if the master was in step when the command went out (a CONNECT may
	// be sent while it is not).
	trusted := !m.desync
	m.arm(cmd, nresp, false)
	m.resps = m.resps[:0]
	trace := m.log.Enabled(ctx, slog.LevelDebug)
	if len(reqs) > 1 {
		// Master block mode: answers to the first packets (errors) must
		// be seen while the rest is sent.
		m.releaseReader(true)
	}
	sent := 0
	for i, req := range reqs {
		if i > 0 && gap > 0 {
			if err := wait.For(ctx, gap); err != nil {
				m.lost()
				m.releaseReader(true)
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
				m.releaseReader(true)
			} else {
				m.cancelExpect()
			}
			return nil, m.sendErr(ctx, cmd, err)
		}
		sent++
	}
	// The answer is received by this goroutine itself if it gets the
	// reader token (reader.go), else handed over by the receive goroutine.
	have := sent == 1 && m.takeReader()
	p, err := m.await(ctx, reqs, cmd, sent, nresp, timeout, have, trace, trusted)
	// After a failed exchange the resynchronisation (and drainBlock) wait
	// for the receive goroutine.
	m.releaseReader(m.desync)
	return p, err
}

// await is the wait of transact for the answers, holding the reader token
// (have) or taking the answers from the receive goroutine; trusted says
// the master was in step when the command went out. Callers hold m.mu.
func (m *Master) await(ctx context.Context, reqs [][]byte, cmd xcp.Command, sent, nresp int, timeout time.Duration, have, trace, trusted bool) ([]byte, error) {
	pending := false
	m.setWait(m.bounded(timeout))
	defer m.waitTimer.Stop()
	for {
		var ev waitEvent
		var r respMsg
		if have {
			ev, r = m.readDirect(ctx, trace)
		} else {
			select {
			case r = <-m.respCh:
				ev = evResp
			case <-m.extendCh:
				ev = evExtend
			case <-m.waitTick:
				ev = evTick
			case <-m.rdGive:
				have = true // the receive goroutine handed the token over
				continue
			case <-ctx.Done():
				ev = evCtx
			case <-m.done:
				ev = evGone
			}
		}
		switch ev {
		case evResp:
			p := m.respBuf[r.off : r.off+r.n]
			if p[0] == xcp.PIDErr {
				m.cancelExpect()
				if sent > 1 { // a master block: later packets may be answered too
					p = append([]byte(nil), p...)
					m.releaseReader(true)
					if !m.drainBlock(sent-1-len(m.resps), timeout) {
						m.lost()
					}
				}
				if sent == 1 && trusted {
					m.believed()
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
					m.synchNeed = 0
					m.respMu.Unlock()
				}
				if trusted {
					m.believed()
				}
				f := m.resps[0]
				return m.respBuf[f.off : f.off+f.n], nil
			}
			m.setWait(m.bounded(timeout))
		case evExtend:
			// EV_CMD_PENDING: the slave asks for more time, within the
			// command deadline.
			pending = true
			if m.pastDeadline() {
				m.lost()
				return nil, m.deadlineErr(1, errPending)
			}
			m.setWait(m.bounded(timeout))
		case evTick:
			if !m.waitExpired() {
				continue // a stale tick or Wake
			}
			m.lost()
			if m.pastDeadline() {
				if pending {
					return nil, m.deadlineErr(1, errPending)
				}
				return nil, m.deadlineErr(1, &xcp.TimeoutError{Cmd: cmd, Attempts: 1})
			}
			return nil, &xcp.TimeoutError{Cmd: cmd, Attempts: 1}
		case evCtx:
			m.lost()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, context.DeadlineExceeded // seen by the transport first
		case evGone:
			m.cancelExpect()
			return nil, m.goneErr()
		}
	}
}

// errPending is the last error of a command the slave kept pending.
var errPending = errors.New("the slave kept it pending (EV_CMD_PENDING)")

// bounded returns d, or less if the command deadline comes sooner.
// Callers hold m.mu.
func (m *Master) bounded(d time.Duration) time.Duration {
	if m.cmdEnd.IsZero() {
		return d
	}
	return max(min(d, time.Until(m.cmdEnd)), 0)
}

// pastDeadline reports whether the command deadline has passed. Callers
// hold m.mu.
func (m *Master) pastDeadline() bool {
	return !m.cmdEnd.IsZero() && !time.Now().Before(m.cmdEnd)
}

// deadlineErr is the error of a command that ran out of its deadline
// after attempts attempts (0: unknown) with last as its last error.
// Callers hold m.mu.
func (m *Master) deadlineErr(attempts int, last error) error {
	how := ""
	switch {
	case attempts > 1:
		how = fmt.Sprintf(" after %d attempts", attempts)
	case attempts == 1:
		how = " after 1 attempt"
	}
	if last != nil {
		how += "; last: " + last.Error()
	}
	return fmt.Errorf("master: %s: no answer within the command deadline of %v (Config.CommandDeadline, general.command_deadline)%s: %w",
		m.cmdOf, m.cmdLimit, how, ErrCommandDeadline)
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
	m.expectSynch()
	m.desync = true
}

// expectSynch starts the wait for an ERR_CMD_SYNCH that certainly answers
// a SYNCH sent from now on. SYNCHs sent earlier may still be answered
// (at most synchOut of them): only the synchOut+1-th ERR_CMD_SYNCH from
// now on is certainly the answer to a later one (synchAnswered).
func (m *Master) expectSynch() {
	m.respMu.Lock()
	m.expect = 0
	m.synching = false
	m.synchNeed = m.synchOut + 1
	m.synchSince = 0
	m.respMu.Unlock()
}

// believed notes that the command in flight got its own answer: the
// slave answers in order, so every SYNCH sent before it has been answered
// or never will be, and synchOut starts again from 0. Callers hold m.mu.
func (m *Master) believed() {
	if !m.synchSent {
		return
	}
	m.synchSent = false
	m.respMu.Lock()
	m.synchOut = 0
	m.respMu.Unlock()
}

// synchAnswered counts an ERR_CMD_SYNCH and reports whether it ends the
// resynchronisation. The rule, and why it is right:
//
//   - The slave answers in order and SYNCH only with ERR_CMD_SYNCH, which
//     answers no other command. Answers may be lost (a datagram, a faulty
//     slave), never invented.
//   - When an answer goes missing (lost), every SYNCH sent before is
//     "old", and at most synchOut of their answers are still on their way
//     (synchOut counts SYNCHs sent minus ERR_CMD_SYNCH received).
//     synchNeed is set to synchOut+1.
//   - Of the next synchOut+1 ERR_CMD_SYNCH received, at most synchOut
//     answer old SYNCHs, so the last one answers a SYNCH sent after the
//     missing answer. In order, every answer to a command sent before that
//     SYNCH has then arrived or is lost for good: whatever comes next
//     answers a later command (or a later SYNCH, which is dropped).
//   - Lost SYNCH answers only make synchOut too large, which costs
//     more SYNCHs but never a wrong answer. The ending answer answers one
//     of the synchSince SYNCHs sent since the missing answer, so at most
//     synchSince-1 can still come; and once a later command gets its own
//     answer, none can (believed): lost answers are forgotten without any
//     guess about time.
//   - Where the transport numbers the slave's packets (stale.go), an
//     ERR_CMD_SYNCH sent before a response already received is not
//     counted: a network reordered it, and it answers a SYNCH already
//     accounted for.
//
// Callers hold m.respMu.
func (m *Master) synchAnswered() bool {
	m.synchSeen++
	if m.synchOut > 0 {
		m.synchOut--
	}
	if m.synchNeed == 0 {
		return false
	}
	m.synchNeed--
	if m.synchNeed > 0 {
		return false
	}
	m.synchOut = max(0, min(m.synchOut, m.synchSince-1))
	return true
}

// resync sends SYNCH until an ERR_CMD_SYNCH certainly answers one of them
// (synchAnswered), discarding every packet before it: late answers to
// commands that timed out. Like the error-handling matrix for SYNCH, a
// SYNCH the slave does not answer is repeated twice; a SYNCH that is
// answered, but not yet certainly by its own answer, does not count
// against that. Without the certain answer the master stays
// unsynchronised (ErrNotSynchronised) and the next command goes on from
// there. Callers hold m.mu.
func (m *Master) resync(ctx context.Context) error {
	silentMax := 1 + min(2, m.maxRetries())
	discarded := 0
	m.respMu.Lock()
	need := m.synchNeed
	m.respMu.Unlock()
	if need == 0 { // the certain answer came after the last resync gave up
		m.desync = false
		return nil
	}
	silent, sent := 0, 0
	for {
		sent++
		m.respMu.Lock()
		seen := m.synchSeen
		m.respMu.Unlock()
		ok, err := m.synchOnce(ctx, &discarded)
		if err != nil {
			m.desync = true
			return err
		}
		m.respMu.Lock()
		ok = ok || m.synchNeed == 0
		answered := m.synchSeen != seen
		m.respMu.Unlock()
		if ok {
			m.desync = false
			if discarded > 0 {
				m.log.Debug("xcp resynchronised: late answers discarded", "packets", discarded)
			}
			return nil
		}
		if m.pastDeadline() {
			m.desync = true
			return m.deadlineErr(0, fmt.Errorf("%w: %d SYNCH sent", ErrNotSynchronised, sent))
		}
		if answered {
			silent = 0
		} else {
			silent++
		}
		// Each answered SYNCH brings the certain answer one closer, so
		// need+silentMax SYNCHs are enough unless the slave stops answering.
		if silent == silentMax || sent >= need+silentMax {
			break
		}
	}
	m.desync = true
	return fmt.Errorf("SYNCH got no ERR_CMD_SYNCH that certainly answers it within t1 (%v, %d attempts, %d unanswered), so answers cannot be matched to commands: %w (%w)",
		m.tmo.T1, sent, silent, ErrNotSynchronised, &xcp.TimeoutError{Cmd: xcp.CmdSynch, Attempts: sent})
}

// synchOnce sends one SYNCH and waits t1 for an ERR_CMD_SYNCH; ok is
// true if it ends the resynchronisation.
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
	m.timer.Reset(m.bounded(m.tmo.T1))
	defer m.timer.Stop()
	for {
		select {
		case r := <-m.respCh:
			if r.pid == xcp.PIDErr && r.code == int(xcp.ErrCmdSynch) {
				// An answer that does not end the resynchronisation
				// still brings it one answer closer: the next SYNCH
				// goes out at once.
				m.cancelExpect()
				return r.done, nil
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
