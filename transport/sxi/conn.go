package sxi

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
	"time"

	"github.com/goxcp/goxcp/transport"
)

// DefaultIdleFlush is how long the line must stay silent with a partial
// frame buffered before that frame is given up (the inter-byte timeout).
const DefaultIdleFlush = 50 * time.Millisecond

// Options configure a Conn.
type Options struct {
	// IdleFlush is the inter-byte timeout (0 = DefaultIdleFlush).
	IdleFlush time.Duration
	// Name describes the line in Info (e.g. "/dev/ttyUSB0").
	Name string
	// Logger receives resynchronisation reports (nil = silent).
	Logger *slog.Logger
	// Queue is the number of decoded packets buffered for Recv (0 = 4096).
	Queue int
}

// Conn is XCP on SxI over a byte stream. It implements transport.Conn.
type Conn struct {
	rwc   io.ReadWriteCloser
	f     Framing
	opts  Options
	log   *slog.Logger
	start time.Time
	info  transport.Info

	wmu  sync.Mutex
	wbuf []byte
	ctr  uint16

	pkts      chan transport.Packet
	done      chan struct{} // closed when the reader ends
	readErr   error         // why the reader ended (valid after done)
	closeOnce sync.Once
	closed    atomic.Bool

	sent, sentBytes, rcvd, rcvdBytes, lost atomic.Uint64
	garbage                                atomic.Uint64
}

// NewConn starts XCP on SxI over rwc with framing f. It starts one reader
// goroutine that ends when the Conn is closed. If rwc supports read
// deadlines (SetReadDeadline) or read timeouts (SetReadTimeout, as serial
// ports do), a partial frame is given up after the idle time; otherwise
// only a checksum or SYNC/ESC framing resynchronises the line.
func NewConn(rwc io.ReadWriteCloser, f Framing, opts Options) (*Conn, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if opts.IdleFlush <= 0 {
		opts.IdleFlush = DefaultIdleFlush
	}
	if opts.Queue <= 0 {
		opts.Queue = 4096
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now()
	c := &Conn{
		rwc: rwc, f: f, opts: opts, log: log, start: now,
		info: transport.Info{Kind: "sxi", Local: "master", Remote: opts.Name, Start: now, MaxPacket: f.maxPacket(), CounterBits: f.Header.CounterBits()},
		pkts: make(chan transport.Packet, opts.Queue),
		done: make(chan struct{}),
	}
	go c.reader()
	return c, nil
}

type readTimeouter interface {
	SetReadTimeout(time.Duration) error
}

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

func (c *Conn) reader() {
	defer close(c.done)
	dec := NewDecoder(c.f)
	buf := make([]byte, 4096)
	dl, hasDeadline := c.rwc.(readDeadliner)
	if f, ok := c.rwc.(*os.File); ok {
		// A file that is not pollable (a blocking tty) rejects deadlines.
		if f.SetReadDeadline(time.Time{}) != nil {
			hasDeadline = false
		}
	}
	if rt, ok := c.rwc.(readTimeouter); ok && !hasDeadline {
		_ = rt.SetReadTimeout(c.opts.IdleFlush)
	}
	var expectCtr uint16
	haveCtr := false
	var now int64
	emit := func(p []byte, ctr uint16) {
		if c.f.Header.hasCtr() {
			if haveCtr && ctr != expectCtr {
				gap := uint64(ctr - expectCtr)
				if !c.f.Header.word() {
					gap = uint64(uint8(ctr) - uint8(expectCtr))
				}
				c.lost.Add(gap)
			}
			haveCtr = true
			expectCtr = ctr + 1
		}
		c.rcvd.Add(1)
		pkt := transport.Packet{Data: append([]byte(nil), p...), Time: now, Ctr: ctr}
		select {
		case c.pkts <- pkt:
		default:
			c.garbage.Add(1)
			c.log.Warn("sxi: receive queue full, packet dropped")
		}
	}
	for {
		if hasDeadline {
			if dec.Pending() {
				_ = dl.SetReadDeadline(time.Now().Add(c.opts.IdleFlush))
			} else {
				_ = dl.SetReadDeadline(time.Time{})
			}
		}
		n, err := c.rwc.Read(buf)
		now = int64(time.Since(c.start))
		if n > 0 {
			c.rcvdBytes.Add(uint64(n))
			g := dec.Garbage()
			dec.Feed(buf[:n], emit)
			if d := dec.Garbage() - g; d > 0 {
				c.garbage.Add(d)
				c.log.Debug("sxi: resynchronising, bytes discarded", "bytes", d)
			}
			continue
		}
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			// Idle line (read timeout): give up a partial frame.
			if dec.Pending() {
				g := dec.Garbage()
				dec.Flush(emit)
				c.garbage.Add(dec.Garbage() - g)
				c.log.Debug("sxi: partial frame given up after idle time", "bytes", dec.Garbage()-g)
			}
			if err == nil && !hasDeadline {
				if _, ok := c.rwc.(readTimeouter); !ok {
					// A reader returning 0, nil without timeouts: avoid a busy loop.
					time.Sleep(time.Millisecond)
				}
			}
			continue
		}
		if c.closed.Load() {
			c.readErr = net.ErrClosed
		} else {
			c.readErr = fmt.Errorf("sxi: read %s: %w", c.opts.Name, err)
		}
		return
	}
}

// Send implements transport.Conn.
func (c *Conn) Send(ctx context.Context, packet []byte) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	frame, err := c.f.AppendFrame(c.wbuf[:0], c.ctr, packet)
	if err != nil {
		return err
	}
	c.wbuf = frame
	if d, ok := ctx.Deadline(); ok {
		if wd, ok := c.rwc.(interface{ SetWriteDeadline(time.Time) error }); ok {
			_ = wd.SetWriteDeadline(d)
			defer wd.SetWriteDeadline(time.Time{})
		}
	}
	if _, err := c.rwc.Write(frame); err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		return fmt.Errorf("sxi: write %s: %w", c.opts.Name, err)
	}
	c.ctr++
	c.sent.Add(1)
	c.sentBytes.Add(uint64(len(frame)))
	return nil
}

// Recv implements transport.Conn.
func (c *Conn) Recv(ctx context.Context) (transport.Packet, error) {
	select {
	case p := <-c.pkts:
		return p, nil
	default:
	}
	select {
	case p := <-c.pkts:
		return p, nil
	case <-c.done:
		select {
		case p := <-c.pkts:
			return p, nil
		default:
		}
		return transport.Packet{}, c.readErr
	case <-ctx.Done():
		return transport.Packet{}, ctx.Err()
	}
}

// Close implements transport.Conn. It closes the underlying stream and
// waits for the reader goroutine to end.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		err = c.rwc.Close()
		<-c.done
	})
	return err
}

// Info implements transport.Conn.
func (c *Conn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *Conn) Stats() transport.Stats {
	return transport.Stats{
		PacketsSent: c.sent.Load(), PacketsReceived: c.rcvd.Load(),
		BytesSent: c.sentBytes.Load(), BytesReceived: c.rcvdBytes.Load(),
		Lost: c.lost.Load(), Garbage: c.garbage.Load(),
	}
}
