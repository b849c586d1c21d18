package xcp

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Sub-commands of TRANSPORT_LAYER_CMD for XCP on Ethernet (ASAM MCD-1 XCP
// 1.5 part 3, XCP on Ethernet: slave detection). They are sent as UDP
// datagrams to the multicast group EthDiscoveryGroup; the slaves answer to
// the address and port named in the request. All fields are Intel byte
// order, whatever the slave's byte order (it is not known before
// CONNECT).
const (
	EthSubGetSlaveID         uint8 = 0xFF // GET_SLAVE_ID
	EthSubGetSlaveIDExtended uint8 = 0xFD // GET_SLAVE_ID_EXTENDED
	EthSubSetSlaveIPAddress  uint8 = 0xFC // SET_SLAVE_IP_ADDRESS
)

// EthDiscoveryGroup is the multicast group and port of slave detection.
const EthDiscoveryGroup = "239.255.0.0:5556"

// Status bits of the GET_SLAVE_ID answers.
const (
	EthStatusProtocolMask = 0x03 // 0 TCP, 1 UDP, 2 TCP and UDP
	EthStatusIPv6         = 0x04 // IP_VERSION: 0 = IPv4
	EthStatusBusy         = 0x08 // SLV_AVAILABILITY: a master is connected
	EthStatusExtSupported = 0x10 // GET_SLAVE_ID_EXTENDED supported (GET_SLAVE_ID only)
)

// EthProtocolName names the protocol bits of a status byte.
func EthProtocolName(status uint8) string {
	return [4]string{"tcp", "udp", "tcp+udp", "reserved"}[status&EthStatusProtocolMask]
}

// appendAddr16 writes a 16-byte address field: IPv4 in the first four
// bytes, IPv6 in all sixteen.
func appendAddr16(b []byte, a netip.Addr) []byte {
	var f [16]byte
	if a.Is4() {
		v := a.As4()
		copy(f[:], v[:])
	} else if a.Is6() {
		f = a.As16()
	}
	return append(b, f[:]...)
}

func addr16(p []byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte(p[:16]))
	}
	return netip.AddrFrom4([4]byte(p[:4]))
}

// EthGetSlaveID is GET_SLAVE_ID or GET_SLAVE_ID_EXTENDED on Ethernet
// (F2 SUB PORT(2) ADDR(16) MODE, 21 bytes): ResponseAddr:ResponsePort is
// where the slaves send their answers; Mode bit 0 is the IP version (0 =
// IPv4).
type EthGetSlaveID struct {
	Extended     bool
	ResponsePort uint16
	ResponseAddr netip.Addr
	Mode         uint8
}

// Append encodes the command.
func (c EthGetSlaveID) Append(b []byte, _ Format) []byte {
	sub := EthSubGetSlaveID
	if c.Extended {
		sub = EthSubGetSlaveIDExtended
	}
	b = binary.LittleEndian.AppendUint16(append(b, byte(CmdTransportLayerCmd), sub), c.ResponsePort)
	return append(appendAddr16(b, c.ResponseAddr), c.Mode)
}

// Decode decodes the command.
func (c *EthGetSlaveID) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SLAVE_ID (Ethernet)", p, byte(CmdTransportLayerCmd), 21); err != nil {
		return err
	}
	switch p[1] {
	case EthSubGetSlaveID, EthSubGetSlaveIDExtended:
	default:
		return fmt.Errorf("xcp: GET_SLAVE_ID (Ethernet): sub-command 0x%02X, want 0xFF or 0xFD: %w", p[1], ErrMalformed)
	}
	c.Extended = p[1] == EthSubGetSlaveIDExtended
	c.ResponsePort = binary.LittleEndian.Uint16(p[2:])
	c.Mode = p[20]
	c.ResponseAddr = addr16(p[4:], c.Mode&1 != 0)
	return nil
}

// EthGetSlaveIDResponse is a slave's answer to GET_SLAVE_ID(_EXTENDED):
// the address and port of its XCP server, status (EthStatus* bits),
// resources and the identification (as GET_ID type 1); MAC only in the
// extended answer.
//
// The GET_SLAVE_ID answer has no PID: ADDR(16) PORT(2) STATUS RESOURCE
// ID_LEN(4) ID. The extended answer is FF FD ADDR(16) PORT(2) STATUS
// RESOURCE ID_LEN(4) ID MAC(6) (as pyXCP and XCPlite lay them out).
type EthGetSlaveIDResponse struct {
	Extended bool
	Addr     netip.Addr
	Port     uint16
	Status   uint8
	Resource Resource
	ID       []byte
	MAC      [6]byte
}

// Append encodes the response.
func (r EthGetSlaveIDResponse) Append(b []byte, _ Format) []byte {
	if r.Extended {
		b = append(b, PIDRes, EthSubGetSlaveIDExtended)
	}
	b = binary.LittleEndian.AppendUint16(appendAddr16(b, r.Addr), r.Port)
	b = binary.LittleEndian.AppendUint32(append(b, r.Status, byte(r.Resource)), uint32(len(r.ID)))
	b = append(b, r.ID...)
	if r.Extended {
		b = append(b, r.MAC[:]...)
	}
	return b
}

// Decode decodes the response; r.Extended selects the layout.
func (r *EthGetSlaveIDResponse) Decode(p []byte, _ Format) error {
	what := "GET_SLAVE_ID response (Ethernet)"
	if r.Extended {
		what = "GET_SLAVE_ID_EXTENDED response"
		if err := checkPacket(what, p, PIDRes, 2); err != nil {
			return err
		}
		if p[1] != EthSubGetSlaveIDExtended {
			return fmt.Errorf("xcp: %s: sub-command echo 0x%02X, want 0xFD: %w", what, p[1], ErrMalformed)
		}
		p = p[2:]
	}
	if len(p) < 24 {
		return &FormatError{What: what, Need: 24, Got: len(p)}
	}
	r.Status = p[18]
	r.Addr = addr16(p, r.Status&EthStatusIPv6 != 0)
	r.Port = binary.LittleEndian.Uint16(p[16:])
	r.Resource = Resource(p[19])
	n := binary.LittleEndian.Uint32(p[20:])
	tail := 0
	if r.Extended {
		tail = 6
	}
	if uint64(len(p)-24) < uint64(n)+uint64(tail) {
		return fmt.Errorf("xcp: %s: identification of %d bytes, %d bytes follow: %w", what, n, len(p)-24-tail, ErrMalformed)
	}
	r.ID = p[24 : 24+n]
	if r.Extended {
		r.MAC = [6]byte(p[24+n:])
	}
	return nil
}

// EthSetSlaveIPAddress is SET_SLAVE_IP_ADDRESS (F2 FC PORT(2) ADDR(16)
// MODE MAC(6) IP(4), 31 bytes): the slave with the MAC address takes IP;
// it answers to ResponseAddr:ResponsePort.
type EthSetSlaveIPAddress struct {
	ResponsePort uint16
	ResponseAddr netip.Addr
	Mode         uint8
	MAC          [6]byte
	IP           netip.Addr // IPv4
}

// Append encodes the command.
func (c EthSetSlaveIPAddress) Append(b []byte, _ Format) []byte {
	b = binary.LittleEndian.AppendUint16(append(b, byte(CmdTransportLayerCmd), EthSubSetSlaveIPAddress), c.ResponsePort)
	b = append(appendAddr16(b, c.ResponseAddr), c.Mode)
	b = append(b, c.MAC[:]...)
	ip := c.IP.As4()
	return append(b, ip[:]...)
}

// Decode decodes the command.
func (c *EthSetSlaveIPAddress) Decode(p []byte, _ Format) error {
	if err := checkPacket("SET_SLAVE_IP_ADDRESS", p, byte(CmdTransportLayerCmd), 31); err != nil {
		return err
	}
	if p[1] != EthSubSetSlaveIPAddress {
		return fmt.Errorf("xcp: SET_SLAVE_IP_ADDRESS: sub-command 0x%02X, want 0xFC: %w", p[1], ErrMalformed)
	}
	c.ResponsePort = binary.LittleEndian.Uint16(p[2:])
	c.Mode = p[20]
	c.ResponseAddr = addr16(p[4:], c.Mode&1 != 0)
	c.MAC = [6]byte(p[21:27])
	c.IP = netip.AddrFrom4([4]byte(p[27:31]))
	return nil
}

// EthSetSlaveIPAddressResponse is the positive answer to
// SET_SLAVE_IP_ADDRESS: FF FC STATUS MAC(6).
type EthSetSlaveIPAddressResponse struct {
	Status uint8
	MAC    [6]byte
}

// Append encodes the response.
func (r EthSetSlaveIPAddressResponse) Append(b []byte, _ Format) []byte {
	return append(append(b, PIDRes, EthSubSetSlaveIPAddress, r.Status), r.MAC[:]...)
}

// Decode decodes the response.
func (r *EthSetSlaveIPAddressResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("SET_SLAVE_IP_ADDRESS response", p, PIDRes, 9); err != nil {
		return err
	}
	if p[1] != EthSubSetSlaveIPAddress {
		return fmt.Errorf("xcp: SET_SLAVE_IP_ADDRESS response: sub-command echo 0x%02X, want 0xFC: %w", p[1], ErrMalformed)
	}
	r.Status = p[2]
	r.MAC = [6]byte(p[3:9])
	return nil
}
