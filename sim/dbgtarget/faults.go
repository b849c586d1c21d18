package dbgtarget

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Fault is a fault the simulator injects into SW-DBG commands, to drive
// every rule of the error-handling table 57.
type Fault uint8

// SW-DBG faults.
const (
	FaultTimeout        Fault = iota + 1 // no response: the master times out
	FaultBusy                            // ERR_CMD_BUSY
	FaultNotAccessible                   // ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE
	FaultDetach                          // forget DBG_ATTACH: ERR_DBG_ATTACH_MISSING
	FaultUnknown                         // ERR_CMD_UNKNOWN
	FaultSequence                        // ERR_SEQUENCE (+ expected count), the transfer is dropped
	FaultLosePacket                      // lose the 2nd response packet of a slave-block read
	FaultJPLInterface                    // low level interface error in the last JPL sequence
	FaultLLTTimeout                      // the last telegram times out
	FaultLLTCRC                          // the last telegram has a CRC error
	FaultHaltAfterReset                  // the target cannot be halted after the reset
	FaultGeneric                         // ERR_GENERIC
	faultError                           // a given ERR packet (InjectDbgError)
)

// queuedFault is one queued fault.
type queuedFault struct {
	f   Fault
	pkt []byte // faultError: the ERR packet
}

// InjectFault makes the next count receptions of SW-DBG command cmd
// fail with f. Faults queue per command in injection order.
func (t *Target) InjectFault(cmd swdbg.Command, f Fault, count int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for range count {
		t.faults[cmd] = append(t.faults[cmd], queuedFault{f: f})
	}
}

// InjectError makes the next count receptions of SW-DBG command cmd
// fail with the error code (and, for xcp.ErrDbg, the SW-DBG code dbg),
// followed by the bytes extra. A transfer the command belongs to is
// dropped, as a failing slave would.
func (t *Target) InjectError(cmd swdbg.Command, code xcp.ErrorCode, dbg swdbg.ErrorCode, count int, extra ...byte) {
	p := errPacket(code)
	if code == xcp.ErrDbg {
		p = append(p, byte(dbg))
	}
	p = append(p, extra...)
	t.mu.Lock()
	defer t.mu.Unlock()
	for range count {
		t.faults[cmd] = append(t.faults[cmd], queuedFault{f: faultError, pkt: p})
	}
}

// FaultsPending returns how many injected faults have not fired yet.
func (t *Target) FaultsPending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, q := range t.faults {
		n += len(q)
	}
	return n
}

// CommandCount returns how often the slave received SW-DBG command cmd.
func (t *Target) CommandCount(cmd swdbg.Command) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cmdCount[cmd]
}

// fault applies an injected fault, if one is queued for cmd.
func (t *Target) fault(ss *Session, cmd swdbg.Command, req []byte) ([]byte, bool) {
	q := t.faults[cmd]
	if len(q) == 0 {
		return nil, false
	}
	f := q[0].f
	switch f {
	case FaultLosePacket, FaultJPLInterface, FaultLLTTimeout, FaultLLTCRC, FaultHaltAfterReset:
		return nil, false // consumed where the command executes
	}
	t.faults[cmd] = q[1:]
	d := ss
	switch f {
	case FaultTimeout:
		return nil, true
	case FaultBusy:
		t.abort(d, cmd, req)
		return errPacket(xcp.ErrCmdBusy), true
	case FaultNotAccessible:
		t.abort(d, cmd, req)
		return errPacket(xcp.ErrResourceTemporaryNotAccessible), true
	case FaultDetach:
		*d = Session{}
		return dbgErr(swdbg.ErrAttachMissing), true
	case FaultUnknown:
		t.abort(d, cmd, req)
		return errPacket(xcp.ErrCmdUnknown), true
	case FaultGeneric:
		t.abort(d, cmd, req)
		return errPacket(xcp.ErrGeneric), true
	case faultError:
		t.abort(d, cmd, req)
		return q[0].pkt, true
	case FaultSequence:
		exp := -1
		if d.write != nil {
			exp = d.write.total - len(d.write.data)/int(d.write.ew)
		}
		t.abort(d, cmd, req)
		p := errPacket(xcp.ErrSequence)
		switch {
		case exp >= 0 && cmd == swdbg.CmdWriteNext:
			p = t.f.Order.AppendUint16(p, uint16(exp))
		case exp >= 0 && cmd == swdbg.CmdWriteCANNext:
			p = append(p, byte(exp))
		}
		return p, true
	}
	return nil, false
}

// takeFault consumes a queued execution-time fault f for cmd.
func (t *Target) takeFault(cmd swdbg.Command, f Fault) bool {
	q := t.faults[cmd]
	if len(q) > 0 && q[0].f == f {
		t.faults[cmd] = q[1:]
		return true
	}
	return false
}
