// Package memconn provides an in-process pair of connected transport.Conns,
// for tests and for running a master and the simulator in one process
// without sockets. Packets are copied, so neither side sees the other's
// buffers.
package memconn

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/transport"
)

type pipe struct {
	ch     chan []byte
	closed chan struct{}
	once   sync.Once
}

// Conn is one end of a pair made by Pipe.
type Conn struct {
	in, out *pipe
	self    chan struct{} // closed by this end's Close
	wake    chan struct{} // Wake: the next blocked Recv returns ErrWoken
	selfOne sync.Once
	info    transport.Info
	start   time.Time
	stats   struct{ ps, pr, bs, br atomic.Uint64 }
}

// Pipe returns two connected ends. buf is the number of packets each
// direction queues before Send blocks (0: Send waits for the peer's Recv).
// Like a stream socket, packets sent before the peer closed are still
// received; after an end's own Close its Recv and Send fail.
func Pipe(buf int) (a, b *Conn) {
	buf = max(buf, 0)
	p1 := &pipe{ch: make(chan []byte, buf), closed: make(chan struct{})}
	p2 := &pipe{ch: make(chan []byte, buf), closed: make(chan struct{})}
	now := time.Now()
	a = &Conn{wake: make(chan struct{}, 1), in: p1, out: p2, self: make(chan struct{}), start: now, info: transport.Info{Kind: "mem", Local: "a", Remote: "b", Start: now}}
	b = &Conn{wake: make(chan struct{}, 1), in: p2, out: p1, self: make(chan struct{}), start: now, info: transport.Info{Kind: "mem", Local: "b", Remote: "a", Start: now}}
	return a, b
}

// Send implements transport.Conn.
func (c *Conn) Send(ctx context.Context, packet []byte) error {
	cp := append([]byte(nil), packet...)
	select {
	case <-c.in.closed:
		return net.ErrClosed
	case <-c.out.closed:
		return net.ErrClosed
	default:
	}
	select {
	case c.out.ch <- cp:
		c.stats.ps.Add(1)
		c.stats.bs.Add(uint64(len(cp)))
		return nil
	case <-c.in.closed:
		return net.ErrClosed
	case <-c.out.closed:
		return net.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errWoken = fmt.Errorf("memconn: receive: %w", transport.ErrWoken)

// Wake implements transport.Waker.
func (c *Conn) Wake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Recv implements transport.Conn.
func (c *Conn) Recv(ctx context.Context) (transport.Packet, error) {
	select {
	case <-c.self:
		return transport.Packet{}, net.ErrClosed
	default:
	}
	select {
	case p := <-c.in.ch:
		return c.received(p), nil
	case <-c.self:
		return transport.Packet{}, net.ErrClosed
	case <-c.in.closed:
		// The peer closed: what it sent before is still delivered.
		select {
		case <-c.self:
			return transport.Packet{}, net.ErrClosed
		default:
		}
		select {
		case p := <-c.in.ch:
			return c.received(p), nil
		default:
			return transport.Packet{}, net.ErrClosed
		}
	case <-c.wake:
		return transport.Packet{}, errWoken
	case <-ctx.Done():
		return transport.Packet{}, ctx.Err()
	}
}

func (c *Conn) received(p []byte) transport.Packet {
	c.stats.pr.Add(1)
	c.stats.br.Add(uint64(len(p)))
	return transport.Packet{Data: p, Time: int64(time.Since(c.start))}
}

// Close implements transport.Conn; it closes both directions.
func (c *Conn) Close() error {
	c.selfOne.Do(func() { close(c.self) })
	c.in.once.Do(func() { close(c.in.closed) })
	c.out.once.Do(func() { close(c.out.closed) })
	return nil
}

// Info implements transport.Conn.
func (c *Conn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *Conn) Stats() transport.Stats {
	return transport.Stats{PacketsSent: c.stats.ps.Load(), PacketsReceived: c.stats.pr.Load(),
		BytesSent: c.stats.bs.Load(), BytesReceived: c.stats.br.Load()}
}
