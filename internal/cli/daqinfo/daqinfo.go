// Package daqinfo is `xcp daq-info`: it prints slaveinfo.ReadDAQ — the
// slave's DAQ processor
// (GET_DAQ_PROCESSOR_INFO), resolution (GET_DAQ_RESOLUTION_INFO), event
// channels with their names (GET_DAQ_EVENT_INFO) and predefined or static
// DAQ lists (GET_DAQ_LIST_INFO), with the source of every part: the slave,
// or an override file for slaves that lack the optional commands.
package daqinfo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/listfile"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/slaveinfo"
)

// Options are the parsed arguments of `xcp daq-info`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	Override string // DAQ list or override file with an [override] section
	NoEvents bool
	JSON     bool
}

// NewCmd returns the `xcp daq-info` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Connect: f.Connect, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "daq-info",
		Short: "Show the slave's DAQ processor, resolution, events and DAQ lists",
		Example: `  xcp --sim daq-info
  xcp daq-info --override lists.toml --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Override, "override", "", "TOML/JSON file whose [override] section supplies DAQ info the slave lacks")
	fl.BoolVar(&opts.NoEvents, "no-events", false, "skip GET_DAQ_EVENT_INFO")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	var ov *daq.Override
	if opts.Override != "" {
		cfg, err := listfile.Load(opts.Override)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		if cfg.Override == nil {
			return cmdutil.UsageErrorf("%s has no override section", opts.Override)
		}
		ov = cfg.Override
	}
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	r, err := slaveinfo.ReadDAQ(ctx, m, daq.InfoOptions{Events: !opts.NoEvents, Override: ov})
	if err != nil {
		return err
	}
	return opts.Printer(opts.JSON).Print(r, tables(r)...)
}

// tables renders the report for people.
func tables(r *slaveinfo.DAQReport) []cmdutil.Table {
	var ts []cmdutil.Table
	if p := r.Processor; p != nil {
		ts = append(ts, cmdutil.KV("DAQ processor (from "+r.Sources.Processor.String()+")",
			"Configuration", p.ConfigType,
			"DAQ lists", fmt.Sprintf("%d (%d predefined)", p.MaxDaq, p.MinDaq),
			"Events", strconv.Itoa(int(p.MaxEvent)),
			"Properties", strings.Join(p.Properties, ", "),
			"Identification field", p.IDField,
			"Address extension", p.AddrExt,
			"Optimisation", p.Optimisation))
	} else {
		ts = append(ts, cmdutil.KV("DAQ processor", "GET_DAQ_PROCESSOR_INFO", "not supported (supply an override)"))
	}
	if x := r.Resolution; x != nil {
		ts = append(ts, cmdutil.KV("DAQ resolution (from "+r.Sources.Resolution.String()+")",
			"ODT entry granularity", fmt.Sprintf("%d (DAQ), %d (STIM)", x.GranularityDaq, x.GranularityStim),
			"Max ODT entry size", fmt.Sprintf("%d (DAQ), %d (STIM)", x.MaxEntrySizeDaq, x.MaxEntrySizeSt),
			"Timestamp", timestampText(x)))
	} else {
		ts = append(ts, cmdutil.KV("DAQ resolution", "GET_DAQ_RESOLUTION_INFO", "not supported (supply an override)"))
	}
	if r.Clock != nil {
		ts = append(ts, cmdutil.KV("DAQ clock", "GET_DAQ_CLOCK", strconv.FormatUint(r.Clock.Slave, 10)+" ticks"))
	}
	ev := cmdutil.Table{Title: "Events (from " + r.Sources.Events.String() + ")",
		Header: []string{"#", "Name", "Cycle", "Priority", "Max lists", "Direction", "Consistency"}}
	for _, e := range r.Events {
		ev.Add(strconv.Itoa(int(e.Number)), e.Name, e.Cycle, strconv.Itoa(int(e.Priority)), strconv.Itoa(int(e.MaxLists)), e.Direction, e.Consistency)
	}
	ts = append(ts, ev)
	if len(r.Lists) > 0 {
		lt := cmdutil.Table{Title: "DAQ lists", Header: []string{"#", "Predefined", "Fixed event", "Max ODT", "Max entries"}}
		for _, l := range r.Lists {
			fe := "-"
			if l.EventFixed {
				fe = strconv.Itoa(int(l.FixedEvent))
			}
			lt.Add(strconv.Itoa(int(l.Number)), strconv.FormatBool(l.Predefined), fe, strconv.Itoa(int(l.MaxODT)), strconv.Itoa(int(l.MaxEntries)))
		}
		ts = append(ts, lt)
	}
	return ts
}

func timestampText(x *slaveinfo.DAQResolution) string {
	if x.TimestampSize == 0 {
		return "none"
	}
	s := fmt.Sprintf("%d bytes, %d × %s = %s per tick", x.TimestampSize, x.TimestampTicks, x.TimestampUnit, x.TickNs)
	if x.TimestampFixed {
		s += ", always sent"
	}
	return s
}
