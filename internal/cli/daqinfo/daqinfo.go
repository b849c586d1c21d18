// Package daqinfo is `xcp daq-info`: the slave's DAQ processor
// (GET_DAQ_PROCESSOR_INFO), resolution (GET_DAQ_RESOLUTION_INFO), event
// channels with their names (GET_DAQ_EVENT_INFO) and predefined or static
// DAQ lists (GET_DAQ_LIST_INFO), with the source of every part: the slave,
// or an override file for slaves that lack the optional commands.
package daqinfo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/listfile"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
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
	info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{Events: !opts.NoEvents, Lists: true, Override: ov})
	if err != nil {
		return err
	}
	r := MakeReport(info)
	if p, err := m.Do(ctx, []byte{byte(xcp.CmdGetDaqClock)}); err == nil {
		var c xcp.GetDaqClockResponse
		if c.Decode(p, m.Format()) == nil {
			r.Clock = &c.DaqClock
		}
	} else if !errors.Is(err, xcp.ErrCmdUnknown) {
		return fmt.Errorf("GET_DAQ_CLOCK: %w", err)
	}
	return opts.Printer(opts.JSON).Print(r, r.Tables()...)
}

// Report is the printable DAQ information.
type Report struct {
	Processor  *Processor    `json:"processor"`
	Resolution *Resolution   `json:"resolution"`
	Events     []Event       `json:"events"`
	Lists      []List        `json:"lists,omitempty"`
	Sources    Sources       `json:"sources"`
	Clock      *xcp.DaqClock `json:"clock,omitempty"`
}

// Sources tells where each part came from.
type Sources struct {
	Processor  daq.Source `json:"processor"`
	Resolution daq.Source `json:"resolution"`
	Events     daq.Source `json:"events"`
	Lists      daq.Source `json:"lists"`
}

// Processor is GET_DAQ_PROCESSOR_INFO in words.
type Processor struct {
	ConfigType   string   `json:"config_type"`
	MaxDaq       uint16   `json:"max_daq"`
	MinDaq       uint8    `json:"min_daq"`
	MaxEvent     uint16   `json:"max_event"`
	Properties   []string `json:"properties"`
	IDField      string   `json:"identification_field"`
	AddrExt      string   `json:"address_extension"`
	Optimisation string   `json:"optimisation"`
}

// Resolution is GET_DAQ_RESOLUTION_INFO in words.
type Resolution struct {
	GranularityDaq  uint8  `json:"granularity_odt_entry_size_daq"`
	MaxEntrySizeDaq uint8  `json:"max_odt_entry_size_daq"`
	GranularityStim uint8  `json:"granularity_odt_entry_size_stim"`
	MaxEntrySizeSt  uint8  `json:"max_odt_entry_size_stim"`
	TimestampSize   int    `json:"timestamp_size"`
	TimestampUnit   string `json:"timestamp_unit"`
	TimestampTicks  uint16 `json:"timestamp_ticks"`
	TimestampFixed  bool   `json:"timestamp_fixed"`
	TickNs          string `json:"tick"`
}

// Event is one event channel.
type Event struct {
	Number      uint16 `json:"number"`
	Name        string `json:"name"`
	Cycle       string `json:"cycle"`
	Priority    uint8  `json:"priority"`
	MaxLists    uint8  `json:"max_daq_list"`
	Direction   string `json:"direction"`
	Consistency string `json:"consistency"`
}

// List is one predefined or static DAQ list.
type List struct {
	Number     uint16 `json:"number"`
	Predefined bool   `json:"predefined"`
	EventFixed bool   `json:"event_fixed"`
	FixedEvent uint16 `json:"fixed_event"`
	MaxODT     uint8  `json:"max_odt"`
	MaxEntries uint8  `json:"max_odt_entries"`
}

// MakeReport turns DAQ info into a Report.
func MakeReport(info *daq.Info) *Report {
	r := &Report{Sources: Sources{info.ProcessorSource, info.ResolutionSource, info.EventsSource, info.ListsSource}}
	if info.ProcessorSource != daq.FromNone {
		p := info.Processor
		pr := &Processor{ConfigType: "static", MaxDaq: p.MaxDaq, MinDaq: p.MinDaq, MaxEvent: p.MaxEvent,
			IDField: p.Key.IDField().String(), AddrExt: p.Key.AddrExt().String(), Optimisation: p.Key.Optimisation().String()}
		if p.Properties&xcp.DaqConfigDynamic != 0 {
			pr.ConfigType = "dynamic"
		}
		names := []struct {
			b xcp.DaqProperties
			s string
		}{{xcp.DaqPrescalerSupported, "PRESCALER"}, {xcp.DaqResumeSupported, "RESUME"},
			{xcp.DaqBitStimSupported, "BIT_STIM"}, {xcp.DaqTimestampSupported, "TIMESTAMP"},
			{xcp.DaqPIDOffSupported, "PID_OFF"}, {xcp.DaqOverloadMSB, "OVERLOAD_MSB"}, {xcp.DaqOverloadEvent, "OVERLOAD_EVENT"}}
		pr.Properties = []string{}
		for _, n := range names {
			if p.Properties&n.b != 0 {
				pr.Properties = append(pr.Properties, n.s)
			}
		}
		r.Processor = pr
	}
	if info.ResolutionSource != daq.FromNone {
		x := info.Resolution
		tm := x.TimestampMode
		r.Resolution = &Resolution{GranularityDaq: x.GranularityDaq, MaxEntrySizeDaq: x.MaxEntrySizeDaq,
			GranularityStim: x.GranularityStim, MaxEntrySizeSt: x.MaxEntrySizeSt, TimestampSize: tm.Size(),
			TimestampUnit: tm.Unit().String(), TimestampTicks: x.TimestampTicks, TimestampFixed: tm.Fixed(),
			TickNs: tickString(tm.Unit().Picoseconds() * uint64(x.TimestampTicks))}
	}
	r.Events = []Event{}
	for _, e := range info.Events {
		dir := []string{}
		if e.Properties&xcp.EventDAQ != 0 {
			dir = append(dir, "DAQ")
		}
		if e.Properties&xcp.EventSTIM != 0 {
			dir = append(dir, "STIM")
		}
		cyc := "not cyclic"
		if e.TimeCycle != 0 {
			cyc = time.Duration(e.CycleNanos()).String()
		}
		r.Events = append(r.Events, Event{Number: e.Number, Name: e.Name, Cycle: cyc, Priority: e.Priority,
			MaxLists: e.MaxDaqList, Direction: strings.Join(dir, "/"), Consistency: e.Properties.Consistency()})
	}
	for _, l := range info.Lists {
		r.Lists = append(r.Lists, List{Number: l.Number, Predefined: l.Properties&xcp.ListPredefined != 0,
			EventFixed: l.Properties&xcp.ListEventFixed != 0, FixedEvent: l.FixedEvent, MaxODT: l.MaxODT, MaxEntries: l.MaxEntries})
	}
	return r
}

func tickString(ps uint64) string {
	if ps%1000 == 0 {
		return time.Duration(ps / 1000).String()
	}
	return strconv.FormatUint(ps, 10) + "ps"
}

// Tables renders the report for people.
func (r *Report) Tables() []cmdutil.Table {
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

func timestampText(x *Resolution) string {
	if x.TimestampSize == 0 {
		return "none"
	}
	s := fmt.Sprintf("%d bytes, %d × %s = %s per tick", x.TimestampSize, x.TimestampTicks, x.TimestampUnit, x.TickNs)
	if x.TimestampFixed {
		s += ", always sent"
	}
	return s
}
