// Package record is `xcp record`: DAQ measurement of the lists in a TOML or
// JSON file (goxcp layout or pyXCP's xcp_daq_recorder JSON) into a crash-safe
// recording file (package goxcp/record) and/or online CSV files, with a live
// status line and a clean stop on Ctrl-C or SIGTERM that finalises the
// files.
package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/listfile"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
)

// Options are the parsed arguments of `xcp record`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer
	ErrOut  io.Writer
	// A2L returns the ECU description for lists that name signals or
	// events by A2L name (--a2l FILE / --a2l-from-slave); A2LGiven reports
	// whether one was given explicitly (then A2L event names are resolved
	// even for lists without signals).
	A2L      func(context.Context, *master.Master) (*a2l.Module, error)
	A2LGiven bool
	// A2LAvailable reports whether A2L can return a module (also with
	// --sim, whose simulator serves its A2L).
	A2LAvailable bool
	// CheckEPK compares the A2L's EPK with the ECU's before recording by
	// name (Factory.CheckEPK); IgnoreEPK turns a mismatch into a warning.
	CheckEPK  func(context.Context, *master.Master, *a2l.Module, bool) error
	IgnoreEPK bool

	DAQFile  string
	Output   string        // recording file ("" = none)
	CSVDir   string        // CSV directory ("" = none)
	Duration time.Duration // 0 = until interrupted (or the file's runtime)
	Status   time.Duration // status line interval (0 = none)
	Separate bool          // keep lists on one event separate
	JSON     bool
	// Reconnect keeps reconnecting after a lost connection and resumes
	// into the same recording; Stall is the stall watchdog (0 = derived
	// from the lists' events, negative = off).
	Reconnect bool
	Stall     time.Duration
	ErrTTY    bool // stderr is a terminal (status line with \r)
	Force     bool // replace an existing -o file
}

// NewCmd returns the `xcp record` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Connect: f.Connect, Printer: f.Printer, ErrOut: f.IO.ErrOut, A2L: f.A2L, ErrTTY: f.IO.ErrIsTerminal(), CheckEPK: f.CheckEPK}
	var noStatus bool
	cmd := &cobra.Command{
		Use:   "record --daq LISTS [-o FILE.xlog] [--csv DIR] [--duration D]",
		Short: "Record DAQ lists from the slave into a recording file and/or CSV files",
		Long: `Record configures the DAQ lists of a TOML or JSON file on the slave, starts
them and records every DTO until the duration is over or Ctrl-C / SIGTERM,
then stops DAQ, frees the slave's DAQ configuration and finalises the files.
Losses (transport counter gaps, missing ODTs, overload indications) are
counted per DAQ list, shown in the status line and stored in the recording.

Lists may name their measurements by A2L name (signals = ["EngineSpeed",
"inst.member"]) and their event by its IF_DATA XCP EVENT name; the A2L comes
from --a2l FILE or --a2l-from-slave (with --sim, from the simulator). The
recording then stores each signal's unit and conversion, so 'xcp convert'
writes physical values without the A2L. When the A2L declares an EPK
(MOD_PAR EPK, ADDR_EPK) that differs from the ECU's, recording by name is
refused unless --ignore-epk.`,
		Example: `  xcp --sim record --daq lists.toml -o run.xlog --duration 60s
  xcp record --daq pyxcp_config.json --csv out/`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.DAQFile == "" {
				return cmdutil.UsageErrorf("--daq FILE is required")
			}
			if opts.Duration < 0 {
				return cmdutil.UsageErrorf("--duration %v is negative", opts.Duration)
			}
			if !noStatus {
				opts.Status = time.Second
			}
			opts.A2LGiven = f.Global.A2L.File != "" || f.Global.A2L.FromSlave
			opts.A2LAvailable = opts.A2LGiven || f.Global.Sim
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.DAQFile, "daq", "", "DAQ list file (TOML or JSON)")
	fl.StringVarP(&opts.Output, "output", "o", "", "recording file to write: .xlog, or .mf4 for ASAM MDF 4 (journaled to FILE.mf4.xlog until the end)")
	fl.StringVar(&opts.CSVDir, "csv", "", "directory for one CSV file per DAQ list")
	fl.DurationVar(&opts.Duration, "duration", 0, "stop after this time (default: until Ctrl-C, or the file's runtime_seconds)")
	fl.BoolVar(&noStatus, "no-status", false, "no live status line on stderr")
	fl.BoolVar(&opts.Separate, "separate-lists", false, "configure lists that share an event as separate DAQ lists (default: one list \"a+b\")")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	fl.BoolVar(&opts.IgnoreEPK, "ignore-epk", false, "record by name even when the A2L's EPK differs from the ECU's")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing recording file (-o)")
	fl.BoolVar(&opts.Reconnect, "reconnect", false, "after a lost connection, keep reconnecting and resume into the same recording")
	fl.DurationVar(&opts.Stall, "stall-timeout", 0, "end (or with --reconnect, resume) when no DTO arrives for this long (default: max(1s, 10 × the slowest list's period); negative: off)")
	return cmd
}

// Summary is what `xcp record` prints at the end.
type Summary struct {
	Output   string        `json:"output,omitempty"`
	CSV      string        `json:"csv,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Stats    daq.Stats     `json:"stats"`
	File     *record.Stats `json:"file,omitempty"`
	// Interruptions lists the times the connection to the slave was lost.
	Interruptions []Interruption `json:"interruptions,omitempty"`
}

// Interruption is one interruption in the summary.
type Interruption struct {
	// Start and End are seconds since the start of the recording; End is
	// absent if the recording ended during the interruption.
	Start float64  `json:"start_s"`
	End   *float64 `json:"end_s,omitempty"`
	Cause string   `json:"cause"`
}

func newInterruption(start time.Time, in supervise.Interruption) Interruption {
	i := Interruption{Start: in.Start.Sub(start).Seconds(), Cause: fmt.Sprint(in.Cause)}
	if !in.End.IsZero() {
		e := in.End.Sub(start).Seconds()
		i.End = &e
	}
	return i
}

func (i Interruption) String() string {
	end := "end of recording"
	if i.End != nil {
		end = fmt.Sprintf("%.3fs", *i.End)
	}
	return fmt.Sprintf("%.3fs – %s: %s", i.Start, end, i.Cause)
}

func run(ctx context.Context, opts *Options) error {
	cfg, err := listfile.Load(opts.DAQFile)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if opts.Output == "" && opts.CSVDir == "" {
		// pyXCP's xcp_daq_recorder files name the output themselves.
		switch strings.ToLower(cfg.OutputType) {
		case "csv":
			opts.CSVDir = "."
		case "xmraw", "xlog", "":
			if cfg.OutputFile != "" {
				opts.Output = strings.TrimSuffix(cfg.OutputFile, filepath.Ext(cfg.OutputFile)) + ".xlog"
			}
		}
		if opts.Output == "" && opts.CSVDir == "" {
			return cmdutil.UsageErrorf("give -o FILE and/or --csv DIR (%s names no output)", opts.DAQFile)
		}
	}
	if opts.Output != "" && !opts.Force {
		// Like 'xcp config init': an existing file is only replaced with
		// --force (a finished recording is not lost to a repeated command).
		if _, err := os.Stat(opts.Output); err == nil {
			return cmdutil.UsageErrorf("%s exists; use --force to replace it", opts.Output)
		}
	}
	for _, l := range cfg.Lists {
		if l.Stim {
			return cmdutil.UsageErrorf("%s: list %q is a STIM list; stimulate with 'xcp stim', record DAQ lists with 'xcp record'", opts.DAQFile, l.Name)
		}
	}
	dur := opts.Duration
	if dur == 0 {
		dur = cfg.Runtime
	}
	if !opts.A2LAvailable {
		if _, err := a2ldaq.Resolve(nil, cfg.Lists); err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
		}
	}
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	signals, mod, err := resolveNames(ctx, m, cfg.Lists, opts)
	if err != nil {
		return err
	}
	dopts := daq.Options{Override: cfg.Override, SeparateLists: opts.Separate}
	var file *recorder.FileSink
	if opts.Output != "" {
		file = &recorder.FileSink{Path: opts.Output, Tool: "goxcp xcp record", Slave: recorder.Describe(ctx, m, mod), Signals: signals}
		dopts.Sink = file
	}
	if opts.CSVDir != "" {
		dopts.SampleSinks = append(dopts.SampleSinks, recorder.NewCSVSink(opts.CSVDir))
	}
	// Reading the event names lets the file name the events.
	info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{Events: true, Lists: true, Override: cfg.Override})
	if err != nil {
		return err
	}
	dopts.Info = info
	rec := supervise.Recorder{Lists: cfg.Lists, Options: dopts, Duration: dur, Stall: opts.Stall,
		Logger: m.Logger(), StatusInterval: opts.Status, OnStatus: newStatusLine(opts.ErrOut, file, opts.ErrTTY).print,
		OnInterruption: func(in supervise.Interruption) { printInterruption(opts.ErrOut, opts.ErrTTY, in) }}
	if opts.Reconnect {
		rec.Reconnect = opts.Connect
	}
	res, runErr := rec.Run(ctx, m)
	if res.Layout == nil && runErr != nil {
		return runErr // the measurement never started: nothing to summarise
	}
	if opts.Status > 0 && opts.ErrTTY {
		fmt.Fprintln(opts.ErrOut)
	}
	sum := Summary{Output: opts.Output, CSV: opts.CSVDir, Duration: res.Duration, Stats: res.Stats}
	for _, in := range res.Interruptions {
		sum.Interruptions = append(sum.Interruptions, newInterruption(res.Start, in))
	}
	if file != nil {
		fs := file.Stats()
		sum.File = &fs
	}
	if err := opts.Printer(opts.JSON).Print(sum, sum.Tables()...); err != nil {
		return err
	}
	var se *supervise.SinkError
	if errors.As(runErr, &se) && file != nil {
		fs := file.Stats()
		return fmt.Errorf("%w; %s holds %d frames (%d bytes) up to the failure and stays readable; %d frames were not recorded",
			runErr, opts.Output, fs.Frames-fs.Unwritten, fs.FileBytes, res.Stats.SinkDropped+fs.Unwritten)
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	if n := len(res.Interruptions); n > 0 {
		fmt.Fprintf(opts.ErrOut, "xcp: warning: the measurement was interrupted %d time(s) (see the summary)\n", n)
	}
	if st := res.Stats; st.Lost() > 0 {
		fmt.Fprintf(opts.ErrOut, "xcp: warning: %d loss indications during the recording (see the summary)\n", st.Lost())
	}
	return nil
}

// resolveNames resolves the A2L signal and event names of lists in place
// (see a2ldaq.Resolve) and returns the signals of the added measurements.
func resolveNames(ctx context.Context, m *master.Master, lists []daq.List, opts *Options) (*recorder.Signals, *a2l.Module, error) {
	if !a2ldaq.Needs(lists, opts.A2LGiven) || opts.A2L == nil {
		_, err := a2ldaq.Resolve(nil, lists)
		return nil, nil, err
	}
	mod, err := opts.A2L(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	if opts.CheckEPK != nil {
		if err := opts.CheckEPK(ctx, m, mod, opts.IgnoreEPK); err != nil {
			return nil, nil, err
		}
	}
	res, err := a2ldaq.Resolve(mod, lists)
	if err != nil {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("%s: %w", opts.DAQFile, err)}
	}
	return recorder.NewSignals(lists, res), mod, nil
}

// Tables renders the summary.
func (s Summary) Tables() []cmdutil.Table {
	st := s.Stats
	kv := []string{"Duration", s.Duration.Round(time.Millisecond).String(),
		"Frames", strconv.FormatUint(st.Frames, 10), "Frame bytes", strconv.FormatUint(st.Bytes, 10),
		"Transport lost (CTR gaps)", strconv.FormatUint(st.TransportLost, 10),
		"Dropped (buffers full)", strconv.FormatUint(st.Dropped, 10),
		"Receive stalls (backpressure)", strconv.FormatUint(st.Stalls, 10),
		"Dropped by the recorder (disk)", strconv.FormatUint(st.SinkDropped, 10),
		"Unknown PIDs", strconv.FormatUint(st.UnknownPID, 10),
		"EV_DAQ_OVERLOAD", strconv.FormatUint(st.OverloadEvents, 10)}
	if st.ErrorFrames > 0 || st.BusOff > 0 {
		kv = append(kv, "CAN error frames", strconv.FormatUint(st.ErrorFrames, 10), "CAN bus-off", strconv.FormatUint(st.BusOff, 10))
	}
	if s.Output != "" {
		kv = append(kv, "Recording", s.Output)
		if s.File != nil {
			kv = append(kv, "File size", fmt.Sprintf("%d bytes in %d chunks", s.File.FileBytes, s.File.Chunks))
		}
	}
	if s.CSV != "" {
		kv = append(kv, "CSV files", filepath.Clean(s.CSV))
	}
	if st.SinkError != "" {
		kv = append(kv, "Sink error", st.SinkError)
	}
	if s.File != nil && s.File.Unwritten > 0 {
		kv = append(kv, "Not written (write error)", strconv.FormatUint(s.File.Unwritten, 10))
	}
	kv = append(kv, "Interruptions", strconv.Itoa(len(s.Interruptions)))
	for i, in := range s.Interruptions {
		kv = append(kv, fmt.Sprintf("Interruption %d", i+1), in.String())
	}
	t := cmdutil.Table{Title: "DAQ lists", Header: []string{"List", "Samples", "Incomplete", "Missing ODTs", "Out of order", "Overload", "Malformed"}}
	for _, l := range st.Lists {
		t.Add(l.Name, u(l.Samples), u(l.Incomplete), u(l.MissingODT), u(l.OutOfOrder), u(l.Overload), u(l.Malformed))
	}
	return []cmdutil.Table{cmdutil.KV("Recording summary", kv...), t}
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }
