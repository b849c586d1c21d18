package daqengine

import (
	"errors"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Stopped are the event channels a command stopped. Wait, called after
// the lock is released, returns when they have sent their last DTO, so
// nothing of a stopped list reaches the master after the command's
// response.
type Stopped []*runner

// Wait waits for the stopped event channels.
func (s Stopped) Wait() {
	for _, r := range s {
		<-r.done
	}
}

// call is one DAQ command being answered.
type call struct {
	e       *Engine
	link    Link
	out     []byte // response buffer
	stopped Stopped
}

// handler answers one decoded DAQ command.
type handler func(c *call, req []byte) []byte

// packet is a command packet type of the protocol package.
type packet[C any] interface {
	*C
	Decode(p []byte, f xcp.Format) error
}

// decoded makes a handler from one that takes the decoded command: a
// packet that does not decode is answered with ERR_CMD_SYNTAX.
func decoded[C any, P packet[C]](fn func(c *call, cmd *C) []byte) handler {
	return func(c *call, req []byte) []byte {
		var cmd C
		if P(&cmd).Decode(req, c.e.f) != nil {
			return errPacket(xcp.ErrCmdSyntax)
		}
		return fn(c, &cmd)
	}
}

// entry is one row of the DAQ command table.
type entry struct {
	// dynamic marks the commands of dynamic DAQ: a static configuration
	// answers them with ERR_CMD_UNKNOWN.
	dynamic bool
	answer  handler
}

// commands is the DAQ command table; level1 holds the DAQ sub-commands of
// CmdLevel1.
var commands = map[xcp.Command]entry{
	xcp.CmdGetDaqProcessorInfo:  {answer: (*call).getDaqProcessorInfo},
	xcp.CmdGetDaqResolutionInfo: {answer: (*call).getDaqResolutionInfo},
	xcp.CmdGetDaqEventInfo:      {answer: decoded((*call).getDaqEventInfo)},
	xcp.CmdGetDaqListInfo:       {answer: decoded((*call).getDaqListInfo)},
	xcp.CmdGetDaqClock:          {answer: (*call).getDaqClock},
	xcp.CmdFreeDaq:              {dynamic: true, answer: (*call).freeDaq},
	xcp.CmdAllocDaq:             {dynamic: true, answer: decoded((*call).allocDaq)},
	xcp.CmdAllocOdt:             {dynamic: true, answer: decoded((*call).allocOdt)},
	xcp.CmdAllocOdtEntry:        {dynamic: true, answer: decoded((*call).allocOdtEntry)},
	xcp.CmdClearDaqList:         {answer: decoded((*call).clearDaqList)},
	xcp.CmdSetDaqPtr:            {answer: decoded((*call).setDaqPtr)},
	xcp.CmdWriteDaq:             {answer: decoded((*call).writeDaq)},
	xcp.CmdWriteDaqMultiple:     {answer: decoded((*call).writeDaqMultiple)},
	xcp.CmdReadDaq:              {answer: (*call).readDaq},
	xcp.CmdSetDaqListMode:       {answer: decoded((*call).setDaqListMode)},
	xcp.CmdGetDaqListMode:       {answer: decoded((*call).getDaqListMode)},
	xcp.CmdStartStopDaqList:     {answer: decoded((*call).startStopDaqList)},
	xcp.CmdStartStopSynch:       {answer: decoded((*call).startStopSynch)},
}

var level1 = map[xcp.Level1]entry{
	xcp.L1GetDaqPackedMode: {answer: decoded((*call).getDaqPackedMode)},
	xcp.L1SetDaqPackedMode: {answer: decoded((*call).setDaqPackedMode)},
}

// Handles reports whether cmd (and, for CmdLevel1, the sub-command sub)
// is a DAQ command the engine answers.
func Handles(cmd xcp.Command, sub xcp.Level1) bool {
	if cmd == xcp.CmdLevel1 {
		_, ok := level1[sub]
		return ok
	}
	_, ok := commands[cmd]
	return ok
}

// Command answers one DAQ command packet from the master on link. out is
// a buffer the response may be built in. Lock held; call Wait on the
// returned Stopped after releasing it.
func (e *Engine) Command(link Link, req, out []byte) ([]byte, Stopped) {
	c := &call{e: e, link: link, out: out[:0]}
	var ent entry
	var ok bool
	if xcp.Command(req[0]) == xcp.CmdLevel1 {
		if len(req) < 2 {
			return errPacket(xcp.ErrCmdSyntax), nil
		}
		if ent, ok = level1[xcp.Level1(req[1])]; !ok {
			return errPacket(xcp.ErrSubcmdUnknown), nil
		}
	} else if ent, ok = commands[xcp.Command(req[0])]; !ok {
		return errPacket(xcp.ErrCmdUnknown), nil
	}
	if ent.dynamic && e.cfg.Static {
		return errPacket(xcp.ErrCmdUnknown), nil
	}
	resp := ent.answer(c, req)
	return resp, c.stopped
}

// errPacket returns an ERR packet with the given code.
func errPacket(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

// ok returns a positive response without parameters.
func (c *call) ok() []byte { return xcp.OKResponse{}.Append(c.out, c.e.f) }

// codeOf returns the XCP error code carried by err (ERR_GENERIC if err is
// not an xcp.ErrorCode).
func codeOf(err error) xcp.ErrorCode {
	var code xcp.ErrorCode
	if errors.As(err, &code) {
		return code
	}
	return xcp.ErrGeneric
}

// The information commands.

func (c *call) getDaqProcessorInfo([]byte) []byte {
	return c.e.processorInfo().Append(c.out, c.e.f)
}

func (c *call) getDaqResolutionInfo([]byte) []byte {
	e := c.e
	cfg := &e.cfg
	maxEntry := cfg.MaxEntrySize / uint8(e.f.AG.Size()) // in AG elements
	return xcp.GetDaqResolutionInfoResponse{GranularityDaq: cfg.Granularity, MaxEntrySizeDaq: maxEntry,
		GranularityStim: cfg.Granularity, MaxEntrySizeSt: maxEntry,
		TimestampMode:  xcp.MakeTimestampMode(cfg.TimestampSize, false, cfg.TimestampUnit),
		TimestampTicks: cfg.TimestampTicks}.Append(c.out, e.f)
}

func (c *call) getDaqEventInfo(cmd *xcp.GetDaqEventInfo) []byte {
	e := c.e
	if int(cmd.Event) >= len(e.cfg.Events) {
		return errPacket(xcp.ErrOutOfRange)
	}
	ev := e.cfg.Events[cmd.Event]
	cyc, unit := eventCycle(ev.Period)
	name := []byte(ev.Name)
	ag := e.f.AG.Size()
	c.link.SetInfo(append(name, make([]byte, (ag-len(name)%ag)%ag)...))
	return xcp.GetDaqEventInfoResponse{Properties: eventProperties(ev), MaxDaqList: 0xFF, NameLength: uint8(min(len(name), 255)),
		TimeCycle: cyc, TimeUnit: unit}.Append(c.out, e.f)
}

func (c *call) getDaqListInfo(cmd *xcp.GetDaqListInfo) []byte {
	e := c.e
	if int(cmd.List) >= len(e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	l := &e.lists[cmd.List]
	maxE := 0
	for _, o := range l.odts {
		maxE = max(maxE, len(o.entries))
	}
	props, fixed := xcp.ListDAQ|xcp.ListSTIM, uint16(0)
	if l.predef {
		props |= xcp.ListPredefined
	}
	if l.fixed != nil {
		props, fixed = props|xcp.ListEventFixed, *l.fixed
	}
	return xcp.GetDaqListInfoResponse{Properties: props, MaxODT: uint8(len(l.odts)), MaxEntries: uint8(maxE), FixedEvent: fixed}.Append(c.out, e.f)
}

func (c *call) getDaqClock([]byte) []byte {
	e := c.e
	return xcp.GetDaqClockResponse{DaqClock: xcp.DaqClock{Slave: uint64(uint32(e.ticks(e.mem.Now())))}}.Append(c.out, e.f)
}

func (e *Engine) processorInfo() xcp.GetDaqProcessorInfoResponse {
	c := &e.cfg
	p := xcp.DaqPrescalerSupported
	if !c.Static {
		p |= xcp.DaqConfigDynamic
	}
	if c.TimestampSize > 0 {
		p |= xcp.DaqTimestampSupported
	}
	if c.OverloadEvent {
		p |= xcp.DaqOverloadEvent
	} else {
		p |= xcp.DaqOverloadMSB
	}
	return xcp.GetDaqProcessorInfoResponse{Properties: p, MaxDaq: c.MaxDaq, MaxEvent: uint16(len(c.Events)), MinDaq: uint8(len(c.Predefined)),
		Key: xcp.MakeDaqKeyByte(xcp.OMDefault, c.AddrExt, c.IDField)}
}

// Dynamic DAQ: FREE_DAQ and the ALLOC_* sequence.

func (c *call) freeDaq([]byte) []byte {
	e := c.e
	c.stopped = e.stopRunners(func(*list) bool { return true })
	e.lists, e.alloc, e.ptr = e.predefinedLists(), allocDaq, daqPtr{}
	e.assignPIDs()
	return c.ok()
}

func (c *call) allocDaq(cmd *xcp.AllocDaq) []byte {
	e := c.e
	switch {
	case e.alloc != allocDaq:
		return errPacket(xcp.ErrSequence)
	case int(cmd.Count)+e.minDaq() > int(e.cfg.MaxDaq):
		return errPacket(xcp.ErrMemoryOverflow)
	}
	e.lists, e.alloc = append(e.lists[:e.minDaq()], make([]list, cmd.Count)...), allocOdt
	return c.ok()
}

func (c *call) allocOdt(cmd *xcp.AllocOdt) []byte {
	e := c.e
	switch {
	case e.alloc != allocOdt && e.alloc != allocEntries:
		return errPacket(xcp.ErrSequence)
	case int(cmd.List) >= len(e.lists) || e.lists[cmd.List].predef:
		return errPacket(xcp.ErrOutOfRange)
	case len(e.lists[cmd.List].odts) > 0:
		return errPacket(xcp.ErrSequence)
	case e.alloc == allocEntries:
		return errPacket(xcp.ErrSequence) // ALLOC_ODT after ALLOC_ODT_ENTRY
	}
	total := int(cmd.Count)
	if e.cfg.IDField == xcp.IDAbsODT {
		for i := range e.lists {
			total += len(e.lists[i].odts)
		}
	}
	if total > e.pidLimit() {
		return errPacket(xcp.ErrMemoryOverflow)
	}
	e.lists[cmd.List].odts = make([]odt, cmd.Count)
	e.assignPIDs()
	return c.ok()
}

func (c *call) allocOdtEntry(cmd *xcp.AllocOdtEntry) []byte {
	e := c.e
	switch {
	case e.alloc != allocOdt && e.alloc != allocEntries:
		return errPacket(xcp.ErrSequence)
	case int(cmd.List) >= len(e.lists) || int(cmd.ODT) >= len(e.lists[cmd.List].odts) || e.lists[cmd.List].predef:
		return errPacket(xcp.ErrOutOfRange)
	case cmd.Count == 0:
		return errPacket(xcp.ErrOutOfRange)
	case e.lists[cmd.List].odts[cmd.ODT].entries != nil:
		return errPacket(xcp.ErrSequence)
	}
	e.lists[cmd.List].odts[cmd.ODT].entries = make([]xcp.DaqElement, cmd.Count)
	e.alloc = allocEntries
	return c.ok()
}

// pidLimit is the number of ODTs that PIDs (absolute) or relative ODT
// numbers can address.
func (e *Engine) pidLimit() int {
	if e.cfg.OverloadEvent {
		return 0xFC
	}
	return 0x80
}

// assignPIDs gives every list its first PID (absolute ODT numbering).
func (e *Engine) assignPIDs() {
	pid := 0
	for i := range e.lists {
		l := &e.lists[i]
		if e.cfg.IDField == xcp.IDAbsODT {
			l.firstPID = uint8(pid)
			pid += len(l.odts)
		}
	}
}

// ODT entries: CLEAR_DAQ_LIST, SET_DAQ_PTR, WRITE_DAQ(_MULTIPLE), READ_DAQ.

func (c *call) clearDaqList(cmd *xcp.ClearDaqList) []byte {
	e := c.e
	if int(cmd.List) >= len(e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	if e.lists[cmd.List].predef {
		return errPacket(xcp.ErrAccessDenied)
	}
	l := &e.lists[cmd.List]
	c.stopped = e.stopRunners(func(x *list) bool { return x == l })
	for i := range l.odts {
		clear(l.odts[i].entries)
	}
	l.mode, l.modeSet, l.selected, l.running = 0, false, false, false
	return c.ok()
}

func (c *call) setDaqPtr(cmd *xcp.SetDaqPtr) []byte {
	e := c.e
	if int(cmd.List) >= len(e.lists) || int(cmd.ODT) >= len(e.lists[cmd.List].odts) ||
		int(cmd.Entry) >= len(e.lists[cmd.List].odts[cmd.ODT].entries) {
		return errPacket(xcp.ErrOutOfRange)
	}
	if e.lists[cmd.List].running {
		return errPacket(xcp.ErrDaqActive)
	}
	e.ptr = daqPtr{valid: true, list: cmd.List, odt: int(cmd.ODT), entry: int(cmd.Entry)}
	return c.ok()
}

func (c *call) writeDaq(cmd *xcp.WriteDaq) []byte {
	if code := c.e.writeEntry(cmd.DaqElement); code != 0 {
		return errPacket(code)
	}
	return c.ok()
}

func (c *call) writeDaqMultiple(cmd *xcp.WriteDaqMultiple) []byte {
	for _, el := range cmd.Elements {
		if code := c.e.writeEntry(el); code != 0 {
			return errPacket(code)
		}
	}
	return c.ok()
}

func (c *call) readDaq([]byte) []byte {
	e := c.e
	p := e.ptr
	if !p.valid || int(p.list) >= len(e.lists) || p.odt >= len(e.lists[p.list].odts) ||
		p.entry >= len(e.lists[p.list].odts[p.odt].entries) {
		return errPacket(xcp.ErrSequence)
	}
	el := e.lists[p.list].odts[p.odt].entries[p.entry]
	e.ptr.entry++
	if el.BitOffset == xcp.NoBitOffset {
		el.Size /= uint8(e.f.AG.Size()) // entries are kept in bytes; READ_DAQ counts AG elements
	}
	return xcp.ReadDaqResponse{DaqElement: el}.Append(c.out, e.f)
}

// writeEntry writes one ODT entry at the DAQ pointer and advances it.
func (e *Engine) writeEntry(el xcp.DaqElement) xcp.ErrorCode {
	p := e.ptr
	if !p.valid || int(p.list) >= len(e.lists) || p.odt >= len(e.lists[p.list].odts) ||
		p.entry >= len(e.lists[p.list].odts[p.odt].entries) {
		return xcp.ErrSequence
	}
	l := &e.lists[p.list]
	if l.running {
		return xcp.ErrDaqActive
	}
	if l.predef {
		return xcp.ErrAccessDenied
	}
	g := int(e.cfg.Granularity)
	if ag := e.f.AG.Size(); ag > 1 && el.Size > 0 && el.BitOffset == xcp.NoBitOffset {
		// WRITE_DAQ counts AG elements; entries are kept in bytes.
		if int(el.Size)*ag > 255 {
			return xcp.ErrOutOfRange
		}
		el.Size *= uint8(ag)
	}
	if el.Size > 0 {
		switch {
		case el.BitOffset != xcp.NoBitOffset && (el.BitOffset > 31 || el.Size != 1):
			return xcp.ErrOutOfRange
		case el.Size > e.cfg.MaxEntrySize || int(el.Size)%g != 0 || int(el.Addr)%g != 0:
			return xcp.ErrOutOfRange
		}
		if _, err := e.mem.Span(el.Addr, el.Ext, int(el.Size), false); err != nil {
			return codeOf(err)
		}
		if code := e.checkExtension(l, p.odt, p.entry, el.Ext); code != 0 {
			return code
		}
	}
	l.odts[p.odt].entries[p.entry] = el
	e.ptr.entry++
	return 0
}

// checkExtension enforces the announced address extension rule for an
// entry with extension ext at (odt, entry) of l.
func (e *Engine) checkExtension(l *list, odt, entry int, ext uint8) xcp.ErrorCode {
	switch e.cfg.AddrExt {
	case xcp.AESameODT:
		for i, x := range l.odts[odt].entries {
			if i != entry && x.Size > 0 && x.Ext != ext {
				return xcp.ErrDaqConfig
			}
		}
	case xcp.AESameDaqLst:
		for _, o := range l.odts {
			for _, x := range o.entries {
				if x.Size > 0 && x.Ext != ext {
					return xcp.ErrDaqConfig
				}
			}
		}
	}
	return 0
}

// List modes and start/stop.

func (c *call) setDaqListMode(cmd *xcp.SetDaqListMode) []byte {
	e := c.e
	switch {
	case int(cmd.List) >= len(e.lists) || int(cmd.Event) >= len(e.cfg.Events):
		return errPacket(xcp.ErrOutOfRange)
	case cmd.Mode&(xcp.ModePIDOff|xcp.ModeDTOCtr|xcp.ModeAlternating) != 0:
		return errPacket(xcp.ErrModeNotValid)
	case cmd.Mode&xcp.ModeDirection != 0 && e.cfg.Events[cmd.Event].NoStim:
		return errPacket(xcp.ErrModeNotValid) // a DAQ-only event
	case cmd.Mode&xcp.ModeTimestamp != 0 && e.cfg.TimestampSize == 0:
		return errPacket(xcp.ErrModeNotValid)
	case e.lists[cmd.List].running:
		return errPacket(xcp.ErrDaqActive)
	case e.lists[cmd.List].fixed != nil && cmd.Event != *e.lists[cmd.List].fixed:
		return errPacket(xcp.ErrOutOfRange)
	case e.lists[cmd.List].modeSet && !e.cfg.Lenient && !e.lists[cmd.List].predef:
		// Real slaves (XCPlite) break on this sequence; reject it so
		// that masters which send it are caught in tests.
		return errPacket(xcp.ErrSequence)
	}
	l := &e.lists[cmd.List]
	l.mode, l.event, l.prescaler, l.priority, l.modeSet = cmd.Mode, cmd.Event, max(cmd.Prescaler, 1), cmd.Priority, true
	return c.ok()
}

func (c *call) getDaqListMode(cmd *xcp.GetDaqListMode) []byte {
	e := c.e
	if int(cmd.List) >= len(e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	l := &e.lists[cmd.List]
	m := l.mode & (xcp.ModeTimestamp | xcp.ModePIDOff | xcp.ModeDTOCtr | xcp.ModeDirection)
	if l.selected {
		m |= xcp.ModeSelected
	}
	if l.running {
		m |= xcp.ModeRunning
	}
	return xcp.GetDaqListModeResponse{Mode: m, Event: l.event, Prescaler: l.prescaler, Priority: l.priority}.Append(c.out, e.f)
}

func (c *call) startStopDaqList(cmd *xcp.StartStopDaqList) []byte {
	e := c.e
	if int(cmd.List) >= len(e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	l := &e.lists[cmd.List]
	switch cmd.Mode {
	case xcp.DaqListStop:
		c.stopped = e.stopRunners(func(x *list) bool { return x == l })
	case xcp.DaqListStart, xcp.DaqListSelect:
		if code := e.checkList(l); code != 0 {
			return errPacket(code)
		}
		if cmd.Mode == xcp.DaqListSelect {
			l.selected = true
		} else {
			e.startLists(c.link, []*list{l})
		}
	}
	return xcp.StartStopDaqListResponse{FirstPID: l.firstPID}.Append(c.out, e.f)
}

func (c *call) startStopSynch(cmd *xcp.StartStopSynch) []byte {
	e := c.e
	switch cmd.Mode {
	case xcp.SynchStopAll:
		c.stopped = e.stopRunners(func(*list) bool { return true })
	case xcp.SynchStartSelected, xcp.SynchPrepareStartSe:
		var start []*list
		for i := range e.lists {
			if l := &e.lists[i]; l.selected {
				start = append(start, l)
				l.selected = false
			}
		}
		if cmd.Mode == xcp.SynchStartSelected {
			e.startLists(c.link, start)
		}
	case xcp.SynchStopSelected:
		c.stopped = e.stopRunners(func(l *list) bool { return l.selected })
	}
	if cmd.Mode != xcp.SynchPrepareStartSe {
		for i := range e.lists {
			e.lists[i].selected = false
		}
	}
	return c.ok()
}

// checkList verifies that a list can run: mode set, ODTs that fit MAX_DTO.
func (e *Engine) checkList(l *list) xcp.ErrorCode {
	if len(l.odts) == 0 {
		return xcp.ErrDaqConfig
	}
	hdr := e.cfg.IDField.Len()
	if ag := e.f.AG.Size(); hdr%ag != 0 || (l.mode&xcp.ModeTimestamp != 0 && e.cfg.TimestampSize%ag != 0) {
		return xcp.ErrDaqConfig // DTO data would not be aligned to AG elements
	}
	for i, o := range l.odts {
		n := hdr
		if i == 0 && l.mode&xcp.ModeTimestamp != 0 {
			n += e.cfg.TimestampSize
		}
		for _, en := range o.entries {
			n += int(en.Size)
		}
		if n > e.f.MaxDTO {
			return xcp.ErrDaqConfig
		}
	}
	if int(l.event) >= len(e.cfg.Events) {
		return xcp.ErrDaqConfig
	}
	return 0
}

// Packed mode (level 1): only "not packed" is supported.

func (c *call) getDaqPackedMode(cmd *xcp.GetDaqPackedMode) []byte {
	if int(cmd.List) >= len(c.e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	return xcp.GetDaqPackedModeResponse{}.Append(c.out, c.e.f)
}

func (c *call) setDaqPackedMode(cmd *xcp.SetDaqPackedMode) []byte {
	if int(cmd.List) >= len(c.e.lists) {
		return errPacket(xcp.ErrOutOfRange)
	}
	if cmd.Mode != xcp.NotPacked {
		return errPacket(xcp.ErrModeNotValid)
	}
	return c.ok()
}
