// Package uicmd is `xcp ui`: the calibration workbench in the browser
// (package workbench), served by the xcp binary itself on loopback with a
// session token.
package uicmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/read"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/workbench"
)

// Options are the parsed arguments of `xcp ui`.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	A2L       func(context.Context, *master.Master) (*a2l.Module, error)
	FromSlave func() bool

	Listen      string
	Token       string
	ReadOnly    bool
	AllowRemote bool
	RecordDir   string
	IgnoreEPK   bool
	Duration    time.Duration
	// Ready, if set, is called with the page's address once serving (tests).
	Ready func(url string)
}

// NewCmd returns the `xcp ui` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	return newCmd(opts)
}

func newCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve the calibration workbench in the browser (A2L browser, calibration tables, live plots, recording)",
		Long: `Connect to the ECU and serve a local web application: what xcp info shows,
the A2L browser (search, kinds, functions/groups), calibration of scalars,
verbal values, curves and maps as tables of physical values (converted,
limit-checked, read back; cells that differ from the reference page are
marked), live plots of measurements streamed with decimation, and
recording to a file with its loss counters.

Security: it listens on 127.0.0.1 only unless --allow-remote; every session
needs the random token printed at start (open the printed address); Host
and Origin are checked; --read-only disables writes. The A2L's EPK must
match the ECU's (--ignore-epk to go on).`,
		Example: `  xcp --sim ui
  xcp --a2l ecu.a2l ui --read-only
  xcp --a2l ecu.a2l ui --listen 192.168.1.5:8765 --allow-remote`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			host, _, err := net.SplitHostPort(opts.Listen)
			if err != nil {
				return cmdutil.UsageErrorf("--listen %q: want HOST:PORT (%v)", opts.Listen, err)
			}
			if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && !opts.AllowRemote {
				return cmdutil.UsageErrorf("--listen %s is not a loopback address: anyone who can reach it could write ECU memory; add --allow-remote if you mean it", opts.Listen)
			}
			if opts.Token != "" && len(opts.Token) < 16 {
				return cmdutil.UsageErrorf("--token must have at least 16 characters")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:8765", "address to serve on (loopback unless --allow-remote; port 0 picks one)")
	cmd.Flags().StringVar(&opts.Token, "token", "", "session token (default: a random one, printed)")
	cmd.Flags().BoolVar(&opts.ReadOnly, "read-only", false, "disable every write to ECU memory")
	cmd.Flags().BoolVar(&opts.AllowRemote, "allow-remote", false, "allow a --listen address other than loopback")
	cmd.Flags().StringVar(&opts.RecordDir, "record-dir", ".", "directory for recordings started from the page")
	cmd.Flags().BoolVar(&opts.IgnoreEPK, "ignore-epk", false, "serve even when the A2L's EPK differs from the ECU's")
	cmd.Flags().DurationVar(&opts.Duration, "duration", 0, "stop after this long (0: until Ctrl-C)")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	mod, _, m, done, err := read.Session(ctx, opts.Connect, opts.A2L, opts.FromSlave(), nil)
	if err != nil {
		return err
	}
	defer done()
	if err := cal.CheckEPK(ctx, mod, m); err != nil {
		if !errors.Is(err, cal.ErrEPKMismatch) || !opts.IgnoreEPK {
			if errors.Is(err, cal.ErrEPKMismatch) {
				return fmt.Errorf("%w (--ignore-epk to go on)", err)
			}
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v (ignored)\n", err)
	}
	token := opts.Token
	if token == "" {
		if token, err = workbench.NewToken(); err != nil {
			return err
		}
	}
	host, _, _ := net.SplitHostPort(opts.Listen)
	srv, err := workbench.New(workbench.Config{Master: m, Module: mod, Token: token, ReadOnly: opts.ReadOnly, RecordDir: opts.RecordDir, Hosts: []string{host}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	srv.SetAddr(ln.Addr())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	url := fmt.Sprintf("http://%s/?token=%s", ln.Addr(), token)
	fmt.Fprintf(opts.IO.Out, "goxcp workbench: open %s\n", url)
	ro := ""
	if opts.ReadOnly {
		ro = " (read-only)"
	}
	fmt.Fprintf(opts.IO.ErrOut, "serving %s%s on %s; Ctrl-C to stop\n", mod.Name, ro, ln.Addr())
	if opts.Ready != nil {
		opts.Ready(url)
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("ui: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	if err := srv.Close(sctx); err != nil {
		return err
	}
	return nil
}
