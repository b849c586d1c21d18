package dbg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrUnusable is matched by errors of commands the slave answered with
// ERR_CMD_UNKNOWN earlier in the session: table 57 says such a command may
// no longer be used, so it is not sent again.
var ErrUnusable = errors.New("dbg: command is not supported by the slave (ERR_CMD_UNKNOWN earlier in this session)")

// ErrTargetNotAccessible is matched when the target stayed inaccessible
// (Vref low, a reset asserted) for longer than Config.TargetWait.
var ErrTargetNotAccessible = errors.New("dbg: target not accessible")

func (s *Session) exec(ctx context.Context, cmd swdbg.Command, req []byte) ([]byte, error) {
	r, err := s.execN(ctx, cmd, [][]byte{req}, 1)
	if err != nil {
		return nil, err
	}
	return r[0], nil
}

// execN sends one SW-DBG command (or a master block of packets, cmd naming
// the one the answer belongs to), waits for nresp responses and applies the
// rule of table 57 (swdbg.Handling) to a failure: SYNCH, wait t7,
// DBG_ATTACH, unlock or reading the Vref/reset pins, then a bounded
// repetition; ERR_CMD_UNKNOWN makes the command unusable for the session.
// Rules that restart a transfer are left to transfer. Errors without a
// rule are returned as they are. Callers hold s.mu.
func (s *Session) execN(ctx context.Context, cmd swdbg.Command, reqs [][]byte, nresp int) ([][]byte, error) {
	if s.unusable[cmd] {
		return nil, fmt.Errorf("dbg: %s: %w", cmd, ErrUnusable)
	}
	var gap time.Duration
	if len(reqs) > 1 {
		gap = s.block.MinST
	}
	tries := map[swdbg.Cause]int{}
	for {
		resps, err := s.m.Exchange(ctx, reqs, gap, master.CallOptions{Timeout: s.t1, NoRetry: true, Responses: nresp})
		if err == nil {
			return resps, nil
		}
		var cause swdbg.Cause
		var te *xcp.TimeoutError
		if errors.As(err, &te) {
			cause = swdbg.Cause{Code: xcp.Timeout}
			err = fmt.Errorf("dbg: %s: %w", cmd, err)
		} else {
			err = swdbg.FromXCP(cmd, err, s.f)
			var e *swdbg.Error
			if !errors.As(err, &e) {
				return nil, fmt.Errorf("dbg: %s: %w", cmd, err)
			}
			cause = swdbg.CauseOf(e)
		}
		rule, ok := swdbg.Handling(cmd, cause)
		if !ok {
			return nil, err
		}
		limit := s.cfg.MaxRetries
		switch rule.Action {
		case swdbg.ActUnusable:
			s.unusable[cmd] = true
			s.log.Info("sw-dbg command not supported, no longer used", "cmd", cmd.String())
			return nil, err
		case swdbg.ActRepeat2:
			limit = 2
		case swdbg.ActRepeatInf, swdbg.ActRepeat, swdbg.ActRepeatWhenAccessible:
		default:
			return nil, err // display, tool specific, retry other parameters/syntax, restart (transfer)
		}
		if rule.Pre == swdbg.PreRestart || tries[cause] >= limit {
			return nil, err
		}
		tries[cause]++
		s.log.Debug("sw-dbg error handling", "cmd", cmd.String(), "error", cause.String(),
			"pre", rule.Pre.String(), "action", rule.Action.String(), "attempt", tries[cause])
		if perr := s.preAction(ctx, rule.Pre); perr != nil {
			return nil, fmt.Errorf("%w (error handling %q failed: %v)", err, rule.Pre, perr)
		}
	}
}

// preAction performs a pre-action of table 57 before a repetition.
func (s *Session) preAction(ctx context.Context, pre swdbg.PreAction) error {
	switch pre {
	case swdbg.PreSynch:
		s.stats.Synchs++
		return s.synch(ctx)
	case swdbg.PreWaitT7:
		s.stats.BusyWaits++
		return wait.For(ctx, s.t7)
	case swdbg.PreAttach:
		s.stats.Reattaches++
		s.log.Info("sw-dbg: the slave lost the attach, DBG_ATTACH again")
		return s.attach(ctx)
	case swdbg.PreUnlock:
		_, err := s.m.Unlock(ctx, xcp.ResDbg)
		return err
	case swdbg.PreReadPins:
		s.stats.Repeats++
		return s.waitTarget(ctx)
	}
	// "-": repeat at once would hammer a slave that said "not now";
	// wait t7 like for a busy slave.
	s.stats.Repeats++
	return wait.For(ctx, s.t7)
}

// transfer runs a command sequence (DBG_WRITE + DBG_WRITE_NEXT,
// DBG_READ_CAN1 + DBG_READ_CAN2, DBG_WRITE_CAN1 + DBG_WRITE_CAN2 +
// DBG_WRITE_CAN_NEXT) and restarts it from its first command as table 57
// says: at most twice after ERR_SEQUENCE, and after
// ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE of a continuation once the target
// is accessible again (bounded by Config.MaxRetries). Callers hold s.mu.
func (s *Session) transfer(ctx context.Context, run func() error) error {
	tries := map[swdbg.Cause]int{}
	for {
		err := run()
		var e *swdbg.Error
		if err == nil || !errors.As(err, &e) {
			return err
		}
		cause := swdbg.CauseOf(e)
		rule, ok := swdbg.Handling(e.Cmd, cause)
		switch {
		case !ok:
			return err
		case rule.Pre == swdbg.PreRestart && rule.Action == swdbg.ActRepeat2 && tries[cause] < 2:
		case rule.Action == swdbg.ActRestartWhenAccessible && tries[cause] < s.cfg.MaxRetries:
			if werr := s.waitTarget(ctx); werr != nil {
				return fmt.Errorf("%w (%v)", err, werr)
			}
		default:
			return err
		}
		tries[cause]++
		s.stats.Restarts++
		s.log.Info("sw-dbg transfer restarted", "after", e.Error())
	}
}

// synch sends SYNCH (expecting ERR_CMD_SYNCH).
func (s *Session) synch(ctx context.Context) error {
	_, err := s.m.DoWith(ctx, xcp.Synch{}.Append(nil, s.f), master.CallOptions{Timeout: s.t1, NoRetry: true})
	var te *xcp.TimeoutError
	if err == nil || errors.Is(err, xcp.ErrCmdSynch) || errors.As(err, &te) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var xe *xcp.Error
	if errors.As(err, &xe) {
		return nil // any answer means the command processor is in sync
	}
	return fmt.Errorf("dbg: SYNCH: %w", err)
}

// waitTarget reads the Vref and reset pins (table 57: "read vref pin,
// read reset pin") every t7 until the target is powered and out of reset,
// for at most Config.TargetWait. Without such pins it waits t7 once.
func (s *Session) waitTarget(ctx context.Context) error {
	s.stats.TargetWaits++
	pins, err := s.hwioInfo(ctx)
	var watch []swdbg.PinInfo
	if err == nil {
		for _, p := range pins {
			if p.Class == swdbg.ClassVref || p.Class == swdbg.ClassPORST || p.Class == swdbg.ClassSecondaryRst {
				if p.Mode&swdbg.PinInput != 0 {
					watch = append(watch, p)
				}
			}
		}
	}
	if len(watch) == 0 {
		return wait.For(ctx, s.t7)
	}
	ctl := make([]swdbg.PinControl, len(watch))
	for i, p := range watch {
		ctl[i] = swdbg.PinControl{Index: p.Index, State: swdbg.StateUnchanged}
	}
	deadline := time.Now().Add(s.cfg.TargetWait)
	for {
		states, err := s.hwioControl(ctx, ctl)
		if err != nil {
			return err
		}
		why := ""
		for i, p := range watch {
			high := states[i] == swdbg.StateHigh
			switch {
			case p.Class == swdbg.ClassVref && !high:
				why = fmt.Sprintf("Vref (pin %d) is low", p.Index)
			case p.Class != swdbg.ClassVref && ((p.Active == swdbg.ActiveLow && !high) || (p.Active == swdbg.ActiveHigh && high)):
				why = fmt.Sprintf("%s (pin %d) is asserted", p.Class, p.Index)
			}
		}
		if why == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s after %v", ErrTargetNotAccessible, why, s.cfg.TargetWait)
		}
		s.log.Debug("sw-dbg waiting for the target", "reason", why)
		if err := wait.For(ctx, s.t7); err != nil {
			return err
		}
	}
}
