// Package usb implements XCP on USB (ASAM MCD-1 XCP 1.5 part 3): XCP
// packets travel in bulk transfers, each packet preceded by the same header
// formats as XCP on SxI (LEN, LEN+CTR, LEN+FILL as byte or word; no
// checksum), several packets may share one transfer, and a transfer that
// fills the endpoint's maximum packet size exactly is followed by more.
//
// The framing works over any pair of bulk endpoints (the Endpoints
// interface), so it is tested without hardware. Opening a real device
// needs libusb through github.com/google/gousb, which requires cgo: it is
// compiled only with the build tag `usb` (go build -tags usb). Without the
// tag, Open reports how to get USB support and the rest of goxcp stays
// CGO_ENABLED=0.
package usb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/sxi"
)

// Endpoints is a pair of bulk endpoints. Read returns the data of one
// bulk transfer (it may hold several XCP packets); Write sends one.
// Read must return promptly with an error after Close.
type Endpoints interface {
	Read(ctx context.Context, p []byte) (int, error)
	Write(ctx context.Context, p []byte) (int, error)
	Close() error
}

// Config says which USB device to open and how XCP is framed on it. It is
// a plain Go struct: the configuration file's keys are mapped onto it by
// package config.
type Config struct {
	VendorID      uint16
	ProductID     uint16
	SerialNumber  string // "" = first matching device
	Configuration int
	Interface     int
	OutEndpoint   int    // bulk OUT endpoint address number
	InEndpoint    int    // bulk IN endpoint address number
	HeaderFormat  string // as for SxI; "" = HEADER_LEN_CTR_WORD
	// MaxTransfer is the largest bulk transfer read at once (0 = 64 KiB).
	MaxTransfer int

	// Logger receives reports about malformed transfers; nil = silent.
	Logger *slog.Logger
}

// Options configure a Conn over endpoints the program opened itself.
type Options struct {
	// Header is the packet header format (the zero value is
	// HEADER_LEN_BYTE; XCP on USB usually uses sxi.LenCtrWord).
	Header sxi.HeaderFormat
	// MaxTransfer is the largest bulk transfer read at once (0 = 64 KiB).
	MaxTransfer int
	// Logger receives reports about malformed transfers; nil = silent.
	Logger *slog.Logger
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.VendorID == 0 || c.ProductID == 0 {
		return fmt.Errorf("usb: vendor_id and product_id are required (got 0x%04X:0x%04X)", c.VendorID, c.ProductID)
	}
	if c.InEndpoint <= 0 || c.InEndpoint > 15 || c.OutEndpoint <= 0 || c.OutEndpoint > 15 {
		return fmt.Errorf("usb: in_ep_number and out_ep_number must be 1..15 (got %d, %d)", c.InEndpoint, c.OutEndpoint)
	}
	_, err := c.framing()
	return err
}

func (c Config) framing() (sxi.Framing, error) {
	f := sxi.Framing{Header: sxi.LenCtrWord}
	if c.HeaderFormat != "" {
		h, err := sxi.ParseHeaderFormat(c.HeaderFormat)
		if err != nil {
			return f, fmt.Errorf("usb: %w", err)
		}
		f.Header = h
	}
	return f, nil
}

// Conn is XCP on USB over a pair of bulk endpoints. It implements
// transport.Conn.
type Conn struct {
	ep    Endpoints
	f     sxi.Framing
	dec   *sxi.Decoder
	start time.Time
	info  transport.Info
	log   *slog.Logger

	wmu  sync.Mutex
	wbuf []byte
	ctr  uint16

	rbuf    []byte
	pending [][]byte // packets decoded from the last transfer, not yet returned
	ctrs    []uint16
	rtime   int64
	keep    [][]byte // backing storage reused for pending
	expect  uint16
	haveCtr bool

	closed                                          atomic.Bool
	once                                            sync.Once
	sent, sentBytes, rcvd, rcvdBytes, lost, garbage atomic.Uint64
}

// NewConn runs XCP on USB over ep.
func NewConn(ep Endpoints, opts Options) (*Conn, error) {
	maxTransfer, log := opts.MaxTransfer, opts.Logger
	f := sxi.Framing{Header: opts.Header}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("usb: %w", err)
	}
	if maxTransfer <= 0 {
		maxTransfer = 64 << 10
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now()
	return &Conn{
		ep: ep, f: f, dec: sxi.NewDecoder(f), start: now, log: log,
		info: transport.Info{Kind: "usb", Start: now, MaxPacket: maxPacketFor(f, maxTransfer), CounterBits: f.Header.CounterBits()},
		rbuf: make([]byte, maxTransfer),
	}, nil
}

// Send implements transport.Conn: one packet, one bulk transfer.
func (c *Conn) Send(ctx context.Context, packet []byte) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if len(packet) > c.info.MaxPacket {
		return fmt.Errorf("usb: packet of %d bytes exceeds %d (one bulk transfer of %s): %w", len(packet), c.info.MaxPacket, c.f.Header, transport.ErrFrame)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	frame, err := c.f.AppendFrame(c.wbuf[:0], c.ctr, packet)
	if err != nil {
		return fmt.Errorf("usb: %w", err)
	}
	c.wbuf = frame
	if _, err := c.ep.Write(ctx, frame); err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		return fmt.Errorf("usb: bulk OUT: %w", err)
	}
	c.ctr++
	c.sent.Add(1)
	c.sentBytes.Add(uint64(len(frame)))
	return nil
}

// Recv implements transport.Conn. Packets of one bulk transfer are returned
// one by one with the transfer's receive time.
func (c *Conn) Recv(ctx context.Context) (transport.Packet, error) {
	for len(c.pending) == 0 {
		if c.closed.Load() {
			return transport.Packet{}, net.ErrClosed
		}
		n, err := c.ep.Read(ctx, c.rbuf)
		if err != nil {
			if c.closed.Load() {
				return transport.Packet{}, net.ErrClosed
			}
			if ctx.Err() != nil {
				return transport.Packet{}, ctx.Err()
			}
			return transport.Packet{}, fmt.Errorf("usb: bulk IN: %w", err)
		}
		c.rtime = int64(time.Since(c.start))
		c.rcvdBytes.Add(uint64(n))
		c.pending, c.ctrs = c.pending[:0], c.ctrs[:0]
		k := 0
		g := c.dec.Garbage()
		c.dec.Feed(c.rbuf[:n], func(p []byte, ctr uint16) {
			if k == len(c.keep) {
				c.keep = append(c.keep, nil)
			}
			c.keep[k] = append(c.keep[k][:0], p...)
			c.pending = append(c.pending, c.keep[k])
			c.ctrs = append(c.ctrs, ctr)
			k++
		})
		// A bulk transfer holds whole packets: anything left over is broken.
		if c.dec.Pending() {
			c.dec.Reset()
		}
		if d := c.dec.Garbage() - g; d > 0 {
			c.garbage.Add(d)
			c.log.Warn("usb: bytes of a malformed transfer discarded", "bytes", d)
		}
	}
	p, ctr := c.pending[0], c.ctrs[0]
	c.pending, c.ctrs = c.pending[1:], c.ctrs[1:]
	if c.f.Header == sxi.LenCtrByte || c.f.Header == sxi.LenCtrWord {
		if c.haveCtr && ctr != c.expect {
			gap := ctr - c.expect
			if c.f.Header == sxi.LenCtrByte {
				gap = uint16(uint8(ctr) - uint8(c.expect))
			}
			c.lost.Add(uint64(gap))
		}
		c.haveCtr, c.expect = true, ctr+1
	}
	c.rcvd.Add(1)
	return transport.Packet{Data: p, Time: c.rtime, Ctr: ctr}, nil
}

// Close implements transport.Conn.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		c.closed.Store(true)
		err = c.ep.Close()
	})
	return err
}

// Info implements transport.Conn.
func (c *Conn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *Conn) Stats() transport.Stats {
	return transport.Stats{PacketsSent: c.sent.Load(), PacketsReceived: c.rcvd.Load(),
		BytesSent: c.sentBytes.Load(), BytesReceived: c.rcvdBytes.Load(),
		Lost: c.lost.Load(), Garbage: c.garbage.Load()}
}

// ErrNotBuilt is returned by Open in builds without the `usb` tag.
var ErrNotBuilt = errors.New("usb: this xcp was built without USB support; rebuild with `go build -tags usb ./cmd/xcp` (needs cgo and libusb-1.0-0-dev)")

// maxPacketFor returns the largest packet whose frame fits one bulk
// transfer of maxTransfer bytes (the peer reads one transfer at a time).
func maxPacketFor(f sxi.Framing, maxTransfer int) int {
	n := min(f.MaxPacketLen(), maxTransfer)
	for n > 0 && n+f.Overhead(n) > maxTransfer {
		n--
	}
	return n
}
