// Package xcptest runs the whole xcp command line in-process for the tests
// of the command packages (their external _test packages: it imports the
// root command, which imports them all). Only tests import it.
package xcptest

import (
	"context"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/root"
)

// Run runs `xcp ARGS...` (root.Run) on buffer-backed streams with an empty
// environment (no XCP_* variables of the machine) and returns the exit code,
// stdout and stderr.
func Run(args ...string) (code int, stdout, stderr string) {
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(string) string { return "" }
	code = root.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}
