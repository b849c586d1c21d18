// Package dto is the measurement model of XCP data acquisition (ASAM
// MCD-1 XCP 1.5 part 2, "data acquisition") and the pure decoding of data
// transfer objects. The model — Measurement, Entry, ODT, List, Layout,
// Type, Value, Sample, Frame and the loss counters (Stats) — is the one
// set of types live measurement (goxcp/daq: Allocate returns a Layout),
// recordings (goxcp/record stores it; record.LayoutOf derives the
// recorded form) and the converters share. The Decoder turns DTOs into
// samples: the identification field (absolute ODT number, or relative ODT
// with the DAQ list number as byte, word or aligned word), the overload
// bit, reassembly of a list's ODTs into one sample, the DAQ timestamp
// linearised across wrap-arounds, and the value extraction with byte order
// and bit masks; Layout.EncodeSample is its inverse.
//
// It knows nothing of masters, files or configuration.
package dto

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Type is the data type of a measurement.
type Type uint8

// Measurement data types (pyXCP mnemonics; ASAM UBYTE … FLOAT64_IEEE).
const (
	U8 Type = iota + 1
	I8
	U16
	I16
	U32
	I32
	U64
	I64
	F16  // IEEE 754 half precision
	BF16 // bfloat16
	F32
	F64
)

var typeNames = [...]string{"", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "F16", "BF16", "F32", "F64"}
var typeSizes = [...]int{0, 1, 1, 2, 2, 4, 4, 8, 8, 2, 2, 4, 8}

var typeAliases = map[string]Type{"UINT8": U8, "INT8": I8, "UINT16": U16, "INT16": I16, "UINT32": U32,
	"INT32": I32, "UINT64": U64, "INT64": I64, "FLOAT16": F16, "BFLOAT16": BF16, "FLOAT32": F32,
	"FLOAT64": F64, "FLOAT": F32, "DOUBLE": F64, "UBYTE": U8, "SBYTE": I8, "UWORD": U16,
	"SWORD": I16, "ULONG": U32, "SLONG": I32, "A_UINT64": U64, "A_INT64": I64,
	"FLOAT16_IEEE": F16, "FLOAT32_IEEE": F32, "FLOAT64_IEEE": F64}

// ParseType parses a type mnemonic in any case ("U16", "f32"); the
// aliases uint8…int64, float32, float64, double and the ASAM names UBYTE,
// SWORD, ULONG, A_UINT64, FLOAT32_IEEE … are accepted too.
func ParseType(s string) (Type, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range typeNames {
		if i > 0 && n == u {
			return Type(i), nil
		}
	}
	if t, ok := typeAliases[u]; ok {
		return t, nil
	}
	return 0, fmt.Errorf("unknown data type %q (want one of %s)", s, strings.Join(typeNames[1:], " "))
}

// Size returns the size in bytes (0 for an invalid type).
func (t Type) Size() int {
	if int(t) < len(typeSizes) {
		return typeSizes[t]
	}
	return 0
}

// Valid reports whether t is a defined type.
func (t Type) Valid() bool { return t >= U8 && t <= F64 }

// Float reports whether t is a floating-point type.
func (t Type) Float() bool { return t >= F16 && t <= F64 }

// Signed reports whether t is a signed integer type.
func (t Type) Signed() bool { return t == I8 || t == I16 || t == I32 || t == I64 }

// String returns the mnemonic ("U16").
func (t Type) String() string {
	if t.Valid() {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// MarshalText implements encoding.TextMarshaler: the lower-case mnemonic
// ("u16", as recordings store it); an invalid type is an error.
func (t Type) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("cannot marshal invalid data type %d", uint8(t))
	}
	return []byte(strings.ToLower(typeNames[t])), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (ParseType).
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Value is one decoded measurement value.
type Value struct {
	Type Type
	bits uint64 // integers sign- or zero-extended; floats as float64 bits
}

// IntValue, UintValue and FloatValue build Values (for tests, conversions
// and producers of samples).
func IntValue(t Type, v int64) Value { return Value{Type: t, bits: uint64(v)} }

// UintValue builds a Value of an unsigned type.
func UintValue(t Type, v uint64) Value { return Value{Type: t, bits: v} }

// FloatValue builds a Value of a floating-point type.
func FloatValue(t Type, v float64) Value { return Value{Type: t, bits: math.Float64bits(v)} }

// Float64 returns the value as float64.
func (v Value) Float64() float64 {
	switch {
	case v.Type.Float():
		return math.Float64frombits(v.bits)
	case v.Type.Signed():
		return float64(int64(v.bits))
	}
	return float64(v.bits)
}

// Int64 returns the value as int64 (floats truncated).
func (v Value) Int64() int64 {
	if v.Type.Float() {
		return int64(math.Float64frombits(v.bits))
	}
	return int64(v.bits)
}

// Uint64 returns the value as uint64 (floats truncated, signed values
// two's complement).
func (v Value) Uint64() uint64 {
	if v.Type.Float() {
		return uint64(math.Float64frombits(v.bits))
	}
	return v.bits
}

// AppendText appends the value in its shortest exact decimal form (floats
// in the shortest form that reads back to the same value of their type);
// it allocates nothing.
func (v Value) AppendText(b []byte) []byte {
	switch {
	case v.Type == F64:
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 64)
	case v.Type.Float():
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 32)
	case v.Type.Signed():
		return strconv.AppendInt(b, int64(v.bits), 10)
	}
	return strconv.AppendUint(b, v.bits, 10)
}

// String returns AppendText as a string.
func (v Value) String() string { return string(v.AppendText(nil)) }

// halfToFloat32 converts an IEEE 754 binary16 to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h) & 0x3FF
	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		e := uint32(127 - 15 + 1) // subnormal: normalise
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3FF
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case 0x1F:
		return math.Float32frombits(sign | 0xFF<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
