// Package candrivers is `xcp can-drivers`: which CAN backends
// ([transport.can] interface) are usable on this host and, if not, why.
package candrivers

import (
	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/transport/can/canbus"
)

// Options are the parsed arguments of `xcp can-drivers`.
type Options struct {
	Printer func(json bool) *cmdutil.Printer
	Drivers func() []canbus.Driver
	JSON    bool
}

// NewCmd returns the `xcp can-drivers` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Printer: f.Printer, Drivers: canbus.Drivers}
	cmd := &cobra.Command{
		Use:   "can-drivers",
		Short: "List the CAN backends and whether they are usable here",
		Long: `List the CAN interfaces goxcp can use ([transport.can] interface = ...),
whether each is usable on this host and, if not, why; and what the channel
setting means for it.`,
		Example: `  xcp can-drivers
  xcp can-drivers --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func run(opts *Options) error {
	ds := opts.Drivers()
	t := cmdutil.Table{Title: "CAN interfaces", Header: []string{"Interface", "Usable", "Details", "Channel"}}
	for _, d := range ds {
		ok := "no"
		if d.Available {
			ok = "yes"
		}
		t.Add(d.Name, ok, d.Detail, d.Channel)
	}
	out := make([]driverJSON, len(ds))
	for i, d := range ds {
		out[i] = driverJSON(d)
	}
	return opts.Printer(opts.JSON).Print(out, t)
}

// driverJSON is the --json form of a canbus.Driver.
type driverJSON struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Detail    string `json:"detail"`
	Channel   string `json:"channel"`
}
