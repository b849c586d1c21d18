package sim

import (
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// daqCommand answers DAQ commands (XCP 1.5 part 2, DAQ group). Commands
// that stop event channels wait, after releasing s.mu, until their
// goroutines have sent their last DTO, so nothing of a stopped list
// arrives after the response.
func (ss *session) daqCommand(req []byte) []byte {
	s := ss.slave
	s.mu.Lock()
	if err := ss.checkProtection(xcp.ResDaq); err != nil {
		s.mu.Unlock()
		return errPacket(codeOf(err))
	}
	resp, wait := ss.daqDispatch(req)
	s.mu.Unlock()
	for _, r := range wait {
		<-r.done
	}
	return resp
}

func (ss *session) daqDispatch(req []byte) ([]byte, []*runner) {
	switch xcp.Command(req[0]) {
	case xcp.CmdGetDaqProcessorInfo, xcp.CmdGetDaqResolutionInfo, xcp.CmdGetDaqEventInfo, xcp.CmdGetDaqListInfo, xcp.CmdGetDaqClock:
		return ss.daqInfo(req)
	case xcp.CmdFreeDaq, xcp.CmdAllocDaq, xcp.CmdAllocOdt, xcp.CmdAllocOdtEntry:
		return ss.daqAlloc(req)
	case xcp.CmdClearDaqList, xcp.CmdSetDaqPtr, xcp.CmdWriteDaq, xcp.CmdWriteDaqMultiple, xcp.CmdReadDaq:
		return ss.daqEntries(req)
	case xcp.CmdSetDaqListMode, xcp.CmdGetDaqListMode, xcp.CmdStartStopDaqList, xcp.CmdStartStopSynch:
		return ss.daqRun(req)
	case xcp.CmdLevel1:
		return ss.daqLevel1(req)
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

// daqInfo answers the DAQ information commands. s.mu is held.
func (ss *session) daqInfo(req []byte) ([]byte, []*runner) {
	s := ss.slave
	d := &s.daq
	f := ss.format()
	out := ss.out[:0]
	switch xcp.Command(req[0]) {
	case xcp.CmdGetDaqProcessorInfo:
		return ss.processorInfo().Append(out, f), nil
	case xcp.CmdGetDaqResolutionInfo:
		c := &d.cfg
		maxEntry := c.MaxEntrySize / uint8(f.AG.Size()) // in AG elements
		return xcp.GetDaqResolutionInfoResponse{GranularityDaq: c.Granularity, MaxEntrySizeDaq: maxEntry,
			GranularityStim: c.Granularity, MaxEntrySizeSt: maxEntry,
			TimestampMode:  xcp.MakeTimestampMode(c.TimestampSize, false, c.TimestampUnit),
			TimestampTicks: c.TimestampTicks}.Append(out, f), nil
	case xcp.CmdGetDaqEventInfo:
		var c xcp.GetDaqEventInfo
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.Event) >= len(d.cfg.Events) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		e := d.cfg.Events[c.Event]
		cyc, unit := eventCycle(e.Period)
		name := []byte(e.Name)
		ag := f.AG.Size()
		s.setInfo(append(name, make([]byte, (ag-len(name)%ag)%ag)...))
		ss.mta, ss.mtaExt = InfoBase, 0
		return xcp.GetDaqEventInfoResponse{Properties: eventProperties(e), MaxDaqList: 0xFF, NameLength: uint8(min(len(name), 255)),
			TimeCycle: cyc, TimeUnit: unit}.Append(out, f), nil
	case xcp.CmdGetDaqListInfo:
		var c xcp.GetDaqListInfo
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.List) >= len(d.lists) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		l := &d.lists[c.List]
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
		return xcp.GetDaqListInfoResponse{Properties: props, MaxODT: uint8(len(l.odts)), MaxEntries: uint8(maxE), FixedEvent: fixed}.Append(out, f), nil
	case xcp.CmdGetDaqClock:
		return xcp.GetDaqClockResponse{DaqClock: xcp.DaqClock{Slave: uint64(uint32(s.daqTicks(s.now())))}}.Append(out, f), nil
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

// daqAlloc answers FREE_DAQ and the ALLOC_* commands of dynamic DAQ. s.mu is held.
func (ss *session) daqAlloc(req []byte) ([]byte, []*runner) {
	s := ss.slave
	d := &s.daq
	f := ss.format()
	switch xcp.Command(req[0]) {
	case xcp.CmdFreeDaq:
		if d.cfg.Static {
			return errPacket(xcp.ErrCmdUnknown), nil
		}
		wait := s.stopRunners(func(*simList) bool { return true })
		d.lists, d.alloc, d.ptr = d.predefinedLists(), 1, daqPtr{}
		s.assignPIDs()
		return ss.ok(), wait
	case xcp.CmdAllocDaq:
		var c xcp.AllocDaq
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		switch {
		case d.cfg.Static:
			return errPacket(xcp.ErrCmdUnknown), nil
		case d.alloc != 1:
			return errPacket(xcp.ErrSequence), nil
		case int(c.Count)+d.minDaq() > int(d.cfg.MaxDaq):
			return errPacket(xcp.ErrMemoryOverflow), nil
		}
		d.lists, d.alloc = append(d.lists[:d.minDaq()], make([]simList, c.Count)...), 2
		return ss.ok(), nil
	case xcp.CmdAllocOdt:
		var c xcp.AllocOdt
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		switch {
		case d.cfg.Static:
			return errPacket(xcp.ErrCmdUnknown), nil
		case d.alloc != 2 && d.alloc != 3:
			return errPacket(xcp.ErrSequence), nil
		case int(c.List) >= len(d.lists) || d.lists[c.List].predef:
			return errPacket(xcp.ErrOutOfRange), nil
		case len(d.lists[c.List].odts) > 0:
			return errPacket(xcp.ErrSequence), nil
		}
		if d.alloc == 3 {
			return errPacket(xcp.ErrSequence), nil // ALLOC_ODT after ALLOC_ODT_ENTRY
		}
		total := int(c.Count)
		if d.cfg.IDField == xcp.IDAbsODT {
			for i := range d.lists {
				total += len(d.lists[i].odts)
			}
		}
		if total > d.pidLimit() {
			return errPacket(xcp.ErrMemoryOverflow), nil
		}
		d.lists[c.List].odts = make([]simODT, c.Count)
		s.assignPIDs()
		return ss.ok(), nil
	case xcp.CmdAllocOdtEntry:
		var c xcp.AllocOdtEntry
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		switch {
		case d.cfg.Static:
			return errPacket(xcp.ErrCmdUnknown), nil
		case d.alloc != 2 && d.alloc != 3:
			return errPacket(xcp.ErrSequence), nil
		case int(c.List) >= len(d.lists) || int(c.ODT) >= len(d.lists[c.List].odts) || d.lists[c.List].predef:
			return errPacket(xcp.ErrOutOfRange), nil
		case c.Count == 0:
			return errPacket(xcp.ErrOutOfRange), nil
		case d.lists[c.List].odts[c.ODT].entries != nil:
			return errPacket(xcp.ErrSequence), nil
		}
		d.lists[c.List].odts[c.ODT].entries = make([]xcp.DaqElement, c.Count)
		d.alloc = 3
		return ss.ok(), nil
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

// daqEntries answers the commands that fill, clear and read ODT entries. s.mu is held.
func (ss *session) daqEntries(req []byte) ([]byte, []*runner) {
	s := ss.slave
	d := &s.daq
	f := ss.format()
	out := ss.out[:0]
	switch xcp.Command(req[0]) {
	case xcp.CmdClearDaqList:
		var c xcp.ClearDaqList
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.List) >= len(d.lists) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		if d.lists[c.List].predef {
			return errPacket(xcp.ErrAccessDenied), nil
		}
		wait := s.stopRunners(func(l *simList) bool { return l == &d.lists[c.List] })
		l := &d.lists[c.List]
		for i := range l.odts {
			clear(l.odts[i].entries)
		}
		l.mode, l.modeSet, l.selected, l.running = 0, false, false, false
		return ss.ok(), wait
	case xcp.CmdSetDaqPtr:
		var c xcp.SetDaqPtr
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.List) >= len(d.lists) || int(c.ODT) >= len(d.lists[c.List].odts) ||
			int(c.Entry) >= len(d.lists[c.List].odts[c.ODT].entries) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		if d.lists[c.List].running {
			return errPacket(xcp.ErrDaqActive), nil
		}
		d.ptr = daqPtr{valid: true, list: c.List, odt: int(c.ODT), entry: int(c.Entry)}
		return ss.ok(), nil
	case xcp.CmdWriteDaq:
		var c xcp.WriteDaq
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if code := s.writeDaq(c.DaqElement); code != 0 {
			return errPacket(code), nil
		}
		return ss.ok(), nil
	case xcp.CmdWriteDaqMultiple:
		var c xcp.WriteDaqMultiple
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		for _, e := range c.Elements {
			if code := s.writeDaq(e); code != 0 {
				return errPacket(code), nil
			}
		}
		return ss.ok(), nil
	case xcp.CmdReadDaq:
		p := d.ptr
		if !p.valid || int(p.list) >= len(d.lists) || p.odt >= len(d.lists[p.list].odts) ||
			p.entry >= len(d.lists[p.list].odts[p.odt].entries) {
			return errPacket(xcp.ErrSequence), nil
		}
		e := d.lists[p.list].odts[p.odt].entries[p.entry]
		d.ptr.entry++
		if e.BitOffset == xcp.NoBitOffset {
			e.Size /= uint8(f.AG.Size()) // entries are kept in bytes; READ_DAQ counts AG elements
		}
		return xcp.ReadDaqResponse{DaqElement: e}.Append(out, f), nil
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

// daqRun answers the list mode and start/stop commands. s.mu is held.
func (ss *session) daqRun(req []byte) ([]byte, []*runner) {
	s := ss.slave
	d := &s.daq
	f := ss.format()
	out := ss.out[:0]
	switch xcp.Command(req[0]) {
	case xcp.CmdSetDaqListMode:
		var c xcp.SetDaqListMode
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		switch {
		case int(c.List) >= len(d.lists) || int(c.Event) >= len(d.cfg.Events):
			return errPacket(xcp.ErrOutOfRange), nil
		case c.Mode&(xcp.ModePIDOff|xcp.ModeDTOCtr|xcp.ModeAlternating) != 0:
			return errPacket(xcp.ErrModeNotValid), nil
		case c.Mode&xcp.ModeDirection != 0 && d.cfg.Events[c.Event].NoStim:
			return errPacket(xcp.ErrModeNotValid), nil // a DAQ-only event
		case c.Mode&xcp.ModeTimestamp != 0 && d.cfg.TimestampSize == 0:
			return errPacket(xcp.ErrModeNotValid), nil
		case d.lists[c.List].running:
			return errPacket(xcp.ErrDaqActive), nil
		case d.lists[c.List].fixed != nil && c.Event != *d.lists[c.List].fixed:
			return errPacket(xcp.ErrOutOfRange), nil
		case d.lists[c.List].modeSet && !d.cfg.Lenient && !d.lists[c.List].predef:
			// Real slaves (XCPlite) break on this sequence; reject it so
			// that masters which send it are caught in tests.
			return errPacket(xcp.ErrSequence), nil
		}
		l := &d.lists[c.List]
		l.mode, l.event, l.prescaler, l.priority, l.modeSet = c.Mode, c.Event, max(c.Prescaler, 1), c.Priority, true
		return ss.ok(), nil
	case xcp.CmdGetDaqListMode:
		var c xcp.GetDaqListMode
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.List) >= len(d.lists) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		l := &d.lists[c.List]
		m := l.mode & (xcp.ModeTimestamp | xcp.ModePIDOff | xcp.ModeDTOCtr | xcp.ModeDirection)
		if l.selected {
			m |= xcp.ModeSelected
		}
		if l.running {
			m |= xcp.ModeRunning
		}
		return xcp.GetDaqListModeResponse{Mode: m, Event: l.event, Prescaler: l.prescaler, Priority: l.priority}.Append(out, f), nil
	case xcp.CmdStartStopDaqList:
		var c xcp.StartStopDaqList
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		if int(c.List) >= len(d.lists) {
			return errPacket(xcp.ErrOutOfRange), nil
		}
		l := &d.lists[c.List]
		var wait []*runner
		switch c.Mode {
		case xcp.DaqListStop:
			wait = s.stopRunners(func(x *simList) bool { return x == l })
		case xcp.DaqListStart, xcp.DaqListSelect:
			if code := s.checkList(l); code != 0 {
				return errPacket(code), nil
			}
			if c.Mode == xcp.DaqListSelect {
				l.selected = true
			} else {
				ss.startLists([]*simList{l})
			}
		}
		return xcp.StartStopDaqListResponse{FirstPID: l.firstPID}.Append(out, f), wait
	case xcp.CmdStartStopSynch:
		var c xcp.StartStopSynch
		if c.Decode(req, f) != nil {
			return syntax(), nil
		}
		var wait []*runner
		switch c.Mode {
		case xcp.SynchStopAll:
			wait = s.stopRunners(func(*simList) bool { return true })
		case xcp.SynchStartSelected, xcp.SynchPrepareStartSe:
			var start []*simList
			for i := range d.lists {
				if l := &d.lists[i]; l.selected {
					start = append(start, l)
					l.selected = false
				}
			}
			if c.Mode == xcp.SynchStartSelected {
				ss.startLists(start)
			}
		case xcp.SynchStopSelected:
			wait = s.stopRunners(func(l *simList) bool { return l.selected })
		}
		if c.Mode != xcp.SynchPrepareStartSe {
			for i := range d.lists {
				d.lists[i].selected = false
			}
		}
		return ss.ok(), wait
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

// daqLevel1 answers the level-1 packed-mode commands. s.mu is held.
func (ss *session) daqLevel1(req []byte) ([]byte, []*runner) {
	s := ss.slave
	d := &s.daq
	f := ss.format()
	out := ss.out[:0]
	switch xcp.Command(req[0]) {
	case xcp.CmdLevel1:
		if len(req) < 2 {
			return syntax(), nil
		}
		switch xcp.Level1(req[1]) {
		case xcp.L1GetDaqPackedMode:
			var c xcp.GetDaqPackedMode
			if c.Decode(req, f) != nil {
				return syntax(), nil
			}
			if int(c.List) >= len(d.lists) {
				return errPacket(xcp.ErrOutOfRange), nil
			}
			return xcp.GetDaqPackedModeResponse{}.Append(out, f), nil
		case xcp.L1SetDaqPackedMode:
			var c xcp.SetDaqPackedMode
			if c.Decode(req, f) != nil {
				return syntax(), nil
			}
			if int(c.List) >= len(d.lists) {
				return errPacket(xcp.ErrOutOfRange), nil
			}
			if c.Mode != xcp.NotPacked {
				return errPacket(xcp.ErrModeNotValid), nil
			}
			return ss.ok(), nil
		}
		return errPacket(xcp.ErrSubcmdUnknown), nil
	}
	return errPacket(xcp.ErrCmdUnknown), nil
}

func (ss *session) processorInfo() xcp.GetDaqProcessorInfoResponse {
	c := &ss.slave.daq.cfg
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

// pidLimit is the number of ODTs that PIDs (absolute) or relative ODT
// numbers can address.
func (d *daqSlave) pidLimit() int {
	if d.cfg.OverloadEvent {
		return 0xFC
	}
	return 0x80
}

// assignPIDs gives every list its first PID (absolute ODT numbering).
func (s *Slave) assignPIDs() {
	pid := 0
	for i := range s.daq.lists {
		l := &s.daq.lists[i]
		if s.daq.cfg.IDField == xcp.IDAbsODT {
			l.firstPID = uint8(pid)
			pid += len(l.odts)
		}
	}
}

// writeDaq writes one ODT entry at the DAQ pointer and advances it.
func (s *Slave) writeDaq(e xcp.DaqElement) xcp.ErrorCode {
	d := &s.daq
	p := d.ptr
	if !p.valid || int(p.list) >= len(d.lists) || p.odt >= len(d.lists[p.list].odts) ||
		p.entry >= len(d.lists[p.list].odts[p.odt].entries) {
		return xcp.ErrSequence
	}
	l := &d.lists[p.list]
	if l.running {
		return xcp.ErrDaqActive
	}
	if l.predef {
		return xcp.ErrAccessDenied
	}
	g := int(d.cfg.Granularity)
	if ag := s.cfg.AG.Size(); ag > 1 && e.Size > 0 && e.BitOffset == xcp.NoBitOffset {
		// WRITE_DAQ counts AG elements; entries are kept in bytes.
		if int(e.Size)*ag > 255 {
			return xcp.ErrOutOfRange
		}
		e.Size *= uint8(ag)
	}
	if e.Size > 0 {
		switch {
		case e.BitOffset != xcp.NoBitOffset && (e.BitOffset > 31 || e.Size != 1):
			return xcp.ErrOutOfRange
		case e.Size > d.cfg.MaxEntrySize || int(e.Size)%g != 0 || int(e.Addr)%g != 0:
			return xcp.ErrOutOfRange
		}
		if _, _, err := s.span(e.Addr, e.Ext, int(e.Size), false); err != nil {
			return codeOf(err)
		}
		ents := l.odts[p.odt].entries
		switch d.cfg.AddrExt {
		case xcp.AESameODT:
			for i, x := range ents {
				if i != p.entry && x.Size > 0 && x.Ext != e.Ext {
					return xcp.ErrDaqConfig
				}
			}
		case xcp.AESameDaqLst:
			for _, o := range l.odts {
				for _, x := range o.entries {
					if x.Size > 0 && x.Ext != e.Ext {
						return xcp.ErrDaqConfig
					}
				}
			}
		}
	}
	l.odts[p.odt].entries[p.entry] = e
	d.ptr.entry++
	return 0
}

// checkList verifies that a list can run: mode set, ODTs that fit MAX_DTO.
func (s *Slave) checkList(l *simList) xcp.ErrorCode {
	d := &s.daq
	if len(l.odts) == 0 {
		return xcp.ErrDaqConfig
	}
	hdr := d.cfg.IDField.Len()
	if ag := s.cfg.AG.Size(); hdr%ag != 0 || (l.mode&xcp.ModeTimestamp != 0 && d.cfg.TimestampSize%ag != 0) {
		return xcp.ErrDaqConfig // DTO data would not be aligned to AG elements
	}
	for i, o := range l.odts {
		n := hdr
		if i == 0 && l.mode&xcp.ModeTimestamp != 0 {
			n += d.cfg.TimestampSize
		}
		for _, e := range o.entries {
			n += int(e.Size)
		}
		if n > s.cfg.MaxDTO {
			return xcp.ErrDaqConfig
		}
	}
	if int(l.event) >= len(d.cfg.Events) {
		return xcp.ErrDaqConfig
	}
	return 0
}

// daqTicks converts slave time to DAQ timestamp ticks.
func (s *Slave) daqTicks(t time.Duration) uint64 {
	c := &s.daq.cfg
	ps := c.TimestampUnit.Picoseconds() * uint64(c.TimestampTicks)
	return uint64(t.Nanoseconds()) * 1000 / ps
}
