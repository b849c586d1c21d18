// Package a2l is `xcp a2l`: inspect A2L files (ASAM MCD-2 MC): list the
// objects, show one in detail, show the IF_DATA XCP settings, and check a
// file strictly — what packages a2linfo and a2l/ifxcp find, as tables or
// JSON.
package a2l

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	asap2 "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/a2linfo"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are what the `xcp a2l` subcommands share.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	Printer   func(json bool) *cmdutil.Printer
	A2L       func(context.Context, *master.Master) (*asap2.Module, error)
	FromSlave func() bool

	JSON bool
}

// NewCmd returns the `xcp a2l` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	cmd := &cobra.Command{
		Use:   "a2l",
		Short: "Inspect A2L files: list, show NAME, ifdata, check FILE",
		Args:  cmdutil.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.AddCommand(newList(opts), newShow(opts), newIfData(opts), newCheck(opts))
	return cmd
}

// module loads the A2L, connecting first only when it comes from the slave.
func (o *Options) module(ctx context.Context) (*asap2.Module, error) {
	if !o.FromSlave() {
		return o.A2L(ctx, nil)
	}
	m, done, err := o.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return o.A2L(ctx, m)
}

func newList(o *Options) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "list [PATTERN]",
		Short: "List measurements, characteristics, axes and blobs (with instance members)",
		Example: `  xcp --a2l ecu.a2l a2l list
  xcp --a2l ecu.a2l a2l list 'params.*' --kind characteristic
  xcp --sim a2l list --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pattern := ""
			if len(args) == 1 {
				pattern = args[0]
			}
			if err := a2linfo.CheckFilter(pattern, kind); err != nil {
				return cmdutil.UsageErrorf("%v", err)
			}
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			entries, err := a2linfo.List(m, pattern, kind)
			if err != nil {
				return cmdutil.UsageErrorf("%v", err)
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(entries)
			}
			return p.Tables(listTables(entries)...)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only objects of this kind: measurement, characteristic, axis_pts, blob")
	return cmd
}

// listTables renders `xcp a2l list`: one row per object and, below, the
// objects that cannot be used with what is wrong (in the table, a long
// message would widen its column for every row).
func listTables(entries []a2linfo.Entry) []cmdutil.Table {
	t := cmdutil.Table{Header: []string{"NAME", "KIND", "TYPE", "ADDRESS", "EXT", "SIZE", "UNIT"}}
	errs := cmdutil.Table{Header: []string{"NAME", "PROBLEM"}}
	for _, e := range entries {
		if e.Error != "" {
			t.Add(e.Name, e.Kind, "(problem, see below)", "", "", "", "")
			errs.Add(e.Name, e.Error)
			continue
		}
		t.Add(e.Name, e.Kind, e.Type, fmt.Sprintf("0x%08X", e.Address), strconv.Itoa(int(e.Ext)), strconv.Itoa(e.Size), e.Unit)
	}
	if len(errs.Rows) == 0 {
		return []cmdutil.Table{t}
	}
	errs.Title = fmt.Sprintf("%d object(s) with a problem", len(errs.Rows))
	return []cmdutil.Table{t, errs}
}

func newShow(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Show one object: address, type, layout, conversion, limits, events, axes",
		Example: "  xcp --a2l ecu.a2l a2l show params.curve",
		Args:    cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			d, err := a2linfo.Describe(m, args[0])
			if err != nil {
				return err
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(d)
			}
			kv := []string{
				"name", d.Name, "kind", d.Kind + " " + d.Type, "description", d.LongID,
				"address", fmt.Sprintf("0x%08X ext %d", d.Address, d.Ext), "size", strconv.Itoa(d.Size) + " bytes",
				"conversion", d.Conversion + " (" + d.ConvType + ")", "unit", d.Unit,
				"limits", fmt.Sprintf("[%g, %g]", d.Limits.Lower, d.Limits.Upper),
				"byte order", d.ByteOrder, "access", d.Access, "defined at", d.Defined,
			}
			if d.ExtLimits != nil {
				kv = append(kv, "extended limits", fmt.Sprintf("[%g, %g]", d.ExtLimits.Lower, d.ExtLimits.Upper))
			}
			if d.Layout != "" {
				kv = append(kv, "record layout", d.Layout)
			}
			if d.MatrixDim != nil {
				kv = append(kv, "matrix dim", fmt.Sprint(d.MatrixDim))
			}
			if d.BitMask != "" {
				kv = append(kv, "bit mask", d.BitMask)
			}
			if d.Events != nil {
				kv = append(kv, "DAQ events", fmt.Sprint(d.Events))
			}
			if d.Instance != "" {
				kv = append(kv, "instance of", d.Instance)
			}
			if d.Verbal != nil {
				kv = append(kv, "values", strings.Join(d.Verbal, ", "))
			}
			for i, a := range d.Axes {
				kv = append(kv, "axis "+strconv.Itoa(i+1), a)
			}
			return p.Tables(cmdutil.KV("", kv...))
		},
	}
}

func newIfData(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "ifdata",
		Short: "Show the IF_DATA XCP settings: protocol layer, DAQ events, transports",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			x, err := ifxcp.Decode(m)
			if err != nil {
				return err
			}
			if x == nil {
				return fmt.Errorf("module %s has no IF_DATA XCP", m.Name)
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(x)
			}
			var tables []cmdutil.Table
			if pl := x.Protocol; pl != nil {
				tables = append(tables, cmdutil.KV("protocol layer",
					"version", fmt.Sprintf("%d.%d", pl.Version>>8, pl.Version&0xFF),
					"T1..T7", fmt.Sprint(pl.T),
					"MAX_CTO", strconv.Itoa(pl.MaxCTO), "MAX_DTO", strconv.Itoa(pl.MaxDTO),
					"byte order", pl.ByteOrder.String(), "address granularity", strconv.Itoa(pl.AddressGranularity),
					"optional commands", strings.Join(pl.OptionalCmds, " ")))
			}
			if d := x.DAQ; d != nil {
				mode := "STATIC"
				if d.Dynamic {
					mode = "DYNAMIC"
				}
				kv := []string{"mode", mode, "MAX_DAQ", strconv.Itoa(d.MaxDAQ), "event channels", strconv.Itoa(d.MaxEventChannels),
					"identification field", d.IdentificationField, "max ODT entry size", strconv.Itoa(d.MaxODTEntrySize)}
				if ts := d.Timestamp; ts != nil {
					kv = append(kv, "timestamp", fmt.Sprintf("%d bytes, tick %v, fixed %v", ts.Size, ts.Tick, ts.Fixed))
				}
				tables = append(tables, cmdutil.KV("DAQ", kv...))
				et := cmdutil.Table{Title: "events", Header: []string{"CHANNEL", "NAME", "SHORT", "DIRECTION", "PERIOD", "PRIORITY"}}
				for _, e := range d.Events {
					et.Add(strconv.Itoa(int(e.Channel)), e.Name, e.ShortName, e.Direction, e.Period.String(), strconv.Itoa(e.Priority))
				}
				tables = append(tables, et)
			}
			for _, t := range x.Transports {
				kv := []string{"version", fmt.Sprintf("0x%04X", t.Version)}
				switch t.Kind {
				case "TCP_IP", "UDP_IP":
					kv = append(kv, "host", t.Host, "port", strconv.Itoa(t.Port))
				case "CAN":
					kv = append(kv, "master ID", fmt.Sprintf("0x%X", t.CANIDMaster), "slave ID", fmt.Sprintf("0x%X", t.CANIDSlave), "baudrate", strconv.Itoa(int(t.Baudrate)))
				case "SxI":
					kv = append(kv, "baudrate", strconv.Itoa(int(t.Baudrate)), "header", t.HeaderLen, "checksum", t.Checksum)
				}
				tables = append(tables, cmdutil.KV("XCP_ON_"+t.Kind, kv...))
			}
			return p.Tables(tables...)
		},
	}
}

func newCheck(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Check an A2L file strictly and list every problem with file:line:column",
		Long: `Parse FILE strictly (ASAP2 1.5-1.71, following /include), then leniently to
list every problem; decode IF_DATA XCP; compute the layout of every object.
Exit status 1 if there is any problem. Warnings (e.g. repeated
definitions) do not fail the check.`,
		Example: "  xcp a2l check ecu.a2l",
		Args:    cmdutil.ExactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a2linfo.Check(args[0])
			if err != nil {
				return err
			}
			p := o.Printer(o.JSON)
			var perr error
			if p.JSON() {
				perr = p.PrintJSON(r)
			} else {
				kv := []string{"file", r.File, "ASAP2 version", r.Version, "project", r.Project}
				for _, k := range a2linfo.CountKinds() {
					kv = append(kv, strings.ToUpper(k), strconv.Itoa(r.Counts[k]))
				}
				tables := []cmdutil.Table{cmdutil.KV("", kv...)}
				if len(r.Problems) > 0 {
					t := cmdutil.Table{Title: fmt.Sprintf("%d problem(s)", len(r.Problems))}
					for _, s := range r.Problems {
						t.Add(s)
					}
					tables = append(tables, t)
				}
				if len(r.Warnings) > 0 {
					t := cmdutil.Table{Title: fmt.Sprintf("%d warning(s)", len(r.Warnings))}
					for _, s := range r.Warnings {
						t.Add(s)
					}
					tables = append(tables, t)
				}
				perr = p.Tables(tables...)
			}
			if perr != nil {
				return perr
			}
			if !r.OK {
				return fmt.Errorf("%s: %d problem(s)", r.File, len(r.Problems))
			}
			fmt.Fprintf(o.IO.ErrOut, "%s: OK\n", r.File)
			return nil
		},
	}
}
