// Package fetcha2l is `xcp fetch-a2l`: download the A2L file the slave
// holds (GET_ID type 4, uploaded when not sent inline).
package fetcha2l

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	a2lpkg "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp fetch-a2l`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)

	Output string // file; "" = stdout
	// Sim is set with --sim: the A2L is the embedded simulator's, whose
	// IF_DATA XCP names an address that is gone when the command ends.
	Sim bool
}

// NewCmd returns the `xcp fetch-a2l` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect}
	cmd := &cobra.Command{
		Use:   "fetch-a2l",
		Short: "Download the slave's A2L file (GET_ID type 4)",
		Long: `Download the A2L file the slave holds (GET_ID type 4, uploaded when not
sent inline) to a file (-o) or stdout. A long download shows its progress
on stderr: in place on a terminal, a plain line every 5 s otherwise.`,
		Example: `  xcp --sim fetch-a2l -o sim.a2l
  xcp --host 192.168.1.10 fetch-a2l > ecu.a2l`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Sim = f.Global.Sim
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
	prog := opts.IO.Progress("fetch-a2l", cmdutil.ProgressBytes)
	a2l, err := m.FetchA2LWith(ctx, master.ReadOptions{Progress: prog.Update})
	prog.Done()
	if errors.Is(err, master.ErrNoID) {
		return fmt.Errorf("the slave offers no A2L file (GET_ID type 4 answered length 0): %w", err)
	}
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = opts.IO.Out.Write(a2l)
	} else if err = os.WriteFile(opts.Output, a2l, 0o644); err == nil {
		fmt.Fprintf(opts.IO.ErrOut, "wrote %d bytes to %s\n", len(a2l), opts.Output)
	}
	if err == nil && opts.Sim {
		simNote(opts, a2l)
	}
	return err
}

// simNote warns that the A2L of the embedded simulator names its address
// (a random port on 127.0.0.1), which is gone when this command ends.
func simNote(opts *Options, data []byte) {
	name := opts.Output
	if name == "" {
		name = "the A2L"
	}
	file, err := a2lpkg.Parse(name, data, a2lpkg.Options{Lenient: true})
	if err != nil || len(file.Modules) == 0 {
		return
	}
	c := config.Default()
	if took, err := connect.ApplyA2L(c, file.Modules[0], nil); err != nil || took == "" {
		return
	}
	e := c.Transport.Eth
	fmt.Fprintf(opts.IO.ErrOut, "note: the IF_DATA XCP of %s names the embedded simulator's address %s:%d (%s), which is gone when this command ends; "+
		"with --a2l it is used unless --host/--port or the configuration file set the address (run 'xcp sim' to serve the simulator on a fixed port)\n",
		name, e.Host, e.Port, e.Protocol)
}
