package master

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// loopConn is a transport.Conn with a built-in slave that answers inside
// Send without allocating, so benchmarks measure the master alone.
type loopConn struct {
	f          xcp.Format
	ring       [128][]byte
	next       int
	ch         chan int
	closed     chan struct{}
	once       sync.Once
	mem        []byte
	mta        uint32
	pending    int
	masterBlk  bool
	slaveBlock bool
}

func newLoopConn(f xcp.Format, memSize int, slaveBlock, masterBlock bool) *loopConn {
	c := &loopConn{f: f, ch: make(chan int, 128), closed: make(chan struct{}), mem: make([]byte, memSize),
		slaveBlock: slaveBlock, masterBlk: masterBlock}
	for i := range c.ring {
		c.ring[i] = make([]byte, 0, 300)
	}
	return c
}

func (c *loopConn) emit(build func(b []byte) []byte) {
	i := c.next % len(c.ring)
	c.next++
	c.ring[i] = build(c.ring[i][:0])
	c.ch <- i
}

func (c *loopConn) Send(_ context.Context, req []byte) error {
	f := c.f
	ag := f.AG.Size()
	switch xcp.Command(req[0]) {
	case xcp.CmdConnect:
		basic := byte(f.Order) | f.AG.Bits()<<1 | xcp.CommModeOptional
		if c.slaveBlock {
			basic |= xcp.CommModeSlaveBlockMode
		}
		r := xcp.ConnectResponse{Resource: xcp.ResCalPag, CommModeBasic: basic, MaxCTO: uint8(f.MaxCTO), MaxDTO: uint16(f.MaxDTO)}
		c.emit(func(b []byte) []byte { return r.Append(b, f) })
	case xcp.CmdGetCommModeInfo:
		r := xcp.GetCommModeInfoResponse{MaxBS: 255}
		if c.masterBlk {
			r.CommModeOptional = xcp.CommModeMasterBlockMode
		}
		c.emit(func(b []byte) []byte { return r.Append(b, f) })
	case xcp.CmdGetStatus:
		c.emit(func(b []byte) []byte { return append(b, xcp.PIDRes, 0, 0, 0, 0, 0) })
	case xcp.CmdSetMTA:
		c.mta = f.Order.Uint32(req[4:])
		c.emit(func(b []byte) []byte { return append(b, xcp.PIDRes) })
	case xcp.CmdShortUpload:
		c.mta = f.Order.Uint32(req[4:])
		c.upload(int(req[1]))
	case xcp.CmdUpload:
		c.upload(int(req[1]))
	case xcp.CmdShortDownload:
		n := int(req[1]) * ag
		copy(c.mem[f.Order.Uint32(req[4:]):], req[8:8+n])
		c.emit(func(b []byte) []byte { return append(b, xcp.PIDRes) })
	case xcp.CmdDownload, xcp.CmdDownloadNext:
		hdr := max(2, ag)
		n := int(req[1])
		data := req[hdr:]
		copy(c.mem[c.mta:], data)
		c.mta += uint32(len(data))
		c.pending = n - len(data)/ag
		if c.pending <= 0 {
			c.emit(func(b []byte) []byte { return append(b, xcp.PIDRes) })
		}
	default:
		c.emit(func(b []byte) []byte { return append(b, xcp.PIDErr, byte(xcp.ErrCmdUnknown)) })
	}
	return nil
}

func (c *loopConn) upload(n int) {
	f := c.f
	ag := f.AG.Size()
	per := f.MaxUploadElements()
	for off := 0; off < n; off += per {
		k := min(per, n-off)
		c.emit(func(b []byte) []byte {
			b = append(b, xcp.PIDRes)
			for range ag - 1 {
				b = append(b, 0)
			}
			return append(b, c.mem[c.mta:c.mta+uint32(k*ag)]...)
		})
		c.mta += uint32(k * ag)
	}
}

func (c *loopConn) Recv(ctx context.Context) (transport.Packet, error) {
	select {
	case i := <-c.ch:
		return transport.Packet{Data: c.ring[i]}, nil
	case <-c.closed:
		return transport.Packet{}, net.ErrClosed
	case <-ctx.Done():
		return transport.Packet{}, ctx.Err()
	}
}

func (c *loopConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *loopConn) Info() transport.Info   { return transport.Info{Kind: "loop", Start: time.Now()} }
func (c *loopConn) Stats() transport.Stats { return transport.Stats{} }

func benchMaster(b *testing.B, f xcp.Format, mem int, slaveBlock, masterBlock bool) *Master {
	m := New(newLoopConn(f, mem, slaveBlock, masterBlock), Config{})
	b.Cleanup(func() { m.Close() })
	if _, err := m.Connect(b.Context(), xcp.ConnectNormal); err != nil {
		b.Fatal(err)
	}
	return m
}

var benchFormat = xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024}

func BenchmarkGetStatus(b *testing.B) {
	m := benchMaster(b, benchFormat, 1024, true, true)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.GetStatus(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadShort(b *testing.B) {
	m := benchMaster(b, benchFormat, 1024, true, true)
	ctx := b.Context()
	dst := make([]byte, 4)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ReadInto(ctx, 0x10, 0, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteShort(b *testing.B) {
	m := benchMaster(b, benchFormat, 1024, true, true)
	ctx := b.Context()
	data := []byte{1, 2, 3, 4}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Write(ctx, 0x10, 0, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead1MiB reads 1 MiB with MAX_CTO 255 in slave block mode.
func BenchmarkRead1MiB(b *testing.B) {
	m := benchMaster(b, benchFormat, 1<<20, true, true)
	ctx := b.Context()
	dst := make([]byte, 1<<20)
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.ReadInto(ctx, 0, 0, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite64KiB writes 64 KiB with MAX_CTO 8 in master block mode
// (DOWNLOAD + DOWNLOAD_NEXT).
func BenchmarkWrite64KiB(b *testing.B) {
	m := benchMaster(b, xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 8, MaxDTO: 8}, 1<<16, true, true)
	ctx := b.Context()
	data := make([]byte, 1<<16)
	b.SetBytes(1 << 16)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Write(ctx, 0, 0, data); err != nil {
			b.Fatal(err)
		}
	}
}
