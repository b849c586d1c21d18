package master

import (
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// Stale answers by the transport counter. Where the slave numbers every
// packet it sends (transport.Info.CounterBits: XCP on Ethernet, SxI and USB
// with a CTR header; not CAN), a response sent before a response already
// received answers an earlier command: the slave answers in order, so it
// cannot answer the command in flight, which was sent after that one
// arrived — or, if that one was the answer, was answered already. This
// catches what the order of arrival cannot show: a datagram network that
// reorders a late answer behind the ERR_CMD_SYNCH of the resynchronisation
// that was to flush it.
//
// The counter wraps (every 65 536 packets on Ethernet, or 256); the
// receive goroutine extends it over every packet (DTOs included) to a
// sequence number. Only a response within a quarter of the counter's range
// behind the newest one counts as stale: after a gap of more packets than
// that (a long loss, a slave that restarted its counter) the sequence
// cannot be trusted and the response is judged as on a medium without a
// counter.

// ctrSeq tracks the peer's packet counter (receive goroutine only).
type ctrSeq struct {
	bits    int  // transport.Info.CounterBits; 0: no counter
	seen    bool // a packet was received
	last    uint16
	seq     int64 // the extended counter of the last packet
	resp    bool  // a response was received
	respSeq int64 // the extended counter of the newest response
}

func newCtrSeq(info transport.Info) ctrSeq {
	if info.CounterBits != 8 && info.CounterBits != 16 {
		return ctrSeq{}
	}
	return ctrSeq{bits: info.CounterBits}
}

// packet extends the counter of a received packet.
func (c *ctrSeq) packet(ctr uint16) {
	if c.bits == 0 {
		return
	}
	if !c.seen {
		c.seen, c.last, c.seq = true, ctr, int64(ctr)
		return
	}
	shift := 64 - c.bits
	c.seq += int64(uint64(ctr-c.last)<<shift) >> shift // signed step
	c.last = ctr
}

// stale reports whether the response just received (packet was called
// for it) was sent before a response received earlier; cmd is the command
// in flight. A CONNECT may meet a slave that restarted its counter: its
// answer is taken and the count starts again from it.
func (c *ctrSeq) stale(cmd xcp.Command) bool {
	if c.bits == 0 {
		return false
	}
	window := int64(1) << (c.bits - 2)
	if c.resp && cmd != xcp.CmdConnect {
		if behind := c.respSeq - c.seq; behind >= 0 && behind < window {
			return true
		}
		if c.seq < c.respSeq {
			// Far behind: the sequence broke (a long loss, a restarted
			// counter); start again from here.
			c.respSeq = c.seq
			return false
		}
	}
	c.resp, c.respSeq = true, c.seq
	return false
}
