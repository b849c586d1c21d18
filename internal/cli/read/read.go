// Package read is `xcp read NAME...`: read MEASUREMENTs and
// CHARACTERISTICs named in the A2L and print them as physical values with
// units (scalars, arrays, strings, curves and maps with their axes).
package read

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp read`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer
	A2L     func(context.Context, *master.Master) (*a2l.Module, error)
	// FromSlave reports whether the A2L comes from the slave (so it can
	// only be loaded after connecting).
	FromSlave func() bool

	Names []string
	Raw   bool
	JSON  bool
}

// NewCmd returns the `xcp read` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	cmd := &cobra.Command{
		Use:   "read NAME...",
		Short: "Read measurements and characteristics by their A2L name",
		Long: `Read MEASUREMENTs, CHARACTERISTICs and AXIS_PTS named in the A2L (--a2l FILE
or --a2l-from-slave) and print them as physical values with units:
scalars, arrays, ASCII strings, curves and maps with their axes. Names
of INSTANCEs of structures are written with dots and indexes, e.g.
params.curve or points[3].x.`,
		Example: `  xcp --sim read counter sine amplitude
  xcp --a2l ecu.a2l --host 192.168.1.10 read EngineSpeed map.ignition --json
  xcp --sim read curve --raw`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.UsageErrorf("read needs at least one NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "print raw (ECU) values instead of physical values")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON (raw and physical values, units, axes)")
	return cmd
}

// Session loads the A2L and connects in the order the A2L source needs
// (a file is checked before connecting), resolves names and returns the
// connected master, which is the cal.Memory to read and write through.
// Shared by read and write.
func Session(ctx context.Context, connect func(context.Context) (*master.Master, func() error, error),
	load func(context.Context, *master.Master) (*a2l.Module, error), fromSlave bool, names []string,
) (*a2l.Module, []*cal.Desc, *master.Master, func() error, error) {
	var mod *a2l.Module
	var err error
	describe := func() ([]*cal.Desc, error) { return cal.DescribeAll(mod, names) }
	var ds []*cal.Desc
	if !fromSlave {
		if mod, err = load(ctx, nil); err != nil {
			return nil, nil, nil, nil, err
		}
		if ds, err = describe(); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	m, done, err := connect(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if fromSlave {
		if mod, err = load(ctx, m); err == nil {
			ds, err = describe()
		}
		if err != nil {
			done()
			return nil, nil, nil, nil, err
		}
	}
	return mod, ds, m, done, nil
}

func run(ctx context.Context, opts *Options) error {
	_, ds, mem, done, err := Session(ctx, opts.Connect, opts.A2L, opts.FromSlave(), opts.Names)
	if err != nil {
		return err
	}
	defer done()
	vs := make([]*cal.Value, len(ds))
	for i, d := range ds {
		if vs[i], err = d.Read(ctx, mem); err != nil {
			return err
		}
	}
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		return p.PrintJSON(vs)
	}
	return p.Tables(Tables(vs, opts.Raw)...)
}
