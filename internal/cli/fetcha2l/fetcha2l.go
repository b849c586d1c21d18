// Package fetcha2l is `xcp fetch-a2l`: download the A2L file the slave
// holds (GET_ID type 4, uploaded when not sent inline).
package fetcha2l

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp fetch-a2l`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)

	Output string // file; "" = stdout
}

// NewCmd returns the `xcp fetch-a2l` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect}
	cmd := &cobra.Command{
		Use:   "fetch-a2l",
		Short: "Download the slave's A2L file (GET_ID type 4)",
		Example: `  xcp --sim fetch-a2l -o sim.a2l
  xcp --host 192.168.1.10 fetch-a2l > ecu.a2l`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the A2L to `FILE` instead of stdout")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	a2l, err := m.FetchA2L(ctx)
	if errors.Is(err, master.ErrNoID) {
		return fmt.Errorf("the slave offers no A2L file (GET_ID type 4 answered length 0): %w", err)
	}
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = opts.IO.Out.Write(a2l)
		return err
	}
	if err := os.WriteFile(opts.Output, a2l, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %d bytes to %s\n", len(a2l), opts.Output)
	return nil
}
