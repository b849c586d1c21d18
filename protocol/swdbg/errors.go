package swdbg

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrorCode is a SW-DBG specific error code (table 56): byte 2 of an ERR
// packet whose byte 1 is xcp.ErrDbg. It implements error, so
// errors.Is(err, swdbg.ErrBusError) matches any *Error carrying it.
type ErrorCode uint8

// SW-DBG error codes (table 56).
const (
	ErrBusError       ErrorCode = 0x00
	ErrHWIOControl    ErrorCode = 0x01
	ErrHaltAfterReset ErrorCode = 0x02
	ErrJPL            ErrorCode = 0x03
	ErrLLT            ErrorCode = 0x04
	ErrEWUnsupported  ErrorCode = 0x05
	ErrTRIUnsupported ErrorCode = 0x06
	ErrAttachMissing  ErrorCode = 0x07
	numErrorCodes               = 8
)

var errorInfo = [numErrorCodes]struct{ name, meaning string }{
	{"ERR_DBG_BUS_ERROR", "bus error on the target interface"},
	{"ERR_DBG_HWIO_CONTROL", "a HW-IO pin could not be controlled"},
	{"ERR_DBG_HALT_AFTER_RESET", "the target could not be halted after the reset"},
	{"ERR_DBG_JPL", "error in a JPL sequence"},
	{"ERR_DBG_LLT", "error in a low level telegram"},
	{"ERR_DBG_EW_UNSUPPORTED", "element width not supported"},
	{"ERR_DBG_TRI_UNSUPPORTED", "target resource identifier not supported"},
	{"ERR_DBG_ATTACH_MISSING", "a debug command arrived before DBG_ATTACH"},
}

// Name returns the ASAM name, e.g. "ERR_DBG_BUS_ERROR".
func (c ErrorCode) Name() string {
	if c < numErrorCodes {
		return errorInfo[c].name
	}
	return fmt.Sprintf("ERR_DBG_0x%02X", uint8(c))
}

// String returns the ASAM name.
func (c ErrorCode) String() string { return c.Name() }

// Error implements error.
func (c ErrorCode) Error() string {
	m := "unknown SW-DBG error code"
	if c < numErrorCodes {
		m = errorInfo[c].meaning
	}
	return "xcp/swdbg: " + c.Name() + ": " + m
}

// Known reports whether c is defined by table 56.
func (c ErrorCode) Known() bool { return c < numErrorCodes }

// LLT failure reasons (table 39).
const (
	LLTReasonAccess  uint8 = 0x00 // target access failed
	LLTReasonCRC     uint8 = 0x01
	LLTReasonTimeout uint8 = 0x02
)

// LLTReasonString names an LLT failure reason.
func LLTReasonString(r uint8) string {
	switch r {
	case LLTReasonAccess:
		return "target access failed"
	case LLTReasonCRC:
		return "CRC error"
	case LLTReasonTimeout:
		return "timeout"
	}
	return fmt.Sprintf("reason 0x%02X", r)
}

// Error is a negative response to a SW-DBG command, with the extra data of
// the error decoded. It unwraps to its base code (xcp.ErrorCode) and, for
// ERR_DBG, to its SW-DBG code as well, so both
// errors.Is(err, xcp.ErrDbg) and errors.Is(err, swdbg.ErrJPL) match.
type Error struct {
	Cmd  Command       // the SW-DBG command answered
	Code xcp.ErrorCode // byte 1
	Dbg  ErrorCode     // byte 2 when Code is xcp.ErrDbg
	Data []byte        // bytes after byte 1 (for ERR_DBG starting with the SW-DBG code)

	// Decoded extra data (meaningful for the codes named).
	Pin       uint8       // ERR_DBG_HWIO_CONTROL: index of the first failing pin
	LLTIndex  uint8       // ERR_DBG_LLT: failing telegram, from 1
	LLTReason uint8       // ERR_DBG_LLT: LLTReason*
	Results   []SeqResult // ERR_DBG_JPL: per-sequence results
	Expected  int         // ERR_SEQUENCE: expected element count, -1 if not sent
}

// Error implements error.
func (e *Error) Error() string {
	if e.Code != xcp.ErrDbg {
		s := fmt.Sprintf("xcp/swdbg: %s answered %s (0x%02X): %s", e.Cmd, e.Code.Name(), uint8(e.Code), e.Code.Meaning())
		if e.Expected >= 0 && e.Code == xcp.ErrSequence {
			s += fmt.Sprintf(" (slave expected %d elements)", e.Expected)
		}
		return s
	}
	s := fmt.Sprintf("xcp/swdbg: %s answered %s", e.Cmd, e.Dbg.Error()[len("xcp/swdbg: "):])
	switch e.Dbg {
	case ErrHWIOControl:
		s += fmt.Sprintf(" (first failing pin %d)", e.Pin)
	case ErrLLT:
		s += fmt.Sprintf(" (telegram %d: %s)", e.LLTIndex, LLTReasonString(e.LLTReason))
	case ErrJPL:
		for i, r := range e.Results {
			if r.Status != SeqOK {
				s += fmt.Sprintf(" (sequence %d: %s, repeat count %d, TDO 0x%08X)", i, r.Status, r.Repeat, r.TDO)
				break
			}
		}
	}
	return s
}

// Unwrap returns the codes the error matches.
func (e *Error) Unwrap() []error {
	if e.Code == xcp.ErrDbg {
		return []error{e.Dbg, e.Code}
	}
	return []error{e.Code}
}

// ErrorResponse is an ERR packet of a SW-DBG command (tables 6, 21, 28,
// 35, 38, 45, 49, 55). Cmd must be set before Decode: the layout of
// ERR_SEQUENCE's expected count depends on it (a WORD for DBG_WRITE_NEXT,
// a BYTE for DBG_WRITE_CAN2 and DBG_WRITE_CAN_NEXT).
type ErrorResponse struct{ Err Error }

// Append encodes the error packet from the decoded fields (Data is used
// for codes without decoded extras).
func (r ErrorResponse) Append(b []byte, f xcp.Format) []byte {
	e := &r.Err
	b = append(b, xcp.PIDErr, byte(e.Code))
	if e.Code == xcp.ErrSequence && e.Expected >= 0 {
		if e.Cmd == CmdWriteNext {
			return f.Order.AppendUint16(b, uint16(e.Expected))
		}
		return append(b, uint8(e.Expected))
	}
	if e.Code != xcp.ErrDbg {
		return append(b, e.Data...)
	}
	b = append(b, byte(e.Dbg))
	switch e.Dbg {
	case ErrHWIOControl:
		return append(b, e.Pin)
	case ErrLLT:
		return append(b, e.LLTIndex, e.LLTReason)
	case ErrJPL:
		return appendResults(append(b, 0), f, e.Results)
	}
	if len(e.Data) > 1 {
		b = append(b, e.Data[1:]...)
	}
	return b
}

// Decode decodes an ERR packet.
func (r *ErrorResponse) Decode(p []byte, f xcp.Format) error {
	cmd := r.Err.Cmd
	if len(p) < 2 {
		return &xcp.FormatError{What: cmd.String() + " error response", Need: 2, Got: len(p)}
	}
	if p[0] != xcp.PIDErr {
		return fmt.Errorf("xcp/swdbg: %s error response: PID 0x%02X is not 0xFE: %w", cmd, p[0], xcp.ErrMalformed)
	}
	e, err := decodeError(cmd, xcp.ErrorCode(p[1]), p[2:], f)
	if err != nil {
		return err
	}
	r.Err = *e
	return nil
}

// FromXCP converts an ERR answer the master reported as *xcp.Error for SW-DBG
// command cmd into *Error with its extra data decoded. Other errors are
// returned unchanged. If the extra data is malformed the result wraps both
// the *Error (without the extras) and the decoding error.
func FromXCP(cmd Command, err error, f xcp.Format) error {
	var xe *xcp.Error
	if !errors.As(err, &xe) {
		return err
	}
	e, derr := decodeError(cmd, xe.Code, xe.Data, f)
	if derr != nil {
		// Keep the codes matchable even when the extra data is malformed.
		e = &Error{Cmd: cmd, Code: xe.Code, Expected: -1, Data: xe.Data}
		if xe.Code == xcp.ErrDbg && len(xe.Data) > 0 {
			e.Dbg = ErrorCode(xe.Data[0])
		}
		return fmt.Errorf("%w (%w)", e, derr)
	}
	return e
}

func decodeError(cmd Command, code xcp.ErrorCode, data []byte, f xcp.Format) (*Error, error) {
	e := &Error{Cmd: cmd, Code: code, Expected: -1}
	if len(data) > 0 {
		e.Data = append([]byte(nil), data...)
	}
	what := cmd.String() + " error response"
	switch code {
	case xcp.ErrSequence:
		switch {
		case cmd == CmdWriteNext && len(data) >= 2:
			e.Expected = int(f.Order.Uint16(data))
		case (cmd == CmdWriteCAN2 || cmd == CmdWriteCANNext) && len(data) >= 1:
			e.Expected = int(data[0])
		}
		return e, nil
	case xcp.ErrDbg:
	default:
		return e, nil
	}
	if len(data) < 1 {
		return nil, &xcp.FormatError{What: what + " (ERR_DBG without SW-DBG code)", Need: 3, Got: 2}
	}
	e.Dbg = ErrorCode(data[0])
	x := data[1:]
	switch e.Dbg {
	case ErrHWIOControl:
		if len(x) < 1 {
			return nil, &xcp.FormatError{What: what + " (ERR_DBG_HWIO_CONTROL)", Need: 4, Got: 3}
		}
		e.Pin = x[0]
	case ErrLLT:
		if len(x) < 2 {
			return nil, &xcp.FormatError{What: what + " (ERR_DBG_LLT)", Need: 5, Got: 3 + len(x)}
		}
		e.LLTIndex, e.LLTReason = x[0], x[1]
	case ErrJPL:
		if len(x) < 3 {
			return nil, &xcp.FormatError{What: what + " (ERR_DBG_JPL)", Need: 6, Got: 3 + len(x)}
		}
		res, err := decodeResults(what+" (ERR_DBG_JPL)", x[1:], f, 6)
		if err != nil {
			return nil, err
		}
		e.Results = res
	}
	return e, nil
}
