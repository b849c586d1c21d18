package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// Identifiers the simulator uses on CAN when [transport.can] sets none
// (those of pyXCP's CAN example configuration).
const (
	DefaultCANMaster    = 0x101
	DefaultCANSlave     = 0x102
	DefaultCANBroadcast = 0x100
)

// CANDefaults returns k with the default identifiers filled in when no
// command/response identifier is configured.
func CANDefaults(k can.Config) can.Config {
	if k.CanIDMaster == 0 && k.CanIDSlave == 0 {
		k.CanIDMaster, k.CanIDSlave = DefaultCANMaster, DefaultCANSlave
		if k.CanIDBroadcast == 0 {
			k.CanIDBroadcast = DefaultCANBroadcast
		}
	}
	return k
}

// simKey is the key function of the built-in simulator.
func simKey() master.KeyFunc { return seedkey.Func(sim.DemoKey) }

// ServeListeners serves slave on the listeners (sim.Slave.ServeListener, one
// goroutine each) until the returned stop function is called; stop ends
// every connection, waits for all goroutines and returns the errors that
// ended serving early.
func ServeListeners(ctx context.Context, slave *sim.Slave, ls ...*eth.Listener) (stop func() error) {
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

// ServeConn serves slave on one connection (a CAN slave Conn, an SxI
// line) until the returned stop function is called; stop closes the
// connection, waits for the simulator and returns the error that ended
// serving early. It may be called more than once.
func ServeConn(ctx context.Context, slave *sim.Slave, conn transport.Conn) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- slave.Serve(ctx, conn) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			cancel()
			conn.Close()
			err = <-done
		})
		return err
	}
}

// SimLimits returns MAX_CTO and MAX_DTO for a simulator on the configured
// transport layer: what one CAN (FD) frame or one SxI/USB frame carries
// (0, 0 = the simulator's defaults).
func SimLimits(c *config.Config) (cto, dto int, err error) {
	switch c.Transport.Layer {
	case "can":
		n := CANDefaults(c.Transport.Can).MaxPacket()
		return n, n, nil
	case "sxi":
		f, err := c.Transport.Sxi.FramingOf()
		if err != nil {
			return 0, 0, &config.FieldError{File: c.File, Key: "transport.sxi", Msg: err.Error()}
		}
		n := f.MaxPacketLen()
		return min(255, n), min(1024, n), nil
	case "usb":
		h, err := usbHeader(c)
		if err != nil {
			return 0, 0, err
		}
		n := sxi.Framing{Header: h}.MaxPacketLen()
		return min(255, n), min(1024, n), nil
	}
	return 0, 0, nil
}

// usbHeader returns the USB header format of c (default LEN_CTR_WORD).
func usbHeader(c *config.Config) (sxi.HeaderFormat, error) {
	h := sxi.LenCtrWord
	if s := c.Transport.Usb.HeaderFormat; s != "" {
		var err error
		if h, err = sxi.ParseHeaderFormat(s); err != nil {
			return 0, &config.FieldError{File: c.File, Key: "transport.usb.header_format", Msg: err.Error()}
		}
	}
	return h, nil
}

// startSim starts a built-in simulator for the configured layer and opens
// the master's connection to it. It returns that connection and the
// function that stops the simulator.
func startSim(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, func() error, error) {
	cto, dto, err := SimLimits(c)
	if err != nil {
		return nil, nil, err
	}
	slave, err := sim.New(sim.Config{MaxCTO: cto, MaxDTO: dto, Logger: log.With("side", "sim")})
	if err != nil {
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	bg := context.WithoutCancel(ctx)
	switch l := c.Transport.Layer; l {
	case "", "eth":
		return startSimEth(ctx, c, slave, log)
	case "can":
		k := CANDefaults(c.Transport.Can)
		k.Interface = canbus.Virtual
		if err := k.Validate(); err != nil {
			return nil, nil, &config.FieldError{File: c.File, Key: "transport.can", Msg: err.Error()}
		}
		bus := virtual.New(virtual.Config{Name: "sim"})
		sc, err := can.NewConn(bus.Open(), k, can.Slave)
		if err != nil {
			return nil, nil, err
		}
		stop := ServeConn(bg, slave, sc)
		k.Bus, k.Logger = bus.Open(), log
		mc, err := canbus.Dial(ctx, k)
		if err != nil {
			return nil, nil, errors.Join(err, stop())
		}
		return mc, stop, nil
	case "sxi":
		k := c.Transport.Sxi
		f, err := k.FramingOf()
		if err != nil {
			return nil, nil, &config.FieldError{File: c.File, Key: "transport.sxi", Msg: err.Error()}
		}
		p, err := sxi.OpenPTY()
		if err != nil {
			return nil, nil, fmt.Errorf("simulator: %w", err)
		}
		sc, err := sxi.NewConn(p.Master, f, sxi.Options{Name: "sim " + p.TTYPath, Logger: log})
		if err != nil {
			p.Close()
			return nil, nil, err
		}
		stopSim := ServeConn(bg, slave, sc)
		stop := func() error { return errors.Join(stopSim(), p.Close()) }
		k.Port, k.Logger = p.TTYPath, log
		mc, err := sxi.Dial(ctx, k)
		if err != nil {
			return nil, nil, errors.Join(err, stop())
		}
		return mc, stop, nil
	case "usb":
		h, err := usbHeader(c)
		if err != nil {
			return nil, nil, err
		}
		a, b := usb.Pipe()
		sc, err := usb.NewConn(b, usb.Options{Header: h, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		mc, _ := usb.NewConn(a, usb.Options{Header: h, Logger: log})
		return mc, ServeConn(bg, slave, sc), nil
	default:
		return nil, nil, fmt.Errorf("simulator: no built-in medium for transport %q", l)
	}
}

// startSimEth serves slave on the loopback address (port 0, the configured
// protocol and IP version) and dials it.
func startSimEth(ctx context.Context, c *config.Config, slave *sim.Slave, log *slog.Logger) (transport.Conn, func() error, error) {
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
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	stop := ServeListeners(context.WithoutCancel(ctx), slave, l)
	p, _ := strconv.Atoi(port)
	dc := eth.Config{Protocol: proto, Host: host, Port: p, IPv6: ec.IPv6, Logger: log}
	conn, err := withTimeout(ctx, c.Transport.Timeout, func(ctx context.Context) (transport.Conn, error) { return eth.Dial(ctx, dc) })
	if err != nil {
		return nil, nil, errors.Join(err, stop())
	}
	return conn, stop, nil
}

// CANBus is a CAN bus opened for bus-level work (identifier scans): Bus
// does not filter identifiers; Config is [transport.can] (with a built-in
// simulator: its settings).
type CANBus struct {
	Bus    can.Bus
	Config can.Config
	stop   func() error
}

// Close closes the bus and stops the built-in simulator, if any.
func (b *CANBus) Close() error {
	err := b.Bus.Close()
	if b.stop != nil {
		err = errors.Join(err, b.stop())
	}
	return err
}

// OpenCANBus opens the configured CAN interface without a protocol on top.
// With o.Simulator a simulator is served on a new in-process virtual bus
// (with [transport.can]'s identifiers, or DefaultCANMaster/Slave/Broadcast)
// and the returned bus is another port on it.
func OpenCANBus(ctx context.Context, c *config.Config, o Options) (*CANBus, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k := c.Transport.Can
	if o.Simulator {
		k = CANDefaults(k)
		k.Interface = canbus.Virtual
		if err := k.Validate(); err != nil {
			return nil, &config.FieldError{File: c.File, Key: "transport.can", Msg: err.Error()}
		}
		slave, err := sim.New(sim.Config{MaxCTO: k.MaxPacket(), MaxDTO: k.MaxPacket(), Logger: log.With("side", "sim")})
		if err != nil {
			return nil, fmt.Errorf("simulator: %w", err)
		}
		bus := virtual.New(virtual.Config{Name: "sim"})
		sc, err := can.NewConn(bus.Open(), k, can.Slave)
		if err != nil {
			return nil, err
		}
		return &CANBus{Bus: bus.Open(), Config: k, stop: ServeConn(context.WithoutCancel(ctx), slave, sc)}, nil
	}
	if k.Interface == "" {
		return nil, &config.FieldError{File: c.File, Key: "transport.can.interface", Msg: "not set (virtual, udp, socketcan, slcan or user)"}
	}
	k.Logger = log
	bus, err := canbus.Open(ctx, k)
	if err != nil {
		return nil, err
	}
	return &CANBus{Bus: bus, Config: k}, nil
}
