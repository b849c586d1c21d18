package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/daq"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// Exit codes of the xcp command (the table in the README).
const (
	ExitOK    = 0
	ExitError = 1 // the operation failed: the slave refused (XCP error response), a verify mismatch, a write error, …
	// ExitUsage: bad arguments, flags, configuration (TOML syntax or
	// values) or input files (missing, malformed, naming signals, objects
	// or events that do not exist).
	ExitUsage    = 2
	ExitTimeout  = 3   // the slave did not answer in time, or the connection to it was lost
	ExitCanceled = 130 // interrupted (Ctrl-C)
)

// UsageError is a wrong command line: bad arguments or flags.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf returns a *UsageError with a formatted message.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var fe *config.FieldError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue), errors.As(err, &fe), errors.Is(err, config.ErrSyntax),
		errors.Is(err, fs.ErrNotExist), errors.Is(err, a2l.ErrNotFound), errors.Is(err, daq.ErrUnknownEvent):
		return ExitUsage
	case errors.Is(err, xcp.ErrTimeout), errors.Is(err, context.DeadlineExceeded), errors.Is(err, transport.ErrConnectionLost),
		errors.Is(err, master.ErrCommandDeadline):
		return ExitTimeout
	case errors.Is(err, context.Canceled):
		return ExitCanceled
	}
	return ExitError
}
