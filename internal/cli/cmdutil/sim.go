package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"goxcp/config"
	"goxcp/master"
	"goxcp/sim"
	"goxcp/transport"
	"goxcp/transport/eth"
)

// SimServer serves one simulated slave on XCP-on-Ethernet listeners: every
// accepted master gets its own goroutine running Slave.Serve.
type SimServer struct {
	Slave *sim.Slave

	cancel    context.CancelFunc
	listeners []*eth.Listener
	wg        sync.WaitGroup
	mu        sync.Mutex
	errs      []error
}

// ServeSim starts serving slave on the listeners until Stop. It takes
// ownership of the listeners.
func ServeSim(ctx context.Context, slave *sim.Slave, log *slog.Logger, ls ...*eth.Listener) *SimServer {
	ctx, cancel := context.WithCancel(ctx)
	s := &SimServer{Slave: slave, cancel: cancel, listeners: ls}
	for _, l := range ls {
		s.wg.Go(func() {
			for {
				c, err := l.Accept(ctx)
				if err != nil {
					if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
						s.fail(fmt.Errorf("simulator: accept on %s: %w", l.Addr(), err))
					}
					return
				}
				log.Info("simulator: master connected", "kind", c.Info().Kind, "remote", c.Info().Remote)
				s.wg.Go(func() {
					if err := slave.Serve(ctx, c); err != nil {
						log.Warn("simulator: connection ended", "remote", c.Info().Remote, "err", err)
					}
				})
			}
		})
	}
	return s
}

func (s *SimServer) fail(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

// Stop closes the listeners, ends every connection and waits for all
// goroutines. It returns accept errors that happened while serving.
func (s *SimServer) Stop() error {
	s.cancel()
	for _, l := range s.listeners {
		l.Close()
	}
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

// startSim starts an embedded simulator on 127.0.0.1 (port 0, the
// configured protocol) and dials it. It returns the master's connection, a
// function that stops the simulator and the simulator's key function.
func startSim(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, func() error, master.KeyFunc, error) {
	ec := c.Transport.Eth
	proto := ec.Protocol
	if proto == "" {
		proto = config.DefaultProtocol
	}
	network, host := proto+"4", "127.0.0.1"
	if ec.IPv6 {
		network, host = proto+"6", "::1"
	}
	l, err := eth.ListenConfig{Logger: log}.Listen(network, net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("simulator: %w", err)
	}
	slave, err := sim.New(sim.Config{Logger: log.With("side", "sim")})
	if err != nil {
		l.Close()
		return nil, nil, nil, fmt.Errorf("simulator: %w", err)
	}
	srv := ServeSim(context.WithoutCancel(ctx), slave, log, l)
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	dc := eth.Config{Protocol: proto, Host: host, Port: p, IPv6: ec.IPv6, Logger: log}
	conn, err := dialEthConfig(ctx, dc, c.Transport.Timeout)
	if err != nil {
		return nil, nil, nil, errors.Join(err, srv.Stop())
	}
	return conn, srv.Stop, nil, nil
}

// dialEth opens the configured XCP-on-Ethernet connection.
func dialEth(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	ec := c.Transport.Eth
	ec.Logger = log
	return dialEthConfig(ctx, ec, c.Transport.Timeout)
}

func dialEthConfig(ctx context.Context, ec eth.Config, timeout time.Duration) (transport.Conn, error) {
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return eth.Dial(dctx, ec)
}

func seedKeyCommand(cmd string) (master.KeyFunc, error) {
	return nil, errors.New("general.seed_n_key_command is not available in this build yet")
}
