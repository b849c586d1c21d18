package xcp

import (
	"errors"
	"fmt"
)

// ErrorCode is the error code byte of an ERR packet. It implements error so
// that errors.Is(err, xcp.ErrCmdBusy) matches any *Error carrying that code.
type ErrorCode uint8

// XCP 1.5 error codes.
const (
	ErrCmdSynch                       ErrorCode = 0x00
	ErrCmdBusy                        ErrorCode = 0x10
	ErrDaqActive                      ErrorCode = 0x11
	ErrPgmActive                      ErrorCode = 0x12
	ErrCmdUnknown                     ErrorCode = 0x20
	ErrCmdSyntax                      ErrorCode = 0x21
	ErrOutOfRange                     ErrorCode = 0x22
	ErrWriteProtected                 ErrorCode = 0x23
	ErrAccessDenied                   ErrorCode = 0x24
	ErrAccessLocked                   ErrorCode = 0x25
	ErrPageNotValid                   ErrorCode = 0x26
	ErrModeNotValid                   ErrorCode = 0x27
	ErrSegmentNotValid                ErrorCode = 0x28
	ErrSequence                       ErrorCode = 0x29
	ErrDaqConfig                      ErrorCode = 0x2A
	ErrMemoryOverflow                 ErrorCode = 0x30
	ErrGeneric                        ErrorCode = 0x31
	ErrVerify                         ErrorCode = 0x32
	ErrResourceTemporaryNotAccessible ErrorCode = 0x33
	ErrSubcmdUnknown                  ErrorCode = 0x34
	ErrTimecorrStateChange            ErrorCode = 0x35
	ErrDbg                            ErrorCode = 0xFC
)

type codeInfo struct{ name, meaning string }

var errorCodeInfo = map[ErrorCode]codeInfo{
	ErrCmdSynch:                       {"ERR_CMD_SYNCH", "command processor synchronisation (answer to SYNCH)"},
	ErrCmdBusy:                        {"ERR_CMD_BUSY", "command was not executed: the slave is busy"},
	ErrDaqActive:                      {"ERR_DAQ_ACTIVE", "command rejected because DAQ is running"},
	ErrPgmActive:                      {"ERR_PGM_ACTIVE", "command rejected because PGM is running"},
	ErrCmdUnknown:                     {"ERR_CMD_UNKNOWN", "unknown or unimplemented command"},
	ErrCmdSyntax:                      {"ERR_CMD_SYNTAX", "command syntax invalid"},
	ErrOutOfRange:                     {"ERR_OUT_OF_RANGE", "command syntax valid but a parameter is out of range"},
	ErrWriteProtected:                 {"ERR_WRITE_PROTECTED", "the memory location is write protected"},
	ErrAccessDenied:                   {"ERR_ACCESS_DENIED", "the memory location is not accessible"},
	ErrAccessLocked:                   {"ERR_ACCESS_LOCKED", "access denied: seed & key is required"},
	ErrPageNotValid:                   {"ERR_PAGE_NOT_VALID", "selected page not available"},
	ErrModeNotValid:                   {"ERR_MODE_NOT_VALID", "selected page mode not available"},
	ErrSegmentNotValid:                {"ERR_SEGMENT_NOT_VALID", "selected segment not valid"},
	ErrSequence:                       {"ERR_SEQUENCE", "sequence error"},
	ErrDaqConfig:                      {"ERR_DAQ_CONFIG", "DAQ configuration not valid"},
	ErrMemoryOverflow:                 {"ERR_MEMORY_OVERFLOW", "memory overflow error"},
	ErrGeneric:                        {"ERR_GENERIC", "generic error"},
	ErrVerify:                         {"ERR_VERIFY", "the slave internal program verify routine detected an error"},
	ErrResourceTemporaryNotAccessible: {"ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE", "access to the requested resource is temporarily not possible"},
	ErrSubcmdUnknown:                  {"ERR_SUBCMD_UNKNOWN", "unknown sub-command or sub-command not implemented"},
	ErrTimecorrStateChange:            {"ERR_TIMECORR_STATE_CHANGE", "time correlation state changed during the command"},
	ErrDbg:                            {"ERR_DBG", "SW-DBG specific error (see the SW-DBG error code that follows)"},
}

// Name returns the ASAM name of the code, e.g. "ERR_ACCESS_LOCKED".
func (c ErrorCode) Name() string {
	if i, ok := errorCodeInfo[c]; ok {
		return i.name
	}
	return fmt.Sprintf("ERR_0x%02X", uint8(c))
}

// Meaning returns a one-line description of the code.
func (c ErrorCode) Meaning() string {
	if i, ok := errorCodeInfo[c]; ok {
		return i.meaning
	}
	return "unknown error code"
}

// Known reports whether c is an error code defined by XCP 1.5.
func (c ErrorCode) Known() bool { _, ok := errorCodeInfo[c]; return ok }

// String returns the ASAM name of the code.
func (c ErrorCode) String() string { return c.Name() }

// Error implements error.
func (c ErrorCode) Error() string { return "xcp: " + c.Name() + ": " + c.Meaning() }

// Error is a negative response (ERR packet) of a slave to a command.
// It unwraps to its Code, so errors.Is(err, xcp.ErrAccessLocked) works.
type Error struct {
	Cmd  Command   // the command that was answered with an error
	Code ErrorCode // the error code (byte 1 of the ERR packet)
	Data []byte    // optional bytes following the code (nil if none)
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("xcp: %s answered %s (0x%02X): %s", e.Cmd, e.Code.Name(), uint8(e.Code), e.Code.Meaning())
}

// Unwrap returns the error code, which is itself an error.
func (e *Error) Unwrap() error { return e.Code }

// DecodeError decodes an ERR packet (PID 0xFE) answering cmd.
func DecodeError(cmd Command, p []byte) (*Error, error) {
	if len(p) < 2 {
		return nil, &FormatError{What: "ERR packet", Need: 2, Got: len(p)}
	}
	if p[0] != PIDErr {
		return nil, fmt.Errorf("xcp: ERR packet: PID 0x%02X is not 0xFE: %w", p[0], ErrMalformed)
	}
	e := &Error{Cmd: cmd, Code: ErrorCode(p[1])}
	if len(p) > 2 {
		e.Data = append([]byte(nil), p[2:]...)
	}
	return e, nil
}

// ErrMalformed is matched (errors.Is) by every error reporting a packet that
// does not follow the XCP format: too short, a wrong PID, a bad field.
var ErrMalformed = errors.New("malformed packet")

// ErrTimeout is matched (errors.Is) by every error reporting that the slave
// did not answer in time (after the retries the error matrix allows).
var ErrTimeout = errors.New("xcp: timeout")

// FormatError reports a packet too short for what it should carry.
type FormatError struct {
	What string // what was being decoded, e.g. "CONNECT response"
	Need int    // minimum length in bytes
	Got  int    // actual length in bytes
}

// Error implements error.
func (e *FormatError) Error() string {
	return fmt.Sprintf("xcp: %s: %d bytes, need at least %d", e.What, e.Got, e.Need)
}

// Unwrap lets errors.Is(err, ErrMalformed) match.
func (e *FormatError) Unwrap() error { return ErrMalformed }

// TimeoutError reports a command the slave did not answer within its timeout.
type TimeoutError struct {
	Cmd      Command
	Attempts int // how many times the command was sent
}

// Error implements error.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("xcp: %s: no response from slave after %d attempt(s)", e.Cmd, e.Attempts)
}

// Unwrap lets errors.Is(err, ErrTimeout) match.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// Timeout reports true, like net.Error.
func (e *TimeoutError) Timeout() bool { return true }
