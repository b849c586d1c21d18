package master_test

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	"goxcp/master"
	"goxcp/sim"
)

// Benchmarks of the master against the simulator over loopback sockets,
// with a raw-socket ping-pong of the same frames as the baseline:
//
//	go test -run XXX -bench 'Sim|Raw' -benchmem ./master

func benchSim(b *testing.B, network string, cfg sim.Config) *master.Master {
	_, m := startSim(b, network, cfg)
	return m
}

func BenchmarkSimGetStatusTCP(b *testing.B) { benchGetStatus(b, benchSim(b, "tcp", sim.Config{})) }
func BenchmarkSimGetStatusUDP(b *testing.B) { benchGetStatus(b, benchSim(b, "udp", sim.Config{})) }

func benchGetStatus(b *testing.B, m *master.Master) {
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.GetStatus(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimRead1MiBTCP reads 1 MiB of simulator RAM (MAX_CTO 255, slave
// block mode).
func BenchmarkSimRead1MiBTCP(b *testing.B) {
	m := benchSim(b, "tcp", sim.Config{RAMSize: 2 << 20})
	ctx := b.Context()
	dst := make([]byte, 1<<20)
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ReadInto(ctx, sim.RAMBase, 0, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// getStatusFrame is GET_STATUS in an XCP-on-Ethernet frame; statusFrame
// the 6-byte response.
var (
	getStatusFrame = []byte{1, 0, 0, 0, 0xFD}
	statusFrame    = []byte{6, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0}
)

// BenchmarkRawPingPongTCP is the baseline: the same request and response
// frames over a plain TCP socket pair, no XCP logic.
func BenchmarkRawPingPongTCP(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req := make([]byte, len(getStatusFrame))
		for {
			if _, err := io.ReadFull(c, req); err != nil {
				return
			}
			if _, err := c.Write(statusFrame); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	c.(*net.TCPConn).SetNoDelay(true)
	resp := make([]byte, len(statusFrame))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(getStatusFrame); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, resp); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	<-done
}

// BenchmarkRawPingPongUDP is the UDP baseline.
func BenchmarkRawPingPongUDP(b *testing.B) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64)
		for {
			n, from, err := srv.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if n >= 4 && binary.LittleEndian.Uint16(buf) == 1 {
				srv.WriteToUDPAddrPort(statusFrame, from)
			}
		}
	}()
	c, err := net.DialUDP("udp", nil, srv.LocalAddr().(*net.UDPAddr))
	if err != nil {
		b.Fatal(err)
	}
	resp := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(getStatusFrame); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(resp); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	srv.Close()
	<-done
}
