package daqengine

import (
	"github.com/goxcp/goxcp/protocol/xcp"
)

// stimState is the STIM side of one DAQ list (XCP 1.5 part 2,
// "stimulation"): the DTOs the master sent since the list's event last
// occurred, one buffer per ODT. Guarded by the lock.
type stimState struct {
	bufs [][]byte // payload per ODT (without identification field and timestamp)
	have []bool   // ODT received since the last event cycle
	n    int      // number of ODTs in have
}

// StimStats counts what the simulator's STIM processor received.
type StimStats struct {
	DTOs       uint64 // STIM DTOs accepted
	Rejected   uint64 // DTOs for no running STIM list, or of the wrong length
	Applied    uint64 // ODTs written into memory
	Incomplete uint64 // event cycles of a list with DAQ consistency that lacked ODTs (kept, nothing written yet)
	Timeouts   uint64 // event cycles of a STIM list without data (EV_STIM_TIMEOUT if DAQConfig.StimTimeout)
}

// eventProperties returns DAQ_EVENT_PROPERTIES of event e.
func eventProperties(e EventConfig) xcp.EventProperties {
	p := xcp.EventDAQ
	if !e.NoStim {
		p |= xcp.EventSTIM
	}
	if !e.StimODTConsistency {
		p |= 0x40 // consistency DAQ
	}
	return p
}

// Stim takes one STIM DTO from the master: it is kept until the list's
// event occurs. A DTO for no running STIM list or with the wrong length
// is counted in StimStats.Rejected (a slave cannot answer DTOs). Lock
// held.
func (e *Engine) Stim(p []byte) {
	d := e
	l, odt, n := d.stimTarget(p)
	if l == nil {
		d.stim.Rejected++
		return
	}
	if odt == 0 && l.mode&xcp.ModeTimestamp != 0 {
		n += d.cfg.TimestampSize
	}
	need := 0
	for _, e := range l.odts[odt].entries {
		need += int(e.Size)
	}
	if len(p)-n != need {
		d.stim.Rejected++
		return
	}
	st := &l.stim
	if len(st.bufs) != len(l.odts) {
		st.bufs, st.have, st.n = make([][]byte, len(l.odts)), make([]bool, len(l.odts)), 0
	}
	st.bufs[odt] = append(st.bufs[odt][:0], p[n:]...)
	if !st.have[odt] {
		st.have[odt] = true
		st.n++
	}
	d.stim.DTOs++
}

// stimTarget finds the running STIM list and ODT a DTO is for and the
// length of its identification field.
func (d *Engine) stimTarget(p []byte) (*list, int, int) {
	odt, list, n, ok := d.cfg.IDField.ParseDTOHeader(p, d.f)
	if !ok {
		return nil, 0, 0
	}
	if d.cfg.IDField == xcp.IDAbsODT {
		for i := range d.lists {
			l := &d.lists[i]
			if l.running && l.mode&xcp.ModeDirection != 0 && odt >= l.firstPID && int(odt-l.firstPID) < len(l.odts) {
				return l, int(odt - l.firstPID), n
			}
		}
		return nil, 0, 0
	}
	if int(list) >= len(d.lists) {
		return nil, 0, 0
	}
	l := &d.lists[list]
	if !l.running || l.mode&xcp.ModeDirection == 0 || int(odt) >= len(l.odts) {
		return nil, 0, 0
	}
	return l, int(odt), n
}

// stimCycle applies the STIM data of list l at a cycle of its event: with
// ODT consistency every ODT received, with DAQ consistency only a complete
// set (a partial set is kept until the rest arrives). It reports whether
// the cycle passed without any data (STIM timeout).
// Lock held.
func (e *Engine) stimCycle(l *list, ev uint16) (timeout bool) {
	d := e
	st := &l.stim
	if st.n == 0 {
		d.stim.Timeouts++
		return d.cfg.StimTimeout
	}
	odtConsistent := d.cfg.Events[ev].StimODTConsistency
	if !odtConsistent && st.n < usedODTs(l) {
		// Wait for the rest: a set split across an event boundary is
		// applied complete at the next cycle.
		d.stim.Incomplete++
		return false
	}
	for oi, have := range st.have {
		if !have {
			continue
		}
		b := st.bufs[oi]
		for _, e := range l.odts[oi].entries {
			if e.Size == 0 {
				break
			}
			if dst, err := d.mem.Span(e.Addr, e.Ext, int(e.Size), true); err == nil {
				copy(dst, b[:e.Size])
			}
			b = b[e.Size:]
		}
		d.stim.Applied++
	}
	clear(st.have)
	st.n = 0
	return false
}

// stimTimeoutData is the payload of EV_STIM_TIMEOUT for an event channel:
// info type 0 (event channel), reserved, the event number.
func stimTimeoutData(ev uint16, f xcp.Format) []byte {
	return f.Order.AppendUint16([]byte{0, 0}, ev)
}

// usedODTs is the number of ODTs of l in use: in a static configuration an
// ODT without entries ends the list.
func usedODTs(l *list) int {
	for i, o := range l.odts {
		if len(o.entries) == 0 || o.entries[0].Size == 0 {
			return i
		}
	}
	return len(l.odts)
}
