// Package canbus opens a CAN bus (a goxcp/transport/can.Bus) by interface
// name — the [transport.can] interface and channel settings — and reports
// which backends are usable on this host (`xcp can-drivers`).
//
// Interfaces (seed 000, chapter 10: python-can style interface/channel):
//
//	virtual    in-process bus; a port of a *virtual.Bus in can.Config.Bus
//	udp        UDP-multicast bus on loopback; channel "GROUP[@IFNAME]"
//	           ("" = udpbus.DefaultGroup on the loopback interface)
//	socketcan  Linux raw CAN socket; channel = interface name ("can0")
//	slcan      Lawicel serial adapter; channel = serial port
//	user       a bus object created elsewhere, can.Config.Bus (your own driver)
//
// Programs that open a bus by name (the xcp command, the settings → master
// bridge) use this package; code holding a bus of its own passes it as
// can.Config.Bus or to can.NewConn.
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

// ErrUnavailable is matched by errors reporting a backend that cannot be
// used (not built, not supported here, nothing supplied).
var ErrUnavailable = errors.New("canbus: interface not available")

// Open opens the bus of cfg.Interface on cfg.Channel. For "virtual" and
// "user" the bus is cfg.Bus, opened by the program. Settings the backend
// cannot apply are reported on cfg.Logger rather than silently dropped
// (SocketCAN: the kernel owns bit rates and bit timing).
func Open(ctx context.Context, cfg can.Config) (can.Bus, error) {
	name, err := Canonical(cfg.Interface)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch name {
	case Virtual:
		if cfg.Bus == nil {
			return nil, fmt.Errorf("%w: the virtual bus exists only inside one process (use --sim, or pass a port of a *virtual.Bus as can.Config.Bus from Go; for two processes use interface \"udp\")", ErrUnavailable)
		}
		return cfg.Bus, nil
	case UDP:
		group, ifname, _ := strings.Cut(cfg.Channel, "@")
		return udpbus.Open(ctx, udpbus.Config{Group: group, Interface: ifname, Logger: cfg.Logger})
	case SocketCAN:
		if cfg.Channel == "" {
			return nil, errors.New("canbus: socketcan needs a channel (interface name such as can0)")
		}
		if cfg.Bitrate != 0 || cfg.DataBitrate != 0 || !cfg.Timing.IsZero() {
			log.Warn("socketcan: the kernel owns bit rate and bit timing; the configured values are not applied by goxcp: set them on the interface (ip link set "+cfg.Channel+" type can bitrate … [dbitrate … fd on])",
				"interface", cfg.Channel, "bitrate", cfg.Bitrate, "data_bitrate", cfg.DataBitrate, "timing_set", !cfg.Timing.IsZero())
		}
		if ok, why := socketcan.Available(); !ok {
			return nil, fmt.Errorf("%w: socketcan: %s", ErrUnavailable, why)
		}
		return socketcan.Open(ctx, socketcan.Config{Interface: cfg.Channel, FD: cfg.FD, Logger: cfg.Logger})
	case SLCAN:
		dbr := 0
		if cfg.FD {
			dbr = cfg.DataBitrate
		}
		if !cfg.Timing.IsZero() {
			log.Warn("slcan: Lawicel adapters take standard bit rates only; sample point, SJW and TSEG settings are not applied", "port", cfg.Channel)
		}
		return slcan.Open(ctx, slcan.Config{Port: cfg.Channel, Bitrate: cfg.Bitrate, DataBitrate: dbr, Logger: cfg.Logger})
	default: // User
		if cfg.Bus == nil {
			return nil, fmt.Errorf("%w: interface \"user\" needs a can.Bus supplied by the program (can.Config.Bus)", ErrUnavailable)
		}
		return cfg.Bus, nil
	}
}

// Dial opens the bus of cfg and runs XCP on CAN over it as the master.
func Dial(ctx context.Context, cfg can.Config) (*can.Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bus, err := Open(ctx, cfg)
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
	Name      string
	Available bool
	Detail    string // why not, or what is there
	Channel   string // what the channel setting means
}

// Drivers reports every backend and whether it is usable on this host.
// It probes (creates and closes sockets) but opens no serial port.
func Drivers() []Driver {
	ds := []Driver{
		{Name: Virtual, Available: true, Detail: "in-process bus (xcp --sim -t can, tests, programs passing a *virtual.Bus)", Channel: "bus name (ignored)"},
	}
	udp := Driver{Name: UDP, Channel: "GROUP[@IFNAME], default " + udpbus.DefaultGroup + " on loopback"}
	if p, err := udpbus.Open(context.Background(), udpbus.Config{}); err != nil {
		udp.Detail = err.Error()
	} else {
		p.Close()
		udp.Available, udp.Detail = true, "multicast on loopback works: master and simulator may be separate processes"
	}
	sc := Driver{Name: SocketCAN, Channel: "network interface, e.g. can0 or vcan0"}
	sc.Available, sc.Detail = socketcan.Available()
	ds = append(ds, udp, sc,
		Driver{Name: SLCAN, Available: true, Detail: "Lawicel serial adapters via go.bug.st/serial (" + serialPorts() + ")", Channel: "serial port, e.g. /dev/ttyACM0"},
		Driver{Name: User, Available: true, Detail: "a can.Bus implementation supplied from Go code (can.Config.Bus)", Channel: "-"},
	)
	return ds
}
