package sim

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim/dbgtarget"
)

// The SW-DBG part of the slave is the debug target of package
// sim/dbgtarget. This file connects it: each session holds a
// dbgtarget.Session and is its dbgtarget.Link.

// SW-DBG configuration and faults (see package dbgtarget).
type (
	DbgConfig = dbgtarget.Config
	DbgRegion = dbgtarget.Region
	DbgPin    = dbgtarget.Pin
	DbgFault  = dbgtarget.Fault
)

// SW-DBG faults (see dbgtarget.Fault).
const (
	FaultTimeout        = dbgtarget.FaultTimeout
	FaultBusy           = dbgtarget.FaultBusy
	FaultNotAccessible  = dbgtarget.FaultNotAccessible
	FaultDetach         = dbgtarget.FaultDetach
	FaultUnknown        = dbgtarget.FaultUnknown
	FaultSequence       = dbgtarget.FaultSequence
	FaultLosePacket     = dbgtarget.FaultLosePacket
	FaultJPLInterface   = dbgtarget.FaultJPLInterface
	FaultLLTTimeout     = dbgtarget.FaultLLTTimeout
	FaultLLTCRC         = dbgtarget.FaultLLTCRC
	FaultHaltAfterReset = dbgtarget.FaultHaltAfterReset
	FaultGeneric        = dbgtarget.FaultGeneric
)

// DefaultDbgRegions returns the default target memory (see
// dbgtarget.DefaultRegions).
func DefaultDbgRegions() []DbgRegion { return dbgtarget.DefaultRegions() }

// DefaultDbgPins returns the default HW-IO pins (see
// dbgtarget.DefaultPins).
func DefaultDbgPins() []DbgPin { return dbgtarget.DefaultPins() }

// DefaultDAPRegs returns the DAP register preload that makes the LLT
// examples of tables 75 and 79 answer as printed.
func DefaultDAPRegs() map[uint8]uint64 { return dbgtarget.DefaultDAPRegs() }

// dbgCommand answers a SW-DBG command (0xC0 0xFC …).
func (ss *session) dbgCommand(req []byte) []byte {
	// Seed & key state is guarded by Slave.mu, taken before the target's
	// lock.
	ss.slave.mu.Lock()
	locked := ss.checkProtection(xcp.ResDbg) != nil
	ss.slave.mu.Unlock()
	return ss.slave.dbg.Command(&ss.dbg, (*dbgLink)(ss), req, locked)
}

// dbgLink is a session as the debug target's Link.
type dbgLink session

func (l *dbgLink) Send(p []byte) error { return (*session)(l).send(p) }

// InjectDbgFault makes the next count receptions of SW-DBG command cmd
// fail with f. Faults queue per command in injection order.
func (s *Slave) InjectDbgFault(cmd swdbg.Command, f DbgFault, count int) {
	s.dbg.InjectFault(cmd, f, count)
}

// InjectDbgError makes the next count receptions of SW-DBG command cmd
// fail with the error code (and, for xcp.ErrDbg, the SW-DBG code dbg),
// followed by the bytes extra. A transfer the command belongs to is
// dropped, as a failing slave would.
func (s *Slave) InjectDbgError(cmd swdbg.Command, code xcp.ErrorCode, dbg swdbg.ErrorCode, count int, extra ...byte) {
	s.dbg.InjectError(cmd, code, dbg, count, extra...)
}

// DbgFaultsPending returns how many injected faults have not fired yet.
func (s *Slave) DbgFaultsPending() int { return s.dbg.FaultsPending() }

// DbgCommandCount returns how often the slave received SW-DBG command cmd.
func (s *Slave) DbgCommandCount(cmd swdbg.Command) int { return s.dbg.CommandCount(cmd) }

// DbgHalted reports whether the target was halted by DBG_HALT_AFTER_RESET.
func (s *Slave) DbgHalted() bool { return s.dbg.Halted() }

// DbgSetServiceLevel changes the service level (1..4) and sends
// EV_DBG_SERVICE_LEVEL_CHANGE to the attached master.
func (s *Slave) DbgSetServiceLevel(level int) { s.dbg.SetServiceLevel(level) }

// DbgMemory returns a copy of n bytes of target memory at addr via tri
// (nil if unmapped), for tests and tools.
func (s *Slave) DbgMemory(tri swdbg.TRI, addr uint64, n int) []byte {
	return s.dbg.Memory(tri, addr, n)
}

// DbgSetInput applies a level to a pin from the ECU side (for example Vref
// dropping when the ECU is switched off, or the ECU pulling its reset
// line); a change the master subscribed to is reported with
// EV_DBG_HWIO_CHANGE. It reports whether the pin exists.
func (s *Slave) DbgSetInput(index uint8, high bool) bool { return s.dbg.SetInput(index, high) }
