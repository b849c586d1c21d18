// Package dbgtarget is the simulated SW-DBG target of goxcp's simulated
// slave (package sim), after ASAM "Software Debugging over XCP" 1.0: target
// memory behind TRIs, HW-IO pins, a JTAG TAP (DBG_SEQUENCE_MULTIPLE) or an
// Infineon DAP (DBG_LLT), exclusive access, service levels, and injected
// faults for every rule of the standard's error-handling table.
//
// A Target is shared by the sessions (connections) of one slave; each
// holds a Session. The slave passes every SW-DBG command packet to
// Target.Command with the session's connection as a Link, and detaches
// the session with Target.Detach when the XCP session ends.
package dbgtarget

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Target is the simulated debug target shared by all sessions of a
// slave. It is safe for concurrent use: it has its own lock, which the
// slave may take while holding its own (never the other way round).
type Target struct {
	mu  sync.Mutex
	cfg Config
	f   xcp.Format
	log *slog.Logger
	// block modes, from the base Config
	slaveBlock, masterBlock bool
	maxBS                   int

	mem      []*memRegion
	pins     []pinState
	level    swdbg.ServiceLevel
	tap      tap
	dap      map[uint8]swdbg.Bits
	faults   map[swdbg.Command][]queuedFault
	halted   bool
	last     *Session // the session that attached last: receives events
	cur      *Session // the session whose command is being answered
	owner    *Session // the session holding exclusive target access
	cmdCount map[swdbg.Command]int
}

// Session is the debugger of one XCP session (one connection of the
// slave). The zero value is a detached debugger. A Session belongs to
// one Target, which guards it with its lock.
type Session struct {
	link     Link // the connection, as of the last command
	attached bool
	busOwned bool
	events   map[uint8]swdbg.Trigger
	// pending multi-packet transfers
	read1     *swdbg.ReadCAN1
	write     *pendingWrite
	canWrite1 *swdbg.WriteCAN1
	canNexts  int // DBG_WRITE_CAN_NEXT packets of the current transfer
	skip      int // packets of a failed master block still to drop
}

// pendingWrite is a write transfer waiting for more data packets.
type pendingWrite struct {
	tri   swdbg.TRI
	ew    swdbg.ElementWidth
	addr  uint64
	total int // elements
	data  []byte
	can   bool
}

// Link is the connection of a debugger.
type Link interface {
	// Send sends a packet to the master outside the command's response:
	// the leading packets of a slave-block DBG_READ and EV_DBG events. It
	// is called with the target's lock held, from the goroutine of any
	// command or method.
	Send(p []byte) error
}

// Base is what the target takes from the slave's XCP configuration.
type Base struct {
	Order xcp.ByteOrder
	// SlaveBlock and MasterBlock are the block modes of the XCP session;
	// MaxBS is the maximum number of packets of a master block.
	SlaveBlock, MasterBlock bool
	MaxBS                   int
	Logger                  *slog.Logger // nil = silent
}

// New returns a target with the given configuration (defaults filled in,
// see Config).
func New(cfg Config, base Base) *Target {
	t := &Target{}
	t.init(cfg, base)
	return t
}

// Config returns the configuration with defaults filled in.
func (t *Target) Config() Config { return t.cfg }

// Detach detaches the debugger of session ss (CONNECT, DISCONNECT, the
// end of the connection): it loses DBG_ATTACH, its transfers, its HW-IO
// subscriptions and exclusive access.
func (t *Target) Detach(ss *Session) {
	t.mu.Lock()
	defer t.mu.Unlock()
	*ss = Session{}
	if t.last == ss {
		t.last = nil
	}
	if t.owner == ss {
		t.owner = nil
	}
}

// A2L appends SW-DBG related text to the A2L the slave serves. SW-DBG
// needs no AML extension (the debugger learns everything from DBG_ATTACH
// and DBG_GET_MODE_INFO), so it only notes that the slave supports it.
func (t *Target) A2L(b *strings.Builder) {
	b.WriteString("/* SW-DBG (ASAM Software Debugging over XCP 1.0) available: MAX_CTO_DBG ")
	fmt.Fprintf(b, "%d, dialect %s */\n", t.cfg.MaxCTODbg, t.dialect())
}

func (t *Target) dialect() swdbg.Dialect {
	if t.cfg.DAP {
		return swdbg.DialectDAP
	}
	return swdbg.DialectJTAG
}

// errPacket returns an ERR packet with the given code.
func errPacket(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

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
func (t *Target) targetAccess() []byte {
	if t.level == swdbg.ServiceNoAccess || !t.powered() || t.inReset() || (t.owner != nil && t.owner != t.cur) {
		return errPacket(xcp.ErrResourceTemporaryNotAccessible)
	}
	return nil
}

// handler answers one SW-DBG command of session ss with t.mu held.
type handler func(t *Target, ss *Session, req []byte) []byte

// entry is one row of the SW-DBG command table.
type entry struct {
	// notCAN marks the commands a CAN-only slave (MAX_CTO_DBG < 32)
	// does not implement: it answers them with ERR_CMD_UNKNOWN.
	notCAN bool
	answer handler
}

// commands is the SW-DBG command table; a known command missing from it
// is answered with ERR_CMD_UNKNOWN.
var commands = map[swdbg.Command]entry{
	swdbg.CmdAttach:           {answer: (*Target).attach},
	swdbg.CmdGetVendorInfo:    {answer: (*Target).getVendorInfo},
	swdbg.CmdGetModeInfo:      {answer: (*Target).getModeInfo},
	swdbg.CmdGetJTAGID:        {answer: (*Target).getJTAGID},
	swdbg.CmdHaltAfterReset:   {answer: (*Target).haltAfterReset},
	swdbg.CmdGetHWIOInfo:      {answer: (*Target).hwioInfo},     // hwio.go
	swdbg.CmdSetHWIOEvent:     {answer: (*Target).setHWIOEvent}, // hwio.go
	swdbg.CmdHWIOControl:      {answer: (*Target).hwioControl},  // hwio.go
	swdbg.CmdExclusiveAccess:  {answer: (*Target).exclusiveAccess},
	swdbg.CmdSequenceMultiple: {answer: (*Target).sequenceMultiple},  // jtag.go
	swdbg.CmdLLT:              {answer: (*Target).llt},               // dap.go
	swdbg.CmdReadModifyWrite:  {notCAN: true, answer: (*Target).rmw}, // memory.go
	swdbg.CmdWrite:            {notCAN: true, answer: (*Target).write},
	swdbg.CmdWriteNext:        {notCAN: true, answer: (*Target).writeNext},
	swdbg.CmdRead:             {notCAN: true, answer: (*Target).read},
	swdbg.CmdWriteCAN1:        {answer: (*Target).writeCAN1},
	swdbg.CmdWriteCAN2:        {answer: (*Target).writeCAN2},
	swdbg.CmdWriteCANNext:     {answer: (*Target).writeCANNext},
	swdbg.CmdReadCAN1:         {answer: (*Target).readCAN1},
	swdbg.CmdReadCAN2:         {answer: (*Target).readCAN2},
}

// Command answers one SW-DBG command packet (0xC0 0xFC …) of session ss,
// whose connection is link. locked reports whether the master's DBG
// resource is locked by seed & key (DBG_ATTACH then fails with
// ERR_ACCESS_LOCKED). It returns the response packet; nil sends nothing
// (an intermediate packet of a master block, or an injected timeout).
func (t *Target) Command(ss *Session, link Link, req []byte, locked bool) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	ss.link = link
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
	if ss.skip > 0 {
		if cmd == swdbg.CmdWriteNext || cmd == swdbg.CmdWriteCANNext {
			ss.skip--
			return nil
		}
		ss.skip = 0
	}
	if resp, handled := t.fault(ss, cmd, req); handled {
		return resp
	}
	if cmd != swdbg.CmdAttach && !ss.attached {
		return dbgErr(swdbg.ErrAttachMissing)
	}
	ss.endTransfers(cmd)
	if cmd == swdbg.CmdAttach && locked {
		return errPacket(xcp.ErrAccessLocked)
	}
	e, ok := commands[cmd]
	if !ok || (e.notCAN && t.cfg.MaxCTODbg < 32) {
		return errPacket(xcp.ErrCmdUnknown)
	}
	return e.answer(t, ss, req)
}

// endTransfers ends the multi-packet transfers that cmd does not
// continue: a transfer continues only with its own next command.
func (ss *Session) endTransfers(cmd swdbg.Command) {
	if ss.read1 != nil && cmd != swdbg.CmdReadCAN2 {
		ss.read1 = nil
	}
	if ss.write != nil && !(cmd == swdbg.CmdWriteNext && !ss.write.can) && !(cmd == swdbg.CmdWriteCANNext && ss.write.can) {
		ss.write = nil
	}
	if ss.canWrite1 != nil && cmd != swdbg.CmdWriteCAN2 {
		ss.canWrite1 = nil
	}
	if cmd != swdbg.CmdWriteCANNext {
		ss.canNexts = 0
	}
}

func (t *Target) attach(ss *Session, _ []byte) []byte {
	*ss = Session{link: ss.link, attached: true, events: map[uint8]swdbg.Trigger{}}
	t.last = ss
	return swdbg.AttachResponse{Major: 1, Minor: 0, T1: t.cfg.T1, T7: t.cfg.T7, MaxCTODbg: uint16(t.cfg.MaxCTODbg)}.Append(nil, t.f)
}

func (t *Target) getVendorInfo(*Session, []byte) []byte {
	info := []byte(t.cfg.VendorInfo)
	info = info[:min(len(info), 255, t.cfg.MaxCTODbg-4)]
	return swdbg.GetVendorInfoResponse{Vendor: t.cfg.Vendor, Info: info}.Append(nil, t.f)
}

func (t *Target) getModeInfo(*Session, []byte) []byte {
	r := swdbg.GetModeInfoResponse{MaxHWIOPins: uint8(len(t.pins)), Dialect: t.dialect(), ServiceLevel: t.level}
	if t.cfg.HaltAfterReset {
		r.Feature |= swdbg.FeatureHAR
	}
	return r.Append(nil, t.f)
}

func (t *Target) getJTAGID(*Session, []byte) []byte {
	return swdbg.GetJTAGIDResponse{ID: t.cfg.JTAGID}.Append(nil, t.f)
}

func (t *Target) exclusiveAccess(ss *Session, req []byte) []byte {
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
}

func (t *Target) haltAfterReset(*Session, []byte) []byte {
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

// Halted reports whether the target was halted by DBG_HALT_AFTER_RESET.
func (t *Target) Halted() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.halted
}

// SetServiceLevel changes the service level (1..4) and sends
// EV_DBG_SERVICE_LEVEL_CHANGE to the attached master.
func (t *Target) SetServiceLevel(level int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if level < 1 || level > 4 {
		return
	}
	t.level = swdbg.ServiceLevel(level - 1)
	t.event(swdbg.Event{Code: swdbg.EvServiceLevelChange, ServiceLevel: t.level})
}

// event sends an EV_DBG packet to the attached master. Callers hold t.mu.
func (t *Target) event(e swdbg.Event) {
	ss := t.last
	if ss == nil || !ss.attached {
		return
	}
	if err := ss.link.Send(e.Append(nil, t.f)); err != nil {
		t.log.Debug("sim: EV_DBG not sent", "err", err)
	}
}
