package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// GetHWIOInfo is DBG_GET_HWIO_INFO (table 22): the pins from Index on.
type GetHWIOInfo struct{ Index uint8 }

// Append encodes the command.
func (c GetHWIOInfo) Append(b []byte, _ xcp.Format) []byte {
	return append(appendHeader(b, CmdGetHWIOInfo), c.Index)
}

// Decode decodes the command.
func (c *GetHWIOInfo) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdGetHWIOInfo, 4); err != nil {
		return err
	}
	c.Index = p[3]
	return nil
}

// Pin mode bits (table 24).
const (
	PinInput  uint8 = 0x01 // XCP slave input
	PinOutput uint8 = 0x02 // XCP slave output
	PinEvent  uint8 = 0x10 // pin triggers an event
)

// PinClass is the class of a HW-IO pin (table 23).
type PinClass uint8

// Pin classes.
const (
	ClassVref         PinClass = 0x00
	ClassPORST        PinClass = 0x01
	ClassSecondaryRst PinClass = 0x02
	ClassBreak        PinClass = 0x03
	ClassWatchdogOff  PinClass = 0x04
	ClassFlashProgram PinClass = 0x05
	ClassTRST         PinClass = 0x06
	numPinClasses              = 7
)

var classNames = [numPinClasses]string{"Vref", "PORST", "secondary reset", "break/EVT", "watchdog disable", "flash programming", "TRST"}

func (c PinClass) String() string {
	if c < numPinClasses {
		return classNames[c]
	}
	return fmt.Sprintf("PinClass(0x%02X)", uint8(c))
}

// ActiveState is the informational active state of a pin (table 23).
type ActiveState uint8

// Active states.
const (
	ActiveUnknown ActiveState = 0
	ActiveLow     ActiveState = 1
	ActiveHigh    ActiveState = 2
	ActiveClock   ActiveState = 3
)

func (a ActiveState) String() string {
	switch a {
	case ActiveUnknown:
		return "unknown"
	case ActiveLow:
		return "low"
	case ActiveHigh:
		return "high"
	case ActiveClock:
		return "clock"
	}
	return fmt.Sprintf("ActiveState(0x%02X)", uint8(a))
}

// PinInfo describes one HW-IO pin (4 bytes of table 23).
type PinInfo struct {
	Index  uint8
	Mode   uint8 // PinInput | PinOutput | PinEvent
	Class  PinClass
	Active ActiveState
}

// GetHWIOInfoResponse is the DBG_GET_HWIO_INFO response (table 23).
type GetHWIOInfoResponse struct{ Pins []PinInfo }

// Append encodes the response.
func (r GetHWIOInfoResponse) Append(b []byte, _ xcp.Format) []byte {
	b = append(b, xcp.PIDRes, uint8(len(r.Pins)))
	for _, p := range r.Pins {
		b = append(b, p.Index, p.Mode, byte(p.Class), byte(p.Active))
	}
	return b
}

// Decode decodes the response.
func (r *GetHWIOInfoResponse) Decode(p []byte, _ xcp.Format) error {
	if err := checkRes(p, "DBG_GET_HWIO_INFO response", 2); err != nil {
		return err
	}
	n := int(p[1])
	if len(p) < 2+4*n {
		return &xcp.FormatError{What: "DBG_GET_HWIO_INFO response", Need: 2 + 4*n, Got: len(p)}
	}
	r.Pins = make([]PinInfo, n)
	for i := range r.Pins {
		q := p[2+4*i:]
		r.Pins[i] = PinInfo{Index: q[0], Mode: q[1], Class: PinClass(q[2]), Active: ActiveState(q[3])}
	}
	return nil
}

// Trigger is the trigger condition of DBG_SET_HWIO_EVENT (table 25).
type Trigger uint8

// Trigger conditions.
const (
	TriggerLow     Trigger = 0   // transition to low
	TriggerHigh    Trigger = 1   // transition to high
	TriggerChange  Trigger = 2   // any change
	TriggerDisable Trigger = 255 // disable the event
)

func (t Trigger) String() string {
	switch t {
	case TriggerLow:
		return "low"
	case TriggerHigh:
		return "high"
	case TriggerChange:
		return "change"
	case TriggerDisable:
		return "disabled"
	}
	return fmt.Sprintf("Trigger(%d)", uint8(t))
}

// Valid reports whether t is a defined trigger condition.
func (t Trigger) Valid() bool { return t <= TriggerChange || t == TriggerDisable }

// SetHWIOEvent is DBG_SET_HWIO_EVENT (table 25).
type SetHWIOEvent struct {
	Pin     uint8
	Trigger Trigger
}

// Append encodes the command.
func (c SetHWIOEvent) Append(b []byte, _ xcp.Format) []byte {
	return append(appendHeader(b, CmdSetHWIOEvent), c.Pin, byte(c.Trigger))
}

// Decode decodes the command (a reserved trigger is reported by the
// receiver as ERR_OUT_OF_RANGE, so it is not a decoding error).
func (c *SetHWIOEvent) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdSetHWIOEvent, 5); err != nil {
		return err
	}
	c.Pin, c.Trigger = p[3], Trigger(p[4])
	return nil
}

// PinState is a pin state of DBG_HWIO_CONTROL (tables 26, 27).
type PinState uint8

// Pin states.
const (
	StateLow       PinState = 0
	StateHigh      PinState = 1
	StateUnchanged PinState = 2 // request only
	StateTristate  PinState = 3
	StateClock     PinState = 4
)

func (s PinState) String() string {
	switch s {
	case StateLow:
		return "low"
	case StateHigh:
		return "high"
	case StateUnchanged:
		return "unchanged"
	case StateTristate:
		return "tri-state"
	case StateClock:
		return "clock"
	}
	return fmt.Sprintf("PinState(%d)", uint8(s))
}

// PinControl is one pin entry of DBG_HWIO_CONTROL.
type PinControl struct {
	Index uint8
	State PinState
	Freq  uint16 // clock frequency in Hz (StateClock)
}

// HWIOControl is DBG_HWIO_CONTROL (table 26).
type HWIOControl struct{ Pins []PinControl }

// Append encodes the command.
func (c HWIOControl) Append(b []byte, f xcp.Format) []byte {
	b = append(appendHeader(b, CmdHWIOControl), uint8(len(c.Pins)))
	for _, p := range c.Pins {
		b = f.Order.AppendUint16(append(b, p.Index, byte(p.State)), p.Freq)
	}
	return b
}

// Decode decodes the command.
func (c *HWIOControl) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdHWIOControl, 4); err != nil {
		return err
	}
	n := int(p[3])
	if len(p) < 4+4*n {
		return &xcp.FormatError{What: "DBG_HWIO_CONTROL", Need: 4 + 4*n, Got: len(p)}
	}
	c.Pins = make([]PinControl, n)
	for i := range c.Pins {
		q := p[4+4*i:]
		c.Pins[i] = PinControl{Index: q[0], State: PinState(q[1]), Freq: f.Order.Uint16(q[2:])}
	}
	return nil
}

// HWIOControlResponse is the DBG_HWIO_CONTROL response (table 27): one
// state per requested pin, in request order. Decode takes every byte after
// the PID; a caller that knows the pin count trims States to it.
type HWIOControlResponse struct{ States []PinState }

// Append encodes the response.
func (r HWIOControlResponse) Append(b []byte, _ xcp.Format) []byte {
	b = append(b, xcp.PIDRes)
	for _, s := range r.States {
		b = append(b, byte(s))
	}
	return b
}

// Decode decodes the response.
func (r *HWIOControlResponse) Decode(p []byte, _ xcp.Format) error {
	if err := checkRes(p, "DBG_HWIO_CONTROL response", 1); err != nil {
		return err
	}
	r.States = make([]PinState, len(p)-1)
	for i, v := range p[1:] {
		r.States[i] = PinState(v)
	}
	return nil
}
