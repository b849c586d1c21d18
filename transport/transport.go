// Package transport defines how goxcp moves XCP packets to and from a slave,
// independent of the medium: the Conn interface that XCP on Ethernet
// (transport/eth), CAN (transport/can), SxI (transport/sxi) and USB
// (transport/usb) implement, the received Packet with its host timestamp,
// and the Stats every connection keeps.
//
// A Conn carries whole XCP packets (the part of a frame after the transport
// header, as defined in ASAM MCD-1 XCP 1.5 part 3): framing, counters, fill
// bytes and checksums are the transport's business and never visible above
// it. Slave-side connections (used by the simulator) implement the same
// interface, so a transport is a byte pipe in both directions.
//
// Every transport package has the same shape:
//
//   - a Config: a plain Go struct (no file tags: package config maps the
//     configuration file onto it) with a Validate method and a Logger
//     field (*slog.Logger; nil = silent), the one place a transport takes
//     its logger from;
//   - Dial(ctx, Config) for the master side, returning the package's own
//     connection type: eth.Dial (*eth.Conn), canbus.Dial (*can.Conn, XCP on
//     CAN over the interface the Config names), sxi.Dial, usb.Dial;
//   - NewConn(medium, …) to run the transport over a medium the program
//     opened itself (can.NewConn over a can.Bus, sxi.NewConn over any
//     io.ReadWriteCloser, usb.NewConn over bulk endpoints);
//   - CAN backends open a can.Bus with Open(ctx, Config): socketcan.Open,
//     udpbus.Open, slcan.Open (the in-process virtual.New(Config) bus hands
//     out ports with Open()).
package transport

import (
	"context"
	"errors"
	"time"
)

// Conn is a framed, bidirectional connection carrying XCP packets.
//
// Concurrency: Send may be called from several goroutines at once and
// concurrently with Recv. Recv must be called from one goroutine at a time;
// the Packet it returns is valid only until the next call to Recv. Close may
// be called at any time from any goroutine; it unblocks pending Send and
// Recv calls, which then return an error matching net.ErrClosed, and it is
// safe to call more than once.
type Conn interface {
	// Send transmits one XCP packet. The context bounds the time Send may
	// block; its deadline becomes the write deadline.
	Send(ctx context.Context, packet []byte) error

	// Recv returns the next XCP packet from the peer. It blocks until a
	// packet arrives, ctx is done (returning ctx.Err()) or the
	// connection fails or is closed.
	Recv(ctx context.Context) (Packet, error)

	// Close releases the connection.
	Close() error

	// Info describes the connection; it does not change after opening.
	Info() Info

	// Stats returns a snapshot of the connection's counters.
	Stats() Stats
}

// Packet is one XCP packet received from the peer.
type Packet struct {
	// Data is the XCP packet (PID first), without transport header or tail.
	// It aliases an internal buffer and is valid until the next Recv.
	Data []byte
	// Time is the host receive time in nanoseconds since Info().Start,
	// taken from the monotonic clock when the frame carrying the packet
	// was read.
	Time int64
	// Ctr is the transport-layer counter of the frame (XCP on Ethernet and
	// SxI with CTR), or 0 where the medium has none.
	Ctr uint16
}

// Info describes a connection.
type Info struct {
	// Kind names the transport: "tcp", "udp", "can", "canfd", "sxi", "usb".
	Kind string
	// Local and Remote name the endpoints, e.g. "127.0.0.1:40123".
	Local, Remote string
	// Start is the wall-clock time the connection was opened; Packet.Time
	// counts from it (monotonically).
	Start time.Time
	// MaxPacket is the largest XCP packet the medium can carry in one
	// frame (e.g. 8 for classic CAN, 64 for CAN FD), or 0 if unlimited by
	// the medium (XCP on Ethernet: 65535 minus header).
	MaxPacket int
	// CounterBits is the width of Packet.Ctr when the peer numbers every
	// packet it sends with it, one more each (16 on XCP on Ethernet, 8 or
	// 16 on SxI and USB with a CTR header), or 0 where the medium has no
	// such counter (CAN). A master uses it to recognise stale packets.
	CounterBits int
}

// Stats are the counters a connection keeps. All counts start at zero when
// the connection opens.
type Stats struct {
	PacketsSent, PacketsReceived uint64
	BytesSent, BytesReceived     uint64 // transport frames, headers included
	// Lost counts frames known to be missing: from the gaps in the
	// transport counter (CTR) of received frames, or as reported by the
	// medium (SocketCAN: frames the kernel dropped from a full receive
	// queue).
	Lost uint64
	// Garbage counts received bytes or frames that were discarded because
	// they did not form a valid frame (resynchronisation on serial lines,
	// wrong length fields, unknown CAN identifiers...).
	Garbage uint64
	// Repeated counts frames discarded because the transport counter
	// showed them to be a second copy of a frame already received (XCP on
	// Ethernet, see transport/eth).
	Repeated uint64
	// ErrorFrames counts error frames the bus reported (CAN: bus errors
	// and controller state changes); BusOff counts how often the
	// controller went bus-off. Zero on media without them.
	ErrorFrames, BusOff uint64
}

// ErrFrame is matched (errors.Is) by errors reporting a frame that violates
// the transport's framing: a wrong LEN, a truncated frame, a bad checksum.
var ErrFrame = errors.New("transport: malformed frame")

// ErrConnectionLost is matched (errors.Is) by errors reporting that the
// connection to the slave is gone: the peer closed a TCP connection, a
// send failed, a CAN controller went bus-off, or a watchdog saw nothing
// from the slave for too long. A transport's Recv or Send may return an
// error wrapping it; the master wraps every receive failure in it (see
// master.Master.Lost). Recording code reacts to it by closing or resuming
// the measurement instead of waiting for a dead slave.
var ErrConnectionLost = errors.New("connection lost")

// LostError is a lost connection with its cause. It matches
// ErrConnectionLost and unwraps to the cause.
type LostError struct {
	// Op says where the loss was seen ("receive", "send", "no DTO for 2s").
	Op  string
	Err error // the cause; may be nil
}

func (e *LostError) Error() string {
	if e.Err == nil {
		return "connection lost (" + e.Op + ")"
	}
	return "connection lost (" + e.Op + "): " + e.Err.Error()
}

// Unwrap returns ErrConnectionLost and the cause.
func (e *LostError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConnectionLost}
	}
	return []error{ErrConnectionLost, e.Err}
}

// Waker is implemented by connections whose Recv can be woken from another
// goroutine without losing or damaging data. The master uses it to let a
// command's caller receive its own answer (no hand-off between goroutines)
// and to take the connection back from its receive goroutine.
type Waker interface {
	// Wake makes the Recv that is blocked now, or else the next one to
	// block, return an error matching ErrWoken. It may be called from any
	// goroutine at any time; several Wakes before a Recv count as one. A
	// Recv may return ErrWoken while packets are still buffered: they are
	// delivered by the next Recv.
	Wake()
}

// ErrWoken is matched (errors.Is) by the error of a Recv ended by
// Waker.Wake. The connection stays usable.
var ErrWoken = errors.New("transport: receive woken")
