package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/pingpong"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

// exchange is one command/response pair measured in three ways: master ↔
// simulator, eth transport ping-pong, and raw sockets carrying frames of
// the same sizes.
type exchange struct {
	name    string
	req     []byte // the XCP command packet
	respLen int    // length of the XCP response packet
	master  func(ctx context.Context, m *master.Master) error
}

var exchanges = []exchange{
	{
		name:    "GET_STATUS",
		req:     []byte{byte(xcp.CmdGetStatus)},
		respLen: 6,
		master: func(ctx context.Context, m *master.Master) error {
			_, err := m.GetStatus(ctx)
			return err
		},
	},
	{
		name: "SHORT_UPLOAD_4",
		// 4 bytes from the simulator's RAM (sim.RAMBase, Intel order);
		// ReadInto sends one SHORT_UPLOAD for a read that fits a packet.
		req:     []byte{byte(xcp.CmdShortUpload), 4, 0, 0, 0x00, 0x00, 0x10, 0x00},
		respLen: 5,
		master: func(ctx context.Context, m *master.Master) error {
			var buf [4]byte
			return m.ReadInto(ctx, sim.RAMBase, 0, buf[:])
		},
	},
}

// roundTrip performs one exchange; setup functions return one and a
// function releasing what it needs.
type roundTrip func() error

type setup func(b *testing.B, proto string, ex exchange) (roundTrip, func())

var kinds = []struct {
	name  string
	setup setup
}{
	{"raw", setupRaw},
	{"transport", setupTransport},
	{"master-sim", setupMasterSim},
}

// BenchmarkRoundTrip measures command round trips over loopback TCP and
// UDP: "master-sim" is a master command answered by the simulator;
// "transport" is a Send/Recv ping-pong over goxcp's eth transport with a
// fixed answer; "raw" is the same ping-pong with bare sockets and
// hand-built frames of the same sizes (the baseline).
func BenchmarkRoundTrip(b *testing.B) {
	for _, proto := range []string{"tcp", "udp"} {
		for _, ex := range exchanges {
			for _, k := range kinds {
				b.Run(fmt.Sprintf("%s/%s/%s", k.name, proto, ex.name), func(b *testing.B) {
					rt, stop := k.setup(b, proto, ex)
					defer stop()
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if err := rt(); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
				})
			}
		}
	}
}

// BenchmarkRoundTripVsRaw alternates the raw-socket baseline, the
// transport ping-pong and the master↔simulator exchange in the same loop,
// so that all see the same machine load, and reports each time and the
// ratio master/raw (target ≤ 1.3). The allocations reported are the sum
// of the three (the baseline allocates nothing).
func BenchmarkRoundTripVsRaw(b *testing.B) {
	for _, proto := range []string{"tcp", "udp"} {
		for _, ex := range exchanges {
			b.Run(fmt.Sprintf("%s/%s", proto, ex.name), func(b *testing.B) {
				raw, stopRaw := setupRaw(b, proto, ex)
				defer stopRaw()
				tr, stopTr := setupTransport(b, proto, ex)
				defer stopTr()
				mas, stopMas := setupMasterSim(b, proto, ex)
				defer stopMas()
				var tRaw, tTr, tMas time.Duration
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					t0 := time.Now()
					if err := raw(); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if err := tr(); err != nil {
						b.Fatal(err)
					}
					t2 := time.Now()
					if err := mas(); err != nil {
						b.Fatal(err)
					}
					tRaw += t1.Sub(t0)
					tTr += t2.Sub(t1)
					tMas += time.Since(t2)
				}
				b.StopTimer()
				n := float64(b.N)
				b.ReportMetric(float64(tRaw.Nanoseconds())/n, "raw-ns/op")
				b.ReportMetric(float64(tTr.Nanoseconds())/n, "transport-ns/op")
				b.ReportMetric(float64(tMas.Nanoseconds())/n, "master-ns/op")
				b.ReportMetric(float64(tMas)/float64(tRaw), "master/raw")
			})
		}
	}
}

// frameOf returns an XCP on Ethernet frame carrying an n-byte packet whose
// first byte is pid.
func frameOf(pid byte, n int) []byte {
	f := make([]byte, eth.HeaderLen+n)
	binary.LittleEndian.PutUint16(f, uint16(n))
	f[eth.HeaderLen] = pid
	return f
}

func setupRaw(b *testing.B, proto string, ex exchange) (roundTrip, func()) {
	return pingpong.Raw(b, proto, frameOf(ex.req[0], len(ex.req)), frameOf(xcp.PIDRes, ex.respLen))
}

func setupTransport(b *testing.B, proto string, ex exchange) (roundTrip, func()) {
	network := proto + "4"
	l, err := eth.Listen(network, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	port := netip.MustParseAddrPort(l.Addr().String()).Port()
	m, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: "127.0.0.1", Port: int(port)})
	if err != nil {
		b.Fatal(err)
	}
	resp := frameOf(xcp.PIDRes, ex.respLen)[eth.HeaderLen:]
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer s.Close()
		for {
			if _, err := s.Recv(ctx); err != nil {
				return
			}
			if err := s.Send(ctx, resp); err != nil {
				return
			}
		}
	}()
	rt := func() error {
		if err := m.Send(ctx, ex.req); err != nil {
			return err
		}
		if p, err := m.Recv(ctx); err != nil || len(p.Data) != ex.respLen {
			return fmt.Errorf("transport: %d bytes, %v", len(p.Data), err)
		}
		return nil
	}
	return rt, func() {
		m.Close()
		l.Close() // ends the UDP slave side
		<-done
	}
}

func setupMasterSim(b *testing.B, proto string, ex exchange) (roundTrip, func()) {
	ec, stop := serveSim(b, proto, "127.0.0.1", sim.Config{})
	m := connect(b, ec)
	ctx := context.Background()
	rt := func() error { return ex.master(ctx, m) }
	if err := rt(); err != nil {
		b.Fatal(err)
	}
	return rt, func() {
		m.Close()
		stop()
	}
}

// BenchmarkRead1MiB reads 1 MiB of simulator RAM with Master.ReadInto
// (SET_MTA and UPLOADs, slave block mode, MAX_CTO 255) over loopback TCP
// and UDP.
func BenchmarkRead1MiB(b *testing.B) {
	for _, proto := range []string{"tcp", "udp"} {
		b.Run(proto, func(b *testing.B) {
			ec, stop := serveSim(b, proto, "127.0.0.1", sim.Config{RAMSize: 2 << 20})
			defer stop()
			m := connect(b, ec)
			defer m.Close()
			ctx := context.Background()
			dst := make([]byte, 1<<20)
			if err := m.ReadInto(ctx, sim.RAMBase, 0, dst); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := m.ReadInto(ctx, sim.RAMBase, 0, dst); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if st := m.Conn().Stats(); st.Lost != 0 {
				b.Errorf("%d frames lost", st.Lost)
			}
		})
	}
}
