package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
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

// dialCAN opens [transport.can] as the master.
func dialCAN(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	if err := c.RequireCAN(); err != nil {
		return nil, err
	}
	return withTimeout(ctx, c.Transport.Timeout, func(ctx context.Context) (transport.Conn, error) {
		return canbus.Dial(ctx, c.Transport.Can, canbus.Options{Logger: log})
	})
}

// dialSxi opens [transport.sxi].
func dialSxi(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	if err := c.RequireSxi(); err != nil {
		return nil, err
	}
	return withTimeout(ctx, c.Transport.Timeout, func(ctx context.Context) (transport.Conn, error) {
		return sxi.Open(ctx, c.Transport.Sxi, log)
	})
}

// dialUsb opens [transport.usb] (builds with the usb tag only).
func dialUsb(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	if err := c.RequireUsb(); err != nil {
		return nil, err
	}
	return withTimeout(ctx, c.Transport.Timeout, func(ctx context.Context) (transport.Conn, error) {
		return usb.Open(ctx, c.Transport.Usb, log)
	})
}

// ServeConn serves slave on one connection (a CAN slave Conn, an SxI
// line) until the returned stop function is called; stop closes the
// connection, waits for the simulator and returns the error that ended
// serving early.
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

// startSimOn starts the embedded simulator on the in-process medium of
// layer: a virtual CAN bus, a PTY pair (SxI) or an in-memory endpoint pair
// (USB framing). It returns the master's connection and the stop function.
func startSimOn(ctx context.Context, layer string, c *config.Config, slave *sim.Slave, log *slog.Logger) (transport.Conn, func() error, error) {
	bg := context.WithoutCancel(ctx)
	switch layer {
	case "can":
		k := CANDefaults(c.Transport.Can)
		k.Interface = canbus.Virtual
		if err := k.Validate(); err != nil {
			return nil, nil, &config.FieldError{File: c.File, Key: "transport.can", Msg: err.Error()}
		}
		bus := virtual.New("sim", 0)
		sc, err := can.NewConn(bus.Open(), k, can.Slave)
		if err != nil {
			return nil, nil, err
		}
		stop := ServeConn(bg, slave, sc)
		mc, err := canbus.Dial(ctx, k, canbus.Options{Virtual: bus, Logger: log})
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
		k.Port = p.TTYPath
		mc, err := sxi.Open(ctx, k, log)
		if err != nil {
			return nil, nil, errors.Join(err, stop())
		}
		return mc, stop, nil
	case "usb":
		h := sxi.LenCtrWord
		if s := c.Transport.Usb.HeaderFormat; s != "" {
			var err error
			if h, err = sxi.ParseHeaderFormat(s); err != nil {
				return nil, nil, &config.FieldError{File: c.File, Key: "transport.usb.header_format", Msg: err.Error()}
			}
		}
		a, b := usb.Pipe()
		sc, err := usb.NewConn(b, h, 0, log)
		if err != nil {
			return nil, nil, err
		}
		mc, _ := usb.NewConn(a, h, 0, log)
		return mc, ServeConn(bg, slave, sc), nil
	}
	return nil, nil, fmt.Errorf("simulator: no embedded medium for transport %q", layer)
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
		h := sxi.LenCtrWord
		if s := c.Transport.Usb.HeaderFormat; s != "" {
			if h, err = sxi.ParseHeaderFormat(s); err != nil {
				return 0, 0, &config.FieldError{File: c.File, Key: "transport.usb.header_format", Msg: err.Error()}
			}
		}
		n := sxi.Framing{Header: h}.MaxPacketLen()
		return min(255, n), min(1024, n), nil
	}
	return 0, 0, nil
}

// CANBus is a CAN bus opened for bus-level work (xcp id-scan): Bus does not
// filter identifiers; Config is [transport.can] (with --sim: the embedded
// simulator's settings).
type CANBus struct {
	Bus    can.Bus
	Config can.Config
	stop   func() error
}

// Close closes the bus and stops the embedded simulator, if any.
func (b *CANBus) Close() error {
	err := b.Bus.Close()
	if b.stop != nil {
		err = errors.Join(err, b.stop())
	}
	return err
}

// OpenCANBus opens the configured CAN interface without a protocol on top.
// With --sim a simulator is served on a new in-process virtual bus (with
// [transport.can]'s identifiers, or DefaultCANMaster/Slave/Broadcast) and
// the returned bus is another port on it.
func (f *Factory) OpenCANBus(ctx context.Context) (*CANBus, error) {
	c, err := f.Config()
	if err != nil {
		return nil, err
	}
	log := f.Logger()
	k := c.Transport.Can
	if f.Global.Sim {
		k = CANDefaults(k)
		k.Interface = canbus.Virtual
		if err := k.Validate(); err != nil {
			return nil, &config.FieldError{File: c.File, Key: "transport.can", Msg: err.Error()}
		}
		slave, err := sim.New(sim.Config{MaxCTO: k.MaxPacket(), MaxDTO: k.MaxPacket(), Logger: log.With("side", "sim")})
		if err != nil {
			return nil, fmt.Errorf("simulator: %w", err)
		}
		bus := virtual.New("sim", 0)
		sc, err := can.NewConn(bus.Open(), k, can.Slave)
		if err != nil {
			return nil, err
		}
		return &CANBus{Bus: bus.Open(), Config: k, stop: ServeConn(context.WithoutCancel(ctx), slave, sc)}, nil
	}
	if k.Interface == "" {
		return nil, &config.FieldError{File: c.File, Key: "transport.can.interface", Msg: "not set (virtual, udp, socketcan, slcan or user)"}
	}
	bus, err := canbus.Open(ctx, k, canbus.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	return &CANBus{Bus: bus, Config: k}, nil
}
