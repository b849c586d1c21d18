package sim

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// DbgConfig configures the simulated SW-DBG target (ASAM "Software
// Debugging over XCP" 1.0). The zero value is a JTAG target shaped after
// the seed's examples: MAX_CTO_DBG 1456, JTAG ID 0x00112041, the memory of
// DefaultDbgRegions, the pins of DefaultDbgPins, service level 2.
type DbgConfig struct {
	// MaxCTODbg is MAX_CTO_DBG (0 = 1456). Below 32 the slave implements
	// the CAN command set (DBG_READ_CAN*, DBG_WRITE_CAN*) and answers
	// DBG_READ, DBG_WRITE, DBG_WRITE_NEXT and DBG_READ_MODIFY_WRITE with
	// ERR_CMD_UNKNOWN, as a CAN-only slave would.
	MaxCTODbg int
	// T1 and T7 are the DBG_ATTACH timeouts in units of 2 ms (0 = 0xFF).
	T1, T7 uint8
	// Vendor and VendorInfo answer DBG_GET_VENDOR_INFO.
	Vendor     uint16
	VendorInfo string // "" = "goxcp simulator"
	// JTAGID is the target's JTAG ID (0 = 0x00112041); the simulated TAP
	// returns it from its IDCODE register too.
	JTAGID uint32
	// DAP selects the Infineon DAP dialect (DBG_LLT) instead of JTAG
	// (DBG_SEQUENCE_MULTIPLE).
	DAP bool
	// ServiceLevel is the initial service level 1..4 (0 = 2, exclusive).
	ServiceLevel int
	// HaltAfterReset makes DBG_HALT_AFTER_RESET available.
	HaltAfterReset bool
	// Block modes follow the base configuration: slave block mode
	// (Config.NoSlaveBlockMode off) lets DBG_READ and DBG_READ_CAN2 answer
	// with several packets; master block mode (Config.NoMasterBlockMode
	// off) accepts DBG_WRITE_NEXT and several DBG_WRITE_CAN_NEXT, at most
	// Config.MaxBS packets.
	// WriteBuffer is the number of bytes one write may span (0 = 64 KiB);
	// larger writes are refused with ERR_MEMORY_OVERFLOW.
	WriteBuffer int
	// Regions is the target memory (nil = DefaultDbgRegions()).
	Regions []DbgRegion
	// Pins are the HW-IO pins (nil = DefaultDbgPins()).
	Pins []DbgPin
	// DR192 is the initial content of the TAP's 192-bit data register,
	// bit 0 first (nil = the content that table 70 of the standard reads).
	DR192 *[24]byte
	// DAPRegs preloads the simulated DAP's command registers (nil =
	// DefaultDAPRegs()).
	DAPRegs map[uint8]uint64
}

// DbgRegion is a piece of simulated target memory seen through one TRI.
type DbgRegion struct {
	TRI      swdbg.TRI
	Base     uint64
	Size     int
	EW       swdbg.ElementWidth // the only element width allowed (0 = any)
	BusError bool               // every access ends in ERR_DBG_BUS_ERROR
	ReadOnly bool               // writes end in ERR_DBG_BUS_ERROR
	Init     []byte             // initial content (repeated to fill Size)
}

// DefaultDbgRegions returns the default target memory: RAM at 0x70000000
// for TRI 0 and 1 (starting 01 02 03 04, as in table 80), read-only flash
// at 0x80000000 and DWORD-only peripheral registers at 0xF0000000 for
// TRI 0, a bus-error hole at 0xF8000000, and RH850 debug registers (TRI
// 255, JCU bank 0, DWORD only).
func DefaultDbgRegions() []DbgRegion {
	ram := []byte{1, 2, 3, 4}
	return []DbgRegion{
		{TRI: 0, Base: 0x70000000, Size: 64 << 10, Init: ram},
		{TRI: 1, Base: 0x70000000, Size: 64 << 10, Init: ram},
		{TRI: 0, Base: 0x80000000, Size: 64 << 10, ReadOnly: true, Init: []byte{0xDE, 0xAD, 0xBE, 0xEF}},
		{TRI: 0, Base: 0xF0000000, Size: 4 << 10, EW: swdbg.EWDWord},
		{TRI: 0, Base: 0xF8000000, Size: 4 << 10, BusError: true},
		{TRI: swdbg.TRIRH850DebugRegs, Base: 1 << 16, Size: 1 << 10, EW: swdbg.EWDWord},
	}
}

// DbgPin is one simulated HW-IO pin.
type DbgPin struct {
	swdbg.PinInfo
	Events bool // the pin can trigger EV_DBG_HWIO_CHANGE
	High   bool // initial physical level (for inputs: the ECU side)
}

// DefaultDbgPins returns the pins of table 67 plus a Vref input: 0 PORST
// and 1 secondary reset (in/out, low active), 2 watchdog disable (output,
// clock), 3 Vref (input).
func DefaultDbgPins() []DbgPin {
	return []DbgPin{
		{PinInfo: swdbg.PinInfo{Index: 0, Mode: swdbg.PinInput | swdbg.PinOutput, Class: swdbg.ClassPORST, Active: swdbg.ActiveLow}, Events: true, High: true},
		{PinInfo: swdbg.PinInfo{Index: 1, Mode: swdbg.PinInput | swdbg.PinOutput, Class: swdbg.ClassSecondaryRst, Active: swdbg.ActiveLow}, Events: true, High: true},
		{PinInfo: swdbg.PinInfo{Index: 2, Mode: swdbg.PinOutput, Class: swdbg.ClassWatchdogOff, Active: swdbg.ActiveClock}},
		{PinInfo: swdbg.PinInfo{Index: 3, Mode: swdbg.PinInput, Class: swdbg.ClassVref, Active: swdbg.ActiveHigh}, Events: true, High: true},
	}
}

// DefaultDAPRegs returns the DAP register preload that makes the LLT
// examples of tables 75 and 79 answer as printed.
func DefaultDAPRegs() map[uint8]uint64 { return map[uint8]uint64{0x1A: 0x0020, 0x02: 0x00} }

// table70DR is the 192-bit register content whose 32-bit slices table 70
// reads: 0x090BC6DC, 0, 0x00009200, 0x090BC708, 0x44004400, 2.
func table70DR() [24]byte {
	var b [24]byte
	for i, v := range []uint32{0x090BC6DC, 0, 0x00009200, 0x090BC708, 0x44004400, 2} {
		for j := range 4 {
			b[4*i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// DbgFault is a fault the simulator injects into SW-DBG commands, to drive
// every rule of the error-handling table 57.
type DbgFault uint8

// SW-DBG faults.
const (
	FaultTimeout        DbgFault = iota + 1 // no response: the master times out
	FaultBusy                               // ERR_CMD_BUSY
	FaultNotAccessible                      // ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE
	FaultDetach                             // forget DBG_ATTACH: ERR_DBG_ATTACH_MISSING
	FaultUnknown                            // ERR_CMD_UNKNOWN
	FaultSequence                           // ERR_SEQUENCE (+ expected count), the transfer is dropped
	FaultLosePacket                         // lose the 2nd response packet of a slave-block read
	FaultJPLInterface                       // low level interface error in the last JPL sequence
	FaultLLTTimeout                         // the last telegram times out
	FaultLLTCRC                             // the last telegram has a CRC error
	FaultHaltAfterReset                     // the target cannot be halted after the reset
	FaultGeneric                            // ERR_GENERIC
	faultError                              // a given ERR packet (InjectDbgError)
)

// dbgFault is one queued fault.
type dbgFault struct {
	f   DbgFault
	pkt []byte // faultError: the ERR packet
}

// InjectDbgFault makes the next count receptions of SW-DBG command cmd
// fail with f. Faults queue per command in injection order.
func (s *Slave) InjectDbgFault(cmd swdbg.Command, f DbgFault, count int) {
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	for range count {
		t.faults[cmd] = append(t.faults[cmd], dbgFault{f: f})
	}
}

// InjectDbgError makes the next count receptions of SW-DBG command cmd
// fail with the error code (and, for xcp.ErrDbg, the SW-DBG code dbg),
// followed by the bytes extra. A transfer the command belongs to is
// dropped, as a failing slave would.
func (s *Slave) InjectDbgError(cmd swdbg.Command, code xcp.ErrorCode, dbg swdbg.ErrorCode, count int, extra ...byte) {
	p := errPacket(code)
	if code == xcp.ErrDbg {
		p = append(p, byte(dbg))
	}
	p = append(p, extra...)
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	for range count {
		t.faults[cmd] = append(t.faults[cmd], dbgFault{f: faultError, pkt: p})
	}
}

// DbgFaultsPending returns how many injected faults have not fired yet.
func (s *Slave) DbgFaultsPending() int {
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, q := range t.faults {
		n += len(q)
	}
	return n
}

// DbgCommandCount returns how often the slave received SW-DBG command cmd.
func (s *Slave) DbgCommandCount(cmd swdbg.Command) int {
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cmdCount[cmd]
}

func dbgErr(code swdbg.ErrorCode, extra ...byte) []byte {
	return append([]byte{xcp.PIDErr, byte(xcp.ErrDbg), byte(code)}, extra...)
}

// ack returns a fresh positive response without parameters: a new slice each
// call, so no caller (fault injection corrupts responses in place) can
// change the answer of another command.
func ack() []byte { return []byte{xcp.PIDRes} }

// targetAccess is the check of every command that needs the target: it
// answers ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE at service level 1, with
// Vref low, with a reset pin asserted or while another session holds
// exclusive access.
func (t *dbgSlave) targetAccess() []byte {
	if t.level == swdbg.ServiceNoAccess || !t.powered() || t.inReset() || (t.owner != nil && t.owner != t.cur) {
		return errPacket(xcp.ErrResourceTemporaryNotAccessible)
	}
	return nil
}

// dbgCommand answers SW-DBG commands (0xC0 0xFC ...).
func (ss *session) dbgCommand(req []byte) []byte {
	// Seed & key state is guarded by Slave.mu, taken before t.mu.
	ss.slave.mu.Lock()
	locked := ss.checkProtection(xcp.ResDbg) != nil
	ss.slave.mu.Unlock()
	t := ss.slave.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := &ss.dbg
	cmd, ok := swdbg.CommandOf(req)
	if !ok {
		return errPacket(xcp.ErrCmdSyntax)
	}
	t.cmdCount[cmd]++
	t.cur = ss
	if len(req) > t.cfg.MaxCTODbg {
		return errPacket(xcp.ErrCmdSyntax) // longer than MAX_CTO_DBG
	}
	if !cmd.Known() {
		return errPacket(xcp.ErrCmdUnknown)
	}
	// After a failed master block, the rest of the block is dropped
	// silently: the master already stopped at the error response.
	if d.skip > 0 {
		if cmd == swdbg.CmdWriteNext || cmd == swdbg.CmdWriteCANNext {
			d.skip--
			return nil
		}
		d.skip = 0
	}
	if resp, handled := t.fault(ss, cmd, req); handled {
		return resp
	}
	if cmd != swdbg.CmdAttach && !d.attached {
		return dbgErr(swdbg.ErrAttachMissing)
	}
	// A multi-packet transfer continues only with its own next command.
	if d.read1 != nil && cmd != swdbg.CmdReadCAN2 {
		d.read1 = nil
	}
	if d.write != nil && !(cmd == swdbg.CmdWriteNext && !d.write.can) && !(cmd == swdbg.CmdWriteCANNext && d.write.can) {
		d.write = nil
	}
	if d.canWrite1 != nil && cmd != swdbg.CmdWriteCAN2 {
		d.canWrite1 = nil
	}
	if cmd != swdbg.CmdWriteCANNext {
		d.canNexts = 0
	}
	can := t.cfg.MaxCTODbg < 32
	switch cmd {
	case swdbg.CmdAttach:
		if locked {
			return errPacket(xcp.ErrAccessLocked)
		}
		*d = dbgSession{attached: true, events: map[uint8]swdbg.Trigger{}}
		t.last = ss
		return swdbg.AttachResponse{Major: 1, Minor: 0, T1: t.cfg.T1, T7: t.cfg.T7, MaxCTODbg: uint16(t.cfg.MaxCTODbg)}.Append(nil, t.f)
	case swdbg.CmdGetVendorInfo:
		info := []byte(t.cfg.VendorInfo)
		info = info[:min(len(info), 255, t.cfg.MaxCTODbg-4)]
		return swdbg.GetVendorInfoResponse{Vendor: t.cfg.Vendor, Info: info}.Append(nil, t.f)
	case swdbg.CmdGetModeInfo:
		r := swdbg.GetModeInfoResponse{MaxHWIOPins: uint8(len(t.pins)), Dialect: swdbg.DialectJTAG, ServiceLevel: t.level}
		if t.cfg.DAP {
			r.Dialect = swdbg.DialectDAP
		}
		if t.cfg.HaltAfterReset {
			r.Feature |= swdbg.FeatureHAR
		}
		return r.Append(nil, t.f)
	case swdbg.CmdGetJTAGID:
		return swdbg.GetJTAGIDResponse{ID: t.cfg.JTAGID}.Append(nil, t.f)
	case swdbg.CmdHaltAfterReset:
		return t.haltAfterReset(ss)
	case swdbg.CmdGetHWIOInfo:
		return t.hwioInfo(d, req)
	case swdbg.CmdSetHWIOEvent:
		return t.setHWIOEvent(d, req)
	case swdbg.CmdHWIOControl:
		return t.hwioControl(ss, req)
	case swdbg.CmdExclusiveAccess:
		var c swdbg.ExclusiveAccess
		if err := c.Decode(req, t.f); err != nil {
			if len(req) >= 5 {
				return errPacket(xcp.ErrOutOfRange)
			}
			return errPacket(xcp.ErrCmdSyntax)
		}
		if e := t.targetAccess(); e != nil {
			return e // includes: another session holds exclusive access
		}
		if c.Mode == swdbg.ExclusiveRequest {
			t.owner = ss
		} else if t.owner == ss {
			t.owner = nil
		}
		return ack()
	case swdbg.CmdSequenceMultiple:
		return t.sequenceMultiple(d, req)
	case swdbg.CmdLLT:
		return t.llt(req)
	case swdbg.CmdReadModifyWrite, swdbg.CmdWrite, swdbg.CmdWriteNext, swdbg.CmdRead:
		if can {
			return errPacket(xcp.ErrCmdUnknown)
		}
	}
	switch cmd {
	case swdbg.CmdReadModifyWrite:
		return t.rmw(req)
	case swdbg.CmdWrite:
		return t.write(d, req)
	case swdbg.CmdWriteNext:
		return t.writeNext(d, req)
	case swdbg.CmdRead:
		return t.read(ss, req)
	case swdbg.CmdWriteCAN1:
		return t.writeCAN1(d, req)
	case swdbg.CmdWriteCAN2:
		return t.writeCAN2(d, req)
	case swdbg.CmdWriteCANNext:
		return t.writeCANNext(d, req)
	case swdbg.CmdReadCAN1:
		return t.readCAN1(d, req)
	case swdbg.CmdReadCAN2:
		return t.readCAN2(ss, req)
	}
	return errPacket(xcp.ErrCmdUnknown)
}

// fault applies an injected fault, if one is queued for cmd.
func (t *dbgSlave) fault(ss *session, cmd swdbg.Command, req []byte) ([]byte, bool) {
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
	d := &ss.dbg
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
		*d = dbgSession{}
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
func (t *dbgSlave) takeFault(cmd swdbg.Command, f DbgFault) bool {
	q := t.faults[cmd]
	if len(q) > 0 && q[0].f == f {
		t.faults[cmd] = q[1:]
		return true
	}
	return false
}

func (t *dbgSlave) haltAfterReset(ss *session) []byte {
	if !t.cfg.HaltAfterReset {
		return errPacket(xcp.ErrCmdUnknown)
	}
	if e := t.targetAccess(); e != nil {
		return e
	}
	// A power-on reset: the TAP resets, the pins keep their drive.
	t.tap.reset(t.cfg.JTAGID, t.tap.dr192)
	if t.takeFault(swdbg.CmdHaltAfterReset, FaultHaltAfterReset) {
		t.halted = false
		return dbgErr(swdbg.ErrHaltAfterReset)
	}
	t.halted = true
	return ack()
}

// DbgHalted reports whether the target was halted by DBG_HALT_AFTER_RESET.
func (s *Slave) DbgHalted() bool {
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.halted
}

// DbgSetServiceLevel changes the service level (1..4) and sends
// EV_DBG_SERVICE_LEVEL_CHANGE to the attached master.
func (s *Slave) DbgSetServiceLevel(level int) {
	t := s.dbgTarget()
	t.mu.Lock()
	defer t.mu.Unlock()
	if level < 1 || level > 4 {
		return
	}
	t.level = swdbg.ServiceLevel(level - 1)
	t.event(swdbg.Event{Code: swdbg.EvServiceLevelChange, ServiceLevel: t.level})
}

// event sends an EV_DBG packet to the attached master. Callers hold t.mu.
func (t *dbgSlave) event(e swdbg.Event) {
	ss := t.last
	if ss == nil || !ss.dbg.attached {
		return
	}
	if err := ss.send(e.Append(nil, t.f)); err != nil {
		ss.slave.log.Debug("sim: EV_DBG not sent", "err", err)
	}
}
