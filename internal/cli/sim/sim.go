// Package sim is `xcp sim`: run the built-in simulated ECU (package
// goxcp/sim) on TCP and/or UDP until interrupted.
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"goxcp/internal/cli/cmdutil"
	xsim "goxcp/sim"
	"goxcp/transport/eth"
	"goxcp/xcp"
)

// DefaultAddr is where the simulator listens when neither --tcp nor --udp
// is given.
const DefaultAddr = "127.0.0.1:5555"

// Options are the parsed arguments of `xcp sim`.
type Options struct {
	IO  *cmdutil.IOStreams
	Log func() *slog.Logger

	TCP, UDP []string // listen addresses
	Slave    xsim.Config
	// Ready, if set, is called with the listening addresses once the
	// simulator serves (tests use it to connect).
	Ready func(addrs []string)
}

// NewCmd returns the `xcp sim` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logger}
	var order string
	var ag, maxCTO, maxDTO int
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated ECU until interrupted",
		Long: `Run goxcp's simulated ECU (an XCP slave) on TCP and/or UDP until Ctrl-C.

Without --tcp or --udp it listens on TCP ` + DefaultAddr + `.`,
		Example: `  xcp sim
  xcp sim --tcp 127.0.0.1:5555 --udp 127.0.0.1:5555 --byte-order motorola --ag 2
  xcp --host 127.0.0.1 info     # in another terminal`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch strings.ToLower(order) {
			case "intel":
				opts.Slave.Order = xcp.Intel
			case "motorola":
				opts.Slave.Order = xcp.Motorola
			default:
				return cmdutil.UsageErrorf("--byte-order: want intel or motorola, got %q", order)
			}
			switch ag {
			case 1:
				opts.Slave.AG = xcp.Byte
			case 2:
				opts.Slave.AG = xcp.Word
			case 4:
				opts.Slave.AG = xcp.DWord
			default:
				return cmdutil.UsageErrorf("--ag: want 1, 2 or 4 (bytes per address), got %d", ag)
			}
			if maxCTO < 8 || maxCTO > 255 {
				return cmdutil.UsageErrorf("--max-cto: want 8..255, got %d", maxCTO)
			}
			if maxDTO < 8 || maxDTO > 65535 {
				return cmdutil.UsageErrorf("--max-dto: want 8..65535, got %d", maxDTO)
			}
			opts.Slave.MaxCTO, opts.Slave.MaxDTO = maxCTO, maxDTO
			if len(opts.TCP) == 0 && len(opts.UDP) == 0 {
				opts.TCP = []string{DefaultAddr}
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.TCP, "tcp", nil, "listen on TCP `ADDR` (host:port; repeatable)")
	fl.StringArrayVar(&opts.UDP, "udp", nil, "listen on UDP `ADDR` (host:port; repeatable)")
	fl.StringVar(&order, "byte-order", "intel", "byte order: intel or motorola")
	fl.IntVar(&ag, "ag", 1, "address granularity in bytes: 1, 2 or 4")
	fl.IntVar(&maxCTO, "max-cto", 255, "MAX_CTO: largest command/response packet")
	fl.IntVar(&maxDTO, "max-dto", 1024, "MAX_DTO: largest DAQ packet")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	log := opts.Log()
	cfg := opts.Slave
	cfg.Logger = log
	var ls []*eth.Listener
	closeAll := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	var addrs []string
	for _, a := range []struct {
		network string
		addrs   []string
	}{{"tcp", opts.TCP}, {"udp", opts.UDP}} {
		for _, addr := range a.addrs {
			l, err := eth.ListenConfig{Logger: log}.Listen(a.network, addr)
			if err != nil {
				closeAll()
				return err
			}
			ls = append(ls, l)
			addrs = append(addrs, a.network+" "+l.Addr().String())
		}
	}
	slave, err := xsim.New(cfg)
	if err != nil {
		closeAll()
		return err
	}
	srv := cmdutil.ServeSim(ctx, slave, log, ls...)
	for _, a := range addrs {
		fmt.Fprintf(opts.IO.Out, "xcp simulator listening on %s\n", a)
	}
	fmt.Fprintln(opts.IO.ErrOut, "press Ctrl-C to stop")
	if opts.Ready != nil {
		opts.Ready(addrs)
	}
	<-ctx.Done()
	err = srv.Stop()
	if errors.Is(ctx.Err(), context.Canceled) {
		return err // Ctrl-C is the normal end
	}
	return errors.Join(err, ctx.Err())
}
