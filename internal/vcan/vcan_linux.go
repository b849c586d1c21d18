// Package vcan creates and removes Linux virtual CAN interfaces (vcan) over
// rtnetlink, what `ip link add dev vcan0 type vcan` does; busybox's ip
// cannot. goxcp's kernel tests use it inside the emulated machine and in
// network namespaces; it needs CAP_NET_ADMIN and the vcan kernel module.
package vcan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MTUs of a vcan interface: classic CAN frames only, or CAN FD as well.
const (
	ClassicMTU = 16 // sizeof(struct can_frame)
	FDMTU      = 72 // sizeof(struct canfd_frame)
)

// Create adds a vcan interface named name with the given MTU (ClassicMTU or
// FDMTU) and sets it up. An interface of that name that exists already is
// an error matching os.ErrExist.
func Create(name string, mtu int) error {
	if name == "" || len(name) >= unix.IFNAMSIZ {
		return fmt.Errorf("vcan: bad interface name %q", name)
	}
	if mtu != ClassicMTU && mtu != FDMTU {
		return fmt.Errorf("vcan: MTU %d is neither %d (CAN) nor %d (CAN FD)", mtu, ClassicMTU, FDMTU)
	}
	var msg []byte
	info := make([]byte, unix.SizeofIfInfomsg)
	info[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(info[8:], unix.IFF_UP)  // ifi_flags
	binary.NativeEndian.PutUint32(info[12:], unix.IFF_UP) // ifi_change
	msg = append(msg, info...)
	msg = attr(msg, unix.IFLA_IFNAME, append([]byte(name), 0))
	msg = attr(msg, unix.IFLA_MTU, binary.NativeEndian.AppendUint32(nil, uint32(mtu)))
	msg = attr(msg, unix.IFLA_LINKINFO, attr(nil, unix.IFLA_INFO_KIND, []byte("vcan")))
	return request(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, msg)
}

// Delete removes the interface named name.
func Delete(name string) error {
	info := make([]byte, unix.SizeofIfInfomsg)
	msg := attr(info, unix.IFLA_IFNAME, append([]byte(name), 0))
	return request(unix.RTM_DELLINK, 0, msg)
}

// attr appends a netlink attribute (padded to 4 bytes).
func attr(dst []byte, typ uint16, data []byte) []byte {
	n := unix.NLA_HDRLEN + len(data)
	dst = binary.NativeEndian.AppendUint16(dst, uint16(n))
	dst = binary.NativeEndian.AppendUint16(dst, typ)
	dst = append(dst, data...)
	for len(dst)%4 != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// request sends one rtnetlink request and waits for its acknowledgement.
func request(typ uint16, flags uint16, payload []byte) error {
	s, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("vcan: netlink socket: %w", err)
	}
	defer unix.Close(s)
	if err := unix.Bind(s, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("vcan: netlink bind: %w", err)
	}
	const seq = 1
	msg := binary.NativeEndian.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(payload)))
	msg = binary.NativeEndian.AppendUint16(msg, typ)
	msg = binary.NativeEndian.AppendUint16(msg, flags|unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	msg = binary.NativeEndian.AppendUint32(msg, seq)
	msg = binary.NativeEndian.AppendUint32(msg, 0)
	msg = append(msg, payload...)
	if err := unix.Sendto(s, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("vcan: netlink send: %w", err)
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(s, buf, 0)
		if err != nil {
			return fmt.Errorf("vcan: netlink receive: %w", err)
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return fmt.Errorf("vcan: malformed netlink answer (length %d of %d bytes)", l, len(b))
			}
			typ, mseq, data := binary.NativeEndian.Uint16(b[4:]), binary.NativeEndian.Uint32(b[8:]), b[unix.NLMSG_HDRLEN:l]
			b = b[min(len(b), (l+3)&^3):]
			if mseq != seq || typ != unix.NLMSG_ERROR {
				continue
			}
			if len(data) < 4 {
				return errors.New("vcan: short netlink error message")
			}
			code := int32(binary.NativeEndian.Uint32(data))
			if code == 0 {
				return nil
			}
			errno := unix.Errno(-code)
			if errno == unix.EEXIST {
				return fmt.Errorf("vcan: %w", os.ErrExist)
			}
			if errno == unix.EOPNOTSUPP {
				return fmt.Errorf("vcan: link kind vcan unknown to the kernel (module vcan not loaded?): %w", errno)
			}
			return fmt.Errorf("vcan: %w", errno)
		}
	}
}
