// Package cmdutil is what every `xcp` subcommand is built on: the Factory
// (I/O streams, lazily loaded configuration, logger, and a connected XCP
// master), the one output layer (Printer) and the mapping from errors to
// exit codes.
//
// # Writing a subcommand
//
// Each subcommand lives in its own package internal/cli/<name> and follows
// the pattern of cli/cli (gh):
//
//	type Options struct {
//		IO   *cmdutil.IOStreams
//		Connect func(context.Context) (*master.Master, func() error, error)
//		Addr uint32 // parsed arguments and flags …
//		JSON bool
//	}
//
//	// NewCmd returns the `xcp <name>` command.
//	func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }
//
//	// newCmd parses arguments and flags into Options, then calls runF
//	// (tests pass one to capture the parsed Options) or run.
//	func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command
//
//	func run(ctx context.Context, opts *Options) error
//
// The package exports exactly NewCmd(f *cmdutil.Factory) *cobra.Command and
// is registered with one line in internal/cli/root (root.go, func
// subcommands).
//
// Rules:
//   - Data goes to f.IO.Out through f.Printer(json): a table on a terminal,
//     plain aligned text otherwise, indented JSON with --json. Status and
//     progress go to f.IO.ErrOut.
//   - Bad arguments return cmdutil.UsageErrorf(...) (exit code 2); bad
//     flags are turned into usage errors by the root command.
//   - Talk to the slave with m, done, err := f.Connect(ctx); defer done().
//     Connect honours the global flags (--sim, -t, --host, …) and the
//     configuration file; done disconnects and releases everything.
//   - Return errors; the root prints "xcp: <error>" and exits with
//     ExitCode(err): 1 for errors (including XCP error responses), 2 for
//     usage and configuration errors, 3 for timeouts, 130 if interrupted.
package cmdutil
