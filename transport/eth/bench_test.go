package eth_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/transport"
)

// blast makes s send packets of the given size to its peer as fast as it
// can, perBatch packets per write (one datagram over UDP), until s is
// closed. It returns a channel closed when the sender stopped.
func blast(s transport.Conn, size, perBatch int) chan struct{} {
	done := make(chan struct{})
	batch := make([][]byte, perBatch)
	for i := range batch {
		batch[i] = make([]byte, size)
	}
	type batcher interface {
		SendBatch(context.Context, [][]byte) error
	}
	go func() {
		defer close(done)
		ctx := context.Background()
		for {
			var err error
			if perBatch == 1 {
				err = s.Send(ctx, batch[0])
			} else {
				err = s.(batcher).SendBatch(ctx, batch)
			}
			if err != nil {
				return
			}
		}
	}()
	return done
}

// BenchmarkRecv measures the master's receive path with a slave blasting
// DTOs: packets/s and allocations per Recv (which must be 0). "batch" is
// the number of packets per write: over UDP the datagram size (8 KB jumbo
// datagrams as real slaves send, or one packet per datagram).
func BenchmarkRecv(b *testing.B) {
	cases := []struct {
		proto       string
		size, batch int
	}{
		{"tcp", 16, 256},
		{"tcp", 64, 128},
		{"tcp", 1024, 16},
		{"udp", 16, 8000 / 20},
		{"udp", 64, 8000 / 68},
		{"udp", 1024, 7},
		{"udp", 64, 1},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/size=%d/batch=%d", c.proto, c.size, c.batch), func(b *testing.B) {
			m, s, l, err := openPair(c.proto, "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			done := blast(s, c.size, c.batch)
			ctx := context.Background()
			var bytes int
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				p, err := m.Recv(ctx)
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(p.Data)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
			b.SetBytes(int64(c.size))
			st := m.Stats()
			b.ReportMetric(float64(st.Lost), "lost")
			s.Close()
			m.Close()
			<-done
		})
	}
}

// BenchmarkSend measures Send of one packet (one write call) and its
// allocations (0 expected), with the peer draining.
func BenchmarkSend(b *testing.B) {
	for _, proto := range []string{"tcp", "udp"} {
		b.Run(proto, func(b *testing.B) {
			m, s, l, err := openPair(proto, "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			drained := make(chan struct{})
			go func() {
				defer close(drained)
				for {
					if _, err := s.Recv(context.Background()); err != nil {
						return
					}
				}
			}()
			pkt := make([]byte, 8)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := m.Send(ctx, pkt); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			m.Close()
			s.Close()
			<-drained
		})
	}
}
