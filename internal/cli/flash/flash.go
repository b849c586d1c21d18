// Package flash is `xcp flash`: program an image (Intel HEX, Motorola
// S-record or raw binary) into the slave's flash sectors with the PGM
// commands (package pgm), verify it and reset the slave.
package flash

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/pgm"
)

// Options are the parsed arguments of `xcp flash`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)

	File      string
	Format    pgm.Format // "" = from the extension or content
	Base      uint32     // address of a binary image
	BaseSet   bool
	Verify    pgm.Verify
	Clear     pgm.ClearMode
	ClearMask uint32
	NoReset   bool
	DryRun    bool
	// Bar forces the progress bar on (true) or plain lines (false); nil =
	// a bar when stderr is a terminal.
	Bar *bool
}

// NewCmd returns the `xcp flash` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect}
	var format, base, verify, clear, mask string
	cmd := &cobra.Command{
		Use:   "flash FILE",
		Short: "Program an image (Intel HEX, S-record, binary) into the slave's flash",
		Long: `Program FILE into the slave's non-volatile memory with the XCP PGM commands.

The sectors come from GET_PGM_PROCESSOR_INFO and GET_SECTOR_INFO. Every
sector the image touches is cleared (PROGRAM_CLEAR, in clear sequence
order; bytes of a touched sector that the image does not cover end up
erased), the image is programmed with PROGRAM (block mode and MAX_CTO_PGM
as the slave offers, in program sequence order), each segment ends with
PROGRAM size 0, the data is verified and the slave is reset
(PROGRAM_RESET). Data outside every sector is refused before anything is
sent. --dry-run connects, reads the sectors and prints the plan only.

The format comes from the extension (.hex; .srec/.s19/.s28/.s37/.mot;
.bin) or the content; a binary image needs --base.`,
		Example: `  xcp --sim flash app.s19
  xcp --sim flash app.bin --base 0x30000 --verify upload
  xcp flash app.hex --dry-run`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageErrorf("%s needs one argument FILE, got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			var err error
			if format != "" {
				if opts.Format, err = pgm.ParseFormat(format); err != nil {
					return cmdutil.UsageErrorf("--format: %v", err)
				}
			}
			if cmd.Flags().Changed("base") {
				if opts.Base, err = cmdutil.ParseAddr(base); err != nil {
					return cmdutil.UsageErrorf("--base: %v", err)
				}
				opts.BaseSet = true
			}
			if opts.Verify, err = pgm.ParseVerify(verify); err != nil {
				return cmdutil.UsageErrorf("--verify: %v", err)
			}
			switch clear {
			case "absolute":
				opts.Clear = pgm.ClearAbsolute
			case "functional":
				opts.Clear = pgm.ClearFunctional
				if opts.ClearMask, err = cmdutil.ParseAddr(mask); err != nil || opts.ClearMask == 0 {
					return cmdutil.UsageErrorf("--clear-mask: a non-zero 32-bit mask is needed with --clear functional, got %q", mask)
				}
			default:
				return cmdutil.UsageErrorf("--clear: must be absolute or functional, got %q", clear)
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "image format: hex, srec or bin (default from the extension or content)")
	fl.StringVar(&base, "base", "", "start `address` of a binary image")
	fl.StringVar(&verify, "verify", "checksum", "verification: checksum (BUILD_CHECKSUM), upload (read back), internal (PROGRAM_VERIFY) or none")
	fl.StringVar(&clear, "clear", "absolute", "PROGRAM_CLEAR mode: absolute (each touched sector) or functional (--clear-mask)")
	fl.StringVar(&mask, "clear-mask", "", "functional clear range `mask`")
	fl.BoolVar(&opts.NoReset, "no-reset", false, "do not send PROGRAM_RESET at the end")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "read the sectors and print the plan without programming")
	return cmd
}

// load reads and decodes the image file.
func load(opts *Options) (*pgm.Image, error) {
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "" {
		format = pgm.FormatOf(opts.File, data)
	}
	if format == pgm.FormatBinary && !opts.BaseSet {
		return nil, cmdutil.UsageErrorf("%s is a binary image: give its start address with --base", opts.File)
	}
	if format != pgm.FormatBinary && opts.BaseSet {
		return nil, cmdutil.UsageErrorf("--base applies to binary images only; %s is %s", opts.File, format)
	}
	img, err := pgm.Load(format, data, opts.Base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(opts.File), err)
	}
	return img, nil
}

func run(ctx context.Context, opts *Options) error {
	img, err := load(opts)
	if err != nil {
		return err
	}
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	layout, err := pgm.ReadLayout(ctx, m)
	if err != nil {
		return err
	}
	plan, err := pgm.NewPlan(img, layout, opts.Clear, opts.ClearMask)
	if err != nil {
		return err
	}
	if opts.DryRun {
		fmt.Fprint(opts.IO.Out, plan)
		fmt.Fprintf(opts.IO.ErrOut, "dry run: %d bytes in %d segment(s) would be programmed; nothing was sent\n", plan.Bytes(), len(plan.Writes))
		return nil
	}
	fmt.Fprint(opts.IO.ErrOut, plan)
	bar := opts.Bar != nil && *opts.Bar || opts.Bar == nil && isTerminal(opts.IO.ErrOut)
	p := newProgress(opts.IO.ErrOut, bar)
	err = pgm.Run(ctx, m, plan, pgm.Options{Verify: opts.Verify, NoReset: opts.NoReset, Progress: p.report})
	p.finish()
	if err != nil {
		return err
	}
	how := map[pgm.Verify]string{pgm.VerifyChecksum: "verified with BUILD_CHECKSUM", pgm.VerifyUpload: "verified by reading back",
		pgm.VerifyInternal: "verified by the slave (PROGRAM_VERIFY)", pgm.VerifyNone: "not verified"}[opts.Verify]
	reset := "slave reset"
	if opts.NoReset {
		reset = "no reset"
	}
	fmt.Fprintf(opts.IO.ErrOut, "flashed %d bytes from %s: %s, %s\n", plan.Bytes(), filepath.Base(opts.File), how, reset)
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows pgm.Progress as a bar per phase (terminal) or as one
// line per finished phase.
type progress struct {
	w     io.Writer
	tty   bool
	phase pgm.Phase
	bar   *progressbar.ProgressBar
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) report(pr pgm.Progress) {
	if pr.Phase != p.phase {
		p.finish()
		p.phase = pr.Phase
		if p.tty && pr.Unit == "bytes" && pr.Total > 0 {
			p.bar = progressbar.NewOptions(pr.Total, progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(fmt.Sprintf("%-8s", pr.Phase)), progressbar.OptionShowBytes(true),
				progressbar.OptionSetWidth(30), progressbar.OptionThrottle(0), progressbar.OptionClearOnFinish())
		}
	}
	if p.bar != nil {
		_ = p.bar.Set(pr.Done)
	}
	if pr.Done == pr.Total {
		p.finish()
		if pr.Unit == "" {
			fmt.Fprintf(p.w, "%s: done\n", pr.Phase)
		} else {
			fmt.Fprintf(p.w, "%s: %d/%d %s\n", pr.Phase, pr.Done, pr.Total, pr.Unit)
		}
	}
}

// finish completes the bar of the current phase, if any.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
