// Package eth is the XCP on Ethernet transport (ASAM MCD-1 XCP 1.5, part 3
// "XCP on Ethernet"): XCP packets over TCP or UDP, IPv4 or IPv6, each in a
// frame with a 4-byte header of LEN and CTR (uint16 each, always Intel byte
// order).
//
// Dial opens the master side of a connection (a *Conn, over TCP or UDP);
// Listen opens the slave side (used by the simulator), whose Accept yields
// one transport.Conn per master: per TCP connection, or per remote UDP
// address.
//
// The receive path is built for DAQ rates: frames are sliced out of a large
// reusable read buffer (Packet.Data is valid until the next Recv), several
// frames per UDP datagram and datagrams up to 64 KiB are handled, and a
// steady-state Recv allocates nothing. Every packet carries the host receive
// time of the read that delivered it. Gaps in the peer's CTR sequence are
// counted in Stats.Lost (modulo 65536, the counter's range; over UDP a late
// or repeated datagram up to 256 frames behind is not a loss and un-counts
// itself if it was counted); UDP datagrams with a bad frame are counted in
// Stats.Garbage and skipped; on TCP a bad LEN ends the connection with a
// *FrameError, as the stream cannot be resynchronised.
//
// Every Send is one write call (one datagram over UDP) with the next value
// of the connection's CTR. The connections also implement
// transport.BatchSender: SendBatch puts several frames into one write, or
// into as few datagrams as they fit (STIM, master block mode, a
// simulator's DAQ). A context's deadline becomes the socket deadline and
// its cancellation unblocks the call; a connection remembers the last
// context, so reusing one costs nothing per call. The connections implement
// transport.Waker: Wake ends a blocked Recv with transport.ErrWoken.
//
// On Linux with more than one P (GOMAXPROCS > 1) the master side reads like
// a C client: Dial takes the socket out of Go's netpoller, and a read that
// has to wait blocks its OS thread in ppoll(2) — no scheduler wake-up of
// another thread per packet, which on a loopback command round trip is
// a quarter of the time. Each connection blocked in Recv holds one thread.
package eth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"time"

	"github.com/goxcp/goxcp/transport"
)

// Config says how to reach an XCP slave over Ethernet. The zero value means
// TCP to 127.0.0.1:5555. It is a plain Go struct: the configuration file's
// keys are mapped onto it by package config.
type Config struct {
	// Protocol is "tcp" (default) or "udp".
	Protocol string
	// Host is the slave's host name or IP address (default 127.0.0.1, or
	// ::1 with IPv6).
	Host string
	// Port is the slave's port (default 5555).
	Port int
	// IPv6 selects IPv6 (tcp6/udp6) instead of IPv4.
	IPv6 bool
	// Bind is the local address to send from: an IP address, or
	// "host:port" (optional).
	Bind string
	// RecvBuffer is the socket receive buffer size in bytes (0 = 4 MiB for
	// UDP, the system default for TCP). DAQ over UDP needs a large one.
	RecvBuffer int
	// Logger receives warnings about skipped datagrams (nil = silent).
	Logger *slog.Logger
}

// DefaultPort is the port used when Config.Port is 0.
const DefaultPort = 5555

// defaultUDPBuffer is the UDP socket receive buffer asked for by default.
const defaultUDPBuffer = 4 << 20

// Network returns the Go network name for the configuration ("tcp4",
// "udp6", …) or an error naming a bad protocol.
func (c Config) Network() (string, error) {
	p := c.Protocol
	switch p {
	case "":
		p = "tcp"
	case "tcp", "udp":
	default:
		return "", fmt.Errorf("eth: protocol %q: want \"tcp\" or \"udp\"", c.Protocol)
	}
	if c.IPv6 {
		return p + "6", nil
	}
	return p + "4", nil
}

// Address returns host:port of the slave with defaults applied.
func (c Config) Address() string {
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
		if c.IPv6 {
			host = "::1"
		}
	}
	port := c.Port
	if port == 0 {
		port = DefaultPort
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Validate checks the configuration without opening anything.
func (c Config) Validate() error {
	if _, err := c.Network(); err != nil {
		return err
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("eth: port %d out of range 1..65535 (0 = %d)", c.Port, DefaultPort)
	}
	if c.RecvBuffer < 0 {
		return fmt.Errorf("eth: recv_buffer %d is negative", c.RecvBuffer)
	}
	return nil
}

// Dial connects to an XCP slave. ctx bounds the connection set-up only.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	network, _ := cfg.Network()
	d := net.Dialer{}
	if cfg.Bind != "" {
		la, err := bindAddr(network, cfg.Bind)
		if err != nil {
			return nil, err
		}
		d.LocalAddr = la
	}
	addr := cfg.Address()
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			return nil, fmt.Errorf("eth: %w", err) // it names the network and address itself
		}
		return nil, fmt.Errorf("eth: dial %s %s: %w", network, addr, err)
	}
	switch nc := nc.(type) {
	case *net.TCPConn:
		if cfg.RecvBuffer > 0 {
			_ = nc.SetReadBuffer(cfg.RecvBuffer)
		}
		c := newTCPConn(nc)
		if readRaw() {
			c.raw()
		}
		return &Conn{tcp: c}, nil
	case *net.UDPConn:
		rb := cfg.RecvBuffer
		if rb == 0 {
			rb = defaultUDPBuffer
		}
		_ = nc.SetReadBuffer(rb)
		c := newUDPConn(nc, cfg.Logger)
		if readRaw() {
			c.raw()
		}
		return &Conn{udp: c}, nil
	}
	nc.Close()
	return nil, fmt.Errorf("eth: dial %s: unexpected connection type %T", network, nc)
}

// readRaw reports whether a master's socket should be read like a C
// client's (rawSock): a read waiting for the slave then blocks its OS
// thread and the processor (P) it runs on. With a single P that would stop
// every other goroutine — an in-process simulator included — until the
// runtime's monitor takes the P away (20 µs to 10 ms), so the socket stays
// with Go's netpoller then.
func readRaw() bool { return runtime.GOMAXPROCS(0) > 1 }

// bindAddr resolves Config.Bind ("ip" or "host:port").
func bindAddr(network, bind string) (net.Addr, error) {
	hp := bind
	if _, _, err := net.SplitHostPort(bind); err != nil {
		hp = net.JoinHostPort(bind, "0")
	}
	var (
		a   net.Addr
		err error
	)
	if network[:3] == "tcp" {
		a, err = net.ResolveTCPAddr(network, hp)
	} else {
		a, err = net.ResolveUDPAddr(network, hp)
	}
	if err != nil {
		return nil, fmt.Errorf("eth: bind address %q: %w", bind, err)
	}
	return a, nil
}

// newInfo describes a connection opened now.
func newInfo(kind string, local, remote net.Addr, max int) transport.Info {
	return transport.Info{Kind: kind, Local: local.String(), Remote: remote.String(), Start: time.Now(), MaxPacket: max, CounterBits: 16}
}
