//go:build !linux

package mcast

import "net"

// listen falls back to the standard library, which binds the wildcard
// address: there the socket also receives unicast datagrams to its port.
func listen(ifi *net.Interface, group net.IP, port int) (*net.UDPConn, error) {
	return net.ListenMulticastUDP("udp4", ifi, &net.UDPAddr{IP: group, Port: port})
}
