package master

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Exchanger sends a command packet and returns the slave's positive
// response (valid until the next call). A Recovery receives one that works
// while the master is busy with the failing command.
type Exchanger interface {
	Do(ctx context.Context, req []byte) ([]byte, error)
}

// Recovery performs a pre-action of the error-handling matrix that needs
// state the master does not own (for example re-sending the DAQ
// configuration for xcp.PreReinitDaq). It runs inside the failing command
// and must use x, not the Master, to talk to the slave.
type Recovery func(ctx context.Context, x Exchanger) error

// SetRecovery installs f as the implementation of pre-action pre (nil
// removes it). The master implements PreWaitT7, PreDisplayError, PreSynch,
// PreUnlock, PreSetMTA and PreGetStatus itself; any other pre-action
// (PreReinitDaq, PreSetDaqPtr, PreStartStopX, PreConnect, ...) needs a
// Recovery, and a rule whose pre-action has none ends in the error,
// unrepeated.
func (m *Master) SetRecovery(pre xcp.PreAction, f Recovery) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f == nil {
		delete(m.recovery, pre)
		return
	}
	m.recovery[pre] = f
}

// CallOptions adjust one command call.
type CallOptions struct {
	// Timeout replaces the command's standard timeout (t1, t2, ...).
	Timeout time.Duration
	// NoRetry reports every error at once, without the matrix.
	NoRetry bool
	// Responses is the number of response packets expected (slave block
	// mode); 0 means 1.
	Responses int
}

// Do sends one command packet (command byte first), applying the
// error-handling matrix, and returns the positive response. The returned
// slice is a copy owned by the caller.
func (m *Master) Do(ctx context.Context, req []byte) ([]byte, error) {
	return m.DoWith(ctx, req, CallOptions{})
}

// DoWith is Do with options.
func (m *Master) DoWith(ctx context.Context, req []byte, o CallOptions) ([]byte, error) {
	if len(req) == 0 {
		return nil, errors.New("master: empty command packet")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.call(ctx, [][]byte{req}, 0, o)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), p...), nil
}

// timeoutFor returns the standard timeout of a command.
func (m *Master) timeoutFor(req []byte) time.Duration {
	switch xcp.Command(req[0]) {
	case xcp.CmdConnect:
		if len(req) > 1 && xcp.ConnectMode(req[1]) == xcp.ConnectUserDefined {
			return m.tmo.T6
		}
	case xcp.CmdBuildChecksum, xcp.CmdCopyCalPage, xcp.CmdProgramVerify:
		return m.tmo.T2
	case xcp.CmdProgramStart:
		return m.tmo.T3
	case xcp.CmdProgramClear:
		return m.tmo.T4
	case xcp.CmdProgram, xcp.CmdProgramNext, xcp.CmdProgramMax, xcp.CmdProgramFormat:
		return m.tmo.T5
	case xcp.CmdProgramReset:
		return m.tmo.T6
	}
	return m.tmo.T1
}

func (m *Master) maxRetries() int {
	switch {
	case m.cfg.MaxRetries < 0:
		return 0
	case m.cfg.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return m.cfg.MaxRetries
}

// call runs one command through the error-handling matrix. Callers hold m.mu.
// The result aliases m.respBuf.
func (m *Master) call(ctx context.Context, reqs [][]byte, gap time.Duration, o CallOptions) ([]byte, error) {
	return m.callDepth(ctx, reqs, gap, o, 0)
}

func (m *Master) callDepth(ctx context.Context, reqs [][]byte, gap time.Duration, o CallOptions, depth int) ([]byte, error) {
	cmd := xcp.Command(reqs[0][0])
	if m.unusable[cmd] && cmd != xcp.CmdLevel1 && cmd != xcp.CmdUserCmd && cmd != xcp.CmdTransportLayerCmd {
		return nil, &xcp.Error{Cmd: cmd, Code: xcp.ErrCmdUnknown}
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = m.timeoutFor(reqs[0])
	}
	nresp := o.Responses
	if nresp <= 0 {
		nresp = 1
	}
	if m.cmdEnd.IsZero() {
		// The outermost command: the deadline bounds it whole, with its
		// repetitions, pre-actions and EV_CMD_PENDING extensions.
		m.cmdEnd, m.cmdOf, m.cmdLimit = time.Now().Add(max(m.cfg.commandDeadline(), timeout)), cmd, max(m.cfg.commandDeadline(), timeout)
		defer func() { m.cmdEnd = time.Time{} }()
	}
	attempts := 0
	for {
		attempts++
		p, err := m.transact(ctx, reqs, gap, nresp, timeout)
		if err == nil {
			return p, nil
		}
		var code xcp.ErrorCode
		var xe *xcp.Error
		var te *xcp.TimeoutError
		switch {
		case errors.Is(err, ErrNotSynchronised), errors.Is(err, ErrCommandDeadline):
			return nil, err // repeating cannot help
		case errors.Is(err, ErrUnexpectedResponse):
			code = xcp.Timeout // out of step: SYNCH, then repeat
		case errors.As(err, &te):
			te.Attempts = attempts
			code = xcp.Timeout
		case errors.As(err, &xe):
			code = xe.Code
			if code == xcp.ErrCmdUnknown && cmd != xcp.CmdLevel1 && cmd != xcp.CmdUserCmd && cmd != xcp.CmdTransportLayerCmd {
				m.unusable[cmd] = true
			}
		default:
			return nil, err // context, transport or decoding failure
		}
		if o.NoRetry || depth > 1 {
			return nil, err
		}
		rule := xcp.Handling(cmd, code)
		limit := rule.Action.Repeats()
		if limit < 0 || limit > m.maxRetries() {
			limit = m.maxRetries()
		}
		if cmd == xcp.CmdConnect && code == xcp.Timeout {
			limit = m.cfg.connectRetries()
		}
		if attempts > limit {
			return nil, err
		}
		if m.pastDeadline() {
			return nil, m.deadlineErr(attempts, err)
		}
		m.log.Debug("xcp error handling", "cmd", cmd.String(), "error", codeName(code),
			"rule", rule.String(), "attempt", attempts)
		pres, npre := rule.PreActions()
		for _, pre := range pres[:npre] {
			if pre == xcp.PreDisplayError {
				m.log.Warn("xcp slave reports an error, repeating", "cmd", cmd.String(), "error", codeName(code), "attempt", attempts)
			}
			if perr := m.preAction(ctx, pre, cmd, depth); perr != nil {
				return nil, fmt.Errorf("%w (error handling %q failed: %w)", err, pre, perr)
			}
		}
		if m.pastDeadline() { // the pre-actions took the rest: do not send again
			return nil, m.deadlineErr(attempts, err)
		}
	}
}

func (m *Master) preAction(ctx context.Context, pre xcp.PreAction, cmd xcp.Command, depth int) error {
	switch pre {
	case xcp.PreNone:
		return nil
	case xcp.PreWaitT7, xcp.PreDisplayError:
		if left := time.Until(m.cmdEnd); left < m.tmo.T7 {
			wait.For(ctx, max(left, 0))
			return m.deadlineErr(0, nil)
		}
		return wait.For(ctx, m.tmo.T7)
	case xcp.PreSynch:
		// Late answers to the command that failed may still arrive: they
		// are discarded up to SYNCH's own ERR_CMD_SYNCH. A SYNCH without
		// that answer is a failure to synchronise, not a success.
		return m.resync(ctx)
	}
	// Recoveries and key functions run code that is not the master's:
	// the command deadline bounds them through ctx.
	dctx, cancel := context.WithDeadline(ctx, m.cmdEnd)
	defer cancel()
	err := m.runPreAction(dctx, pre, cmd, depth)
	if err != nil && ctx.Err() == nil && errors.Is(dctx.Err(), context.DeadlineExceeded) && !errors.Is(err, ErrCommandDeadline) {
		return m.deadlineErr(0, err)
	}
	return err
}

// runPreAction runs the pre-actions that need state or code beyond the
// master's own waits and SYNCH.
func (m *Master) runPreAction(ctx context.Context, pre xcp.PreAction, cmd xcp.Command, depth int) error {
	if f, ok := m.recovery[pre]; ok {
		return f(ctx, nested{m, depth + 1})
	}
	switch pre {
	case xcp.PreUnlock:
		res := ResourceOf(cmd)
		if res == 0 {
			// Standard commands (UPLOAD, BUILD_CHECKSUM, ...) may be locked
			// by any resource: unlock whatever GET_STATUS reports locked.
			return m.unlockAllLocked(ctx, depth+1)
		}
		return m.unlock(ctx, res, depth+1)
	case xcp.PreSetMTA:
		if !m.mta.valid {
			return errors.New("no MTA to restore")
		}
		req := xcp.SetMTA{Addr: m.mta.addr, Ext: m.mta.ext}.Append(m.aux[:0], m.format)
		_, err := m.callDepth(ctx, [][]byte{req}, 0, CallOptions{}, depth+1)
		return err
	case xcp.PreGetStatus:
		_, err := m.callDepth(ctx, [][]byte{{byte(xcp.CmdGetStatus)}}, 0, CallOptions{}, depth+1)
		return err
	}
	return fmt.Errorf("pre-action %q is not available here", pre)
}

// synchAbsorb is the Responses option of the Synch method (resync
// absorbs any number of late answers).
const synchAbsorb = 64

// nested is the Exchanger handed to a Recovery: it runs commands while the
// master's lock is held by the failing command.
type nested struct {
	m     *Master
	depth int
}

func (n nested) Do(ctx context.Context, req []byte) ([]byte, error) {
	p, err := n.m.callDepth(ctx, [][]byte{req}, 0, CallOptions{}, n.depth)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), p...), nil
}

// ResourceOf returns the resource that protects cmd (0 if none).
func ResourceOf(cmd xcp.Command) xcp.Resource {
	switch {
	case cmd == xcp.CmdWriteDaqMultiple || cmd == xcp.CmdDtoCtrProperties ||
		(cmd >= xcp.CmdAllocOdtEntry && cmd <= xcp.CmdClearDaqList):
		return xcp.ResDaq
	case cmd >= xcp.CmdProgramVerify && cmd <= xcp.CmdProgramStart:
		return xcp.ResPgm
	case cmd >= xcp.CmdCopyCalPage && cmd <= xcp.CmdDownload:
		return xcp.ResCalPag
	case cmd == xcp.CmdLevel1:
		return xcp.ResDbg
	}
	return 0
}
