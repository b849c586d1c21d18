// Package stim is `xcp stim`: stimulation (XCP 1.5 part 2, STIM) of the
// STIM lists in a DAQ list file: constant values, waveforms or a CSV file
// replayed onto the slave at the rate of the lists' event, with an
// optional read-back of the last values.
package stim

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/listfile"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
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

// source yields the values of set i.
type source struct {
	consts map[string]float64
	waves  map[string]func(i int, t time.Duration) float64
	csvCol []string
	rows   [][]float64
	loop   bool
}

// names returns every measurement name the source sets.
func (s *source) names() []string {
	var n []string
	for k := range s.consts {
		n = append(n, k)
	}
	for k := range s.waves {
		n = append(n, k)
	}
	n = append(n, s.csvCol...)
	sort.Strings(n)
	return n
}

// at returns the values of set i at time t; ok is false after the CSV's end.
func (s *source) at(i int, t time.Duration, out map[string]float64) bool {
	for k, v := range s.consts {
		out[k] = v
	}
	for k, w := range s.waves {
		out[k] = w(i, t)
	}
	if len(s.rows) > 0 {
		if i >= len(s.rows) && !s.loop {
			return false
		}
		row := s.rows[i%len(s.rows)]
		for c, k := range s.csvCol {
			out[k] = row[c]
		}
	}
	return true
}

func parseSource(opts *Options) (*source, error) {
	s := &source{consts: map[string]float64{}, waves: map[string]func(int, time.Duration) float64{}, loop: opts.Loop}
	seen := map[string]string{}
	claim := func(name, flag string) error {
		if prev, ok := seen[name]; ok {
			return cmdutil.UsageErrorf("%s: %q is already given by %s", flag, name, prev)
		}
		seen[name] = flag
		return nil
	}
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
		if err := claim(name, "--set"); err != nil {
			return nil, err
		}
		s.consts[name] = v
	}
	for _, a := range opts.Waves {
		name, spec, ok := strings.Cut(a, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, cmdutil.UsageErrorf("--wave %q: want NAME=KIND:…", a)
		}
		w, err := parseWave(spec)
		if err != nil {
			return nil, cmdutil.UsageErrorf("--wave %q: %v", a, err)
		}
		if err := claim(name, "--wave"); err != nil {
			return nil, err
		}
		s.waves[name] = w
	}
	if opts.Values != "" {
		cols, rows, err := readCSV(opts.Values)
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		for _, c := range cols {
			if err := claim(c, opts.Values); err != nil {
				return nil, err
			}
		}
		s.csvCol, s.rows = cols, rows
	}
	return s, nil
}

// parseWave parses ramp:FROM:TO:STEP, sine:AMP:OFFSET:PERIOD or
// square:LOW:HIGH:PERIOD.
func parseWave(spec string) (func(int, time.Duration) float64, error) {
	f := strings.Split(spec, ":")
	if len(f) != 4 {
		return nil, fmt.Errorf("want KIND:A:B:C (ramp:FROM:TO:STEP, sine:AMP:OFFSET:PERIOD, square:LOW:HIGH:PERIOD)")
	}
	num := func(i int, what string) (float64, error) {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, fmt.Errorf("%s %q is not a number", what, f[i])
		}
		return v, nil
	}
	a, err := num(1, "the first parameter")
	if err != nil {
		return nil, err
	}
	b, err := num(2, "the second parameter")
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(f[0]) {
	case "ramp":
		step, err := num(3, "STEP")
		if err != nil {
			return nil, err
		}
		if step == 0 || (b-a)/step < 0 {
			return nil, fmt.Errorf("STEP %v does not lead from %v to %v", step, a, b)
		}
		n := int(math.Floor((b-a)/step+1e-9)) + 1
		return func(i int, _ time.Duration) float64 { return a + float64(i%n)*step }, nil
	case "sine", "square":
		p, err := time.ParseDuration(f[3])
		if err != nil || p <= 0 {
			return nil, fmt.Errorf("PERIOD %q is not a positive duration (like 500ms)", f[3])
		}
		if f[0] == "sine" {
			return func(_ int, t time.Duration) float64 { return b + a*math.Sin(2*math.Pi*float64(t)/float64(p)) }, nil
		}
		return func(_ int, t time.Duration) float64 {
			if t%p < p/2 {
				return a
			}
			return b
		}, nil
	}
	return nil, fmt.Errorf("unknown waveform %q (want ramp, sine or square)", f[0])
}

// readCSV reads a header of names and rows of numbers; a first column
// named time or timestamp… is dropped.
func readCSV(path string) ([]string, [][]float64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.TrimLeadingSpace = true
	r.Comment = '#'
	hdr, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s: empty file (want a header row of measurement names)", path)
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	skip := 0
	if h := strings.ToLower(strings.TrimSpace(hdr[0])); h == "time" || strings.HasPrefix(h, "timestamp") {
		skip = 1
	}
	cols := hdr[skip:]
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("%s: the header names no measurement", path)
	}
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
		if cols[i] == "" {
			return nil, nil, fmt.Errorf("%s: column %d has no name", path, i+skip+1)
		}
	}
	var rows [][]float64
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		row := make([]float64, len(cols))
		for i := range cols {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i+skip]), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s:%d: column %q: %q is not a number", path, line, cols[i], rec[i+skip])
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: no rows after the header", path)
	}
	return cols, rows, nil
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
	var stimLists []string
	for _, l := range cfg.Lists {
		if l.Stim {
			stimLists = append(stimLists, l.Name)
		}
	}
	if len(stimLists) == 0 {
		return cmdutil.UsageErrorf("%s has no STIM list (mark one with stim = true)", opts.DAQFile)
	}
	// Without A2L names the measurements are known before connecting.
	needA2L := a2ldaq.Needs(cfg.Lists, opts.A2LGiven) && opts.A2L != nil
	if !needA2L {
		if _, err := a2ldaq.Resolve(nil, cfg.Lists); err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
		}
		if _, err := stimOwners(cfg.Lists, src, opts.DAQFile); err != nil {
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
	owners, err := stimOwners(cfg.Lists, src, opts.DAQFile)
	if err != nil {
		return err
	}
	info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{Events: true, Lists: true, Override: cfg.Override})
	if err != nil {
		return err
	}
	// STIM and DAQ lists on one event stay separate lists anyway; keep the
	// file's lists as they are so that Stimulator names match.
	ses, err := daq.Setup(ctx, m, cfg.Lists, daq.Options{Info: info, Override: cfg.Override, SeparateLists: true})
	if err != nil {
		return err
	}
	period, cycle := opts.Period, eventCycle(ses, stimLists[0])
	if period == 0 {
		period = cycle
		if period == 0 {
			period = 10 * time.Millisecond
		}
	}
	if err := ses.Start(ctx); err != nil {
		ses.Stop(context.WithoutCancel(ctx))
		return err
	}
	sum, runErr := drive(ctx, ses, src, owners, stimLists, period, cycle, opts)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var verifyErr error
	if runErr == nil && opts.Verify {
		// The slave applies the last set at one of its next events; under
		// load that can take longer than the cycles drive waits, so a
		// read-back that still shows an older set is repeated (bounded).
		deadline := time.Now().Add(time.Second + 100*cycle)
		for {
			verifyErr = verify(sctx, m, ses, sum.Last)
			var me *mismatchError
			if !errors.As(verifyErr, &me) || time.Now().After(deadline) {
				break
			}
			time.Sleep(max(cycle, time.Millisecond))
		}
		sum.Verified = verifyErr == nil
	}
	st, stopErr := ses.Stop(sctx)
	sum.Stats, sum.Period = st, period
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	if err := opts.Printer(opts.JSON).Print(sum, sum.Tables()...); err != nil {
		return err
	}
	return errors.Join(verifyErr, stopErr)
}

// stimOwners returns which STIM lists set which measurement names, and a
// usage error if src sets a name no STIM list has.
func stimOwners(lists []daq.List, src *source, file string) (map[string][]string, error) {
	owners := map[string][]string{}
	for _, l := range lists {
		if !l.Stim {
			continue
		}
		for _, m := range l.Measurements {
			owners[m.Name] = append(owners[m.Name], l.Name)
		}
	}
	for _, n := range src.names() {
		if len(owners[n]) == 0 {
			var have []string
			for k := range owners {
				have = append(have, k)
			}
			sort.Strings(have)
			return nil, cmdutil.UsageErrorf("no STIM list of %s has a measurement %q (they have %s)", file, n, strings.Join(have, ", "))
		}
	}
	return owners, nil
}

// eventCycle returns the cycle of the event of list name (0 if unknown or
// not cyclic).
func eventCycle(ses *daq.Session, name string) time.Duration {
	for _, l := range ses.Layout().Lists {
		if l.Name != name {
			continue
		}
		for _, e := range ses.Info().Events {
			if e.Number == l.Event {
				return time.Duration(e.CycleNanos())
			}
		}
	}
	return 0
}

// drive sends the sets until the source, the count or the duration ends
// or ctx is done, then waits two event cycles for the slave to apply the
// last one.
func drive(ctx context.Context, ses *daq.Session, src *source, owners map[string][]string, lists []string, period, cycle time.Duration, opts *Options) (Summary, error) {
	sts := map[string]*daq.Stimulator{}
	dtos := 0
	for _, n := range lists {
		st, err := ses.Stimulator(ctx, n)
		if err != nil {
			return Summary{}, err
		}
		sts[n] = st
		for _, l := range ses.Layout().Lists {
			if l.Name == n {
				dtos += len(l.ODTs)
			}
		}
	}
	count := opts.Count
	if count == 0 && opts.Duration == 0 && len(src.waves) == 0 && len(src.rows) == 0 {
		count = 1 // constants only: one set
	}
	var end <-chan time.Time
	if opts.Duration > 0 {
		t := time.NewTimer(opts.Duration)
		defer t.Stop()
		end = t.C
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	sum := Summary{Last: map[string]float64{}}
	vals := map[string]float64{}
	start := time.Now()
	for i := 0; count == 0 || i < count; i++ {
		if !src.at(i, time.Since(start), vals) {
			break
		}
		for name, v := range vals {
			for _, l := range owners[name] {
				if err := sts[l].Set(name, v); err != nil {
					return sum, &cmdutil.UsageError{Err: fmt.Errorf("set %d: %w", i+1, err)}
				}
			}
		}
		for _, n := range lists {
			if err := sts[n].Send(ctx); err != nil {
				return sum, err
			}
		}
		sum.Sets++
		sum.DTOs += dtos
		for k, v := range vals {
			sum.Last[k] = v
		}
		select {
		case <-ctx.Done():
			sum.Duration = time.Since(start)
			return sum, ctx.Err()
		case <-end:
			count = i + 1
		case <-tick.C:
		}
	}
	// Let the slave apply the last set at its event.
	wait := 2 * cycle
	if cycle == 0 {
		wait = 100 * time.Millisecond
	}
	select {
	case <-ctx.Done():
	case <-time.After(max(wait, 20*time.Millisecond)):
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// verify reads every stimulated measurement back and compares it with the
// last value sent (as the measurement's type stores it).
func verify(ctx context.Context, m *master.Master, ses *daq.Session, last map[string]float64) error {
	var errs []error
	order := ses.Layout().Order
	for _, l := range ses.Layout().Lists {
		if !l.Stim {
			continue
		}
		for _, ms := range l.Measurements {
			v, ok := last[ms.Name]
			if !ok {
				continue
			}
			raw, err := daq.EncodeValue(ms.Type, v)
			if err != nil {
				return err
			}
			got, err := m.Read(ctx, ms.Address, ms.Extension, ms.Type.Size())
			if err != nil {
				return fmt.Errorf("verify %q: %w", ms.Name, err)
			}
			var have uint64
			for i := range got {
				k := i
				if order == xcp.Motorola {
					k = len(got) - 1 - i
				}
				have |= uint64(got[k]) << (8 * i)
			}
			if n := ms.Type.Size(); n < 8 {
				raw &= 1<<(8*n) - 1
			}
			if have != raw {
				errs = append(errs, fmt.Errorf("verify: %q at 0x%X reads % X, but %v was sent (raw 0x%X)", ms.Name, ms.Address, got, v, raw))
			}
		}
	}
	if len(errs) > 0 {
		return &mismatchError{errors.Join(errs...)}
	}
	return nil
}

// mismatchError reports stimulated measurements whose read-back differs
// from the last value sent.
type mismatchError struct{ err error }

func (e *mismatchError) Error() string { return e.err.Error() }
func (e *mismatchError) Unwrap() error { return e.err }

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
