// Package canbus opens a CAN bus (a goxcp/transport/can.Bus) by interface
// name — the [transport.can] interface and channel settings — and reports
// which backends are usable on this host (`xcp can-drivers`).
//
// Interfaces (seed 000, chapter 10: python-can style interface/channel):
//
//	virtual    in-process bus; the *virtual.Bus comes from Options.Virtual
//	udp        UDP-multicast bus on loopback; channel "GROUP[@IFNAME]"
//	           ("" = udpbus.DefaultGroup on the loopback interface)
//	socketcan  Linux raw CAN socket; channel = interface name ("can0")
//	slcan      Lawicel serial adapter; channel = serial port
//	user       a bus object created elsewhere, Options.User (your own driver)
//
// Only the CLI imports this package; libraries take a can.Bus directly.
package canbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/slcan"
	"github.com/goxcp/goxcp/transport/can/socketcan"
	"github.com/goxcp/goxcp/transport/can/udpbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// Interface names.
const (
	Virtual   = "virtual"
	UDP       = "udp"
	SocketCAN = "socketcan"
	SLCAN     = "slcan"
	User      = "user"
)

// aliases maps accepted spellings to interface names.
var aliases = map[string]string{
	Virtual: Virtual, "udp": UDP, "udpmcast": UDP, "udp-multicast": UDP, "udp_multicast": UDP,
	SocketCAN: SocketCAN, SLCAN: SLCAN, "lawicel": SLCAN, User: User,
}

// Names returns the interface names Open accepts (without aliases).
func Names() []string { return []string{Virtual, UDP, SocketCAN, SLCAN, User} }

// Canonical returns the interface name for a spelling ("udpmcast" → "udp"),
// or an error listing the valid names.
func Canonical(name string) (string, error) {
	if n, ok := aliases[strings.ToLower(name)]; ok {
		return n, nil
	}
	return "", fmt.Errorf("canbus: unknown interface %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// Options supply what cannot come from a configuration file.
type Options struct {
	// Virtual is the in-process bus for interface "virtual" (a port is
	// opened on it).
	Virtual *virtual.Bus
	// User is the bus for interface "user": any can.Bus implementation
	// (the Conn closes it).
	User   can.Bus
	Logger *slog.Logger
}

// ErrUnavailable is matched by errors reporting a backend that cannot be
// used (not built, not supported here, nothing supplied).
var ErrUnavailable = errors.New("canbus: interface not available")

// Open opens the bus of cfg.Interface on cfg.Channel.
func Open(ctx context.Context, cfg can.Config, o Options) (can.Bus, error) {
	name, err := Canonical(cfg.Interface)
	if err != nil {
		return nil, err
	}
	switch name {
	case Virtual:
		if o.Virtual == nil {
			return nil, fmt.Errorf("%w: the virtual bus exists only inside one process (use --sim, or pass a *virtual.Bus from Go; for two processes use interface \"udp\")", ErrUnavailable)
		}
		return o.Virtual.Open(), nil
	case UDP:
		group, ifname, _ := strings.Cut(cfg.Channel, "@")
		return udpbus.Open(group, ifname)
	case SocketCAN:
		if cfg.Channel == "" {
			return nil, errors.New("canbus: socketcan needs a channel (interface name such as can0)")
		}
		if ok, why := socketcan.Available(); !ok {
			return nil, fmt.Errorf("%w: socketcan: %s", ErrUnavailable, why)
		}
		return socketcan.Open(cfg.Channel, cfg.FD)
	case SLCAN:
		dbr := 0
		if cfg.FD {
			dbr = cfg.DataBitrate
		}
		return slcan.Open(ctx, slcan.Config{Port: cfg.Channel, Bitrate: cfg.Bitrate, DataBitrate: dbr, Logger: o.Logger})
	default: // User
		if o.User == nil {
			return nil, fmt.Errorf("%w: interface \"user\" needs a can.Bus supplied by the program (canbus.Options.User)", ErrUnavailable)
		}
		return o.User, nil
	}
}

// Dial opens the bus of cfg and runs XCP on CAN over it as the master.
func Dial(ctx context.Context, cfg can.Config, o Options) (*can.Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bus, err := Open(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	c, err := can.NewConn(bus, cfg, can.Master)
	if err != nil {
		bus.Close()
		return nil, err
	}
	return c, nil
}

// Driver describes one backend for `xcp can-drivers`.
type Driver struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Detail    string `json:"detail"`  // why not, or what is there
	Channel   string `json:"channel"` // what the channel setting means
}

// Drivers reports every backend and whether it is usable on this host.
// It probes (creates and closes sockets) but opens no serial port.
func Drivers() []Driver {
	ds := []Driver{
		{Name: Virtual, Available: true, Detail: "in-process bus (xcp --sim -t can, tests, programs passing a *virtual.Bus)", Channel: "bus name (ignored)"},
	}
	udp := Driver{Name: UDP, Channel: "GROUP[@IFNAME], default " + udpbus.DefaultGroup + " on loopback"}
	if p, err := udpbus.Open("", ""); err != nil {
		udp.Detail = err.Error()
	} else {
		p.Close()
		udp.Available, udp.Detail = true, "multicast on loopback works: master and simulator may be separate processes"
	}
	sc := Driver{Name: SocketCAN, Channel: "network interface, e.g. can0 or vcan0"}
	sc.Available, sc.Detail = socketcan.Available()
	ds = append(ds, udp, sc,
		Driver{Name: SLCAN, Available: true, Detail: "Lawicel serial adapters via go.bug.st/serial (" + serialPorts() + ")", Channel: "serial port, e.g. /dev/ttyACM0"},
		Driver{Name: User, Available: true, Detail: "a can.Bus implementation supplied from Go code (canbus.Options.User)", Channel: "-"},
	)
	return ds
}
