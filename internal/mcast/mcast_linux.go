//go:build linux

package mcast

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

func listen(ifi *net.Interface, group net.IP, port int) (*net.UDPConn, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("mcast: socket: %w", err)
	}
	fail := func(what string, err error) (*net.UDPConn, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("mcast: %s for %s:%d on %s: %w", what, group, port, ifi.Name, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail("SO_REUSEADDR", err)
	}
	// Only the groups this socket joined, not every group of the host.
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0); err != nil {
		return fail("IP_MULTICAST_ALL", err)
	}
	sa := &unix.SockaddrInet4{Port: port}
	copy(sa.Addr[:], group)
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	mreq := &unix.IPMreqn{Ifindex: int32(ifi.Index)}
	copy(mreq.Multiaddr[:], group)
	if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
		return fail("join", err)
	}
	// Answers and frames sent from this socket leave on the same interface.
	if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &unix.IPMreqn{Ifindex: int32(ifi.Index)}); err != nil {
		return fail("IP_MULTICAST_IF", err)
	}
	f := os.NewFile(uintptr(fd), fmt.Sprintf("udp multicast %s:%d", group, port))
	defer f.Close()
	pc, err := net.FilePacketConn(f)
	if err != nil {
		return nil, fmt.Errorf("mcast: %w", err)
	}
	return pc.(*net.UDPConn), nil
}
