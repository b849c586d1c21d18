package dbg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"goxcp/master"
	"goxcp/xcp"
	"goxcp/xcp/swdbg"
)

// ErrUnusable is matched by errors of commands the slave answered with
// ERR_CMD_UNKNOWN earlier in the session: table 57 says such a command may
// no longer be used, so it is not sent again.
var ErrUnusable = errors.New("dbg: command is not supported by the slave (ERR_CMD_UNKNOWN earlier in this session)")

// ErrTargetNotAccessible is matched when the target stayed inaccessible
// (Vref low, a reset asserted) for longer than Config.TargetWait.
var ErrTargetNotAccessible = errors.New("dbg: target not accessible")

// continuation reports whether cmd continues a transfer started by another
// command; table 57 restarts the whole transfer when it fails.
func continuation(cmd swdbg.Command) bool {
	return cmd == swdbg.CmdWriteNext || cmd == swdbg.CmdWriteCAN2 || cmd == swdbg.CmdWriteCANNext || cmd == swdbg.CmdReadCAN2
}

// checksPins reports whether table 57 answers
// ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE for cmd with "read vref pin, read
// reset pin" (otherwise the command is simply repeated).
func checksPins(cmd swdbg.Command) bool {
	switch cmd {
	case swdbg.CmdLLT, swdbg.CmdReadModifyWrite, swdbg.CmdWrite, swdbg.CmdRead, swdbg.CmdWriteNext,
		swdbg.CmdWriteCANNext, swdbg.CmdReadCAN2:
		return true
	}
	return false
}

func (s *Session) exec(ctx context.Context, cmd swdbg.Command, req []byte) ([]byte, error) {
	r, err := s.execN(ctx, cmd, [][]byte{req}, 1)
	if err != nil {
		return nil, err
	}
	return r[0], nil
}

// execN sends one SW-DBG command (or a master block of packets, cmd naming
// the one the answer belongs to) and waits for nresp responses, applying
// the per-command rules of table 57: timeouts → SYNCH and repeat twice,
// ERR_CMD_BUSY → wait t7 and repeat, ERR_DBG_ATTACH_MISSING → DBG_ATTACH
// and repeat twice, ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE → (read the
// Vref/reset pins until the target is accessible and) repeat,
// ERR_CMD_UNKNOWN → the command is unusable for the session. Continuation
// commands return ERR_SEQUENCE and ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE
// to the transfer, which restarts. Callers hold s.mu.
func (s *Session) execN(ctx context.Context, cmd swdbg.Command, reqs [][]byte, nresp int) ([][]byte, error) {
	if s.unusable[cmd] {
		return nil, fmt.Errorf("dbg: %s: %w", cmd, ErrUnusable)
	}
	var gap time.Duration
	if len(reqs) > 1 {
		gap = s.block.MinST
	}
	var timeouts, busy, attach, rtna int
	for {
		resps, err := s.m.Exchange(ctx, reqs, gap, master.CallOptions{Timeout: s.t1, NoRetry: true, Responses: nresp})
		if err == nil {
			return resps, nil
		}
		var te *xcp.TimeoutError
		if errors.As(err, &te) {
			if timeouts >= 2 {
				return nil, fmt.Errorf("dbg: %s: %w", cmd, err)
			}
			timeouts++
			s.stats.Synchs++
			s.log.Debug("sw-dbg timeout: SYNCH and repeat", "cmd", cmd.String(), "attempt", timeouts)
			if err := s.synch(ctx); err != nil {
				return nil, err
			}
			continue
		}
		err = swdbg.FromXCP(cmd, err, s.f)
		var e *swdbg.Error
		if !errors.As(err, &e) {
			return nil, fmt.Errorf("dbg: %s: %w", cmd, err)
		}
		switch {
		case e.Code == xcp.ErrCmdBusy && busy < s.cfg.MaxRetries:
			busy++
			s.stats.BusyWaits++
			if err := sleep(ctx, s.t7); err != nil {
				return nil, err
			}
			continue
		case e.Code == xcp.ErrDbg && e.Dbg == swdbg.ErrAttachMissing && cmd != swdbg.CmdAttach && attach < 2:
			attach++
			s.stats.Reattaches++
			s.log.Info("sw-dbg: slave lost the attach, DBG_ATTACH again", "cmd", cmd.String())
			if err := s.attach(ctx); err != nil {
				return nil, err
			}
			continue
		case e.Code == xcp.ErrCmdUnknown:
			s.unusable[cmd] = true
			s.log.Info("sw-dbg command not supported, no longer used", "cmd", cmd.String())
		case e.Code == xcp.ErrResourceTemporaryNotAccessible && !continuation(cmd) && rtna < s.cfg.MaxRetries:
			rtna++
			s.stats.Repeats++
			if checksPins(cmd) {
				if err := s.waitTarget(ctx); err != nil {
					return nil, fmt.Errorf("%w (%v)", e, err)
				}
			} else if err := sleep(ctx, s.t7); err != nil {
				return nil, err
			}
			continue
		}
		return nil, e
	}
}

// transfer runs a command sequence (DBG_WRITE + DBG_WRITE_NEXT,
// DBG_READ_CAN1 + DBG_READ_CAN2, DBG_WRITE_CAN1 + DBG_WRITE_CAN2 +
// DBG_WRITE_CAN_NEXT) and restarts it from its first command, at most
// twice, when a continuation fails with ERR_SEQUENCE or, once the target
// is accessible again, ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE. Callers hold
// s.mu.
func (s *Session) transfer(ctx context.Context, run func() error) error {
	for restarts := 0; ; restarts++ {
		err := run()
		var e *swdbg.Error
		if err == nil || !errors.As(err, &e) || restarts >= 2 {
			return err
		}
		switch {
		case e.Code == xcp.ErrSequence:
		case e.Code == xcp.ErrResourceTemporaryNotAccessible && continuation(e.Cmd):
			if werr := s.waitTarget(ctx); werr != nil {
				return fmt.Errorf("%w (%v)", err, werr)
			}
		default:
			return err
		}
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

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
		return sleep(ctx, s.t7)
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
		if err := sleep(ctx, s.t7); err != nil {
			return err
		}
	}
}
