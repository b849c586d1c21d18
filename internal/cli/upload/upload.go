// Package upload is `xcp upload`: read slave memory (SHORT_UPLOAD, or
// SET_MTA and UPLOAD, in slave block mode when offered) and print it as a
// hex dump, raw bytes or JSON.
package upload

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/cal/hexedit"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp upload`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	Addr   uint32
	Len    int
	Ext    uint8
	Format string // hex, raw, ihex or srec
	JSON   bool
}

// NewCmd returns the `xcp upload` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer}
	var mem cmdutil.MemFlags
	cmd := &cobra.Command{
		Use:   "upload ADDR LEN",
		Short: "Read LEN bytes of slave memory at ADDR",
		Long: `Read LEN bytes of slave memory at ADDR (decimal or 0x hex) and print them
as a hex dump (default), raw bytes (--format raw, for redirection to a
file), an Intel HEX or S-record image (--format ihex, --format srec) or
JSON (--json). A long upload shows its progress (bytes, rate, time left)
on stderr: in place on a terminal, a plain line every 5 s otherwise.`,
		Example: `  xcp --sim upload 0x20000 64
  xcp --sim upload 0x20000 4096 --format raw > cal.bin
  xcp --sim upload 0x20000 4096 --format ihex > cal.hex`,
		Args: cmdutil.ExactArgs(2, "ADDR LEN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Addr, err = cmdutil.ParseAddr(args[0]); err != nil {
				return err
			}
			if opts.Len, err = cmdutil.ParseLen(args[1], opts.Addr); err != nil {
				return err
			}
			opts.Ext = mem.Ext
			switch opts.Format {
			case "hex", "raw", "ihex", "srec":
			default:
				return cmdutil.UsageErrorf("--format: want hex, raw, ihex or srec, got %q", opts.Format)
			}
			if opts.Format != "hex" && opts.JSON {
				return cmdutil.UsageErrorf("--format %s and --json exclude each other", opts.Format)
			}
			if opts.Format == "raw" && opts.IO.IsTerminal() {
				return cmdutil.UsageErrorf("--format raw: refusing to write binary data to a terminal; redirect stdout to a file")
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	mem.AddExt(cmd.Flags())
	cmd.Flags().StringVar(&opts.Format, "format", "hex", "output format: hex (dump), raw, ihex (Intel HEX) or srec (S-record)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// Result is the JSON output of `xcp upload`.
type Result struct {
	Address uint32 `json:"address"`
	Ext     uint8  `json:"ext"`
	Length  int    `json:"length"`
	Data    string `json:"data"` // hex
}

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	prog := opts.IO.Progress("upload", cmdutil.ProgressBytes)
	data, err := m.ReadWith(ctx, opts.Addr, opts.Ext, opts.Len, master.ReadOptions{Progress: prog.Update})
	prog.Done()
	if err != nil {
		return err
	}
	p := opts.Printer(opts.JSON)
	switch {
	case opts.JSON:
		return p.PrintJSON(Result{Address: opts.Addr, Ext: opts.Ext, Length: len(data), Data: hex.EncodeToString(data)})
	case opts.Format == "raw":
		_, err = p.Writer().Write(data)
		return err
	case opts.Format == "ihex" || opts.Format == "srec":
		f := hexedit.IntelHex
		if opts.Format == "srec" {
			f = hexedit.SRecord
		}
		img, err := hexedit.New(f, []hexedit.Segment{{Addr: opts.Addr, Data: data}})
		if err != nil {
			return err
		}
		_, err = img.WriteTo(p.Writer())
		return err
	}
	_, err = io.WriteString(p.Writer(), cmdutil.HexDump(uint64(opts.Addr), data))
	if err == nil {
		fmt.Fprintf(opts.IO.ErrOut, "read %d bytes at 0x%08X (ext %d)\n", len(data), opts.Addr, opts.Ext)
	}
	return err
}
