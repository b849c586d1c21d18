package dbgtarget

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// pinState is a HW-IO pin: what the slave drives and what the ECU side
// applies.
type pinState struct {
	Pin
	drive swdbg.PinState // StateTristate = not driven
	freq  uint16
	input bool // level applied by the ECU side
}

func (p *pinState) high() bool {
	switch p.drive {
	case swdbg.StateLow:
		return false
	case swdbg.StateHigh:
		return true
	}
	return p.input
}

// reported is the state DBG_HWIO_CONTROL answers: the configured value for
// output-only pins, the physical state otherwise.
func (p *pinState) reported() swdbg.PinState {
	if p.drive == swdbg.StateClock {
		return swdbg.StateClock
	}
	if p.Mode&swdbg.PinInput == 0 {
		return p.drive
	}
	if p.high() {
		return swdbg.StateHigh
	}
	return swdbg.StateLow
}

func (p *pinState) asserted() bool {
	switch p.Active {
	case swdbg.ActiveLow:
		return !p.high()
	case swdbg.ActiveHigh:
		return p.high()
	}
	return false
}

func (t *Target) powered() bool {
	for i := range t.pins {
		if t.pins[i].Class == swdbg.ClassVref && !t.pins[i].high() {
			return false
		}
	}
	return true
}

func (t *Target) inReset() bool {
	for i := range t.pins {
		p := &t.pins[i]
		if (p.Class == swdbg.ClassPORST || p.Class == swdbg.ClassSecondaryRst) && p.drive != swdbg.StateClock && p.asserted() {
			return true
		}
	}
	return false
}

func (t *Target) pin(index uint8) *pinState {
	for i := range t.pins {
		if t.pins[i].Index == index {
			return &t.pins[i]
		}
	}
	return nil
}

func (t *Target) hwioInfo(d *Session, req []byte) []byte {
	var c swdbg.GetHWIOInfo
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if len(t.pins) == 0 {
		return errPacket(xcp.ErrCmdUnknown)
	}
	start := -1
	for i := range t.pins {
		if t.pins[i].Index == c.Index {
			start = i
		}
	}
	if start < 0 {
		return errPacket(xcp.ErrOutOfRange)
	}
	per := (t.cfg.MaxCTODbg - 2) / 4
	var r swdbg.GetHWIOInfoResponse
	for i := start; i < len(t.pins) && len(r.Pins) < per; i++ {
		info := t.pins[i].PinInfo
		if _, on := d.events[info.Index]; on {
			info.Mode |= swdbg.PinEvent
		}
		r.Pins = append(r.Pins, info)
	}
	return r.Append(nil, t.f)
}

func (t *Target) setHWIOEvent(d *Session, req []byte) []byte {
	var c swdbg.SetHWIOEvent
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if len(t.pins) == 0 {
		return errPacket(xcp.ErrCmdUnknown)
	}
	p := t.pin(c.Pin)
	if p == nil || !c.Trigger.Valid() {
		return errPacket(xcp.ErrOutOfRange)
	}
	if c.Trigger == swdbg.TriggerDisable {
		delete(d.events, c.Pin)
		return ack()
	}
	if !p.Events {
		return errPacket(xcp.ErrGeneric)
	}
	d.events[c.Pin] = c.Trigger
	return ack()
}

func (t *Target) hwioControl(ss *Session, req []byte) []byte {
	var c swdbg.HWIOControl
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if len(t.pins) == 0 {
		return errPacket(xcp.ErrCmdUnknown)
	}
	if 1+len(c.Pins) > t.cfg.MaxCTODbg {
		return errPacket(xcp.ErrOutOfRange)
	}
	// Validate everything first: on error no pin changes.
	for _, pc := range c.Pins {
		p := t.pin(pc.Index)
		ok := p != nil
		if ok {
			switch pc.State {
			case swdbg.StateUnchanged:
			case swdbg.StateLow, swdbg.StateHigh, swdbg.StateTristate, swdbg.StateClock:
				ok = p.Mode&swdbg.PinOutput != 0 && (pc.State != swdbg.StateClock || pc.Freq > 0)
			default:
				ok = false
			}
		}
		if !ok {
			return dbgErr(swdbg.ErrHWIOControl, pc.Index)
		}
	}
	var r swdbg.HWIOControlResponse
	for _, pc := range c.Pins {
		p := t.pin(pc.Index)
		if pc.State != swdbg.StateUnchanged {
			was := p.high()
			p.drive, p.freq = pc.State, pc.Freq
			t.pinChanged(p, was)
		}
		r.States = append(r.States, p.reported())
	}
	return r.Append(nil, t.f)
}

// pinChanged sends EV_DBG_HWIO_CHANGE if the pin's level changed and the
// attached master enabled a matching trigger. Callers hold t.mu.
func (t *Target) pinChanged(p *pinState, was bool) {
	now := p.high()
	if now == was || p.drive == swdbg.StateClock || t.last == nil {
		return
	}
	tr, on := t.last.events[p.Index]
	if !on || (tr == swdbg.TriggerLow && now) || (tr == swdbg.TriggerHigh && !now) {
		return
	}
	t.event(swdbg.Event{Code: swdbg.EvHWIOChange, Pin: p.Index, High: now})
}

// SetInput applies a level to a pin from the ECU side (for example Vref
// dropping when the ECU is switched off, or the ECU pulling its reset
// line); a change the master subscribed to is reported with
// EV_DBG_HWIO_CHANGE. It reports whether the pin exists.
func (t *Target) SetInput(index uint8, high bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pin(index)
	if p == nil {
		return false
	}
	was := p.high()
	p.input = high
	t.pinChanged(p, was)
	return true
}
