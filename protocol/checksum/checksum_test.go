package checksum

import (
	"errors"
	"fmt"
	"hash"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

var _ hash.Hash32 = (*Hash)(nil)

func TestCheckValues(t *testing.T) {
	check := []byte("123456789")
	// "12345678" for the word/dword sums (a multiple of 4 bytes).
	even := []byte("12345678")
	tests := []struct {
		typ   xcp.ChecksumType
		order xcp.ByteOrder
		data  []byte
		want  uint32
	}{
		{xcp.ChecksumAdd11, xcp.Intel, check, 0xDD},      // 477 mod 256
		{xcp.ChecksumAdd12, xcp.Intel, check, 0x01DD},    // 477
		{xcp.ChecksumAdd14, xcp.Motorola, check, 0x01DD}, // byte sums ignore the order
		{xcp.ChecksumAdd22, xcp.Intel, even, 0x3231 + 0x3433 + 0x3635 + 0x3837},
		{xcp.ChecksumAdd22, xcp.Motorola, even, 0x3132 + 0x3334 + 0x3536 + 0x3738},
		{xcp.ChecksumAdd24, xcp.Intel, []byte{0xFF, 0xFF, 0xFF, 0xFF}, 0x1FFFE},
		{xcp.ChecksumAdd22, xcp.Intel, []byte{0xFF, 0xFF, 0xFF, 0xFF}, 0xFFFE},
		{xcp.ChecksumAdd44, xcp.Intel, even, 0x34333231 + 0x38373635},
		{xcp.ChecksumAdd44, xcp.Motorola, even, 0x31323334 + 0x35363738},
		{xcp.ChecksumCRC16, xcp.Intel, check, 0xBB3D},
		{xcp.ChecksumCRC16CITT, xcp.Intel, check, 0x29B1},
		{xcp.ChecksumCRC32, xcp.Motorola, check, 0xCBF43926},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%s/%s", tc.typ, tc.order)
		got, err := Checksum(tc.typ, tc.order, tc.data)
		if err != nil || got != tc.want {
			t.Errorf("%s: Checksum = %#x, %v; want %#x", name, got, err, tc.want)
		}
		// Streaming in every split, including splits inside a word.
		for cut := 0; cut <= len(tc.data); cut++ {
			h, err := New(tc.typ, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(tc.data[:cut])
			h.Write(tc.data[cut:])
			if got := h.Sum32(); got != tc.want {
				t.Errorf("%s split at %d: %#x, want %#x", name, cut, got, tc.want)
			}
		}
		// Byte by byte.
		h, _ := New(tc.typ, tc.order)
		for i := range tc.data {
			h.Write(tc.data[i : i+1])
		}
		if got := h.Sum32(); got != tc.want || h.Pending() != 0 {
			t.Errorf("%s byte-wise: %#x (pending %d), want %#x", name, got, h.Pending(), tc.want)
		}
	}
}

func TestUnsupportedAndPartial(t *testing.T) {
	if _, err := New(xcp.ChecksumUser, xcp.Intel); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("USER_DEFINED: %v", err)
	}
	if _, err := Checksum(xcp.ChecksumType(0x42), xcp.Intel, nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := Checksum(xcp.ChecksumAdd44, xcp.Intel, make([]byte, 6)); !errors.Is(err, ErrPartialElement) {
		t.Fatalf("partial: %v", err)
	}
	h, _ := New(xcp.ChecksumAdd44, xcp.Intel)
	h.Write([]byte{1, 0, 0, 0, 2, 0})
	if h.Pending() != 2 || h.Sum32() != 1 {
		t.Fatalf("pending %d sum %d", h.Pending(), h.Sum32())
	}
	h.Reset()
	if h.Pending() != 0 || h.Sum32() != 0 {
		t.Fatal("reset")
	}
}

func TestSumBytes(t *testing.T) {
	h, _ := New(xcp.ChecksumCRC16CITT, xcp.Intel)
	h.Write([]byte("123456789"))
	if got := fmt.Sprintf("% X", h.Sum(nil)); got != "29 B1" || h.Size() != 2 {
		t.Fatalf("Sum = %s", got)
	}
	h, _ = New(xcp.ChecksumAdd11, xcp.Intel)
	h.Write([]byte("123456789"))
	if got := fmt.Sprintf("% X", h.Sum(nil)); got != "DD" {
		t.Fatalf("Sum = %s", got)
	}
}

func BenchmarkCRC16(b *testing.B) {
	data := make([]byte, 64<<10)
	h, _ := New(xcp.ChecksumCRC16, xcp.Intel)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h.Reset()
		h.Write(data)
	}
}
