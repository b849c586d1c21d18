package mdf4

import (
	"encoding/binary"
	"math"
)

// accessor extracts a channel's value from a record (without record ID).
type accessor struct {
	kind  byte // 'u' unsigned, 'i' signed, 'f' float, 's' bytes/string, 0 none
	start int  // first byte
	n     int  // bytes spanned
	be    bool
	shift uint
	bits  uint
	end   int // start+n: records shorter than this hold no value
	inval int // first invalidation byte in the record
}

// prepare computes the accessor of c; it returns a reason if the channel
// cannot be decoded by this package.
func (c *Channel) prepare() string {
	a := accessor{start: int(c.ByteOffset), be: c.DataType.BigEndian()}
	switch c.Type {
	case ChannelFixed, ChannelMaster, ChannelSync:
	case ChannelVirtualMaster, ChannelVirtualData:
		return "virtual channel"
	default:
		return "variable-length or maximum-length signal data"
	}
	total := uint(c.BitOffset) + uint(c.BitCount)
	switch {
	case c.DataType <= IntBE:
		if c.BitCount == 0 || total > 64 {
			return "integer of " + itoa(int(c.BitCount)) + " bits at bit offset " + itoa(int(c.BitOffset))
		}
		a.kind = 'u'
		if c.DataType == IntLE || c.DataType == IntBE {
			a.kind = 'i'
		}
		a.n, a.shift, a.bits = int((total+7)/8), uint(c.BitOffset), uint(c.BitCount)
	case c.DataType == FloatLE || c.DataType == FloatBE:
		if c.BitOffset != 0 || (c.BitCount != 16 && c.BitCount != 32 && c.BitCount != 64) {
			return "float of " + itoa(int(c.BitCount)) + " bits at bit offset " + itoa(int(c.BitOffset))
		}
		a.kind, a.n, a.bits = 'f', int(c.BitCount/8), uint(c.BitCount)
	case c.DataType <= ByteArray:
		a.kind, a.n = 's', int(total+7)/8
	default:
		return "data type " + itoa(int(c.DataType))
	}
	a.end = a.start + a.n
	c.acc = a
	return ""
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// Numeric reports whether the channel holds numbers this package decodes
// (Float, Int, Uint).
func (c *Channel) Numeric() bool { return c.acc.kind == 'u' || c.acc.kind == 'i' || c.acc.kind == 'f' }

// Integer reports whether the channel holds integers (signed if Signed).
func (c *Channel) Integer() bool { return c.acc.kind == 'u' || c.acc.kind == 'i' }

// Signed reports whether the channel holds signed integers.
func (c *Channel) Signed() bool { return c.acc.kind == 'i' }

// Float reports whether the channel holds floating-point numbers.
func (c *Channel) IsFloat() bool { return c.acc.kind == 'f' }

// raw returns the bits of an integer channel, shifted and masked.
func (a *accessor) raw(rec []byte) uint64 {
	if a.end > len(rec) {
		return 0
	}
	b := rec[a.start:a.end]
	var v uint64
	if a.n == 8 && a.shift == 0 {
		if a.be {
			v = binary.BigEndian.Uint64(b)
		} else {
			v = binary.LittleEndian.Uint64(b)
		}
	} else if a.be {
		for _, x := range b {
			v = v<<8 | uint64(x)
		}
	} else {
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
	}
	v >>= a.shift
	if a.bits < 64 {
		v &= 1<<a.bits - 1
	}
	return v
}

// Uint returns the raw value of an integer channel as unsigned (signed
// values sign-extended to two's complement); floats truncated.
func (c *Channel) Uint(rec []byte) uint64 {
	if c.acc.kind == 'f' {
		return uint64(c.Float(rec))
	}
	return uint64(c.Int(rec))
}

// Int returns the raw value of an integer channel, sign-extended for
// signed types; floats truncated.
func (c *Channel) Int(rec []byte) int64 {
	a := &c.acc
	switch a.kind {
	case 'u':
		return int64(a.raw(rec))
	case 'i':
		v := a.raw(rec)
		if a.bits < 64 && v&(1<<(a.bits-1)) != 0 {
			v |= ^uint64(0) << a.bits
		}
		return int64(v)
	case 'f':
		return int64(c.Float(rec))
	}
	return 0
}

// Float returns the raw value of a numeric channel as float64 (integers
// converted). The record is the one Records returns (without record ID).
func (c *Channel) Float(rec []byte) float64 {
	a := &c.acc
	switch a.kind {
	case 'u':
		return float64(a.raw(rec))
	case 'i':
		return float64(c.Int(rec))
	case 'f':
		if a.end > len(rec) {
			return math.NaN()
		}
		b := rec[a.start:a.end]
		var o binary.ByteOrder = binary.LittleEndian
		if a.be {
			o = binary.BigEndian
		}
		switch a.n {
		case 8:
			return math.Float64frombits(o.Uint64(b))
		case 4:
			return float64(math.Float32frombits(o.Uint32(b)))
		case 2:
			return halfToFloat(o.Uint16(b))
		}
	}
	return math.NaN()
}

// Bytes returns the bytes of a string or byte array channel (strings up
// to the first NUL are the caller's business).
func (c *Channel) Bytes(rec []byte) []byte {
	a := &c.acc
	if a.end > len(rec) || a.kind == 0 {
		return nil
	}
	return rec[a.start:a.end]
}

// Invalid reports whether the channel's value in rec (a record from
// Records) is invalid: all values invalid, or its invalidation bit set.
func (c *Channel) Invalid(rec []byte) bool {
	if c.Flags&FlagAllInvalid != 0 {
		return true
	}
	if c.Flags&FlagInvalBit == 0 {
		return false
	}
	i := c.acc.inval + int(c.InvalBit/8)
	return i < len(rec) && rec[i]>>(c.InvalBit%8)&1 != 0
}

func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}
