package cal

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/goxcp/goxcp/a2l"
)

func binOrder(o a2l.ByteOrder) binary.ByteOrder {
	if o == a2l.MSBFirst {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// decodeRaw decodes one element of type t from b.
func decodeRaw(b []byte, t a2l.DataType, o a2l.ByteOrder) (float64, error) {
	if len(b) < t.Size() || t.Size() == 0 {
		return 0, fmt.Errorf("values: %d byte(s) left, %s needs %d", len(b), t, t.Size())
	}
	bo := binOrder(o)
	switch t {
	case a2l.UByte:
		return float64(b[0]), nil
	case a2l.SByte:
		return float64(int8(b[0])), nil
	case a2l.UWord:
		return float64(bo.Uint16(b)), nil
	case a2l.SWord:
		return float64(int16(bo.Uint16(b))), nil
	case a2l.ULong:
		return float64(bo.Uint32(b)), nil
	case a2l.SLong:
		return float64(int32(bo.Uint32(b))), nil
	case a2l.UInt64:
		return float64(bo.Uint64(b)), nil
	case a2l.Int64:
		return float64(int64(bo.Uint64(b))), nil
	case a2l.Float16:
		return float64(halfToFloat(bo.Uint16(b))), nil
	case a2l.Float32:
		return float64(math.Float32frombits(bo.Uint32(b))), nil
	case a2l.Float64:
		return math.Float64frombits(bo.Uint64(b)), nil
	}
	return 0, fmt.Errorf("values: unknown data type %v", t)
}

// rawBits returns the unsigned bit pattern of an integer element (for
// bit masks).
func rawBits(b []byte, t a2l.DataType, o a2l.ByteOrder) uint64 {
	bo := binOrder(o)
	switch t.Size() {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(bo.Uint16(b))
	case 4:
		return uint64(bo.Uint32(b))
	}
	return bo.Uint64(b)
}

func putBits(b []byte, t a2l.DataType, o a2l.ByteOrder, v uint64) {
	bo := binOrder(o)
	switch t.Size() {
	case 1:
		b[0] = byte(v)
	case 2:
		bo.PutUint16(b, uint16(v))
	case 4:
		bo.PutUint32(b, uint32(v))
	default:
		bo.PutUint64(b, v)
	}
}

// encodeRaw encodes v (already range-checked and rounded for integers).
func encodeRaw(b []byte, t a2l.DataType, o a2l.ByteOrder, v float64) {
	bo := binOrder(o)
	switch t {
	case a2l.UByte, a2l.SByte:
		b[0] = byte(int64(v))
	case a2l.UWord, a2l.SWord:
		bo.PutUint16(b, uint16(int64(v)))
	case a2l.ULong, a2l.SLong:
		bo.PutUint32(b, uint32(int64(v)))
	case a2l.UInt64:
		if v >= 1<<63 {
			bo.PutUint64(b, uint64(v))
		} else {
			bo.PutUint64(b, uint64(int64(v)))
		}
	case a2l.Int64:
		bo.PutUint64(b, uint64(int64(v)))
	case a2l.Float16:
		bo.PutUint16(b, floatToHalf(float32(v)))
	case a2l.Float32:
		bo.PutUint32(b, math.Float32bits(float32(v)))
	case a2l.Float64:
		bo.PutUint64(b, math.Float64bits(v))
	}
}

func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h) & 0x3FF
	switch {
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		f := float32(mant) / 1024 * float32(math.Pow(2, -14))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1F:
		return math.Float32frombits(sign | 0xFF<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

func floatToHalf(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int((bits>>23)&0xFF) - 127 + 15
	mant := bits & 0x7FFFFF
	switch {
	case (bits>>23)&0xFF == 0xFF: // Inf/NaN
		if mant != 0 {
			return sign | 0x7E00
		}
		return sign | 0x7C00
	case exp >= 0x1F:
		return sign | 0x7C00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		h := uint16(mant >> shift)
		if mant>>(shift-1)&1 != 0 {
			h++
		}
		return sign | h
	}
	h := sign | uint16(exp)<<10 | uint16(mant>>13)
	if mant&0x1000 != 0 {
		h++
	}
	return h
}
