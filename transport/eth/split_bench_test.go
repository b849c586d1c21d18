package eth

import (
	"bytes"
	"fmt"
	"testing"
)

// loopReader returns the same data over and over.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

// BenchmarkSplit measures the CPU cost of framing alone (no sockets): the
// TCP stream splitter fed from memory, and the UDP datagram check and
// split, per packet.
func BenchmarkSplit(b *testing.B) {
	for _, size := range []int{8, 64, 1024} {
		var stream []byte
		for i := range 4096 {
			stream = append(stream, frame(uint16(i), bytes.Repeat([]byte{1}, size))...)
		}
		b.Run(fmt.Sprintf("tcp/size=%d", size), func(b *testing.B) {
			s := newStream(&loopReader{data: stream}, func() int64 { return 0 })
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.next(); err != nil {
					b.Fatal(err)
				}
			}
		})
		d := stream[:min(len(stream), 8000/(size+HeaderLen)*(size+HeaderLen))]
		b.Run(fmt.Sprintf("udp/size=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var g datagram
			for b.Loop() {
				if !g.more() {
					if _, err := checkDatagram(d); err != nil {
						b.Fatal(err)
					}
					g = datagram{d: d}
				}
				g.next()
			}
		})
	}
}
