package master_test

import (
	"testing"

	"github.com/goxcp/goxcp/internal/pingpong"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/sim"
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
func BenchmarkRawPingPongTCP(b *testing.B) { benchRaw(b, "tcp") }

// BenchmarkRawPingPongUDP is the UDP baseline.
func BenchmarkRawPingPongUDP(b *testing.B) { benchRaw(b, "udp") }

func benchRaw(b *testing.B, network string) {
	rt, stop := pingpong.Raw(b, network, getStatusFrame, statusFrame)
	defer stop()
	b.ReportAllocs()
	for b.Loop() {
		if err := rt(); err != nil {
			b.Fatal(err)
		}
	}
}
