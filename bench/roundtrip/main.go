// Command roundtrip measures GET_STATUS round trips of goxcp's master
// against the limit a client can reach: a C-shaped baseline client doing
// blocking send/recv system calls on one locked OS thread (no Go netpoller,
// no goroutine hand-off), over the same socket kind to the same slave, in
// the same run, with goxcp's transport alone (eth.Conn Send and Recv, no
// master) as the middle line. All talk XCP on Ethernet (CONNECT, then
// GET_STATUS frames with counting CTRs) to the built-in simulator on
// 127.0.0.1, or with -addr to an external slave such as Vector's XCPlite.
// Rounds of the clients alternate so that all see the same machine load; the
// program prints medians and 99th percentiles and the ratio goxcp/baseline
// (the target is a median ≤ 1.3× and a p99 ≤ 2×).
//
// Usage:
//
//	go run ./bench/roundtrip [-proto tcp,udp] [-n 2000] [-rounds 5] [-addr 127.0.0.1:5555]
//
// For pinned figures run it under taskset -c 0.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

func main() {
	protos := flag.String("proto", "tcp,udp", "transports to measure")
	n := flag.Int("n", 2000, "round trips per client and round")
	rounds := flag.Int("rounds", 5, "alternating rounds of both clients")
	addr := flag.String("addr", "", "an external slave (host:port on loopback); empty: the built-in simulator")
	only := flag.String("only", "", "measure one client only: baseline or goxcp (for slaves that serve one connection per run, like XCPlite over TCP)")
	flag.Parse()
	if *only != "" && *only != "baseline" && *only != "goxcp" {
		fmt.Fprintf(os.Stderr, "roundtrip: -only %q: want baseline or goxcp\n", *only)
		os.Exit(2)
	}
	client = *only
	fmt.Printf("roundtrip: GET_STATUS, %d×%d per client, GOMAXPROCS %d, slave %s\n", *rounds, *n, runtime.GOMAXPROCS(0), or(*addr, "built-in simulator"))
	fmt.Printf("%-5s %-26s %10s %10s %8s %8s\n", "proto", "client", "median", "p99", "×median", "×p99")
	for _, proto := range strings.Split(*protos, ",") {
		if err := measure(proto, *addr, *n, *rounds); err != nil {
			fmt.Fprintf(os.Stderr, "roundtrip: %s: %v\n", proto, err)
			os.Exit(1)
		}
	}
}

// client is -only.
var client string

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func measure(proto, addr string, n, rounds int) error {
	ctx := context.Background()
	if addr == "" {
		s, err := sim.New(sim.Config{})
		if err != nil {
			return err
		}
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		ready := make(chan net.Addr, 1)
		done := make(chan error, 1)
		go func() { done <- s.ListenAndServe(sctx, proto, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
		select {
		case a := <-ready:
			addr = a.String()
		case err := <-done:
			return err
		}
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if !ap.Addr().IsLoopback() {
		return fmt.Errorf("-addr %s: only loopback addresses are measured", addr)
	}
	var base, gox, tr []time.Duration
	for range rounds {
		if client != "goxcp" {
			b, err := baseline(proto, ap, n)
			if err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
			base = append(base, b...)
		}
		if client == "" {
			g, err := transportOnly(ctx, proto, ap, n)
			if err != nil {
				return fmt.Errorf("transport: %w", err)
			}
			tr = append(tr, g...)
		}
		if client != "baseline" {
			g, err := goxcp(ctx, proto, ap, n)
			if err != nil {
				return fmt.Errorf("goxcp: %w", err)
			}
			gox = append(gox, g...)
		}
	}
	var bm, bp time.Duration
	if len(base) > 0 {
		bm, bp = stats(base)
		fmt.Printf("%-5s %-26s %10s %10s\n", proto, "baseline (blocking, 1 thr)", us(bm), us(bp))
	}
	if len(tr) > 0 {
		tm, tp := stats(tr)
		fmt.Printf("%-5s %-26s %10s %10s %7.2f× %7.2f×\n", proto, "goxcp eth Send+Recv", us(tm), us(tp), float64(tm)/float64(bm), float64(tp)/float64(bp))
	}
	if len(gox) > 0 {
		gm, gp := stats(gox)
		fmt.Printf("%-5s %-26s %10s %10s", proto, "goxcp master.GetStatus", us(gm), us(gp))
		if len(base) > 0 {
			fmt.Printf(" %7.2f× %7.2f×", float64(gm)/float64(bm), float64(gp)/float64(bp))
		}
		fmt.Println()
	}
	return nil
}

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1e3) }

func stats(d []time.Duration) (median, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100]
}

// goxcp measures master.GetStatus on a fresh connection.
func goxcp(ctx context.Context, proto string, ap netip.AddrPort, n int) ([]time.Duration, error) {
	conn, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: ap.Addr().String(), Port: int(ap.Port())})
	if err != nil {
		return nil, err
	}
	m := master.New(conn, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		return nil, err
	}
	defer m.Disconnect(ctx)
	for range 100 { // warm up
		if _, err := m.GetStatus(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		t0 := time.Now()
		if _, err := m.GetStatus(ctx); err != nil {
			return nil, err
		}
		out[i] = time.Since(t0)
	}
	return out, nil
}

// transportOnly measures goxcp's XCP-on-Ethernet connection alone: the
// caller sends GET_STATUS and receives the answer itself, with no master —
// the part of the round trip that is the transport's.
func transportOnly(ctx context.Context, proto string, ap netip.AddrPort, n int) ([]time.Duration, error) {
	conn, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: ap.Addr().String(), Port: int(ap.Port())})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ex := func(cmd []byte) error {
		if err := conn.Send(ctx, cmd); err != nil {
			return err
		}
		for {
			p, err := conn.Recv(ctx)
			if err != nil {
				return err
			}
			if len(p.Data) > 0 && p.Data[0] >= xcp.PIDErr {
				return nil
			}
		}
	}
	if err := ex([]byte{byte(xcp.CmdConnect), 0}); err != nil {
		return nil, err
	}
	defer ex([]byte{byte(xcp.CmdDisconnect)})
	gs := []byte{byte(xcp.CmdGetStatus)}
	for range 100 {
		if err := ex(gs); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		t0 := time.Now()
		if err := ex(gs); err != nil {
			return nil, err
		}
		out[i] = time.Since(t0)
	}
	return out, nil
}

// baseline is the C client's shape: a blocking socket, one locked OS
// thread, write then read system calls, nothing else.
func baseline(proto string, ap netip.AddrPort, n int) ([]time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	typ := unix.SOCK_STREAM
	if proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if proto == "tcp" {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return nil, err
		}
	}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2}); err != nil {
		return nil, err
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		return nil, err
	}
	c := &rawClient{fd: fd, stream: proto == "tcp", buf: make([]byte, 1<<16)}
	if _, err := c.exchange([]byte{byte(xcp.CmdConnect), 0}); err != nil {
		return nil, fmt.Errorf("CONNECT: %w", err)
	}
	defer c.exchange([]byte{byte(xcp.CmdDisconnect)})
	gs := []byte{byte(xcp.CmdGetStatus)}
	for range 100 {
		if _, err := c.exchange(gs); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		t0 := time.Now()
		p, err := c.exchange(gs)
		if err != nil {
			return nil, err
		}
		out[i] = time.Since(t0)
		if len(p) != 6 || p[0] != xcp.PIDRes {
			return nil, fmt.Errorf("GET_STATUS answer % X", p)
		}
	}
	return out, nil
}

type rawClient struct {
	fd     int
	stream bool
	ctr    uint16
	buf    []byte
	frame  [64]byte
}

// exchange sends one command packet and returns the first RES/ERR packet.
func (c *rawClient) exchange(cmd []byte) ([]byte, error) {
	f := c.frame[:4+len(cmd)]
	binary.LittleEndian.PutUint16(f, uint16(len(cmd)))
	binary.LittleEndian.PutUint16(f[2:], c.ctr)
	copy(f[4:], cmd)
	c.ctr++
	if _, err := eintr(func() (int, error) { return unix.Write(c.fd, f) }); err != nil {
		return nil, err
	}
	for {
		p, err := c.read()
		if err != nil {
			return nil, err
		}
		if len(p) > 0 && p[0] >= xcp.PIDErr {
			return p, nil
		}
	}
}

// read returns the next packet (one frame of a stream or datagram).
func (c *rawClient) read() ([]byte, error) {
	if !c.stream {
		k, err := eintr(func() (int, error) { return unix.Read(c.fd, c.buf) })
		if err != nil {
			return nil, err
		}
		if k < 4 {
			return nil, errors.New("short datagram")
		}
		l := int(binary.LittleEndian.Uint16(c.buf))
		if 4+l > k {
			return nil, errors.New("truncated datagram")
		}
		return c.buf[4 : 4+l], nil
	}
	if err := c.full(c.buf[:4]); err != nil {
		return nil, err
	}
	l := int(binary.LittleEndian.Uint16(c.buf))
	if err := c.full(c.buf[4 : 4+l]); err != nil {
		return nil, err
	}
	return c.buf[4 : 4+l], nil
}

func (c *rawClient) full(b []byte) error {
	for len(b) > 0 {
		k, err := eintr(func() (int, error) { return unix.Read(c.fd, b) })
		if err != nil {
			return err
		}
		if k == 0 {
			return errors.New("connection closed")
		}
		b = b[k:]
	}
	return nil
}

// eintr repeats a system call the Go runtime's preemption signal
// interrupted (a C client installs its handlers with SA_RESTART).
func eintr(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}
