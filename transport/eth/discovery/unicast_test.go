package discovery_test

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth/discovery"
)

// The simulator's discovery responder answers only what is sent to its
// multicast group: the same GET_SLAVE_ID sent unicast to its port is
// ignored (it would let any peer reach it).
func TestResponderIgnoresUnicast(t *testing.T) {
	lo := loName(t)
	s, _ := sim.New(sim.Config{})
	group := serve(t, s, "239.255.0.0:0", netip.MustParseAddrPort("127.0.0.1:5555"), "tcp")
	ga := netip.MustParseAddrPort(group)
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.UDPAddr).AddrPort()
	pkt := xcp.EthGetSlaveID{ResponsePort: local.Port(), ResponseAddr: local.Addr()}.Append(nil, xcp.Format{})
	frame := binary.LittleEndian.AppendUint16(nil, uint16(len(pkt)))
	frame = append(binary.LittleEndian.AppendUint16(frame, 0), pkt...)
	if _, err := c.WriteToUDPAddrPort(frame, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), ga.Port())); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 1500)
	if n, from, err := c.ReadFromUDPAddrPort(buf); err == nil {
		t.Fatalf("unicast request answered by %v: % X", from, buf[:n])
	}
	// The same request to the group is answered.
	got, err := discovery.Discover(context.Background(), discovery.Config{Group: group, Interface: lo, Wait: 300 * time.Millisecond})
	if err != nil || len(got) != 1 {
		t.Fatalf("group request: %+v, %v", got, err)
	}
}
