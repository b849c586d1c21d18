package cmdutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// Exit codes of the xcp command.
const (
	ExitOK       = 0
	ExitError    = 1   // any failure, including XCP error responses
	ExitUsage    = 2   // bad arguments, flags or configuration
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
	case errors.As(err, &ue), errors.As(err, &fe):
		return ExitUsage
	case errors.Is(err, xcp.ErrTimeout), errors.Is(err, context.DeadlineExceeded), errors.Is(err, transport.ErrConnectionLost):
		return ExitTimeout
	case errors.Is(err, context.Canceled):
		return ExitCanceled
	}
	return ExitError
}
