package mcast

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"testing"
	"time"
)

func loopback(t *testing.T) *net.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 && ifs[i].Flags&net.FlagUp != 0 {
			return &ifs[i]
		}
	}
	t.Skip("no loopback interface is up")
	return nil
}

// A unicast datagram to the group's port, from this host, is never
// delivered; datagrams to the group are, to every member.
func TestOnlyGroupTraffic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the group-only binding is implemented on Linux")
	}
	ifi := loopback(t)
	group := &net.UDPAddr{IP: net.IPv4(239, 255, byte(rand.IntN(250)), byte(1+rand.IntN(250)))}
	a, err := Listen(ifi, group)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	group.Port = a.LocalAddr().(*net.UDPAddr).Port
	if !a.LocalAddr().(*net.UDPAddr).IP.Equal(group.IP) {
		t.Fatalf("bound to %v, want the group address %v", a.LocalAddr(), group.IP)
	}
	b, err := Listen(ifi, group) // a second member on the same port
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tx, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, group)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	uni, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: group.Port})
	if err != nil {
		t.Fatal(err)
	}
	defer uni.Close()
	// The unicast datagram goes first: if it were delivered, it would be
	// read before the group's.
	if _, err := uni.Write([]byte("unicast")); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Write([]byte("group")); err != nil {
		t.Fatal(err)
	}
	for i, c := range []*net.UDPConn{a, b} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
		if !bytes.Equal(buf[:n], []byte("group")) {
			t.Fatalf("member %d received %q first, want the group datagram", i, buf[:n])
		}
	}
}

func TestRefusesNonMulticast(t *testing.T) {
	ifi := loopback(t)
	for _, ip := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4zero, net.ParseIP("ff02::1")} {
		if c, err := Listen(ifi, &net.UDPAddr{IP: ip}); err == nil {
			c.Close()
			t.Errorf("%v accepted", ip)
		} else if want := fmt.Sprintf("%s is not an IPv4 multicast address", ip); err.Error() != "mcast: "+want {
			t.Errorf("%v: %v", ip, err)
		}
	}
}
