// Package pingpong is the baseline of the round-trip benchmarks: fixed
// request and response frames exchanged over bare loopback sockets, with no
// XCP logic, to compare goxcp's transports and master against. Only tests
// and benchmarks import it.
package pingpong

import (
	"fmt"
	"io"
	"net"
	"testing"
)

// Raw starts a server on 127.0.0.1 port 0 over network ("tcp" or "udp")
// that answers every request with resp (on TCP it reads len(req) bytes per
// request), and returns a function doing one round trip (send req, read the
// answer) and one stopping the client and the server.
func Raw(tb testing.TB, network string, req, resp []byte) (roundTrip func() error, stop func()) {
	tb.Helper()
	var (
		client net.Conn
		server io.Closer
	)
	done := make(chan struct{})
	switch network {
	case "tcp":
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		server = l
		go func() {
			defer close(done)
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			in := make([]byte, len(req))
			for {
				if _, err := io.ReadFull(c, in); err != nil {
					return
				}
				if _, err := c.Write(resp); err != nil {
					return
				}
			}
		}()
		client, err = net.Dial("tcp4", l.Addr().String())
		if err != nil {
			l.Close()
			<-done
			tb.Fatal(err)
		}
	case "udp":
		pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			tb.Fatal(err)
		}
		server = pc
		go func() {
			defer close(done)
			in := make([]byte, 1<<16)
			for {
				_, from, err := pc.ReadFromUDPAddrPort(in)
				if err != nil {
					return
				}
				if _, err := pc.WriteToUDPAddrPort(resp, from); err != nil {
					return
				}
			}
		}()
		client, err = net.Dial("udp4", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			<-done
			tb.Fatal(err)
		}
	default:
		tb.Fatalf("pingpong: network %q, want tcp or udp", network)
	}
	in := make([]byte, 1<<16)
	rt := func() error {
		if _, err := client.Write(req); err != nil {
			return err
		}
		if network == "tcp" {
			_, err := io.ReadFull(client, in[:len(resp)])
			return err
		}
		if n, err := client.Read(in); err != nil || n != len(resp) {
			return fmt.Errorf("raw udp: %d bytes, %v", n, err)
		}
		return nil
	}
	return rt, func() {
		client.Close()
		server.Close()
		<-done
	}
}
