// Package checksum is `xcp checksum`: let the slave compute BUILD_CHECKSUM
// over a memory range, read the same range, compute the checksum locally
// and compare (master.CompareChecksum). Ranges larger than the slave's
// MAX_CHECKSUM_BLOCKSIZE are split into blocks, one row each.
package checksum

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp checksum`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	Addr uint32
	Len  int
	Ext  uint8
	JSON bool
}

// NewCmd returns the `xcp checksum` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Connect: f.Connect, Printer: f.Printer}
	var mem cmdutil.MemFlags
	cmd := &cobra.Command{
		Use:   "checksum ADDR LEN",
		Short: "Compare the slave's BUILD_CHECKSUM of a range with a local calculation",
		Long: `Ask the slave for BUILD_CHECKSUM over LEN bytes at ADDR, read the same
bytes, compute the checksum locally with the algorithm the slave reports
and compare. Exits with status 1 if they differ.`,
		Example: `  xcp --sim checksum 0x20000 0x1000`,
		Args:    cmdutil.ExactArgs(2, "ADDR LEN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Addr, err = cmdutil.ParseAddr(args[0]); err != nil {
				return err
			}
			if opts.Len, err = cmdutil.ParseLen(args[1], opts.Addr); err != nil {
				return err
			}
			opts.Ext = mem.Ext
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	mem.AddExt(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// Block is the result for one BUILD_CHECKSUM block.
type Block struct {
	Address uint32 `json:"address"`
	Length  int    `json:"length"`
	Type    string `json:"type"`
	Slave   uint32 `json:"slave"`
	Local   uint32 `json:"local"`
	Match   bool   `json:"match"`
	Note    string `json:"note,omitempty"`
}

// Result is the output of `xcp checksum`.
type Result struct {
	Ext    uint8   `json:"ext"`
	Blocks []Block `json:"blocks"`
	Match  bool    `json:"match"`
}

// ErrMismatch is returned when a slave checksum differs from the local one.
var ErrMismatch = errors.New("checksum mismatch between slave and local calculation")

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	blocks, err := m.CompareChecksum(ctx, opts.Addr, opts.Ext, opts.Len)
	if err != nil {
		return err
	}
	res := Result{Ext: opts.Ext, Match: true}
	for _, cb := range blocks {
		b := Block{Address: cb.Addr, Length: cb.Len, Type: cb.Type.String(), Slave: cb.Slave, Local: cb.Local, Match: cb.Match}
		if !cb.Computed {
			b.Note = "no local implementation of " + cb.Type.String()
		} else {
			res.Match = res.Match && b.Match
		}
		res.Blocks = append(res.Blocks, b)
	}
	t := cmdutil.Table{Title: fmt.Sprintf("BUILD_CHECKSUM (ext %d)", opts.Ext), Header: []string{"Address", "Length", "Type", "Slave", "Local", "Result"}}
	for _, b := range res.Blocks {
		result := "match"
		switch {
		case b.Note != "":
			result = b.Note
		case !b.Match:
			result = "MISMATCH"
		}
		local := fmt.Sprintf("0x%X", b.Local)
		if b.Note != "" {
			local = "-"
		}
		t.Add(fmt.Sprintf("0x%08X", b.Address), fmt.Sprint(b.Length), b.Type, fmt.Sprintf("0x%X", b.Slave), local, result)
	}
	if err := opts.Printer(opts.JSON).Print(res, t); err != nil {
		return err
	}
	if !res.Match {
		return ErrMismatch
	}
	return nil
}
