// Package discovery finds XCP-on-Ethernet slaves (ASAM MCD-1 XCP part 3,
// XCP on Ethernet, slave detection): GET_SLAVE_ID or GET_SLAVE_ID_EXTENDED
// sent as TRANSPORT_LAYER_CMD to the multicast group 239.255.0.0:5556,
// answers collected for a while; and SET_SLAVE_IP_ADDRESS, which gives
// the slave with a MAC address a new IPv4 address.
package discovery

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Config says where and how long to ask.
type Config struct {
	// Group is the multicast group host:port; "" = xcp.EthDiscoveryGroup.
	Group string
	// Interface is the name of the interface to ask on; "" = every IPv4
	// interface that is up and can multicast (the loopback included).
	Interface string
	// Wait is how long answers are collected (0 = 1 s; the context's
	// deadline, if earlier, ends it too).
	Wait time.Duration
	// Extended sends GET_SLAVE_ID_EXTENDED (answers carry the MAC).
	Extended bool
	Logger   *slog.Logger // nil = silent
}

// Slave is one answer.
type Slave struct {
	Interface string         // where the answer came in
	From      netip.AddrPort // sender of the answer
	Addr      netip.Addr     // the slave's XCP server
	Port      uint16
	Protocol  string // tcp, udp, tcp+udp
	Busy      bool   // a master is connected
	Extended  bool   // the slave supports the extended discovery answers
	Resource  xcp.Resource
	ID        string
	MAC       string // extended answers only
}

// ErrNoInterface is returned when no usable interface exists.
var ErrNoInterface = errors.New("discovery: no IPv4 multicast interface is up")

// endpoint is one interface to ask on with its IPv4 address.
type endpoint struct {
	name string
	addr netip.Addr
}

func (c Config) endpoints() ([]endpoint, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("discovery: list interfaces: %w", err)
	}
	var out []endpoint
	for _, ifi := range ifs {
		if c.Interface != "" && ifi.Name != c.Interface {
			continue
		}
		if ifi.Flags&net.FlagUp == 0 || (ifi.Flags&net.FlagMulticast == 0 && ifi.Flags&net.FlagLoopback == 0) {
			if c.Interface != "" {
				return nil, fmt.Errorf("discovery: interface %s is down or cannot multicast", ifi.Name)
			}
			continue
		}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipn.IP.To4()); ok && ipn.IP.To4() != nil {
					out = append(out, endpoint{ifi.Name, ip})
					break
				}
			}
		}
	}
	if len(out) == 0 {
		if c.Interface != "" {
			return nil, fmt.Errorf("discovery: interface %q not found or without IPv4 address", c.Interface)
		}
		return nil, ErrNoInterface
	}
	return out, nil
}

func (c Config) group() (netip.AddrPort, error) {
	g := c.Group
	if g == "" {
		g = xcp.EthDiscoveryGroup
	}
	ap, err := netip.ParseAddrPort(g)
	if err != nil {
		return ap, fmt.Errorf("discovery: group %q: want IPv4:PORT: %w", g, err)
	}
	if !ap.Addr().Is4() || !ap.Addr().IsMulticast() {
		return ap, fmt.Errorf("discovery: group %s is not an IPv4 multicast address", ap.Addr())
	}
	return ap, nil
}

// exchange sends the packet built by mk (given the local address the
// answers go to) on every endpoint and collects the answer datagrams
// until the wait is over.
func (c Config) exchange(ctx context.Context, mk func(local netip.AddrPort) []byte, got func(ifname string, from netip.AddrPort, pkt []byte)) error {
	group, err := c.group()
	if err != nil {
		return err
	}
	eps, err := c.endpoints()
	if err != nil {
		return err
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wait := c.Wait
	if wait <= 0 {
		wait = time.Second
	}
	deadline := time.Now().Add(wait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, ep := range eps {
		conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ep.addr, 0)))
		if err != nil {
			errs = append(errs, fmt.Errorf("discovery: %s: %w", ep.name, err))
			continue
		}
		local := conn.LocalAddr().(*net.UDPAddr).AddrPort()
		pkt := mk(netip.AddrPortFrom(ep.addr, local.Port()))
		frame := binary.LittleEndian.AppendUint16(nil, uint16(len(pkt)))
		frame = append(binary.LittleEndian.AppendUint16(frame, 0), pkt...)
		log.Debug("discovery request", "interface", ep.name, "group", group, "packet", fmt.Sprintf("% X", pkt))
		if _, err := conn.WriteToUDPAddrPort(frame, group); err != nil {
			conn.Close()
			errs = append(errs, fmt.Errorf("discovery: send on %s: %w", ep.name, err))
			continue
		}
		conn.SetReadDeadline(deadline)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
			defer stop()
			buf := make([]byte, 1500)
			for {
				n, from, err := conn.ReadFromUDPAddrPort(buf)
				if err != nil {
					return // deadline, cancellation or close
				}
				b := buf[:n]
				if len(b) < 4 || int(binary.LittleEndian.Uint16(b)) > len(b)-4 {
					log.Debug("discovery: malformed answer ignored", "from", from, "bytes", fmt.Sprintf("% X", b))
					continue
				}
				mu.Lock()
				got(ep.name, from, b[4:4+binary.LittleEndian.Uint16(b)])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(errs) == len(eps) {
		return errors.Join(errs...)
	}
	for _, err := range errs {
		log.Warn("discovery: interface skipped", "err", err)
	}
	return nil
}

// Discover sends GET_SLAVE_ID (or GET_SLAVE_ID_EXTENDED) and returns the
// answers, sorted by address and port (duplicates from several
// interfaces are kept once). Malformed answers are logged and skipped.
func Discover(ctx context.Context, c Config) ([]Slave, error) {
	var out []Slave
	var f xcp.Format
	err := c.exchange(ctx, func(local netip.AddrPort) []byte {
		return xcp.EthGetSlaveID{Extended: c.Extended, ResponsePort: local.Port(), ResponseAddr: local.Addr()}.Append(nil, f)
	}, func(ifname string, from netip.AddrPort, pkt []byte) {
		r := xcp.EthGetSlaveIDResponse{Extended: c.Extended}
		if err := r.Decode(pkt, f); err != nil {
			if c.Logger != nil {
				c.Logger.Warn("discovery: answer ignored", "from", from, "err", err)
			}
			return
		}
		s := Slave{Interface: ifname, From: from, Addr: r.Addr, Port: r.Port, Protocol: xcp.EthProtocolName(r.Status),
			Busy: r.Status&xcp.EthStatusBusy != 0, Extended: r.Status&xcp.EthStatusExtSupported != 0,
			Resource: r.Resource, ID: string(r.ID)}
		if c.Extended {
			s.MAC = net.HardwareAddr(r.MAC[:]).String()
		}
		if !slices.ContainsFunc(out, func(o Slave) bool { return o.Addr == s.Addr && o.Port == s.Port && o.ID == s.ID }) {
			out = append(out, s)
		}
	})
	slices.SortFunc(out, func(a, b Slave) int {
		if d := a.Addr.Compare(b.Addr); d != 0 {
			return d
		}
		return int(a.Port) - int(b.Port)
	})
	return out, err
}

// SetIPResult is an acknowledgement of SET_SLAVE_IP_ADDRESS.
type SetIPResult struct {
	From   netip.AddrPort
	Status uint8
	MAC    string
}

// ErrNoAnswer is returned by SetIP when no slave acknowledged.
var ErrNoAnswer = errors.New("discovery: no slave acknowledged")

// SetIP sends SET_SLAVE_IP_ADDRESS: the slave with mac takes the IPv4
// address ip. It returns the acknowledgements, or ErrNoAnswer.
func SetIP(ctx context.Context, c Config, mac net.HardwareAddr, ip netip.Addr) ([]SetIPResult, error) {
	if len(mac) != 6 {
		return nil, fmt.Errorf("discovery: MAC %s: want 6 bytes", mac)
	}
	if !ip.Is4() {
		return nil, fmt.Errorf("discovery: %s is not an IPv4 address", ip)
	}
	var out []SetIPResult
	var f xcp.Format
	err := c.exchange(ctx, func(local netip.AddrPort) []byte {
		return xcp.EthSetSlaveIPAddress{ResponsePort: local.Port(), ResponseAddr: local.Addr(), MAC: [6]byte(mac), IP: ip}.Append(nil, f)
	}, func(_ string, from netip.AddrPort, pkt []byte) {
		var r xcp.EthSetSlaveIPAddressResponse
		if err := r.Decode(pkt, f); err != nil {
			if c.Logger != nil {
				c.Logger.Warn("discovery: answer ignored", "from", from, "err", err)
			}
			return
		}
		out = append(out, SetIPResult{From: from, Status: r.Status, MAC: net.HardwareAddr(r.MAC[:]).String()})
	})
	if err != nil {
		return out, err
	}
	if len(out) == 0 {
		return nil, ErrNoAnswer
	}
	return out, nil
}
