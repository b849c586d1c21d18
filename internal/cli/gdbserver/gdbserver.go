// Package gdbserver is `xcp gdbserver`: a GDB remote serial protocol server
// (goxcp/gdbrsp) whose memory accesses go to the ECU through SW-DBG
// (DBG_READ/DBG_WRITE or the CAN sequences, goxcp/dbg), so a stock GDB
// inspects and patches ECU memory over XCP.
package gdbserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/dbg"
	"github.com/goxcp/goxcp/dbg/gdbrsp"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
)

// Options are the parsed arguments of `xcp gdbserver`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Status  io.Writer // status messages (stderr)

	Listen   string
	TRI      uint8
	EW       uint8
	RegBytes int
	Once     bool
	// Ready, if set, is called with the listening address.
	Ready func(net.Addr)
}

// NewCmd returns the `xcp gdbserver` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Connect: f.Connect, Status: f.IO.ErrOut}
	cmd := &cobra.Command{
		Use:   "gdbserver",
		Short: "Serve the ECU's memory to GDB (target remote) over SW-DBG",
		Long: `Attach to the slave's SW-DBG interface and serve the GDB remote serial
protocol on --listen. GDB's memory reads and writes become DBG_READ and
DBG_WRITE (or DBG_READ_CAN*/DBG_WRITE_CAN* when MAX_CTO_DBG < 32) through the
target resource --tri with element width --ew; unaligned accesses are
merged with DBG_READ_MODIFY_WRITE. The core's registers are not reachable
over XCP: GDB sees them as unavailable and the PC as 0 (--reg-bytes must
match the register size of GDB's architecture: 4 for 32-bit cores and GDB's
default, 8 after "set architecture" to a 64-bit one).`,
		Example: `  xcp --sim gdbserver --listen 127.0.0.1:3333
  gdb -batch -ex 'target remote 127.0.0.1:3333' -ex 'x/4xw 0x70000000'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
				return cmdutil.UsageErrorf("--listen %q: want host:port (%v)", opts.Listen, err)
			}
			if ew := swdbg.ElementWidth(opts.EW); !ew.Valid() {
				return cmdutil.UsageErrorf("--ew %d: want 1, 2, 4 or 8", opts.EW)
			}
			if opts.RegBytes != 4 && opts.RegBytes != 8 {
				return cmdutil.UsageErrorf("--reg-bytes %d: want 4 or 8", opts.RegBytes)
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:3333", "address GDB connects to (host:port)")
	fl.Uint8Var(&opts.TRI, "tri", 0, "target resource identifier for memory accesses")
	fl.Uint8Var(&opts.EW, "ew", 4, "element width of memory accesses in bytes (1, 2, 4, 8)")
	fl.IntVar(&opts.RegBytes, "reg-bytes", 4, "register size of GDB's architecture: 4 (32-bit, GDB's default i386) or 8 (64-bit)")
	fl.BoolVar(&opts.Once, "once", false, "exit when the first GDB session ends")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	s, err := dbg.Attach(ctx, m, dbg.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("gdbserver: %w", err)
	}
	defer l.Close()
	fmt.Fprintf(opts.Status, "gdbserver: listening on %s (TRI %d, EW %d, MAX_CTO_DBG %d); connect with: target remote %s\n",
		l.Addr(), opts.TRI, opts.EW, s.MaxCTODbg(), l.Addr())
	if opts.Ready != nil {
		opts.Ready(l.Addr())
	}
	srv := &gdbrsp.Server{Target: dbg.Memory{S: s, TRI: swdbg.TRI(opts.TRI), EW: swdbg.ElementWidth(opts.EW)},
		Logger: m.Logger(), RegisterBytes: opts.RegBytes}
	if opts.Once {
		c, err := l.Accept()
		if err != nil {
			return fmt.Errorf("gdbserver: %w", err)
		}
		err = srv.ServeConn(ctx, c)
		if errors.Is(err, gdbrsp.ErrKilled) {
			return nil
		}
		return err
	}
	return srv.Serve(ctx, l)
}
