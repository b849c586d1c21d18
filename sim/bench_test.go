package sim

import (
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// BenchmarkGetStatus measures one command round trip through the slave over
// an in-process pipe.
func BenchmarkGetStatus(b *testing.B) {
	_, c := start(b, Config{})
	req := xcp.GetStatus{}.Append(nil, c.f)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.conn.Send(c.ctx, req); err != nil {
			b.Fatal(err)
		}
		if _, err := c.conn.Recv(c.ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpload measures UPLOAD of 252 bytes (one packet at MAX_CTO 255)
// from scratch RAM.
func BenchmarkUpload(b *testing.B) {
	_, c := start(b, Config{})
	c.setMTA(ScratchBase, 0)
	mta := xcp.SetMTA{Addr: ScratchBase}.Append(nil, c.f)
	up := xcp.Upload{N: 252}.Append(nil, c.f)
	b.SetBytes(252)
	b.ReportAllocs()
	for b.Loop() {
		for _, req := range [][]byte{mta, up} {
			if err := c.conn.Send(c.ctx, req); err != nil {
				b.Fatal(err)
			}
			if _, err := c.conn.Recv(c.ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}
