package eth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/goxcp/goxcp/transport"
)

// datagramBuf is the size of a UDP read buffer: every datagram fits.
const datagramBuf = 1 << 16

// maxUDPFor returns the largest packet that fits a datagram to addr.
func maxUDPFor(addr net.Addr) int {
	if ua, ok := addr.(*net.UDPAddr); ok && ua.IP.To4() == nil {
		return maxUDPPacket6
	}
	return maxUDPPacket4
}

// udpRecv is the receive state shared by both kinds of UDP connection: the
// datagram being split and the CTR tracking.
type udpRecv struct {
	g    datagram
	time int64
	ctr  ctrTracker
	log  *slog.Logger
	st   *stats
	from string // the peer, for log messages
}

// take returns the next packet of the current datagram, if any.
func (r *udpRecv) take() (transport.Packet, bool) {
	for r.g.more() {
		pkt, ctr := r.g.next()
		if r.ctr.repeated(ctr) {
			r.st.dup.Add(1) // a duplicated datagram
			continue
		}
		r.st.pr.Add(1)
		addLost(&r.st.lost, r.ctr.observe(ctr))
		return transport.Packet{Data: pkt, Time: r.time, Ctr: ctr}, true
	}
	return transport.Packet{}, false
}

// load starts splitting datagram d received at time t. A datagram with a
// bad frame is counted as garbage, logged and skipped whole (load reports
// false): its frames cannot be trusted.
func (r *udpRecv) load(d []byte, t int64) bool {
	r.st.br.Add(uint64(len(d)))
	if _, err := checkDatagram(d); err != nil {
		r.st.garbage.Add(1)
		if r.log != nil {
			r.log.Warn("xcp on udp: datagram skipped", "from", r.from, "bytes", len(d), "err", err)
		}
		return false
	}
	r.g = datagram{d: d}
	r.time = t
	return true
}

// udpConn is the master side of XCP on UDP: a connected socket of its own.
type udpConn struct {
	nc   *net.UDPConn
	io   io.ReadWriteCloser // nc, or the rawSock that replaced it (raw)
	info transport.Info
	clk  clock
	st   stats

	// receive side, used by one goroutine at a time
	buf  []byte
	rd   *deadliner
	r    udpRecv
	wake atomic.Bool // set by Wake: Recv returns ErrWoken

	// send side
	snd sender
	wd  *deadliner

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

func newUDPConn(nc *net.UDPConn, log *slog.Logger) *udpConn {
	max := maxUDPFor(nc.RemoteAddr())
	c := &udpConn{nc: nc, info: newInfo("udp", nc.LocalAddr(), nc.RemoteAddr(), max)}
	c.clk = clock{start: c.info.Start}
	c.io = nc
	c.buf = make([]byte, datagramBuf)
	c.rd = newDeadliner(nc.SetReadDeadline)
	c.wd = newDeadliner(nc.SetWriteDeadline)
	c.r = udpRecv{log: log, st: &c.st, from: c.info.Remote}
	c.snd.max, c.snd.limit = max, max+HeaderLen
	c.snd.buf = make([]byte, 0, 1024)
	c.snd.ready, c.snd.write = c.wd.arm, c.write
	return c
}

// raw takes the socket out of Go's netpoller (rawSock). Where that is
// not possible the connection stays as it is.
func (c *udpConn) raw() {
	rs, err := newRawSock(c.nc)
	if err != nil {
		return
	}
	c.io = rs
	c.rd = newDeadliner(rs.setReadDeadline)
	c.wd = newDeadliner(rs.setWriteDeadline)
	c.snd.ready = c.wd.arm
}

// Recv implements transport.Conn.
func (c *udpConn) Recv(ctx context.Context) (transport.Packet, error) {
	if c.closed.Load() {
		// Frames still buffered are not delivered after Close.
		return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
	}
	for {
		if p, ok := c.r.take(); ok {
			return p, nil
		}
		if err := c.rd.arm(ctx); err != nil {
			return transport.Packet{}, err
		}
		if c.wake.Load() && c.wake.Swap(false) {
			return transport.Packet{}, errWokenUDP
		}
		n, err := c.io.Read(c.buf)
		if err != nil {
			if e, ok := ctxErr(ctx, err); ok {
				return transport.Packet{}, e
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue // expired by Wake (see tcpConn.Recv)
			}
			if errors.Is(err, syscall.ECONNREFUSED) {
				// An ICMP "port unreachable" for an earlier datagram.
				// Before anything arrived from the peer, nothing listens
				// there: say so at once instead of letting CONNECT time
				// out. Later, the slave is gone for now (a reset): UDP has
				// no connection to lose, the master's timeouts and the
				// recorder's watchdog handle it, and the same socket works
				// again when the slave is back.
				if c.st.pr.Load() == 0 {
					return transport.Packet{}, &transport.LostError{Op: "receive",
						Err: fmt.Errorf("eth: udp: nothing listens on %s (ICMP port unreachable): %w", c.info.Remote, err)}
				}
				if c.r.log != nil {
					c.r.log.Warn("xcp on udp: slave port unreachable", "slave", c.info.Remote)
				}
				continue
			}
			return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", err)
		}
		c.r.load(c.buf[:n], c.clk.now())
	}
}

// Wake implements transport.Waker.
func (c *udpConn) Wake() {
	c.wake.Store(true)
	c.rd.interrupt()
}

// Send implements transport.Conn: one datagram per packet.
func (c *udpConn) Send(ctx context.Context, packet []byte) error { return c.snd.send(ctx, packet, 1) }

// SendTwice implements Duplicator.
func (c *udpConn) SendTwice(ctx context.Context, packet []byte) error {
	return c.snd.send(ctx, packet, 2)
}

// SendBatch sends several packets, each in its own frame with its own CTR,
// packed into as few datagrams as fit (for STIM and master block mode).
func (c *udpConn) SendBatch(ctx context.Context, packets [][]byte) error {
	return c.snd.sendBatch(ctx, packets)
}

func (c *udpConn) write(ctx context.Context, f []byte, n int) error {
	w, err := c.io.Write(f)
	if err != nil {
		c.snd.ctr -= uint16(n) // the datagram never left
		if e, ok := ctxErr(ctx, err); ok {
			return e
		}
		return fmt.Errorf("eth: udp send: %w", err)
	}
	c.st.ps.Add(uint64(n))
	c.st.bs.Add(uint64(w))
	return nil
}

// Close implements transport.Conn.
func (c *udpConn) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.closeErr = c.io.Close()
		c.rd.release()
		c.wd.release()
	})
	return c.closeErr
}

// Info implements transport.Conn.
func (c *udpConn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *udpConn) Stats() transport.Stats { return c.st.snapshot() }
