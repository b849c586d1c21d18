// Package mcast opens the UDP multicast sockets of goxcp (the Ethernet
// discovery responder of the simulator, the CAN-over-UDP bus) so that they
// receive only what is sent to their group: on Linux the socket is bound
// to the group address itself, not the wildcard address, so a unicast
// datagram to the port (from this host or any peer) is never delivered,
// and it does not receive other groups joined by other sockets
// (IP_MULTICAST_ALL off). The group is joined on one interface only.
package mcast

import (
	"fmt"
	"net"
)

// Listen joins group (an IPv4 multicast address and port; port 0 picks a
// free one) on ifi and returns a socket that receives the group's
// datagrams only. Several sockets, also of other processes, may join the
// same group and port.
func Listen(ifi *net.Interface, group *net.UDPAddr) (*net.UDPConn, error) {
	if ifi == nil {
		return nil, fmt.Errorf("mcast: no interface to join %s on", group)
	}
	ip4 := group.IP.To4()
	if ip4 == nil || !ip4.IsMulticast() {
		return nil, fmt.Errorf("mcast: %s is not an IPv4 multicast address", group.IP)
	}
	return listen(ifi, ip4, group.Port)
}
