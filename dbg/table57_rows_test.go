package dbg

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// rowEnv returns a simulator set-up in which cmd is used, and an operation
// of the session that sends cmd.
func rowEnv(t *testing.T, cmd swdbg.Command) (*env, func(*env) error) {
	std := sim.Config{Order: xcp.Motorola, Dbg: sim.DbgConfig{HaltAfterReset: true}}
	can := sim.Config{Dbg: sim.DbgConfig{MaxCTODbg: 8}, NoMasterBlockMode: true, NoSlaveBlockMode: true}
	block := sim.Config{Dbg: sim.DbgConfig{MaxCTODbg: 64}, MaxBS: 8}
	dap := sim.Config{Dbg: sim.DbgConfig{DAP: true}}
	write := func(n int) func(*env) error {
		return func(e *env) error {
			data := randBytes(n, uint64(n))
			if err := e.d.Write(e.ct, 0, 4, 0x70000400, data); err != nil {
				return err
			}
			if !bytes.Equal(e.s.DbgMemory(0, 0x70000400, n), data) {
				return errors.New("memory differs after the write")
			}
			return nil
		}
	}
	read := func(e *env) error {
		got, err := e.d.Read(e.ct, 0, 4, 0x70000000, 2)
		if err == nil && !bytes.Equal(got, []byte{1, 2, 3, 4, 1, 2, 3, 4}) {
			return errors.New("wrong data")
		}
		return err
	}
	cfg, op := std, func(*env) error { return nil }
	switch cmd {
	case swdbg.CmdAttach:
		op = func(e *env) error {
			s, err := Attach(e.ct, e.m, Config{})
			if err == nil {
				s.Close()
			}
			return err
		}
	case swdbg.CmdGetVendorInfo:
		op = func(e *env) error { _, err := e.d.VendorInfo(e.ct); return err }
	case swdbg.CmdGetModeInfo:
		op = func(e *env) error { _, err := e.d.ReadModeInfo(e.ct); return err }
	case swdbg.CmdGetJTAGID:
		op = func(e *env) error { _, err := e.d.JTAGID(e.ct); return err }
	case swdbg.CmdHaltAfterReset:
		op = func(e *env) error { return e.d.HaltAfterReset(e.ct) }
	case swdbg.CmdGetHWIOInfo:
		op = func(e *env) error { _, err := e.d.HWIOInfo(e.ct); return err }
	case swdbg.CmdSetHWIOEvent:
		op = func(e *env) error { return e.d.SetHWIOEvent(e.ct, 0, swdbg.TriggerChange) }
	case swdbg.CmdHWIOControl:
		op = func(e *env) error {
			_, err := e.d.HWIOControl(e.ct, []swdbg.PinControl{{Index: 0, State: swdbg.StateUnchanged}})
			return err
		}
	case swdbg.CmdExclusiveAccess:
		op = func(e *env) error { return e.d.ExclusiveAccess(e.ct, swdbg.ExclusiveRequest, swdbg.ContextGeneric) }
	case swdbg.CmdSequenceMultiple:
		op = func(e *env) error {
			id, err := e.d.ScanIDCODE(e.ct)
			if err == nil && id != 0x00112041 {
				return fmt.Errorf("IDCODE 0x%X", id)
			}
			return err
		}
	case swdbg.CmdLLT:
		cfg = dap
		op = func(e *env) error {
			r, err := e.d.LLT(e.ct, 0, []swdbg.Telegram{swdbg.NewTelegram(0x02, 8, 0, 8)})
			if err == nil && (len(r) != 1 || r[0].Bits != 8) {
				return errors.New("wrong LLT response")
			}
			return err
		}
	case swdbg.CmdReadModifyWrite:
		op = func(e *env) error {
			v, err := e.d.ReadModifyWrite(e.ct, 0, 4, 0x70000000, 0xFF, 0x55)
			if err == nil && v != 0x01020355 {
				return fmt.Errorf("RMW 0x%X", v)
			}
			return err
		}
	case swdbg.CmdWrite:
		op = write(16)
	case swdbg.CmdWriteNext:
		cfg, op = block, write(104) // DBG_WRITE with 12 DWORDs + one DBG_WRITE_NEXT with 14
	case swdbg.CmdWriteCAN1, swdbg.CmdWriteCAN2, swdbg.CmdWriteCANNext:
		cfg, op = can, write(8)
	case swdbg.CmdRead:
		op = read
	case swdbg.CmdReadCAN1, swdbg.CmdReadCAN2:
		cfg, op = can, read
	}
	return setup(t, cfg, Config{}, false), op
}

// causeErr is the error a cause matches with errors.Is.
func causeErr(c swdbg.Cause) error {
	switch c.Code {
	case xcp.Timeout:
		return xcp.ErrTimeout
	case xcp.ErrDbg:
		return c.Dbg
	}
	return c.Code
}

// TestTable57EveryRow drives every row of table 57 with a simulator fault
// and checks that the debug master acts as the row says: the repeating
// and restarting rules recover (the operation succeeds after one fault),
// the others report the error, and ERR_CMD_UNKNOWN retires the command.
func TestTable57EveryRow(t *testing.T) {
	rows := swdbg.Table57()
	if len(rows) != 125 {
		t.Fatalf("table 57 has %d rows, the standard 125", len(rows))
	}
	for _, row := range rows {
		t.Run(fmt.Sprintf("%s/%s", row.Cmd, row.Cause), func(t *testing.T) {
			t.Parallel()
			e, op := rowEnv(t, row.Cmd)
			if row.Cause.Code == xcp.Timeout {
				e.s.InjectDbgFault(row.Cmd, sim.FaultTimeout, 1)
			} else {
				e.s.InjectDbgError(row.Cmd, row.Cause.Code, row.Cause.Dbg, 1, extra(row.Cause)...)
			}
			err := op(e)
			if e.s.DbgFaultsPending() != 0 {
				t.Fatalf("the operation did not send %s", row.Cmd)
			}
			switch row.Rule.Action {
			case swdbg.ActRepeat2, swdbg.ActRepeatInf, swdbg.ActRepeat, swdbg.ActRepeatWhenAccessible, swdbg.ActRestartWhenAccessible:
				if err != nil {
					t.Fatalf("rule %s / %s did not recover: %v", row.Rule.Pre, row.Rule.Action, err)
				}
				if row.Cmd == swdbg.CmdAttach {
					// A new session attached; its DBG_ATTACH was repeated.
					if n := e.s.DbgCommandCount(swdbg.CmdAttach); n < 3 {
						t.Fatalf("%d DBG_ATTACH, want 3 (session, failing, repeated)", n)
					}
					return
				}
				st := e.d.Stats()
				if row.Rule.Pre == swdbg.PreSynch && st.Synchs < 1 || row.Rule.Pre == swdbg.PreWaitT7 && st.BusyWaits < 1 ||
					row.Rule.Pre == swdbg.PreAttach && st.Reattaches < 1 || row.Rule.Pre == swdbg.PreRestart && st.Restarts < 1 ||
					row.Rule.Action == swdbg.ActRestartWhenAccessible && st.Restarts < 1 {
					t.Fatalf("pre-action %s not performed: %+v", row.Rule.Pre, st)
				}
			default:
				if row.Cmd == swdbg.CmdWriteNext && row.Rule.Action == swdbg.ActUnusable {
					// Without DBG_WRITE_NEXT the write falls back to DBG_WRITEs.
					if err != nil || e.d.Usable(row.Cmd) {
						t.Fatalf("fallback: %v, usable %v", err, e.d.Usable(row.Cmd))
					}
					return
				}
				if !errors.Is(err, causeErr(row.Cause)) {
					t.Fatalf("rule %s: error %v, want %v", row.Rule.Action, err, causeErr(row.Cause))
				}
				if row.Rule.Action == swdbg.ActUnusable {
					if e.d.Usable(row.Cmd) {
						t.Fatal("command still usable after ERR_CMD_UNKNOWN")
					}
					n := e.s.DbgCommandCount(row.Cmd)
					if err := op(e); !errors.Is(err, ErrUnusable) || e.s.DbgCommandCount(row.Cmd) != n {
						t.Fatalf("unusable command sent again: %v", err)
					}
				}
			}
		})
	}
}

// extra returns well-formed extra data for SW-DBG errors that carry some.
func extra(c swdbg.Cause) []byte {
	if c.Code != xcp.ErrDbg {
		return nil
	}
	switch c.Dbg {
	case swdbg.ErrHWIOControl:
		return []byte{0} // failing pin
	case swdbg.ErrJPL:
		return []byte{0, 0, 0} // reserved, no results
	case swdbg.ErrLLT:
		return []byte{1, swdbg.LLTReasonAccess}
	}
	return nil
}
