package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

// ServeSim serves slave on the listeners (sim.Slave.ServeListener, one
// goroutine each) until the returned stop function is called; stop ends
// every connection, waits for all goroutines and returns the errors that
// ended serving early.
func ServeSim(ctx context.Context, slave *sim.Slave, ls ...*eth.Listener) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	errs := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errs <- slave.ServeListener(ctx, l) }()
	}
	return func() error {
		cancel()
		var all []error
		for range ls {
			all = append(all, <-errs)
		}
		return errors.Join(all...)
	}
}

// startSim starts an embedded simulator on the loopback address (port 0,
// the configured protocol and IP version) and dials it. It returns the
// master's connection, a function that stops the simulator, and the
// simulator's key function (sim.DemoKey).
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
	cto, dto, err := SimLimits(c)
	if err != nil {
		return nil, nil, nil, err
	}
	slave, err := sim.New(sim.Config{MaxCTO: cto, MaxDTO: dto, Logger: log.With("side", "sim")})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("simulator: %w", err)
	}
	if l := c.Transport.Layer; l != "" && l != "eth" {
		conn, stop, err := startSimOn(ctx, l, c, slave, log)
		if err != nil {
			return nil, nil, nil, err
		}
		return conn, stop, seedkey.Func(sim.DemoKey), nil
	}
	l, err := eth.ListenConfig{Logger: log}.Listen(network, net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("simulator: %w", err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	stop := ServeSim(context.WithoutCancel(ctx), slave, l)
	p, _ := strconv.Atoi(port)
	dc := eth.Config{Protocol: proto, Host: host, Port: p, IPv6: ec.IPv6, Logger: log}
	conn, err := dialEthConfig(ctx, dc, c.Transport.Timeout)
	if err != nil {
		return nil, nil, nil, errors.Join(err, stop())
	}
	return conn, stop, seedkey.Func(sim.DemoKey), nil
}
