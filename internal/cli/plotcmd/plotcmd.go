// Package plotcmd is `xcp plot`: signals of a recording drawn as PNG, SVG
// or PDF (package record/plot).
package plotcmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record/opener"
	"github.com/goxcp/goxcp/record/plot"
)

// Options are the parsed arguments of `xcp plot`.
type Options struct {
	IO       *cmdutil.IOStreams
	File     string
	Signals  []string
	Output   string
	Overlay  bool
	From, To float64
	Time     string
	Title    string
	Width    float64 // cm
	Height   float64 // cm
	Buckets  int
}

// NewCmd returns the `xcp plot` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "plot RECORDING SIGNAL... -o FILE.png|svg|pdf",
		Short: "Plot signals of a recording (.xlog, .xmraw, .mf4) to PNG, SVG or PDF",
		Long: `Draw signals of a recording: time in seconds on the x axis (the ECU
timestamps when every plotted list has them, else the host receive time;
--time to choose), physical values with their units on the y axis, one panel
per unit (--overlay: all in one), shaded bands where the measurement was
interrupted or a list's samples are missing. --from/--to select a window
(seconds from the start). Long signals are reduced with min/max decimation
(--buckets per signal), so extremes stay visible.

SIGNAL is a measurement name, or LIST.NAME to pick one list's.`,
		Example: `  xcp plot demo.xlog sine ramp -o demo.png
  xcp plot demo.xlog fast.sine --from 1 --to 2 --time host -o window.svg
  xcp plot run.mf4 EngineSpeed VehicleSpeed --overlay -o speeds.pdf`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return cmdutil.UsageErrorf("plot needs a recording and at least one signal")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File, opts.Signals = args[0], args[1:]
			if opts.Output == "" {
				return cmdutil.UsageErrorf("plot needs -o FILE (.png, .svg or .pdf)")
			}
			switch strings.ToLower(filepath.Ext(opts.Output)) {
			case ".png", ".svg", ".pdf":
			default:
				return cmdutil.UsageErrorf("-o %s: want a .png, .svg or .pdf file", opts.Output)
			}
			switch opts.Time {
			case "auto", "ecu", "host":
			default:
				return cmdutil.UsageErrorf("--time %q: want auto, ecu or host", opts.Time)
			}
			if opts.To != 0 && opts.To <= opts.From {
				return cmdutil.UsageErrorf("--to %g must be after --from %g", opts.To, opts.From)
			}
			if opts.Width <= 0 || opts.Height < 0 || opts.Buckets < 10 {
				return cmdutil.UsageErrorf("--width must be positive, --height not negative, --buckets at least 10")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "picture to write (.png, .svg, .pdf)")
	cmd.Flags().BoolVar(&opts.Overlay, "overlay", false, "draw all signals in one panel")
	cmd.Flags().Float64Var(&opts.From, "from", 0, "start of the time window (s from the start)")
	cmd.Flags().Float64Var(&opts.To, "to", 0, "end of the time window (s from the start; 0: the end)")
	cmd.Flags().StringVar(&opts.Time, "time", "auto", "time axis: auto, ecu or host")
	cmd.Flags().StringVar(&opts.Title, "title", "", "title (default: the recording's file name)")
	cmd.Flags().Float64Var(&opts.Width, "width", 25, "picture width in cm")
	cmd.Flags().Float64Var(&opts.Height, "height", 0, "picture height in cm (default 8 per panel)")
	cmd.Flags().IntVar(&opts.Buckets, "buckets", 2000, "time buckets per signal (min/max decimation)")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	rec, err := opener.Open(opts.File)
	if err != nil {
		return err
	}
	defer rec.Close()
	tb := map[string]plot.TimeBase{"auto": plot.Auto, "ecu": plot.ECU, "host": plot.Host}[opts.Time]
	d, err := plot.Collect(ctx, rec, rec.Interruptions, plot.Options{Signals: opts.Signals, From: opts.From, To: opts.To, Time: tb, Buckets: opts.Buckets})
	if err != nil {
		return fmt.Errorf("plot %s: %w", opts.File, err)
	}
	title := opts.Title
	if title == "" {
		title = filepath.Base(opts.File)
	}
	st := plot.Style{Width: vg.Length(opts.Width) * vg.Centimeter, Height: vg.Length(opts.Height) * vg.Centimeter, Overlay: opts.Overlay, Title: title}
	if err := plot.Save(opts.Output, d, st); err != nil {
		return err
	}
	var samples uint64
	for _, s := range d.Series {
		samples += s.Samples
		if s.Samples == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s: no samples in the window\n", s.Name)
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "plotted %d signal(s), %d samples, %d gap(s) marked: %s\n", len(d.Series), samples, len(d.Gaps), opts.Output)
	return nil
}
