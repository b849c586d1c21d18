package eth

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/goxcp/goxcp/transport"
)

// HeaderLen is the size of the XCP on Ethernet header: LEN (uint16) and CTR
// (uint16), both in Intel byte order whatever the session's byte order.
const HeaderLen = 4

// MaxPacket is the largest XCP packet one frame can carry: LEN is a uint16
// and the whole frame (header included) must fit in 65535 bytes.
const MaxPacket = 65535 - HeaderLen

// Largest XCP packet that fits into one UDP datagram (the datagram's payload
// is at most 65507 bytes over IPv4 and 65527 bytes over IPv6).
const (
	maxUDPPacket4 = 65507 - HeaderLen
	maxUDPPacket6 = 65527 - HeaderLen
)

// FrameError reports an XCP on Ethernet frame that violates the framing. It
// matches transport.ErrFrame with errors.Is.
type FrameError struct {
	// Proto is "tcp" or "udp".
	Proto string
	// Offset is the position of the bad header: in the TCP stream (bytes
	// received before it) or in the UDP datagram.
	Offset int64
	// Len is the LEN field of the bad header, or -1 if the header itself
	// was cut off.
	Len int
	// Avail is the number of bytes that were available after the header
	// (UDP: up to the end of the datagram; TCP: before the stream ended).
	Avail int
	// Reason says what was wrong.
	Reason string
}

// Error implements error.
func (e *FrameError) Error() string {
	where := "stream offset"
	if e.Proto == "udp" {
		where = "datagram offset"
	}
	return fmt.Sprintf("xcp on %s: bad frame at %s %d: %s", e.Proto, where, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, transport.ErrFrame) true.
func (e *FrameError) Unwrap() error { return transport.ErrFrame }

// appendHeader appends the 4-byte header for a packet of n bytes.
func appendHeader(b []byte, n int, ctr uint16) []byte {
	return binary.LittleEndian.AppendUint32(b, uint32(n)|uint32(ctr)<<16)
}

// checkLen validates a LEN field.
func checkLen(proto string, off int64, n int) error {
	switch {
	case n == 0:
		return &FrameError{Proto: proto, Offset: off, Len: 0, Reason: "LEN is 0 (an XCP packet has at least a PID)"}
	case n > MaxPacket:
		return &FrameError{Proto: proto, Offset: off, Len: n, Reason: fmt.Sprintf("LEN %d exceeds the maximum %d", n, MaxPacket)}
	}
	return nil
}

// checkDatagram validates every frame header of a UDP datagram. It returns
// the number of frames, or a *FrameError naming the first bad frame.
func checkDatagram(d []byte) (int, error) {
	if len(d) == 0 {
		return 0, &FrameError{Proto: "udp", Len: -1, Reason: "empty datagram"}
	}
	frames := 0
	for off := 0; off < len(d); {
		rest := len(d) - off
		if rest < HeaderLen {
			return frames, &FrameError{Proto: "udp", Offset: int64(off), Len: -1, Avail: rest,
				Reason: fmt.Sprintf("datagram ends inside a frame header (%d of %d bytes)", rest, HeaderLen)}
		}
		n := int(binary.LittleEndian.Uint16(d[off:]))
		if err := checkLen("udp", int64(off), n); err != nil {
			return frames, err
		}
		if n > rest-HeaderLen {
			return frames, &FrameError{Proto: "udp", Offset: int64(off), Len: n, Avail: rest - HeaderLen,
				Reason: fmt.Sprintf("LEN %d runs past the end of the datagram (%d bytes left)", n, rest-HeaderLen)}
		}
		off += HeaderLen + n
		frames++
	}
	return frames, nil
}

// datagram iterates over the frames of a UDP datagram that passed
// checkDatagram.
type datagram struct {
	d   []byte
	off int
}

func (g *datagram) more() bool { return g.off < len(g.d) }

func (g *datagram) next() (pkt []byte, ctr uint16) {
	h := binary.LittleEndian.Uint32(g.d[g.off:])
	n := int(h & 0xFFFF)
	pkt = g.d[g.off+HeaderLen : g.off+HeaderLen+n : g.off+HeaderLen+n]
	g.off += HeaderLen + n
	return pkt, uint16(h >> 16)
}

// stream splits a TCP byte stream into frames. Frames may be split across
// reads and one read may carry many frames; the packets returned alias buf
// and stay valid until the next call of next.
type stream struct {
	rd   io.Reader
	buf  []byte
	r, w int
	pos  int64 // stream offset of buf[r]
	// time is the receive time of the read that completed the last frame
	// returned; now is called after every read that returned data.
	time int64
	now  func() int64
}

// streamBuf is the size of a stream's read buffer: big enough for several
// maximal frames, so compaction is rare and reads are large.
const streamBuf = 256 << 10

func newStream(rd io.Reader, now func() int64) *stream {
	return &stream{rd: rd, buf: make([]byte, streamBuf), now: now}
}

// next returns the next frame's packet and counter. A bad LEN or a stream
// that ends inside a frame is a *FrameError; read errors are returned as
// they are (io.EOF at a frame boundary).
func (s *stream) next() (pkt []byte, ctr uint16, err error) {
	for {
		avail := s.w - s.r
		need := HeaderLen
		if avail >= HeaderLen {
			h := binary.LittleEndian.Uint32(s.buf[s.r:])
			n := int(h & 0xFFFF)
			if err := checkLen("tcp", s.pos, n); err != nil {
				return nil, 0, err
			}
			need = HeaderLen + n
			if avail >= need {
				pkt = s.buf[s.r+HeaderLen : s.r+need : s.r+need]
				s.r += need
				s.pos += int64(need)
				return pkt, uint16(h >> 16), nil
			}
		}
		// Not a whole frame: make room for it and read more.
		if len(s.buf)-s.r < need || len(s.buf)-s.w < 4096 {
			copy(s.buf, s.buf[s.r:s.w])
			s.w -= s.r
			s.r = 0
		}
		n, err := s.rd.Read(s.buf[s.w:])
		if n > 0 {
			s.w += n
			s.time = s.now()
			continue
		}
		if err == nil {
			continue
		}
		if err == io.EOF && s.w > s.r {
			fe := &FrameError{Proto: "tcp", Offset: s.pos, Len: -1, Avail: s.w - s.r - HeaderLen}
			if s.w-s.r >= HeaderLen {
				fe.Len = int(binary.LittleEndian.Uint16(s.buf[s.r:]))
				fe.Reason = fmt.Sprintf("connection closed inside a frame (LEN %d, %d bytes received)", fe.Len, fe.Avail)
			} else {
				fe.Avail = s.w - s.r
				fe.Reason = fmt.Sprintf("connection closed inside a frame header (%d of %d bytes)", fe.Avail, HeaderLen)
			}
			return nil, 0, fmt.Errorf("%w (%w)", fe, io.ErrUnexpectedEOF)
		}
		return nil, 0, err
	}
}
