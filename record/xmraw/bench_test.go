package xmraw

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkRead reads pyXCP's reference recording from memory: container
// LZ4 decompression, frame parsing and pyXCP-rule decoding of every
// sample; reports samples/s.
//
//	go test -run XXX -bench Read ./record/xmraw
func BenchmarkRead(b *testing.B) {
	data, err := os.ReadFile("../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw")
	if err != nil {
		b.Skipf("reference recording not available: %v", err)
	}
	var rows int
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		d, err := NewDecoder(r.Params())
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			if d.Decode(r.Frame()) {
				rows++
			}
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
