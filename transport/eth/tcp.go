package eth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"github.com/goxcp/goxcp/transport"
)

// tcpConn is XCP on TCP, master or slave side.
type tcpConn struct {
	nc   *net.TCPConn
	io   io.ReadWriteCloser // nc, or the rawSock that replaced it (raw)
	info transport.Info
	clk  clock
	st   stats

	// receive side, used by one goroutine at a time
	rs   *stream
	rd   *deadliner
	ctr  ctrTracker
	rerr error       // fatal receive error (bad framing)
	wake atomic.Bool // set by Wake: Recv returns ErrWoken

	// send side, guarded by snd.mu
	snd  sender
	wd   *deadliner
	werr error // fatal send error (a frame was cut)

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

func newTCPConn(nc *net.TCPConn) *tcpConn {
	c := &tcpConn{nc: nc, info: newInfo("tcp", nc.LocalAddr(), nc.RemoteAddr(), MaxPacket)}
	c.ctr.ordered = true // a TCP stream cannot reorder: every CTR jump is a loss
	c.clk = clock{start: c.info.Start}
	c.io = nc
	c.rs = newStream(nc, c.clk.now)
	c.rd = newDeadliner(nc.SetReadDeadline)
	c.wd = newDeadliner(nc.SetWriteDeadline)
	c.snd.max, c.snd.limit = MaxPacket, streamBuf
	c.snd.buf = make([]byte, 0, 1024)
	c.snd.ready, c.snd.write = c.sendReady, c.write
	return c
}

// raw takes the socket out of Go's netpoller (rawSock), for the master
// side. Where that is not possible the connection stays as it is.
func (c *tcpConn) raw() {
	rs, err := newRawSock(c.nc)
	if err != nil {
		return
	}
	c.io = rs
	c.rs.rd = rs
	c.rd = newDeadliner(rs.setReadDeadline)
	c.wd = newDeadliner(rs.setWriteDeadline)
}

// Recv implements transport.Conn.
func (c *tcpConn) Recv(ctx context.Context) (transport.Packet, error) {
	if c.closed.Load() {
		// Frames still buffered are not delivered after Close.
		return transport.Packet{}, fmt.Errorf("eth: tcp receive: %w", net.ErrClosed)
	}
	if c.rerr != nil {
		return transport.Packet{}, c.rerr
	}
	for {
		if err := c.rd.arm(ctx); err != nil {
			return transport.Packet{}, err
		}
		if c.wake.Load() && c.wake.Swap(false) {
			return transport.Packet{}, errWokenTCP
		}
		pkt, ctr, err := c.rs.next()
		if err != nil {
			if e, ok := ctxErr(ctx, err); ok {
				return transport.Packet{}, e
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				// Only Wake expires the deadline without ctx: either
				// its flag is still set, or a Wake whose flag the check
				// above consumed left the deadline expired (the next arm
				// sets it again).
				continue
			}
			err = fmt.Errorf("eth: tcp receive: %w", err)
			var fe *FrameError
			if errors.As(err, &fe) {
				c.rerr = err
			}
			return transport.Packet{}, err
		}
		c.st.br.Add(uint64(HeaderLen + len(pkt)))
		if c.ctr.repeated(ctr) {
			c.st.dup.Add(1)
			continue
		}
		c.st.pr.Add(1)
		addLost(&c.st.lost, c.ctr.observe(ctr))
		return transport.Packet{Data: pkt, Time: c.rs.time, Ctr: ctr}, nil
	}
}

// Wake implements transport.Waker.
func (c *tcpConn) Wake() {
	c.wake.Store(true)
	c.rd.interrupt()
}

// Send implements transport.Conn: one write call per frame.
func (c *tcpConn) Send(ctx context.Context, packet []byte) error { return c.snd.send(ctx, packet, 1) }

// SendTwice implements Duplicator.
func (c *tcpConn) SendTwice(ctx context.Context, packet []byte) error {
	return c.snd.send(ctx, packet, 2)
}

// SendBatch sends several packets, each in its own frame with its own CTR,
// with as few write calls as possible (for STIM and master block mode).
func (c *tcpConn) SendBatch(ctx context.Context, packets [][]byte) error {
	return c.snd.sendBatch(ctx, packets)
}

// sendReady is the sender's ready: a cut frame ends sending for good.
func (c *tcpConn) sendReady(ctx context.Context) error {
	if c.werr != nil {
		return c.werr
	}
	return c.wd.arm(ctx)
}

// write writes the frames f (n packets); callers hold snd.mu.
func (c *tcpConn) write(ctx context.Context, f []byte, n int) error {
	w, err := c.io.Write(f)
	if err == nil {
		c.st.ps.Add(uint64(n))
		c.st.bs.Add(uint64(w))
		return nil
	}
	if w == 0 {
		c.snd.ctr -= uint16(n) // the frames never left: reuse their counters
	}
	if w > 0 {
		// Part of the frames left: the stream is out of step for the peer.
		c.werr = fmt.Errorf("eth: tcp send: connection closed after a frame was cut off (%d of %d bytes written): %w", w, len(f), err)
		c.Close()
	}
	if e, ok := ctxErr(ctx, err); ok {
		return e
	}
	return fmt.Errorf("eth: tcp send: %w", err)
}

// Close implements transport.Conn.
func (c *tcpConn) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.closeErr = c.io.Close()
		c.rd.release()
		c.wd.release()
	})
	return c.closeErr
}

// Info implements transport.Conn.
func (c *tcpConn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *tcpConn) Stats() transport.Stats { return c.st.snapshot() }
