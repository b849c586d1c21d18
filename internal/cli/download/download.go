// Package download is `xcp download`: write bytes into slave memory
// (SHORT_DOWNLOAD, or SET_MTA and DOWNLOAD, in master block mode when
// offered), optionally verified with BUILD_CHECKSUM.
package download

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp download`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)

	Addr   uint32
	Data   []byte
	Ext    uint8
	Verify bool
}

// NewCmd returns the `xcp download` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect}
	var mem cmdutil.MemFlags
	cmd := &cobra.Command{
		Use:   "download ADDR HEX...",
		Short: "Write bytes given in hex into slave memory at ADDR",
		Long: `Write bytes into slave memory at ADDR (decimal or 0x hex). The bytes are
given as hex digits, optionally separated by blanks, colons or commas, in
one or more arguments.`,
		Example: `  xcp --sim download 0x100100 "01 02 03 04"
  xcp --sim download 0x100100 DEADBEEF --verify`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return cmdutil.UsageErrorf("%s needs arguments ADDR HEX, got %d argument(s)", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Addr, err = cmdutil.ParseAddr(args[0]); err != nil {
				return err
			}
			if opts.Data, err = cmdutil.ParseHex("HEX", strings.Join(args[1:], " ")); err != nil {
				return err
			}
			if uint64(opts.Addr)+uint64(len(opts.Data)) > 1<<32 {
				return cmdutil.UsageErrorf("0x%X+%d runs past the 32-bit address space", opts.Addr, len(opts.Data))
			}
			opts.Ext = mem.Ext
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	mem.AddExt(cmd.Flags())
	cmd.Flags().BoolVar(&opts.Verify, "verify", false, "verify the written range with BUILD_CHECKSUM")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := m.Write(ctx, opts.Addr, opts.Ext, opts.Data); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %d bytes at 0x%08X (ext %d)\n", len(opts.Data), opts.Addr, opts.Ext)
	if opts.Verify {
		if err := m.Verify(ctx, opts.Addr, opts.Ext, opts.Data); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.ErrOut, "verified with BUILD_CHECKSUM")
	}
	return nil
}
