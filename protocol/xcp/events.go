package xcp

import "fmt"

// EventCode is byte 1 of an EV packet (PID 0xFD).
type EventCode uint8

// XCP 1.5 event codes.
const (
	EvResumeMode        EventCode = 0x00
	EvClearDaq          EventCode = 0x01
	EvStoreDaq          EventCode = 0x02
	EvStoreCal          EventCode = 0x03
	EvCmdPending        EventCode = 0x05
	EvDaqOverload       EventCode = 0x06
	EvSessionTerminated EventCode = 0x07
	EvTimeSync          EventCode = 0x08
	EvStimTimeout       EventCode = 0x09
	EvSleep             EventCode = 0x0A
	EvWakeUp            EventCode = 0x0B
	EvEcuStateChange    EventCode = 0x0C
	EvDbg               EventCode = 0xFC // SW-DBG event; byte 2 is the SW-DBG event code
	EvUser              EventCode = 0xFE
	EvTransport         EventCode = 0xFF
)

var eventNames = map[EventCode]string{
	EvResumeMode: "EV_RESUME_MODE", EvClearDaq: "EV_CLEAR_DAQ", EvStoreDaq: "EV_STORE_DAQ",
	EvStoreCal: "EV_STORE_CAL", EvCmdPending: "EV_CMD_PENDING", EvDaqOverload: "EV_DAQ_OVERLOAD",
	EvSessionTerminated: "EV_SESSION_TERMINATED", EvTimeSync: "EV_TIME_SYNC",
	EvStimTimeout: "EV_STIM_TIMEOUT", EvSleep: "EV_SLEEP", EvWakeUp: "EV_WAKE_UP",
	EvEcuStateChange: "EV_ECU_STATE_CHANGE", EvDbg: "EV_DBG", EvUser: "EV_USER", EvTransport: "EV_TRANSPORT",
}

// String returns the ASAM name of the event.
func (c EventCode) String() string {
	if s, ok := eventNames[c]; ok {
		return s
	}
	return fmt.Sprintf("EV_0x%02X", uint8(c))
}

// ServCode is byte 1 of a SERV packet (PID 0xFC).
type ServCode uint8

// Service request codes.
const (
	ServReset ServCode = 0x00 // the slave asks to be reset
	ServText  ServCode = 0x01 // the slave sends text (bytes 2.. are the text)
)

// String returns the ASAM name of the service request.
func (c ServCode) String() string {
	switch c {
	case ServReset:
		return "SERV_RESET"
	case ServText:
		return "SERV_TEXT"
	}
	return fmt.Sprintf("SERV_0x%02X", uint8(c))
}

// Event is a decoded EV packet.
type Event struct {
	Code EventCode
	Data []byte // bytes after the event code
}

// DecodeEvent decodes an EV packet (PID 0xFD). Data aliases p.
func DecodeEvent(p []byte) (Event, error) {
	if len(p) < 2 {
		return Event{}, &FormatError{What: "EV packet", Need: 2, Got: len(p)}
	}
	if p[0] != PIDEv {
		return Event{}, fmt.Errorf("xcp: EV packet: PID 0x%02X is not 0xFD: %w", p[0], ErrMalformed)
	}
	return Event{Code: EventCode(p[1]), Data: p[2:]}, nil
}

// ServiceRequest is a decoded SERV packet.
type ServiceRequest struct {
	Code ServCode
	Data []byte // bytes after the code; for SERV_TEXT the text
}

// DecodeServiceRequest decodes a SERV packet (PID 0xFC). Data aliases p.
func DecodeServiceRequest(p []byte) (ServiceRequest, error) {
	if len(p) < 2 {
		return ServiceRequest{}, &FormatError{What: "SERV packet", Need: 2, Got: len(p)}
	}
	if p[0] != PIDServ {
		return ServiceRequest{}, fmt.Errorf("xcp: SERV packet: PID 0x%02X is not 0xFC: %w", p[0], ErrMalformed)
	}
	return ServiceRequest{Code: ServCode(p[1]), Data: p[2:]}, nil
}

// Resource is a bit of the resource mask used by CONNECT, GET_STATUS,
// GET_SEED and UNLOCK.
type Resource uint8

// Resources.
const (
	ResCalPag Resource = 0x01
	ResDaq    Resource = 0x04
	ResStim   Resource = 0x08
	ResPgm    Resource = 0x10
	ResDbg    Resource = 0x20
)

// AllResources returns every resource bit in ascending order.
func AllResources() []Resource { return []Resource{ResCalPag, ResDaq, ResStim, ResPgm, ResDbg} }

// String returns the resource name(s), e.g. "CAL/PAG|DAQ".
func (r Resource) String() string {
	names := []struct {
		r Resource
		s string
	}{{ResCalPag, "CAL/PAG"}, {ResDaq, "DAQ"}, {ResStim, "STIM"}, {ResPgm, "PGM"}, {ResDbg, "DBG"}}
	out := ""
	for _, n := range names {
		if r&n.r != 0 {
			if out != "" {
				out += "|"
			}
			out += n.s
			r &^= n.r
		}
	}
	if r != 0 {
		if out != "" {
			out += "|"
		}
		out += fmt.Sprintf("0x%02X", uint8(r))
	}
	if out == "" {
		return "none"
	}
	return out
}
