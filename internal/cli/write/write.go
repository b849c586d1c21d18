// Package write is `xcp write NAME=VALUE...`: write CHARACTERISTICs (and
// READ_WRITE MEASUREMENTs) named in the A2L as physical values, checked
// against their limits, and verify them by reading back.
package write

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/read"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp write`.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	Printer   func(json bool) *cmdutil.Printer
	A2L       func(context.Context, *master.Master) (*a2l.Module, error)
	FromSlave func() bool
	// CheckEPK compares the A2L's EPK with the ECU's (Factory.CheckEPK).
	CheckEPK func(context.Context, *master.Master, *a2l.Module, bool) error

	Assignments    []cal.Assignment
	IgnoreEPK      bool
	ExtendedLimits bool
	NoVerify       bool
	JSON           bool
}

// NewCmd returns the `xcp write` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L, CheckEPK: f.CheckEPK}
	cmd := &cobra.Command{
		Use:   "write NAME=VALUE...",
		Short: "Write characteristics by their A2L name, as physical values",
		Long: `Write CHARACTERISTICs, AXIS_PTS and READ_WRITE MEASUREMENTs named in the A2L
(--a2l FILE or --a2l-from-slave) as physical values. Each value is
converted with the object's COMPU_METHOD, checked against its
LOWER/UPPER_LIMIT (EXTENDED_LIMITS with --extended-limits) and, after
writing, read back and compared. Nothing is written if any value is
refused, nor when the A2L declares an EPK (MOD_PAR EPK, ADDR_EPK) that
differs from the ECU's, unless --ignore-epk.

VALUE is a number, a verbal text (TAB_VERB), a string (ASCII), or a list
for arrays, curves and maps: "1,2,3" or "[1 2 3]" (maps x fastest).
NAME:x=LIST (NAME:y=, :z=, :4=, :5=) sets the points of a curve's or map's
axis stored with it.`,
		Example: `  xcp --sim write amplitude=2.5 enable=1
  xcp --a2l ecu.a2l write mode=SPORT idle_curve=800,850,900
  xcp --a2l ecu.a2l write idle_curve:x=0,20,40`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.UsageErrorf("write needs at least one NAME=VALUE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Assignments = opts.Assignments[:0]
			for _, a := range args {
				as, err := cal.ParseAssignment(a)
				if err != nil {
					return &cmdutil.UsageError{Err: err}
				}
				opts.Assignments = append(opts.Assignments, as)
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ExtendedLimits, "extended-limits", false, "allow values up to EXTENDED_LIMITS")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "do not read the values back after writing")
	cmd.Flags().BoolVar(&opts.IgnoreEPK, "ignore-epk", false, "write even when the A2L's EPK differs from the ECU's")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the written values as JSON")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	// One write per object: its values and axes merged.
	names, inputs, err := cal.Merge(opts.Assignments)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	mod, ds, mem, done, err := read.Session(ctx, opts.Connect, opts.A2L, opts.FromSlave(), names)
	if err != nil {
		return err
	}
	defer done()
	if opts.CheckEPK != nil {
		if err := opts.CheckEPK(ctx, mem, mod, opts.IgnoreEPK); err != nil {
			return err
		}
	}
	vs, err := cal.WriteAll(ctx, mem, ds, inputs, cal.Options{ExtendedLimits: opts.ExtendedLimits, NoVerify: opts.NoVerify})
	if err != nil {
		return err
	}
	if opts.NoVerify {
		fmt.Fprintf(opts.IO.ErrOut, "wrote %d object(s), not verified\n", len(vs))
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "wrote %d object(s), verified by reading back\n", len(vs))
	}
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		return p.PrintJSON(vs)
	}
	return p.Tables(read.Tables(vs, false)...)
}
