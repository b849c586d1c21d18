// Package clitest holds the helpers the tests of the xcp commands share:
// building a command on in-memory streams, parsing arguments the way the
// root command does, and checking the usage errors the commands return.
// Only tests import it.
package clitest

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// NewCmd is the constructor every command package has: it builds the command
// on f and calls runF with the parsed options instead of running.
type NewCmd[O any] func(f *cmdutil.Factory, runF func(*O) error) *cobra.Command

// Parse builds the command with newCmd on buffer-backed streams (see
// cmdutil.Test), executes it with args and returns the options its run
// function received (nil if it was not reached) and Execute's error.
func Parse[O any](newCmd NewCmd[O], args []string) (*O, error) {
	ios, _, _, _ := cmdutil.Test()
	return ParseIO(ios, newCmd, args)
}

// ParseIO is Parse on the given streams (for example ones set to look like a
// terminal). Flag errors become *cmdutil.UsageError, as under the root command.
func ParseIO[O any](ios *cmdutil.IOStreams, newCmd NewCmd[O], args []string) (*O, error) {
	var got *O
	cmd := newCmd(cmdutil.New(ios), func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.UsageError{Err: err} })
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return got, err
}

// WantUsageError fails t unless err is a usage error (exit code
// cmdutil.ExitUsage) whose message contains want.
func WantUsageError(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("got %v, want usage error %q", err, want)
	}
}

// WantError fails t unless err is an error whose message contains want.
func WantError(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want error %q", err, want)
	}
}
