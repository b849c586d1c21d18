package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Bits is a bit string of N bits, LSBit first: bit i is V[i/8]>>(i%8)&1.
// JPL sends TMS, TDI and TDO bits in this order (bit 0 first on the wire
// of the JTAG interface).
type Bits struct {
	N int
	V []byte
}

// BitsOf returns the low n bits (n ≤ 64) of v.
func BitsOf(n int, v uint64) Bits {
	b := Bits{N: n, V: make([]byte, (n+7)/8)}
	for i := range b.V {
		b.V[i] = byte(v >> (8 * i))
	}
	if r := n % 8; r != 0 {
		b.V[len(b.V)-1] &= 1<<r - 1
	}
	return b
}

// Ones returns n one bits.
func Ones(n int) Bits {
	b := Bits{N: n, V: make([]byte, (n+7)/8)}
	for i := range n {
		b.V[i/8] |= 1 << (i % 8)
	}
	return b
}

// Bit returns bit i (0 beyond V).
func (b Bits) Bit(i int) uint8 {
	if i/8 >= len(b.V) {
		return 0
	}
	return b.V[i/8] >> (i % 8) & 1
}

// SetBit sets bit i to v, growing V as needed.
func (b *Bits) SetBit(i int, v uint8) {
	for i/8 >= len(b.V) {
		b.V = append(b.V, 0)
	}
	if v&1 == 1 {
		b.V[i/8] |= 1 << (i % 8)
	} else {
		b.V[i/8] &^= 1 << (i % 8)
	}
}

// Uint64 returns bits 0..63 as a number.
func (b Bits) Uint64() uint64 {
	var v uint64
	for i := 0; i < len(b.V) && i < 8; i++ {
		v |= uint64(b.V[i]) << (8 * i)
	}
	if b.N < 64 {
		v &= 1<<b.N - 1
	}
	return v
}

// Slice returns bits [from, to).
func (b Bits) Slice(from, to int) Bits {
	s := Bits{N: to - from, V: make([]byte, (to-from+7)/8)}
	for i := from; i < to; i++ {
		s.SetBit(i-from, b.Bit(i))
	}
	return s
}

func (b Bits) String() string {
	s := make([]byte, 0, 2*len(b.V)+2)
	s = append(s, "0x"...)
	for i := len(b.V) - 1; i >= 0; i-- {
		s = fmt.Appendf(s, "%02X", b.V[i])
	}
	return fmt.Sprintf("%d bits %s", b.N, s)
}

// JPL command identifiers (appendix A).
const (
	JPLStepID byte = 0x03
	JPLDataID byte = 0x04
)

// maxJPLBits is the largest bit count of one JPL field (a BYTE).
const maxJPLBits = 255

// JPLCommand is a JPL step or data command (*JPLStep or *JPLData).
type JPLCommand interface {
	appendJPL(b []byte) ([]byte, error)
	// Clocks returns the TCK cycles the command generates when no
	// repetition happens.
	Clocks() int
}

// JPLStep is the JPL step command (table 84): n TCK cycles with the given
// TMS bits and a constant TDI level.
type JPLStep struct {
	TDI   uint8
	TMS   Bits
	Width int // field width m in bytes; 0 = max(1, ⌈n/8⌉), -1 = no bytes (for n = 0)
}

// JPLData is the JPL data command (table 85): n TCK cycles shifting TMS and
// TDI, compare TDO with TDO under Mask; on mismatch run the repeat
// sequence (RepeatTMS with RepeatTDI) and retry, at most Repeat times. A
// zero mask with a non-zero Repeat is an unconditional loop.
type JPLData struct {
	N                   int
	TMS, TDI, TDO, Mask Bits // N bits each (their N is ignored)
	Repeat              uint8
	RepeatTDI           uint8
	RepeatTMS           Bits
	Width, RepeatWidth  int // field widths m, p; 0 = max(1, ⌈bits/8⌉)
}

// Clocks implements JPLCommand.
func (c *JPLStep) Clocks() int { return c.TMS.N }

// Clocks implements JPLCommand.
func (c *JPLData) Clocks() int { return c.N }

// WorstClocks is the TCK cycles if every repetition happens.
func (c *JPLData) WorstClocks() int { return c.N + int(c.Repeat)*(c.N+c.RepeatTMS.N) }

// fieldWidth applies the field-width rule of appendix A: a field of n bits
// takes m bytes with m ≥ ⌈n/8⌉ (and at least one byte); w = 0 picks the
// smallest.
func fieldWidth(what string, n, w int) (int, error) {
	if n < 0 || n > maxJPLBits {
		return 0, fmt.Errorf("xcp/swdbg: JPL %s: %d bits, a command carries 0..255", what, n)
	}
	need := max(1, (n+7)/8)
	switch {
	case w == 0:
		return need, nil
	case w < 0 && n == 0:
		return 0, nil // an explicitly empty field
	}
	if w < (n+7)/8 || w > 255 {
		return 0, fmt.Errorf("xcp/swdbg: JPL %s: field width %d bytes cannot hold %d bits", what, w, n)
	}
	return w, nil
}

// appendField appends bits as an m-byte Motorola field (LSB in the last byte).
func appendField(b []byte, v Bits, m int) []byte {
	for j := m - 1; j >= 0; j-- {
		if j < len(v.V) {
			b = append(b, v.V[j])
		} else {
			b = append(b, 0)
		}
	}
	return b
}

func decodeField(p []byte, n int) Bits {
	m := len(p)
	b := Bits{N: n, V: make([]byte, m)}
	for j := range m {
		b.V[j] = p[m-1-j]
	}
	return b
}

func (c *JPLStep) appendJPL(b []byte) ([]byte, error) {
	m, err := fieldWidth("step TMS", c.TMS.N, c.Width)
	if err != nil {
		return b, err
	}
	return appendField(append(b, JPLStepID, c.TDI, byte(m), byte(c.TMS.N)), c.TMS, m), nil
}

func (c *JPLData) appendJPL(b []byte) ([]byte, error) {
	m, err := fieldWidth("data", c.N, c.Width)
	if err != nil {
		return b, err
	}
	p, err := fieldWidth("data repeat TMS", c.RepeatTMS.N, c.RepeatWidth)
	if err != nil {
		return b, err
	}
	b = append(b, JPLDataID, byte(m), byte(c.N))
	for _, f := range []Bits{c.TMS, c.TDI, c.TDO, c.Mask} {
		b = appendField(b, f, m)
	}
	b = append(b, c.Repeat, c.RepeatTDI, byte(p), byte(c.RepeatTMS.N))
	return appendField(b, c.RepeatTMS, p), nil
}

// EncodeJPL encodes a JPL sequence.
func EncodeJPL(cmds []JPLCommand) ([]byte, error) {
	var b []byte
	for i, c := range cmds {
		var err error
		if b, err = c.appendJPL(b); err != nil {
			return nil, fmt.Errorf("JPL command %d: %w", i, err)
		}
	}
	return b, nil
}

// JPLSyntaxError reports an undecodable JPL sequence.
type JPLSyntaxError struct {
	Offset int // byte offset of the failing command in the sequence
	Reason string
}

func (e *JPLSyntaxError) Error() string {
	return fmt.Sprintf("xcp/swdbg: JPL syntax error at byte %d: %s", e.Offset, e.Reason)
}

// Unwrap lets errors.Is(err, xcp.ErrMalformed) match.
func (e *JPLSyntaxError) Unwrap() error { return xcp.ErrMalformed }

// ParseJPL decodes a JPL sequence. Field widths are kept (a zero width as
// -1), so EncodeJPL reproduces the input byte for byte.
func ParseJPL(p []byte) ([]JPLCommand, error) {
	var cmds []JPLCommand
	for off := 0; off < len(p); {
		short := func(need int) error {
			return &JPLSyntaxError{Offset: off, Reason: fmt.Sprintf("command needs %d bytes, %d left", need, len(p)-off)}
		}
		q := p[off:]
		switch q[0] {
		case JPLStepID:
			if len(q) < 4 {
				return nil, short(4)
			}
			m, n := int(q[2]), int(q[3])
			if m < (n+7)/8 {
				return nil, &JPLSyntaxError{Offset: off, Reason: fmt.Sprintf("step field width %d cannot hold %d bits", m, n)}
			}
			if len(q) < 4+m {
				return nil, short(4 + m)
			}
			cmds = append(cmds, &JPLStep{TDI: q[1], TMS: decodeField(q[4:4+m], n), Width: explicit(m)})
			off += 4 + m
		case JPLDataID:
			if len(q) < 3 {
				return nil, short(3)
			}
			m, n := int(q[1]), int(q[2])
			if m < (n+7)/8 {
				return nil, &JPLSyntaxError{Offset: off, Reason: fmt.Sprintf("data field width %d cannot hold %d bits", m, n)}
			}
			if len(q) < 7+4*m {
				return nil, short(7 + 4*m)
			}
			c := &JPLData{N: n, Width: explicit(m),
				TMS: decodeField(q[3:3+m], n), TDI: decodeField(q[3+m:3+2*m], n),
				TDO: decodeField(q[3+2*m:3+3*m], n), Mask: decodeField(q[3+3*m:3+4*m], n),
				Repeat: q[3+4*m], RepeatTDI: q[4+4*m]}
			pw, qn := int(q[5+4*m]), int(q[6+4*m])
			if pw < (qn+7)/8 {
				return nil, &JPLSyntaxError{Offset: off, Reason: fmt.Sprintf("repeat field width %d cannot hold %d bits", pw, qn)}
			}
			if len(q) < 7+4*m+pw {
				return nil, short(7 + 4*m + pw)
			}
			c.RepeatTMS, c.RepeatWidth = decodeField(q[7+4*m:7+4*m+pw], qn), explicit(pw)
			cmds = append(cmds, c)
			off += 7 + 4*m + pw
		default:
			return nil, &JPLSyntaxError{Offset: off, Reason: fmt.Sprintf("unknown JPL command 0x%02X (only step 0x03 and data 0x04 are allowed)", q[0])}
		}
	}
	return cmds, nil
}

// explicit maps a parsed field width to the Width encoding (0 → -1).
func explicit(m int) int {
	if m == 0 {
		return -1
	}
	return m
}
