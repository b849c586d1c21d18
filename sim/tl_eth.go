package sim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/goxcp/goxcp/internal/mcast"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// XCP on Ethernet slave detection (ASAM MCD-1 XCP part 3, XCP on
// Ethernet): the simulator answers GET_SLAVE_ID, GET_SLAVE_ID_EXTENDED and
// SET_SLAVE_IP_ADDRESS sent to a multicast group.

// DiscoveryConfig configures ServeDiscovery.
type DiscoveryConfig struct {
	// Group is the multicast group host:port to join; "" =
	// xcp.EthDiscoveryGroup. Port 0 picks a free port (tests); Ready
	// reports it.
	Group string
	// Interface is the interface to join the group on; nil = the loopback
	// interface (when the simulator serves on 127.0.0.1).
	Interface *net.Interface
	// Served is the XCP server address the answers announce, Protocol its
	// protocol ("tcp", "udp" or "tcp+udp").
	Served   netip.AddrPort
	Protocol string
	// MAC identifies the simulated slave for SET_SLAVE_IP_ADDRESS
	// (zero = 02:00:00:00:00:01, a locally administered address).
	MAC [6]byte
	// Ready, if set, is called with the joined group address once the
	// simulator listens.
	Ready func(*net.UDPAddr)
}

// DefaultMAC returns the MAC address of the simulated slave (a locally
// administered unicast address).
func DefaultMAC() [6]byte { return [6]byte{0x02, 0, 0, 0, 0, 0x01} }

// ServeDiscovery joins the discovery multicast group and answers slave
// detection until ctx is done. SET_SLAVE_IP_ADDRESS with the slave's MAC
// is acknowledged and the new address is announced in later answers (the
// XCP server itself keeps listening where it is).
func (s *Slave) ServeDiscovery(ctx context.Context, cfg DiscoveryConfig) error {
	group := cfg.Group
	if group == "" {
		group = xcp.EthDiscoveryGroup
	}
	ga, err := net.ResolveUDPAddr("udp4", group)
	if err != nil {
		return fmt.Errorf("sim: discovery group %q: %w", group, err)
	}
	if !ga.IP.IsMulticast() {
		return fmt.Errorf("sim: discovery group %s is not a multicast address", ga.IP)
	}
	ifi := cfg.Interface
	if ifi == nil {
		if ifi, err = loopback(); err != nil {
			return err
		}
	}
	conn, err := mcast.Listen(ifi, ga) // group traffic only, never unicast

	if err != nil {
		return fmt.Errorf("sim: join %s on %s: %w", ga, ifi.Name, err)
	}
	if cfg.MAC == ([6]byte{}) {
		cfg.MAC = DefaultMAC()
	}
	if cfg.Ready != nil {
		joined := *ga
		joined.Port = conn.LocalAddr().(*net.UDPAddr).Port
		cfg.Ready(&joined)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		conn.Close()
	}()
	defer wg.Wait()
	d := &discovery{slave: s, cfg: cfg, announce: cfg.Served}
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("sim: discovery: %w", err)
		}
		resp, to, ok := d.answer(buf[:n], from)
		if !ok {
			continue
		}
		if _, err := conn.WriteToUDPAddrPort(resp, to); err != nil {
			s.log.Warn("discovery answer not sent", "to", to, "err", err)
		}
	}
}

func loopback() (*net.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("sim: list interfaces: %w", err)
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 && ifs[i].Flags&net.FlagUp != 0 {
			return &ifs[i], nil
		}
	}
	return nil, errors.New("sim: no loopback interface is up")
}

// discovery is the state of ServeDiscovery.
type discovery struct {
	slave    *Slave
	cfg      DiscoveryConfig
	announce netip.AddrPort
	ctr      uint16
}

// answer returns the datagram answering req (XCP on Ethernet frame: LEN
// CTR packet) and where to send it; ok = false means no answer.
func (d *discovery) answer(req []byte, from netip.AddrPort) (resp []byte, to netip.AddrPort, ok bool) {
	if len(req) < 4 {
		return nil, to, false
	}
	n := int(binary.LittleEndian.Uint16(req))
	if len(req) < 4+n || n < 2 || req[4] != byte(xcp.CmdTransportLayerCmd) {
		return nil, to, false
	}
	pkt := req[4 : 4+n]
	var f xcp.Format
	var body []byte
	var respAddr netip.Addr
	var respPort uint16
	switch pkt[1] {
	case xcp.EthSubGetSlaveID, xcp.EthSubGetSlaveIDExtended:
		var c xcp.EthGetSlaveID
		if c.Decode(pkt, f) != nil {
			return nil, to, false
		}
		respAddr, respPort = c.ResponseAddr, c.ResponsePort
		status := map[string]uint8{"tcp": 0, "udp": 1, "tcp+udp": 2}[d.cfg.Protocol]
		if d.slave.busy() {
			status |= xcp.EthStatusBusy
		}
		if !c.Extended {
			status |= xcp.EthStatusExtSupported
		}
		body = xcp.EthGetSlaveIDResponse{Extended: c.Extended, Addr: d.announce.Addr(), Port: d.announce.Port(),
			Status: status, Resource: xcp.ResCalPag | xcp.ResDaq | xcp.ResStim | xcp.ResPgm | xcp.ResDbg,
			ID: []byte(d.slave.cfg.Name), MAC: d.cfg.MAC}.Append(nil, f)
	case xcp.EthSubSetSlaveIPAddress:
		var c xcp.EthSetSlaveIPAddress
		if c.Decode(pkt, f) != nil || c.MAC != d.cfg.MAC {
			return nil, to, false // only the addressed slave answers
		}
		respAddr, respPort = c.ResponseAddr, c.ResponsePort
		d.announce = netip.AddrPortFrom(c.IP, d.announce.Port())
		d.slave.log.Info("SET_SLAVE_IP_ADDRESS", "ip", c.IP)
		body = xcp.EthSetSlaveIPAddressResponse{MAC: d.cfg.MAC}.Append(nil, f)
	default:
		return nil, to, false
	}
	// An unspecified response address means: answer the sender.
	to = netip.AddrPortFrom(respAddr, respPort)
	if !respAddr.IsValid() || respAddr.IsUnspecified() {
		to = netip.AddrPortFrom(from.Addr(), respPort)
	}
	if respPort == 0 {
		to = from
	}
	resp = binary.LittleEndian.AppendUint16(nil, uint16(len(body)))
	resp = binary.LittleEndian.AppendUint16(resp, d.ctr)
	d.ctr++
	return append(resp, body...), to, true
}

// busy reports whether a master holds the XCP session.
func (s *Slave) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active != nil && s.active.connected
}
