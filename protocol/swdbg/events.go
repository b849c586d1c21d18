package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// EventCode is the SW-DBG event subcode (table 59), byte 2 of an EV packet
// whose byte 1 is xcp.EvDbg.
type EventCode uint8

// SW-DBG events.
const (
	EvServiceLevelChange EventCode = 0x00
	EvHWIOChange         EventCode = 0x01
)

func (c EventCode) String() string {
	switch c {
	case EvServiceLevelChange:
		return "EV_DBG_SERVICE_LEVEL_CHANGE"
	case EvHWIOChange:
		return "EV_DBG_HWIO_CHANGE"
	}
	return fmt.Sprintf("EV_DBG_0x%02X", uint8(c))
}

// Event is an EV_DBG packet (tables 58–61).
type Event struct {
	Code         EventCode
	ServiceLevel ServiceLevel // EV_DBG_SERVICE_LEVEL_CHANGE
	Pin          uint8        // EV_DBG_HWIO_CHANGE: pin index
	High         bool         // EV_DBG_HWIO_CHANGE: trigger condition 1 (changed to high)
	Data         []byte       // subcode data of unknown events
}

func (e Event) String() string {
	switch e.Code {
	case EvServiceLevelChange:
		return fmt.Sprintf("%s: %s", e.Code, e.ServiceLevel)
	case EvHWIOChange:
		lv := "low"
		if e.High {
			lv = "high"
		}
		return fmt.Sprintf("%s: pin %d changed to %s", e.Code, e.Pin, lv)
	}
	return fmt.Sprintf("%s % X", e.Code, e.Data)
}

// Append encodes the whole EV packet (0xFD 0xFC code …).
func (e Event) Append(b []byte, _ xcp.Format) []byte {
	b = append(b, xcp.PIDEv, byte(xcp.EvDbg), byte(e.Code))
	switch e.Code {
	case EvServiceLevelChange:
		return append(b, byte(e.ServiceLevel))
	case EvHWIOChange:
		t := byte(0)
		if e.High {
			t = 1
		}
		return append(b, e.Pin, t)
	}
	return append(b, e.Data...)
}

// Decode decodes a whole EV packet.
func (e *Event) Decode(p []byte, f xcp.Format) error {
	if len(p) < 3 {
		return &xcp.FormatError{What: "EV_DBG packet", Need: 3, Got: len(p)}
	}
	if p[0] != xcp.PIDEv || p[1] != byte(xcp.EvDbg) {
		return fmt.Errorf("xcp/swdbg: EV_DBG packet: starts % X, want FD FC: %w", p[:2], xcp.ErrMalformed)
	}
	return e.DecodeData(p[2:])
}

// DecodeData decodes the bytes after the event code 0xFC (what
// master.Notice.Data holds for an xcp.EvDbg event).
func (e *Event) DecodeData(d []byte) error {
	if len(d) < 1 {
		return &xcp.FormatError{What: "EV_DBG data", Need: 1, Got: 0}
	}
	*e = Event{Code: EventCode(d[0])}
	switch e.Code {
	case EvServiceLevelChange:
		if len(d) < 2 {
			return &xcp.FormatError{What: "EV_DBG_SERVICE_LEVEL_CHANGE", Need: 4, Got: 2 + len(d)}
		}
		e.ServiceLevel = ServiceLevel(d[1])
	case EvHWIOChange:
		if len(d) < 3 {
			return &xcp.FormatError{What: "EV_DBG_HWIO_CHANGE", Need: 5, Got: 2 + len(d)}
		}
		if d[2] > 1 {
			return fmt.Errorf("xcp/swdbg: EV_DBG_HWIO_CHANGE: trigger condition %d is not 0 or 1: %w", d[2], xcp.ErrMalformed)
		}
		e.Pin, e.High = d[1], d[2] == 1
	default:
		e.Data = d[1:]
	}
	return nil
}
