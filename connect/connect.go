package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/transport"
)

// Options change how Open connects. The zero value connects to the
// configured slave silently, in normal mode, unlocking with the configured
// seed & key program (general.seed_n_key_command), if any.
type Options struct {
	// Logger receives the transport's and the master's log records; nil is
	// silent.
	Logger *slog.Logger
	// Unlock, if set, computes keys for GET_SEED/UNLOCK instead of the
	// configured seed & key program.
	Unlock master.KeyFunc
	// Simulator serves goxcp's built-in simulator (package sim) on an
	// in-process medium of the configured transport layer and connects to
	// it: loopback with an ephemeral port for Ethernet, a virtual bus for
	// CAN, a pseudo terminal for SxI, an in-memory pipe for USB framing.
	// The simulator unlocks with sim.DemoKey; the configured host, port
	// and seed & key program are not used.
	Simulator bool
	// Mode is the CONNECT mode (default xcp.ConnectNormal).
	Mode xcp.ConnectMode
}

// Session is a connected XCP master. Its methods are those of
// [master.Master]; Close ends the session.
type Session struct {
	*master.Master
	// Connect is the slave's CONNECT response.
	Connect xcp.ConnectResponse

	log  *slog.Logger
	stop func() error // releases what Open started besides the master's transport
}

// Open opens the transport of c (or, with o.Simulator, a built-in simulator),
// creates a master with c's timeouts (see [Timeouts]), retries and seed & key
// settings, and sends CONNECT. Errors in c are reported as
// *config.FieldError naming the key; a slave that does not answer within
// the timeout gives an error matching master.ErrTimeout.
func Open(ctx context.Context, c *config.Config, o Options) (*Session, error) {
	if c == nil {
		c = config.Default()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var (
		conn  transport.Conn
		stop  = func() error { return nil }
		keyFn master.KeyFunc
		err   error
	)
	if o.Simulator {
		conn, stop, err = startSim(ctx, c, log)
		keyFn = simKey()
	} else {
		conn, err = Dial(ctx, c, log)
		if err == nil {
			keyFn, err = KeyFunc(c)
			if err != nil {
				conn.Close()
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if o.Unlock != nil {
		keyFn = o.Unlock
	}
	m := master.New(conn, master.Config{
		Timeouts:   Timeouts(c),
		MaxRetries: c.General.MaxRetries,
		Logger:     log,
		Unlock:     keyFn,
		// The whole command, retries and EV_CMD_PENDING included.
		CommandDeadline: c.General.CommandDeadline,
	})
	cr, err := m.Connect(ctx, o.Mode)
	if err != nil {
		return nil, errors.Join(err, m.Close(), stop())
	}
	return &Session{Master: m, Connect: cr, log: log, stop: stop}, nil
}

// Close sends DISCONNECT (unless the slave has already ended the session,
// e.g. after PROGRAM_RESET), closes the transport and stops what Open
// started (the built-in simulator). DISCONNECT waits at most the T1
// timeout; its failure is logged, not returned, so that the transport is
// always released. Call Close exactly once.
func (s *Session) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeouts().T1)
	defer cancel()
	return s.CloseContext(ctx)
}

// CloseContext is Close with DISCONNECT bounded by ctx instead of T1.
func (s *Session) CloseContext(ctx context.Context) error {
	if s.Connected() {
		if err := s.Disconnect(ctx); err != nil {
			s.log.Warn("disconnect failed", "err", err)
		}
	}
	return errors.Join(s.Master.Close(), s.stop())
}

// Timeouts returns the master timeouts of a configuration: T1 from
// general.t1, else transport.timeout; T2…T7 from general (0 = the master's
// default).
func Timeouts(c *config.Config) master.Timeouts {
	g := c.General
	t1 := g.T1
	if t1 == 0 {
		t1 = c.Transport.Timeout
	}
	return master.Timeouts{T1: t1, T2: g.T2, T3: g.T3, T4: g.T4, T5: g.T5, T6: g.T6, T7: g.T7}
}

// KeyFunc returns the seed & key function configured for a real slave: the
// external program of general.seed_n_key_command, or nil if none is set.
// The program runs only if the configuration may start programs
// (config.Config.Trusted: a file the user chose or trusted); otherwise the
// returned function never runs it and fails every unlock with an
// *config.UntrustedError saying how to trust the file.
func KeyFunc(c *config.Config) (master.KeyFunc, error) {
	if c.General.SeedNKeyCommand == "" {
		return nil, nil
	}
	kf, err := seedkey.Command(c.General.SeedNKeyCommand)
	if err != nil {
		return nil, &config.FieldError{File: c.File, Key: "general.seed_n_key_command", Msg: err.Error()}
	}
	if err := c.CheckPrograms(); err != nil {
		// A file the user did not choose names the program: it is never
		// run; an unlock fails with the error saying how to trust the file,
		// everything else works.
		return func(context.Context, xcp.Resource, []byte) ([]byte, error) { return nil, err }, nil
	}
	return kf, nil
}

// errLayer reports a transport layer this build cannot open.
func errLayer(layer string) error {
	return fmt.Errorf("transport %q is not available in this build yet", layer)
}
