// Package convert is `xcp convert`: stream a goxcp recording (.xlog, see
// docs/recording-format.md) into CSV, Parquet, SQLite or HDF5 in bounded
// memory, and report what the recording says about losses and damage.
package convert

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/record"
	rconv "github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/convert/hdf5"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/convert/parquet"
	"github.com/goxcp/goxcp/record/convert/sqlite"
	"github.com/goxcp/goxcp/record/convert/xlsx"
	"github.com/goxcp/goxcp/record/opener"
)

// Formats returns the output formats of --to (a new slice on every call).
func Formats() []string { return []string{"csv", "parquet", "sqlite", "hdf5", "mf4", "xlsx"} }

// Options are the parsed arguments of `xcp convert`.
type Options struct {
	IO      *cmdutil.IOStreams
	Printer func(json bool) *cmdutil.Printer

	File  string
	Files []string // all FILE arguments (--dataset)
	To    string
	Out   string
	JSON  bool
	Raw   bool // raw values instead of physical ones
	// Strict fails the conversion (exit 1, after writing what is intact)
	// when the recording is damaged, truncated or lost frames.
	Strict bool
	// Dataset, ECU and Workers: --dataset DIR, --ecu, --workers.
	Dataset string
	ECU     string
	Workers int
	// MDFVersion is the MDF version of --to mf4: "4.10" or "4.20".
	MDFVersion string
	// Repair completes the MDF file File from its journal (File.xlog).
	Repair bool
}

// NewCmd returns the `xcp convert` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "convert FILE --to FORMAT [-o OUT] | FILE... --dataset DIR",
		Short: "Convert a recording (.xlog, pyXCP .xmraw) to CSV, Parquet, SQLite, HDF5 or Excel",
		Long: `Convert a recording made by 'xcp record' (or by pyXCP's recorder, .xmraw)
into another format, streaming in bounded memory:

  csv      one CSV file per DAQ list (header row, one row per sample)
  parquet  one Parquet file per DAQ list (Snappy, typed columns)
  sqlite   one SQLite database, one table per DAQ list
  hdf5     one HDF5 file, one group per DAQ list, one dataset per column
           (reads the recording twice: once to count the samples)
  mf4      one ASAM MDF 4 file (MDF 4.10, deflate; --mdf-version 4.20 for
           transposed deflate), one data group per DAQ list: time master
           channel in s (ECU timestamp, else host time), host_time, the raw
           values with unit, comment, limits and conversion (CC blocks), so
           CANape, INCA and asammdf show the physical values
  xlsx     one Excel workbook, one sheet per DAQ list (time in seconds,
           units in the header, numbers as numbers); a list longer than
           Excel's 1,048,576 rows continues on sheets "<list> (2)", ...

Columns: host_ns (host receive time, ns since the recording's start),
slave_ns (slave timestamp linearised to ns, if the list has timestamps),
then the measurements.

Where the output goes (-o OUT) follows from the command line alone:
  -o DIR/ (ending in /) or an existing directory: CSV and Parquet write one
      DIR/<list>.csv / .parquet per DAQ list (also for a single list); the
      other formats write DIR/<FILE's name>.db / .h5 / .xlsx / .mf4
  -o NAME (anything else): the output file NAME. sqlite, hdf5, xlsx and mf4
      hold every DAQ list in that one file; CSV and Parquet hold one list
      per file, so NAME with a recording of several lists is an error that
      names the lists and suggests -o NAME/
  no -o: FILE without its extension plus .db, .h5, .xlsx, .mf4; for CSV and
      Parquet FILE.csv / FILE.parquet with one DAQ list, the directory
      FILE_csv/ / FILE_parquet/ with several.
The summary lists every file written.

Measurements recorded from A2L signals (xcp record with signals = [...])
carry their conversion and unit in the recording: they are written as
physical values (verbal tables as text) without needing the A2L; --raw
writes the raw ECU values instead. Units appear in CSV headers ("name
[unit]"), Parquet key-value metadata goxcp.units, SQLite table
goxcp_columns, HDF5 dataset attributes and Excel headers.

A recording that was not closed cleanly (crash, kill -9) converts up to its
last complete block; damaged blocks are skipped. Both are reported.

'xcp record -o run.mf4' records into the crash-safe journal run.mf4.xlog and
writes run.mf4 from it when the recording ends. If the recorder was killed,
'xcp convert --repair run.mf4' completes run.mf4 from the journal (everything
up to the last ~250 ms before the crash) and removes the journal.

MDF 4 files (.mf4 from goxcp, CANape, INCA, asammdf; recognised by their
content) convert the same way: one table per channel group, host_ns from
the time master channel (in goxcp's files host_ns/slave_ns as recorded),
the numeric channels with their conversions as physical values.

pyXCP recordings (.xmraw, recognised by their content) need neither pyXCP
nor its configuration: the DAQ layout is read from the file and the samples
are decoded as pyXCP's own converters do (host_ns and slave_ns are pyXCP's
timestamp0 and timestamp1, ns since the list's first sample). A truncated
or damaged .xmraw converts what is intact and ends with an error saying
where the damage is.

With --dataset DIR, any number of recordings (.xlog and .xmraw) are added
to one Hive-partitioned Parquet dataset that Spark, Trino, Presto or DuckDB
read as one table per DAQ list:

  DIR/list=<list>/ecu=<ecu id>/date=<YYYY-MM-DD>/<recording>-<n>.parquet

Columns: recording (source file name), host_ns (ns since 1970-01-01 UTC),
ecu_ns (ECU timestamp in ns, null without), the signals as DOUBLE (verbal
tables as STRING); units in each file's metadata (goxcp.units) and in
DIR/_goxcp_manifest.json. Recordings convert in parallel (--workers, all
cores by default) in bounded memory. Adding recordings later appends files;
a recording already in the dataset (same content) is skipped. The ECU id is
the slave identification the recording holds (GET_ID), or --ecu.`,
		Example: `  xcp convert run1.xlog --to parquet
  xcp convert runs/*.xlog old/*.xmraw --to parquet --dataset lake/
  xcp convert pyxcp_run.xmraw --to csv
  xcp convert run1.xlog --to sqlite -o run1.db
  xcp convert run1.xlog --to csv -o run1/
  xcp convert run1.xlog --to mf4 --mdf-version 4.20`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Dataset != "" {
				if len(args) == 0 {
					return cmdutil.UsageErrorf("%s --dataset needs at least one recording FILE", cmd.CommandPath())
				}
				return nil
			}
			return cmdutil.ExactArgs(1, "FILE")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File, opts.Files = args[0], args
			opts.To = strings.ToLower(opts.To)
			if opts.Dataset != "" {
				if opts.To != "" && opts.To != "parquet" {
					return cmdutil.UsageErrorf("--dataset writes Parquet: use --to parquet (or leave --to out)")
				}
				if opts.Out != "" {
					return cmdutil.UsageErrorf("--dataset DIR is the output: -o is not used with it")
				}
				if opts.Workers < 0 {
					return cmdutil.UsageErrorf("--workers %d: want 0 (all cores) or more", opts.Workers)
				}
				opts.To = "parquet"
				if runF != nil {
					return runF(opts)
				}
				return runDataset(cmd.Context(), opts)
			}
			if cmd.Flags().Changed("ecu") || cmd.Flags().Changed("workers") {
				return cmdutil.UsageErrorf("--ecu and --workers are for --dataset")
			}
			if opts.Repair {
				if opts.To != "" && opts.To != "mf4" {
					return cmdutil.UsageErrorf("--repair completes an MDF file (.mf4) from its journal: --to mf4 or no --to")
				}
				if opts.Out != "" {
					return cmdutil.UsageErrorf("--repair writes the MDF file named by FILE; -o is not used")
				}
				opts.To = "mf4"
			}
			if opts.To == "" {
				return cmdutil.UsageErrorf("--to is required: one of %s", strings.Join(Formats(), ", "))
			}
			if !slices.Contains(Formats(), opts.To) {
				return cmdutil.UsageErrorf("unknown format %q for --to: want one of %s", opts.To, strings.Join(Formats(), ", "))
			}
			if _, err := mdfVersion(opts.MDFVersion); err != nil {
				return err
			}
			if cmd.Flags().Changed("mdf-version") && opts.To != "mf4" {
				return cmdutil.UsageErrorf("--mdf-version is for --to mf4")
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "output `format`: "+strings.Join(Formats(), ", "))
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "output `OUT`: a file, or a directory (ending in / or existing) for one file per DAQ list (default: derived from FILE)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "write raw ECU values instead of physical values")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "fail (exit 1) if the recording is damaged or truncated, or frames were lost (after converting what is intact)")
	cmd.Flags().BoolVar(&opts.Repair, "repair", false, "complete the MDF file FILE (.mf4) of a killed 'xcp record -o FILE' from its journal FILE.xlog")
	cmd.Flags().StringVar(&opts.Dataset, "dataset", "", "add the recordings to the Hive-partitioned Parquet dataset in `DIR`")
	cmd.Flags().StringVar(&opts.ECU, "ecu", "", "ECU `id` of the recordings in the dataset (default: the slave identification recorded, else unknown)")
	cmd.Flags().IntVar(&opts.Workers, "workers", 0, "recordings converted at once for --dataset (default: all cores)")
	cmd.Flags().StringVar(&opts.MDFVersion, "mdf-version", "4.10", "MDF `version` of --to mf4: 4.10 (deflate) or 4.20 (transposed deflate)")
	return cmd
}

// perList reports whether format writes one file per DAQ list.
func perList(format string) bool { return format == "csv" || format == "parquet" }

// ext is the file name extension of a single-file format.
func ext(format string) string {
	switch format {
	case "sqlite":
		return ".db"
	case "hdf5":
		return ".h5"
	}
	return "." + format
}

// DefaultOut returns the output path when -o is not given, for a
// recording with lists DAQ lists: FILE without its extension plus .db,
// .h5, .xlsx or .mf4 for the formats holding every list in one file; for
// CSV and Parquet the file FILE.csv / FILE.parquet with one list, else the
// directory FILE_csv/ / FILE_parquet/ with one file per list.
func DefaultOut(file, to string, lists int) string {
	base := strings.TrimSuffix(file, filepath.Ext(file))
	if perList(to) && lists > 1 {
		return base + "_" + to + string(filepath.Separator)
	}
	return base + ext(to)
}

// output returns where the conversion of a recording with meta m goes, by
// a rule that follows from the command line: -o ending in a path separator
// or naming an existing directory is a directory — CSV and Parquet write
// one <list>.csv/.parquet per DAQ list into it, the other formats the file
// named after FILE (run.xlog → DIR/run.db); any other -o is the output
// file, which for CSV and Parquet needs a recording with one DAQ list.
func output(opts *Options, m *record.Meta) (string, error) {
	if opts.Out == "" {
		return DefaultOut(opts.File, opts.To, len(m.DAQ.Lists)), nil
	}
	out := opts.Out
	dir := rconv.IsDirOutput(out)
	switch {
	case perList(opts.To) && !dir && len(m.DAQ.Lists) > 1:
		var names []string
		for _, t := range rconv.Tables(m) {
			names = append(names, t.Name)
		}
		return "", cmdutil.UsageErrorf("-o %s names one file, but %s has %d DAQ lists (%s) and %s writes one file per list: give a directory, -o %s%c, or a format that holds every list in one file (sqlite, hdf5, xlsx, mf4)",
			out, opts.File, len(m.DAQ.Lists), strings.Join(names, ", "), opts.To, strings.TrimRight(out, string(filepath.Separator)), filepath.Separator)
	case !perList(opts.To) && dir:
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", fmt.Errorf("convert: -o %s: %w", out, err)
		}
		base := filepath.Base(opts.File)
		return filepath.Join(out, strings.TrimSuffix(base, filepath.Ext(base))+ext(opts.To)), nil
	}
	return out, nil
}

// ListSummary is one DAQ list in the summary.
type ListSummary struct {
	Name        string `json:"name"`
	Samples     uint64 `json:"samples"`
	MissingODTs uint64 `json:"missing_odts"`
	Overloads   uint64 `json:"overloads"`
	Malformed   uint64 `json:"malformed"`
	// Recorded are the loss counters the recorder stored in the file.
	RecordedLoss *record.Loss `json:"recorded_loss,omitempty"`
}

// Summary is the output of `xcp convert`.
type Summary struct {
	File     string        `json:"file"`
	Format   string        `json:"format"`
	Output   []string      `json:"output"`
	Samples  uint64        `json:"samples"`
	Lists    []ListSummary `json:"lists"`
	Complete bool          `json:"complete"`
	Tail     *record.Tail  `json:"tail,omitempty"`
	Damage   []string      `json:"damage,omitempty"`
	// DamagedFrames is how many frames the damaged blocks held.
	DamagedFrames uint64 `json:"damaged_frames,omitempty"`
	Dropped       uint64 `json:"dropped_by_recorder"`
	Unknown       uint64 `json:"unknown_frames"`
	NonDTO        uint64 `json:"non_dto_frames"`
	FramesRec     uint64 `json:"frames_recorded"`
	// Unwritten are frames the recorder accepted but could not write
	// (disk full, I/O error).
	Unwritten uint64 `json:"frames_unwritten,omitempty"`
	// Interruptions are the times the recorder lost the slave.
	Interruptions []record.Interruption `json:"interruptions,omitempty"`
}

type pathSink interface {
	rconv.Sink
	Paths() []string
}

func run(ctx context.Context, opts *Options) error {
	if opts.Repair {
		return runRepair(ctx, opts)
	}
	var (
		out  string
		sink rconv.Sink
	)
	res, cerr := opener.Convert(ctx, opts.File, func(m *record.Meta, counts []uint64) (rconv.Sink, error) {
		var err error
		if out, err = output(opts, m); err != nil {
			return nil, err
		}
		if same, _ := sameFile(opts.File, out); same {
			return nil, fmt.Errorf("convert %s: the output %s is the input file", opts.File, out)
		}
		sink = newSink(opts, out, counts)
		return sink, nil
	}, opts.To == "hdf5", rconv.Options{Raw: opts.Raw || opts.To == "mf4"})
	if res == nil {
		var ue *cmdutil.UsageError
		if errors.As(cerr, &ue) || errors.Is(cerr, record.ErrNotRecording) || errors.Is(cerr, fs.ErrNotExist) {
			return cerr
		}
		return fmt.Errorf("convert %s: %w", opts.File, cerr)
	}
	paths := []string{out}
	if ps, ok := sink.(pathSink); ok {
		paths = ps.Paths()
	}
	s := summary(opts, res, paths)
	for _, sk := range res.Skipped {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: left out %s\n", opts.File, sk)
	}
	if res.Invalid > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %d values marked invalid in the file were written as NaN\n", opts.File, res.Invalid)
	}
	warn(opts, &s)
	if err := opts.Printer(opts.JSON).Print(s, tables(&s)...); err != nil {
		return err
	}
	if cerr != nil { // a pyXCP file ending in damage
		return fmt.Errorf("convert %s: %w (the %d samples before it were converted)", opts.File, cerr, res.Samples)
	}
	if opts.Strict && (len(s.Damage) > 0 || s.Tail != nil || s.Dropped > 0 || s.Unwritten > 0) {
		return fmt.Errorf("convert %s: --strict: the recording is damaged or incomplete (%d damaged blocks with %d frames, truncated %v, %d frames dropped, %d unwritten); the intact part was converted",
			opts.File, len(s.Damage), s.DamagedFrames, s.Tail != nil, s.Dropped, s.Unwritten)
	}
	return nil
}

// summary puts the outcome of a conversion into the printed Summary.
func summary(opts *Options, res *opener.Outcome, paths []string) Summary {
	st := res.Stats
	s := Summary{File: opts.File, Format: opts.To, Output: paths, Samples: res.Samples, Complete: res.Complete, Tail: res.Tail,
		Damage: res.Damage, DamagedFrames: res.DamagedFrames, Dropped: st.Dropped, Unknown: res.Unknown, NonDTO: res.NonDTO,
		FramesRec: res.Frames, Unwritten: st.Unwritten, Interruptions: st.Interruptions}
	for i, l := range res.Meta.DAQ.Lists {
		lo := res.Lists[i]
		ls := ListSummary{Name: l.Name, Samples: lo.Samples, MissingODTs: lo.MissingODTs, Overloads: lo.Overloads, Malformed: lo.Malformed}
		for _, rl := range st.Lists {
			if rl.List == int(l.Number) {
				rl := rl
				ls.RecordedLoss = &rl
			}
		}
		s.Lists = append(s.Lists, ls)
	}
	return s
}

// newSink returns the writer of format opts.To; counts are the samples per list
// (HDF5 only).
func newSink(opts *Options, out string, counts []uint64) rconv.Sink {
	switch opts.To {
	case "mf4":
		// Raw values: the conversions go into CC blocks.
		v, _ := mdfVersion(opts.MDFVersion)
		return mf4.New(out, mf4.Options{Version: v})
	case "parquet":
		return parquet.New(out, parquet.Options{})
	case "sqlite":
		return sqlite.New(out, sqlite.Options{})
	case "hdf5":
		return hdf5.New(out, counts)
	case "xlsx":
		return xlsx.New(out, xlsx.Options{})
	}
	return csv.New(out)
}

// warn prints what went wrong with the recording to stderr.
func warn(opts *Options, s *Summary) {
	w := opts.IO.ErrOut
	if s.Tail != nil {
		fmt.Fprintf(w, "warning: %s: %s; converted everything up to offset %d\n", s.File, s.Tail, s.Tail.Offset)
	}
	for _, d := range s.Damage {
		fmt.Fprintf(w, "warning: %s: skipped damaged data: %s\n", s.File, d)
	}
	if s.DamagedFrames > 0 {
		fmt.Fprintf(w, "warning: %s: %d frames lost in damaged blocks (their samples are missing from the output)\n", s.File, s.DamagedFrames)
	}
	if s.Dropped > 0 {
		fmt.Fprintf(w, "warning: %s: the recorder dropped %d frames (disk too slow)\n", s.File, s.Dropped)
	}
	if s.Unwritten > 0 {
		fmt.Fprintf(w, "warning: %s: %d frames could not be written (write error); the file ends there\n", s.File, s.Unwritten)
	}
	for _, in := range s.Interruptions {
		fmt.Fprintf(w, "warning: %s: measurement interrupted %s\n", s.File, interruption(in))
	}
}

// interruption describes an interruption for messages and the summary.
func interruption(in record.Interruption) string {
	end := "until the end of the recording"
	if in.End != 0 {
		end = fmt.Sprintf("until %.3f s", float64(in.End)/1e9)
	}
	return fmt.Sprintf("from %.3f s %s: %s", float64(in.Start)/1e9, end, in.Cause)
}

// mdfVersion parses --mdf-version.
func mdfVersion(s string) (int, error) {
	switch strings.TrimSpace(s) {
	case "", "4.10", "4.1", "410":
		return mdf4.Version410, nil
	case "4.20", "4.2", "420":
		return mdf4.Version420, nil
	}
	return 0, cmdutil.UsageErrorf("--mdf-version %q: want 4.10 or 4.20", s)
}

func tables(s *Summary) []cmdutil.Table {
	status := "closed cleanly"
	if !s.Complete {
		status = "NOT closed cleanly"
	}
	kv := cmdutil.KV("", "file", s.File, "format", s.Format, "output", strings.Join(s.Output, ", "),
		"samples", strconv.FormatUint(s.Samples, 10), "recording", status,
		"dropped by recorder", strconv.FormatUint(s.Dropped, 10))
	if s.Unwritten > 0 {
		kv.Rows = append(kv.Rows, []string{"not written (write error)", strconv.FormatUint(s.Unwritten, 10)})
	}
	kv.Rows = append(kv.Rows, []string{"interruptions", strconv.Itoa(len(s.Interruptions))})
	for i, in := range s.Interruptions {
		kv.Rows = append(kv.Rows, []string{fmt.Sprintf("interruption %d", i+1), interruption(in)})
	}
	lt := cmdutil.Table{Header: []string{"DAQ list", "samples", "missing ODTs", "overloads", "malformed", "recorded CTR gaps", "recorded missing ODTs", "recorded overloads"}}
	for _, l := range s.Lists {
		row := []string{l.Name, u(l.Samples), u(l.MissingODTs), u(l.Overloads), u(l.Malformed), "-", "-", "-"}
		if rl := l.RecordedLoss; rl != nil {
			row[5], row[6], row[7] = u(rl.CtrGaps), u(rl.MissingODTs), u(rl.Overloads)
		}
		lt.Add(row...)
	}
	return []cmdutil.Table{kv, lt}
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }
