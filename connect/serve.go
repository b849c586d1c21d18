package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/sxi"
)

// CANMedium is one CAN bus a Server serves on: a canbus backend name
// (canbus.Canonical) and its channel (udp group, slcan device, socketcan
// interface).
type CANMedium struct {
	Interface, Channel string
}

// ServeConfig says where a Server serves a simulated slave. Nothing is
// served by default: give at least one medium.
type ServeConfig struct {
	// TCP and UDP are XCP-on-Ethernet listen addresses (host:port, port 0
	// picks a free one).
	TCP, UDP []string
	// Discovery answers XCP-on-Ethernet slave detection (GET_SLAVE_ID on
	// the multicast group DiscoveryGroup, "" = xcp.EthDiscoveryGroup; port
	// 0 picks a free one) on the loopback interface, announcing the first
	// TCP server (else the first UDP one).
	Discovery      bool
	DiscoveryGroup string
	// CAN lists CAN buses, served with the identifiers and frame format
	// of CANConfig (Interface, Channel and Logger are set per bus).
	CAN       []CANMedium
	CANConfig can.Config
	// SxI lists serial devices, or "pty" for a new pseudo-terminal, served
	// with the framing and line settings of SxiConfig.
	SxI       []string
	SxiConfig sxi.Config
	// Logger receives the media's diagnostics (nil = silent).
	Logger *slog.Logger
}

// MaxPacket returns the largest XCP packet every CAN bus and serial line
// of c carries in one frame (0 when c has none: Ethernet has no such
// bound): a simulator serving c needs MAX_CTO and MAX_DTO at most this.
func (c ServeConfig) MaxPacket() (int, error) {
	limit := 0
	if len(c.CAN) > 0 {
		if err := c.CANConfig.Validate(); err != nil {
			return 0, err
		}
		limit = c.CANConfig.MaxPacket()
	}
	if len(c.SxI) > 0 {
		f, err := c.SxiConfig.FramingOf()
		if err != nil {
			return 0, err
		}
		if n := f.MaxPacketLen(); limit == 0 || n < limit {
			limit = n
		}
	}
	return limit, nil
}

// Server serves one simulated slave on several media until Close.
type Server struct {
	addrs     []string
	group     string
	stops     []func() error
	discovery bool
}

// Serve serves slave on every medium of cfg until ctx is done or Close is
// called. On an error nothing stays open.
func Serve(ctx context.Context, slave *sim.Slave, cfg ServeConfig) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{}
	var ls []*eth.Listener
	closeAll := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	for _, a := range []struct {
		network string
		addrs   []string
	}{{"tcp", cfg.TCP}, {"udp", cfg.UDP}} {
		for _, addr := range a.addrs {
			l, err := eth.ListenConfig{Logger: log}.Listen(a.network, addr)
			if err != nil {
				closeAll()
				return nil, err
			}
			ls = append(ls, l)
			s.addrs = append(s.addrs, a.network+" "+l.Addr().String())
		}
	}
	if len(ls) > 0 {
		s.stops = append(s.stops, ServeListeners(ctx, slave, ls...))
	}
	if cfg.Discovery {
		if len(ls) == 0 {
			return nil, errors.Join(errors.New("connect: discovery announces an XCP-on-Ethernet server: serve on TCP or UDP too"), s.Close())
		}
		proto := "udp"
		if len(cfg.TCP) > 0 {
			proto = "tcp" // TCP listeners come first
		}
		group, stop, err := serveDiscovery(ctx, slave, cfg.DiscoveryGroup, ls[0], proto)
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		s.group, s.discovery = group, true
		s.stops = append(s.stops, stop)
		s.addrs = append(s.addrs, "discovery "+group)
	}
	if err := s.serveCAN(ctx, slave, cfg, log); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if err := s.serveSxI(ctx, slave, cfg, log); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// Addrs describes what the server serves, one line per medium: "tcp
// 127.0.0.1:5555", "udp …", "discovery 239.255.0.0:5556", "can udp … (…)",
// "sxi /dev/pts/3 (…)".
func (s *Server) Addrs() []string { return append([]string(nil), s.addrs...) }

// DiscoveryGroup returns the multicast group address discovery joined
// ("" without discovery).
func (s *Server) DiscoveryGroup() string { return s.group }

// DiscoveryInterface returns the name of the interface discovery answers
// on (the loopback interface; "" without discovery or when none is up).
func (s *Server) DiscoveryInterface() string {
	if !s.discovery {
		return ""
	}
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 && ifi.Flags&net.FlagUp != 0 {
			return ifi.Name
		}
	}
	return ""
}

// Close stops serving on every medium, waits for the simulator's
// goroutines and returns the errors that ended serving early.
func (s *Server) Close() error {
	var errs []error
	for i := len(s.stops) - 1; i >= 0; i-- {
		errs = append(errs, s.stops[i]())
	}
	s.stops = nil
	return errors.Join(errs...)
}

// serveDiscovery answers discovery for the server l on the loopback
// interface; it returns the joined group address and the stop function.
func serveDiscovery(ctx context.Context, slave *sim.Slave, group string, l *eth.Listener, proto string) (string, func() error, error) {
	served, err := netip.ParseAddrPort(l.Addr().String())
	if err != nil {
		return "", nil, fmt.Errorf("discovery: server address: %w", err)
	}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan *net.UDPAddr, 1)
	done := make(chan error, 1)
	go func() {
		done <- slave.ServeDiscovery(dctx, sim.DiscoveryConfig{Group: group, Served: served, Protocol: proto,
			Ready: func(a *net.UDPAddr) { ready <- a }})
	}()
	stopOnDone := context.AfterFunc(ctx, cancel)
	select {
	case a := <-ready:
		return a.String(), func() error { stopOnDone(); cancel(); return <-done }, nil
	case err := <-done:
		stopOnDone()
		cancel()
		if err == nil {
			err = errors.New("discovery ended before it served")
		}
		return "", nil, fmt.Errorf("discovery: %w", err)
	}
}

// serveCAN serves slave on the CAN buses of cfg.
func (s *Server) serveCAN(ctx context.Context, slave *sim.Slave, cfg ServeConfig, log *slog.Logger) error {
	for _, spec := range cfg.CAN {
		k := cfg.CANConfig
		k.Interface, k.Channel, k.Logger = spec.Interface, spec.Channel, log
		bus, err := canbus.Open(ctx, k)
		if err != nil {
			return err
		}
		c, err := can.NewConn(bus, k, can.Slave)
		if err != nil {
			bus.Close()
			return err
		}
		s.stops = append(s.stops, ServeConn(ctx, slave, c))
		kind := "can"
		if k.FD {
			kind = "canfd"
		}
		remote := c.Info().Remote
		if i := strings.Index(remote, " on "); i >= 0 {
			remote = remote[i+4:]
		}
		s.addrs = append(s.addrs, fmt.Sprintf("%s %s (commands on 0x%X, answers on 0x%X, broadcast 0x%X)", kind, remote, k.CanIDMaster, k.CanIDSlave, k.CanIDBroadcast))
	}
	return nil
}

// serveSxI serves slave on the serial lines of cfg.
func (s *Server) serveSxI(ctx context.Context, slave *sim.Slave, cfg ServeConfig, log *slog.Logger) error {
	if len(cfg.SxI) == 0 {
		return nil
	}
	f, err := cfg.SxiConfig.FramingOf()
	if err != nil {
		return fmt.Errorf("sxi: %w", err)
	}
	desc := fmt.Sprintf("%s, %s", f.Header, f.Tail)
	if f.SyncEsc {
		desc += ", SYNC/ESC"
	}
	for _, dev := range cfg.SxI {
		if dev == "pty" {
			p, err := sxi.OpenPTY()
			if err != nil {
				return err
			}
			c, err := sxi.NewConn(p.Master, f, sxi.Options{Name: "pty " + p.TTYPath, Logger: log})
			if err != nil {
				p.Close()
				return err
			}
			stopSim := ServeConn(ctx, slave, c)
			s.stops = append(s.stops, func() error { return errors.Join(stopSim(), p.Close()) })
			s.addrs = append(s.addrs, fmt.Sprintf("sxi %s (%s)", p.TTYPath, desc))
			continue
		}
		k := cfg.SxiConfig
		k.Port, k.Logger = dev, log
		c, err := sxi.Dial(ctx, k)
		if err != nil {
			return err
		}
		s.stops = append(s.stops, ServeConn(ctx, slave, c))
		s.addrs = append(s.addrs, fmt.Sprintf("sxi %s (%s)", dev, desc))
	}
	return nil
}
