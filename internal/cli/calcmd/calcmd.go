// Package calcmd is `xcp cal`: calibration parameter sets saved from,
// applied to and compared between ECUs, hex images and DCM/CDFX/JSON
// files (package cal/paramset), and `xcp cal freeze` (STORE_CAL).
package calcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/cal/hexedit"
	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of the `xcp cal` subcommands.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	Printer   func(json bool) *cmdutil.Printer
	A2L       func(context.Context, *master.Master) (*a2l.Module, error)
	FromSlave func() bool

	Image          string // --image: an Intel HEX or S-record file instead of the ECU
	Output         string // -o
	Force          bool
	DryRun         bool
	ExtendedLimits bool
	NoVerify       bool
	IgnoreEPK      bool
	Tolerance      float64
	Timeout        time.Duration
	JSON           bool
	Args           []string
}

// NewCmd returns the `xcp cal` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	cmd := &cobra.Command{
		Use:   "cal",
		Short: "Calibration parameter sets: save, apply, diff (ECU, hex image, DCM/CDFX/JSON), freeze",
		Long: `Work with whole calibrations: save an ECU's CHARACTERISTICs and AXIS_PTS as
physical values to a DCM, CDFX or JSON file, compare ECUs, images and
files, apply a parameter set (all or nothing, limit-checked, read back),
and make the ECU store its calibration (freeze).

--image FILE works on an Intel HEX or S-record build artefact instead of an
ECU, using the A2L's addresses and record layouts.

Before reading or writing by A2L name the A2L's EPK is compared with the
ECU's (or image's); a mismatch refuses unless --ignore-epk.`,
	}
	cmd.AddCommand(newSave(opts), newApply(opts), newDiff(opts), newFreeze(opts))
	return cmd
}

func newSave(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "save -o FILE [NAME|PATTERN|FUNCTION|GROUP...]",
		Short: "Save calibration objects as physical values to a .dcm, .cdfx or .json file",
		Example: `  xcp --sim cal save -o base.dcm
  xcp --a2l ecu.a2l cal save -o idle.cdfx 'idle_*' F_IdleControl
  xcp --a2l ecu.a2l cal save --image ecu.hex -o from-image.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Output == "" {
				return cmdutil.UsageErrorf("cal save needs -o FILE (.dcm, .cdfx or .json)")
			}
			if _, err := paramset.FormatOf(opts.Output); err != nil {
				return cmdutil.UsageErrorf("%v", err)
			}
			opts.Args = args
			return runSave(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "parameter set file to write (.dcm, .cdfx, .json)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing file")
	addSourceFlags(cmd, opts)
	return cmd
}

func newApply(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply FILE",
		Short: "Write a parameter set to the ECU (or an image): all or nothing, checked, read back",
		Long: `Write every object of a DCM, CDFX or JSON parameter set: each value is
converted with its COMPU_METHOD and checked against its limits before
anything is written; when a write fails, the objects already written are
restored. Names the A2L lacks and read-only objects are skipped and
reported. --dry-run shows the report without writing.

With --image the set is applied to an Intel HEX or S-record file and the
result written to -o (same format; every record outside the changed bytes
unchanged).`,
		Example: `  xcp --sim cal apply tuned.dcm --dry-run
  xcp --a2l ecu.a2l cal apply tuned.cdfx
  xcp --a2l ecu.a2l cal apply tuned.dcm --image ecu.hex -o ecu-tuned.hex`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageErrorf("cal apply needs one parameter set file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Image != "" && opts.Output == "" && !opts.DryRun {
				return cmdutil.UsageErrorf("cal apply --image needs -o FILE for the calibrated image (or --dry-run)")
			}
			if opts.Image == "" && opts.Output != "" {
				return cmdutil.UsageErrorf("-o is for the calibrated image of --image")
			}
			opts.Args = args
			return runApply(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "with --image: the calibrated image to write")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing output image")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check and report, write nothing")
	cmd.Flags().BoolVar(&opts.ExtendedLimits, "extended-limits", false, "allow values up to EXTENDED_LIMITS")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "do not read the values back after writing")
	addSourceFlags(cmd, opts)
	return cmd
}

func newDiff(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff A B [NAME|PATTERN|FUNCTION|GROUP...]",
		Short: "Compare two parameter sources: 'ecu', a .dcm/.cdfx/.json file or a .hex/.s19 image",
		Long: `Compare calibrations object by object in physical values. A and B are each
'ecu' (the connected ECU), a parameter set file (.dcm, .cdfx, .json) or an
image (.hex, .s19, .srec, .mot; read with the A2L). When one side is a
file, the ECU or image is read for the objects in that file.`,
		Example: `  xcp --sim cal diff ecu base.dcm
  xcp --a2l ecu.a2l cal diff old.hex new.hex --json
  xcp cal diff last-week.cdfx today.cdfx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return cmdutil.UsageErrorf("cal diff needs two sources: ecu, a parameter set file or an image")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			return runDiff(cmd.Context(), opts)
		},
	}
	cmd.Flags().Float64Var(&opts.Tolerance, "tolerance", 0, "largest difference of two physical values still taken as equal")
	cmd.Flags().BoolVar(&opts.IgnoreEPK, "ignore-epk", false, "read even when the A2L's EPK differs from the ECU's or image's")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func newFreeze(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "freeze",
		Short: "Make the ECU store its calibration in non-volatile memory (STORE_CAL)",
		Long: `Send SET_REQUEST STORE_CAL_REQ and wait until the ECU confirms it stored the
calibration (EV_STORE_CAL, or STORE_CAL_REQ cleared in GET_STATUS), at most
--timeout.`,
		Example: `  xcp --sim cal freeze`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFreeze(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long to wait for the ECU to confirm")
	return cmd
}

func addSourceFlags(cmd *cobra.Command, opts *Options) {
	cmd.Flags().StringVar(&opts.Image, "image", "", "work on this Intel HEX or S-record image instead of the ECU")
	cmd.Flags().BoolVar(&opts.IgnoreEPK, "ignore-epk", false, "go on when the A2L's EPK differs from the ECU's or image's")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the report as JSON")
}

// source is where values are read from or written to: an ECU or an image.
type source struct {
	mod  *a2l.Module
	mem  cal.Memory
	img  *hexedit.Image
	name string
	done func() error
}

// open connects to the ECU (or opens the image) and loads the A2L, then
// checks the EPK.
func open(ctx context.Context, opts *Options, image string) (*source, error) {
	s := &source{done: func() error { return nil }}
	var m *master.Master
	if image == "" || opts.FromSlave() {
		var err error
		var done func() error
		if opts.FromSlave() {
			m, done, err = opts.Connect(ctx)
			if err != nil {
				return nil, err
			}
			s.mod, err = opts.A2L(ctx, m)
		} else {
			if s.mod, err = opts.A2L(ctx, nil); err != nil {
				return nil, err
			}
			m, done, err = opts.Connect(ctx)
		}
		if err != nil {
			if done != nil {
				done()
			}
			return nil, err
		}
		s.done, s.mem, s.name = done, m, "ecu"
	} else {
		var err error
		if s.mod, err = opts.A2L(ctx, nil); err != nil {
			return nil, err
		}
	}
	if image != "" {
		img, err := hexedit.Open(image)
		if err != nil {
			s.done()
			return nil, err
		}
		s.img, s.mem, s.name = img, img, image
	}
	if err := cal.CheckEPK(ctx, s.mod, s.mem); errors.Is(err, hexedit.ErrNotInImage) {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s does not hold the EPK the A2L declares at ADDR_EPK: not checked\n", s.name)
	} else if err != nil {
		if !errors.Is(err, cal.ErrEPKMismatch) || !opts.IgnoreEPK {
			s.done()
			if errors.Is(err, cal.ErrEPKMismatch) {
				return nil, fmt.Errorf("%s: %w (--ignore-epk to go on)", s.name, err)
			}
			return nil, err
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %v (ignored)\n", s.name, err)
	}
	return s, nil
}

func runSave(ctx context.Context, opts *Options) error {
	if err := checkOverwrite(opts.Output, opts.Force); err != nil {
		return err
	}
	src, err := open(ctx, opts, opts.Image)
	if err != nil {
		return err
	}
	defer src.done()
	names, err := paramset.Select(src.mod, opts.Args...)
	if err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	set, skips, err := paramset.Save(ctx, src.mod, src.mem, names)
	if err != nil {
		return err
	}
	set.Source = src.name
	fskips, err := paramset.WriteFile(opts.Output, set)
	if err != nil {
		return err
	}
	skips = append(skips, fskips...)
	fmt.Fprintf(opts.IO.ErrOut, "saved %d object(s) from %s to %s\n", len(set.Items)-len(fskips), src.name, opts.Output)
	return printSkips(opts, skips)
}

func printSkips(opts *Options, skips []paramset.Skip) error {
	if len(skips) == 0 {
		return nil
	}
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		return p.PrintJSON(map[string]any{"skipped": skips})
	}
	t := cmdutil.Table{Title: "Skipped", Header: []string{"Name", "Reason"}}
	for _, s := range skips {
		t.Add(s.Name, s.Reason)
	}
	return p.Tables(t)
}

func runApply(ctx context.Context, opts *Options) error {
	set, err := paramset.ReadFile(opts.Args[0])
	if err != nil {
		return err
	}
	if opts.Output != "" {
		if err := checkOverwrite(opts.Output, opts.Force); err != nil {
			return err
		}
	}
	src, err := open(ctx, opts, opts.Image)
	if err != nil {
		return err
	}
	defer src.done()
	rep, err := paramset.Apply(ctx, src.mod, src.mem, set, paramset.ApplyOptions{
		DryRun: opts.DryRun, ExtendedLimits: opts.ExtendedLimits, NoVerify: opts.NoVerify || src.img != nil})
	if perr := printReport(opts, rep); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	switch {
	case opts.DryRun:
		fmt.Fprintf(opts.IO.ErrOut, "dry run: %d object(s) would change, nothing written\n", len(rep.Changed))
	case src.img != nil:
		if err := src.img.Save(opts.Output); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "applied %d change(s) to %s, wrote %s\n", len(rep.Changed), src.name, opts.Output)
	default:
		verified := ", verified by reading back"
		if opts.NoVerify {
			verified = ", not verified"
		}
		fmt.Fprintf(opts.IO.ErrOut, "applied %d change(s) to the ECU%s\n", len(rep.Changed), verified)
	}
	return nil
}

func printReport(opts *Options, rep *paramset.Report) error {
	if rep == nil {
		return nil
	}
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		return p.PrintJSON(rep)
	}
	var tables []cmdutil.Table
	if len(rep.Changed) > 0 {
		t := cmdutil.Table{Title: "Changed", Header: []string{"Name", "Old", "New"}}
		for _, c := range rep.Changed {
			t.Add(c.Name, Summary(c.Old), Summary(c.New))
		}
		tables = append(tables, t)
	}
	if len(rep.Skipped) > 0 {
		t := cmdutil.Table{Title: "Skipped", Header: []string{"Name", "Reason"}}
		for _, s := range rep.Skipped {
			t.Add(s.Name, s.Reason)
		}
		tables = append(tables, t)
	}
	if len(rep.Restored) > 0 {
		tables = append(tables, cmdutil.KV("Restored after the failure", "objects", strings.Join(rep.Restored, ", ")))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", w)
	}
	fmt.Fprintf(opts.IO.ErrOut, "%d changed, %d unchanged, %d skipped\n", len(rep.Changed), len(rep.Unchanged), len(rep.Skipped))
	if len(tables) == 0 {
		return nil
	}
	return p.Tables(tables...)
}

// Summary renders an item's value for a table cell: a scalar with its
// unit, the first values of an array, a quoted string.
func Summary(it *paramset.Item) string {
	if it == nil {
		return "-"
	}
	if it.String != nil {
		return fmt.Sprintf("%q", *it.String)
	}
	n := max(len(it.Values), len(it.Text))
	const show = 6
	var parts []string
	for i := range min(n, show) {
		if i < len(it.Text) && it.Text[i] != "" {
			parts = append(parts, it.Text[i])
		} else if i < len(it.Values) {
			parts = append(parts, paramset.FormatValue(it.Values[i]))
		}
	}
	s := strings.Join(parts, " ")
	if n > show {
		s += fmt.Sprintf(" … (%d values)", n)
	}
	if n > 1 {
		s = "[" + s + "]"
	}
	if it.Unit != "" && len(it.Text) == 0 {
		s += " " + it.Unit
	}
	return s
}

func runDiff(ctx context.Context, opts *Options) error {
	a, b, selectors := opts.Args[0], opts.Args[1], opts.Args[2:]
	kind := func(s string) string {
		switch {
		case strings.EqualFold(s, "ecu"):
			return "ecu"
		case isImage(s):
			return "image"
		}
		return "file"
	}
	ka, kb := kind(a), kind(b)
	if ka == "ecu" && kb == "ecu" {
		return cmdutil.UsageErrorf("cal diff: only one side can be the ECU")
	}
	if ka == "image" && kb == "image" && opts.FromSlave() {
		return cmdutil.UsageErrorf("cal diff of two images needs --a2l FILE")
	}
	files := map[string]*paramset.Set{}
	var fileNames []string
	for _, s := range []string{a, b} {
		if kind(s) == "file" {
			set, err := paramset.ReadFile(s)
			if err != nil {
				return err
			}
			files[s] = set
			fileNames = append(fileNames, set.Names()...)
		}
	}
	load := func(s string) (*paramset.Set, error) {
		if set := files[s]; set != nil {
			return set, nil
		}
		image := ""
		if kind(s) == "image" {
			image = s
		}
		src, err := open(ctx, opts, image)
		if err != nil {
			return nil, err
		}
		defer src.done()
		var names []string
		if len(selectors) > 0 || len(fileNames) == 0 {
			if names, err = paramset.Select(src.mod, selectors...); err != nil {
				return nil, cmdutil.UsageErrorf("%v", err)
			}
		} else {
			names = paramset.Calibratable(src.mod, fileNames)
		}
		set, skips, err := paramset.Save(ctx, src.mod, src.mem, names)
		for _, sk := range skips {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %s: %s\n", s, sk.Name, sk.Reason)
		}
		return set, err
	}
	sa, err := load(a)
	if err != nil {
		return err
	}
	sb, err := load(b)
	if err != nil {
		return err
	}
	dopt := paramset.DiffOptions{Tolerance: opts.Tolerance}
	if len(selectors) > 0 && (ka == "file" || kb == "file") {
		dopt.Names = paramset.Match(selectors, sa, sb)
	}
	diffs := paramset.Diff(sa, sb, dopt)
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		if diffs == nil {
			diffs = []paramset.Difference{}
		}
		return p.PrintJSON(diffs)
	}
	fmt.Fprintf(opts.IO.ErrOut, "%d object(s) differ between %s and %s\n", len(diffs), a, b)
	if len(diffs) == 0 {
		return nil
	}
	t := cmdutil.Table{Title: "Differences", Header: []string{"Name", a, b, "Details"}}
	for _, d := range diffs {
		details := strings.Join(d.Details, "; ")
		switch d.State {
		case "only-a":
			details = "only in " + a
		case "only-b":
			details = "only in " + b
		}
		t.Add(d.Name, Summary(d.A), Summary(d.B), details)
	}
	return p.Tables(t)
}

func isImage(name string) bool {
	_, err := hexedit.FormatOf(name, nil)
	return err == nil
}

func runFreeze(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	start := time.Now()
	if err := m.StoreCalibration(ctx, 0); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "the ECU stored its calibration (%.1f s)\n", time.Since(start).Seconds())
	return nil
}

// checkOverwrite refuses to replace an existing file without --force.
func checkOverwrite(name string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Stat(name); err == nil {
		return cmdutil.UsageErrorf("%s exists (--force to overwrite it)", name)
	}
	return nil
}
