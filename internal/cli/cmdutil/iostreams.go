package cmdutil

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of a command.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer // data (stdout)
	ErrOut io.Writer // status, progress, logs, errors (stderr)

	outTTY   bool
	errTTY   bool
	progress *ProgressTiming // nil: DefaultProgressTiming
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, outTTY: isTerminal(os.Stdout), errTTY: isTerminal(os.Stderr)}
}

// Test returns streams backed by buffers (stdin empty unless written to),
// for tests. IsTerminal reports false.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsTerminal reports whether Out is a terminal.
func (s *IOStreams) IsTerminal() bool { return s.outTTY }

// ErrIsTerminal reports whether ErrOut is a terminal (a live status line
// may then rewrite itself with \r; a log file gets plain lines).
func (s *IOStreams) ErrIsTerminal() bool { return s.errTTY }

// SetTerminal overrides the terminal detection of Out (for tests).
func (s *IOStreams) SetTerminal(tty bool) { s.outTTY = tty }

// isTerminal asks the terminal driver: a character device is not enough
// (/dev/null is one, and `xcp upload --format raw … > /dev/null` must work).
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
