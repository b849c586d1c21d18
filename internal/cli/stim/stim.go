// Package stim is `xcp stim`: stimulation (XCP 1.5 part 2, STIM) of the
// STIM lists in a DAQ list file: constant values, waveforms or a CSV file
// replayed onto the slave at the rate of the lists' event, with an
// optional read-back of the last values.
package stim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/listfile"
	"github.com/goxcp/goxcp/daq/stimulus"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp stim`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer
	// A2L returns the ECU description for lists that name signals or
	// events by A2L name (--a2l FILE / --a2l-from-slave, or the
	// simulator's with --sim); A2LGiven reports whether one was given
	// explicitly, A2LAvailable whether A2L can return a module.
	A2L          func(context.Context, *master.Master) (*a2l.Module, error)
	A2LGiven     bool
	A2LAvailable bool

	DAQFile  string
	Sets     []string // NAME=VALUE
	Waves    []string // NAME=KIND:A:B:C
	Values   string   // CSV file
	Period   time.Duration
	Duration time.Duration
	Count    int
	Loop     bool
	Verify   bool
	JSON     bool
}

// NewCmd returns the `xcp stim` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Connect: f.Connect, Printer: f.Printer, A2L: f.A2L}
	cmd := &cobra.Command{
		Use:   "stim --daq LISTS (--set NAME=VALUE | --wave NAME=KIND:… | --values FILE.csv)…",
		Short: "Stimulate slave memory through STIM lists (values, waveforms or a CSV replay)",
		Long: `Stim configures the lists of a DAQ list file on the slave (lists with
stim = true are STIM lists: the master sends their DTOs and the slave writes
them into its memory when the list's event occurs), starts them and sends one
set of values per period (default: the cycle of the first STIM list's event).

Values come from --set NAME=VALUE (constant), --wave NAME=KIND:… and/or
--values FILE.csv (a header row of measurement names, one row per period; a
first column named time or timestamp is ignored). STIM lists may name their
measurements by A2L name (signals = ["name", "inst.member"]) and their event
by its IF_DATA XCP EVENT name, as in 'xcp record'; the A2L comes from --a2l
FILE or --a2l-from-slave (with --sim, from the simulator). Values are raw
(ECU-internal) values, also for A2L signals. Waveforms:
  ramp:FROM:TO:STEP        FROM, FROM+STEP, … up to TO, then again from FROM
  sine:AMP:OFFSET:PERIOD   OFFSET + AMP·sin(2π·t/PERIOD), PERIOD a duration
  square:LOW:HIGH:PERIOD   LOW for the first half of PERIOD, then HIGH
Integer measurements take whole numbers in range (waves are rounded).

It stops after --count sets, after --duration, at the end of the CSV file
(unless --loop), or on Ctrl-C; with only --set it sends one set. It then
waits two event cycles so the slave applies the last set; --verify reads
every stimulated measurement back (UPLOAD) and fails on a difference.`,
		Example: `  xcp --sim stim --daq stim.toml --set target=1500 --verify
  xcp stim --daq stim.toml --wave target=sine:100:1000:2s --duration 10s
  xcp stim --daq stim.toml --values drive.csv --period 10ms`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.DAQFile == "" {
				return cmdutil.UsageErrorf("--daq FILE is required")
			}
			if len(opts.Sets)+len(opts.Waves) == 0 && opts.Values == "" {
				return cmdutil.UsageErrorf("give values: --set NAME=VALUE, --wave NAME=KIND:… or --values FILE.csv")
			}
			if opts.Count < 0 || opts.Duration < 0 || opts.Period < 0 {
				return cmdutil.UsageErrorf("--count, --duration and --period must not be negative")
			}
			opts.A2LGiven = f.Global.A2L.File != "" || f.Global.A2L.FromSlave
			opts.A2LAvailable = opts.A2LGiven || f.Global.Sim
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.DAQFile, "daq", "", "DAQ list file (TOML or JSON) with stim = true lists")
	fl.StringArrayVar(&opts.Sets, "set", nil, "constant value NAME=VALUE (repeatable)")
	fl.StringArrayVar(&opts.Waves, "wave", nil, "waveform NAME=ramp:FROM:TO:STEP|sine:AMP:OFFSET:PERIOD|square:LOW:HIGH:PERIOD (repeatable)")
	fl.StringVar(&opts.Values, "values", "", "CSV file to replay, one row per period")
	fl.DurationVar(&opts.Period, "period", 0, "time between sets (default: the STIM event's cycle)")
	fl.DurationVar(&opts.Duration, "duration", 0, "stop after this time")
	fl.IntVar(&opts.Count, "count", 0, "stop after this many sets")
	fl.BoolVar(&opts.Loop, "loop", false, "replay the CSV file endlessly")
	fl.BoolVar(&opts.Verify, "verify", false, "read the stimulated measurements back after the last set")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	return cmd
}

// parseSource builds the values source of --set, --wave and --values.
func parseSource(opts *Options) (*stimulus.Source, error) {
	s := &stimulus.Source{}
	for _, a := range opts.Sets {
		name, val, ok := strings.Cut(a, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, cmdutil.UsageErrorf("--set %q: want NAME=VALUE", a)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, cmdutil.UsageErrorf("--set %q: %q is not a number", a, val)
		}
		if err := s.Const(name, v, "--set"); err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
	}
	for _, a := range opts.Waves {
		name, spec, ok := strings.Cut(a, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, cmdutil.UsageErrorf("--wave %q: want NAME=KIND:…", a)
		}
		w, err := stimulus.ParseWave(spec)
		if err != nil {
			return nil, cmdutil.UsageErrorf("--wave %q: %v", a, err)
		}
		if err := s.Signal(name, w, "--wave"); err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
	}
	if opts.Values != "" {
		fh, err := os.Open(opts.Values)
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		cols, rows, err := stimulus.ReadTable(fh, opts.Values)
		fh.Close()
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		if err := s.Table(cols, rows, opts.Loop, opts.Values); err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
	}
	return s, nil
}

// Summary is what `xcp stim` prints.
type Summary struct {
	Sets     int                `json:"sets"`
	DTOs     int                `json:"dtos"`
	Period   time.Duration      `json:"period_ns"`
	Duration time.Duration      `json:"duration_ns"`
	Last     map[string]float64 `json:"last"`
	Verified bool               `json:"verified"`
	Stats    daq.Stats          `json:"daq_stats"`
}

func run(ctx context.Context, opts *Options) error {
	src, err := parseSource(opts)
	if err != nil {
		return err
	}
	cfg, err := listfile.Load(opts.DAQFile)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if !opts.A2LAvailable {
		if _, err := a2ldaq.Resolve(nil, cfg.Lists); err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
		}
	}
	if !slices.ContainsFunc(cfg.Lists, func(l daq.List) bool { return l.Stim }) {
		return cmdutil.UsageErrorf("%s has no STIM list (mark one with stim = true)", opts.DAQFile)
	}
	// Without A2L names the measurements are known before connecting.
	needA2L := a2ldaq.Needs(cfg.Lists, opts.A2LGiven) && opts.A2L != nil
	if !needA2L {
		if _, err := a2ldaq.Resolve(nil, cfg.Lists); err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
		}
		if err := check(cfg.Lists, src, opts.DAQFile); err != nil {
			return err
		}
	}
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	if needA2L {
		mod, err := opts.A2L(ctx, m)
		if err != nil {
			return err
		}
		if _, err := a2ldaq.Resolve(mod, cfg.Lists); err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
		}
	}
	if err := check(cfg.Lists, src, opts.DAQFile); err != nil {
		return err
	}
	res, err := stimulus.Run(ctx, m, cfg.Lists, src, stimulus.Options{Override: cfg.Override,
		Period: opts.Period, Count: opts.Count, Duration: opts.Duration, Verify: opts.Verify})
	var se *stimulus.SetError
	if errors.As(err, &se) {
		return &cmdutil.UsageError{Err: err}
	}
	if !res.Done {
		return err
	}
	sum := Summary{Sets: res.Sets, DTOs: res.DTOs, Period: res.Period, Duration: res.Duration,
		Last: res.Last, Verified: res.Verified, Stats: res.Stats}
	if perr := opts.Printer(opts.JSON).Print(sum, sum.Tables()...); perr != nil {
		return perr
	}
	return err
}

// check reports a source that sets a name no STIM list of file has as a
// usage error.
func check(lists []daq.List, src *stimulus.Source, file string) error {
	err := stimulus.Check(lists, src)
	var ue *stimulus.UnknownNameError
	if errors.As(err, &ue) {
		return cmdutil.UsageErrorf("no STIM list of %s has a measurement %q (they have %s)", file, ue.Name, strings.Join(ue.Have, ", "))
	}
	if err != nil {
		return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", file, err)}
	}
	return nil
}

// Tables renders the summary.
func (s Summary) Tables() []cmdutil.Table {
	kv := []string{"Sets sent", strconv.Itoa(s.Sets), "STIM DTOs sent", strconv.Itoa(s.DTOs),
		"Period", s.Period.String(), "Duration", s.Duration.Round(time.Millisecond).String()}
	if s.Stats.StimTimeouts > 0 {
		kv = append(kv, "EV_STIM_TIMEOUT", strconv.FormatUint(s.Stats.StimTimeouts, 10))
	}
	if s.Verified {
		kv = append(kv, "Read back", "every stimulated measurement matches")
	}
	t := cmdutil.Table{Title: "Last values sent", Header: []string{"Measurement", "Value"}}
	var names []string
	for k := range s.Last {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Add(n, strconv.FormatFloat(s.Last[n], 'g', -1, 64))
	}
	return []cmdutil.Table{cmdutil.KV("Stimulation summary", kv...), t}
}
