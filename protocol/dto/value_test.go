package dto

import (
	"math"
	"testing"
)

func TestValues(t *testing.T) {
	cases := []struct {
		typ  Type
		raw  uint64
		want float64
	}{
		{I8, 0xFF, -1}, {I16, 0x8000, -32768}, {I32, 0xFFFFFFFE, -2}, {U16, 0xFFFF, 65535},
		{F16, 0x3C00, 1}, {F16, 0xC000, -2}, {F16, 0x0001, 5.960464477539063e-08}, {BF16, 0x3F80, 1},
		{F32, uint64(math.Float32bits(1.5)), 1.5}, {F64, math.Float64bits(-2.25), -2.25},
	}
	for _, c := range cases {
		v := Measurement{Type: c.typ}.FromRaw(c.raw)
		if v.Float64() != c.want {
			t.Errorf("%s %X: %v, want %v", c.typ, c.raw, v.Float64(), c.want)
		}
	}
	if v := (Measurement{Type: U8, BitMask: 0x0C}).FromRaw(0xFB); v.Uint64() != 2 || v.String() != "2" {
		t.Errorf("mask: %v", v)
	}
	// A masked signed field is an unsigned bit field (as in a2l/values).
	if v := (Measurement{Type: I16, BitMask: 0xF0}).FromRaw(0xF0); v.Int64() != 15 {
		t.Errorf("masked signed: %v", v)
	}
	if h := halfToFloat32(0x7C00); !math.IsInf(float64(h), 1) {
		t.Error("inf")
	}
	if h := halfToFloat32(0x8000); h != 0 || !math.Signbit(float64(h)) {
		t.Error("-0")
	}
}

func TestTypes(t *testing.T) {
	for _, s := range []string{"U16", "u16", "UWORD", "uint16"} {
		if ty, err := ParseType(s); err != nil || ty != U16 {
			t.Errorf("%s: %v %v", s, ty, err)
		}
	}
	if _, err := ParseType("U24"); err == nil {
		t.Error("U24 accepted")
	}
	b, err := F32.MarshalText()
	if err != nil || string(b) != "f32" || F32.String() != "F32" {
		t.Errorf("text %s %v", b, err)
	}
	if _, err := Type(0).MarshalText(); err == nil {
		t.Error("invalid type marshalled")
	}
	for _, c := range []struct {
		v    Value
		want string
	}{
		{IntValue(I16, -3), "-3"},
		{UintValue(U64, math.MaxUint64), "18446744073709551615"},
		{FloatValue(F32, float64(float32(0.1))), "0.1"},
		{FloatValue(F64, 0.1), "0.1"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.v.Type, got, c.want)
		}
	}
}
