// Package checksum computes the BUILD_CHECKSUM algorithms of ASAM MCD-1 XCP
// 1.5 (part 2, BUILD_CHECKSUM) on the host, so a master can compare a
// slave's checksum with the data it expects and a simulator can answer
// BUILD_CHECKSUM.
//
// The algorithms:
//
//	XCP_ADD_11        sum of bytes, modulo 2^8
//	XCP_ADD_12        sum of bytes, modulo 2^16
//	XCP_ADD_14        sum of bytes, modulo 2^32
//	XCP_ADD_22        sum of 16-bit words, modulo 2^16
//	XCP_ADD_24        sum of 16-bit words, modulo 2^32
//	XCP_ADD_44        sum of 32-bit dwords, modulo 2^32
//	XCP_CRC_16        CRC-16/ARC: poly 0x8005 reflected, init 0, xorout 0 (check 0xBB3D)
//	XCP_CRC_16_CITT   CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, xorout 0 (check 0x29B1)
//	XCP_CRC_32        CRC-32/IEEE 802.3 (check 0xCBF43926)
//
// Words and dwords of the ADD_22/24/44 sums are read in the slave's byte
// order. XCP_USER_DEFINED is slave-specific and reported as unsupported.
//
// A Hash is streaming: a memory range can be fed in pieces of any size
// (also splitting a word), as it arrives from UPLOAD.
package checksum

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrUnsupported is returned for checksum types this package cannot
// compute (XCP_USER_DEFINED and unknown codes).
var ErrUnsupported = errors.New("checksum: type not supported")

// ErrPartialElement is returned by Checksum when the data ended inside a
// word or dword of an ADD_22/ADD_24/ADD_44 sum.
var ErrPartialElement = errors.New("checksum: data length is not a multiple of the element size")

// Supported reports whether t can be computed locally.
func Supported(t xcp.ChecksumType) bool { return t >= xcp.ChecksumAdd11 && t <= xcp.ChecksumCRC32 }

// ElementSize returns the size in bytes of the units t adds up: 2 for
// ADD_22 and ADD_24, 4 for ADD_44, 1 otherwise. XCP requires the block
// size of these types to be a multiple of it.
func ElementSize(t xcp.ChecksumType) int {
	switch t {
	case xcp.ChecksumAdd22, xcp.ChecksumAdd24:
		return 2
	case xcp.ChecksumAdd44:
		return 4
	}
	return 1
}

// Hash is a streaming checksum of one type. The zero value is not usable;
// create it with New. It implements hash.Hash32.
type Hash struct {
	typ   xcp.ChecksumType
	order xcp.ByteOrder
	sum   uint32
	pend  [4]byte
	npend int
}

// New returns a Hash computing t, reading words in byte order order.
func New(t xcp.ChecksumType, order xcp.ByteOrder) (*Hash, error) {
	if !Supported(t) {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, t)
	}
	h := &Hash{typ: t, order: order}
	h.Reset()
	return h, nil
}

// Type returns the checksum type.
func (h *Hash) Type() xcp.ChecksumType { return h.typ }

// Reset starts a new calculation.
func (h *Hash) Reset() {
	h.npend = 0
	h.sum = 0
	if h.typ == xcp.ChecksumCRC16CITT {
		h.sum = 0xFFFF
	}
}

// Size returns the checksum size in bytes (hash.Hash).
func (h *Hash) Size() int {
	switch h.typ {
	case xcp.ChecksumAdd11:
		return 1
	case xcp.ChecksumAdd12, xcp.ChecksumAdd22, xcp.ChecksumCRC16, xcp.ChecksumCRC16CITT:
		return 2
	}
	return 4
}

// BlockSize returns the element size (hash.Hash).
func (h *Hash) BlockSize() int { return ElementSize(h.typ) }

// Pending returns the number of bytes of an incomplete word or dword that
// is waiting for more data (always 0 for byte-wise types).
func (h *Hash) Pending() int { return h.npend }

// Write adds p to the checksum. It never fails.
func (h *Hash) Write(p []byte) (int, error) {
	n := len(p)
	switch h.typ {
	case xcp.ChecksumAdd11, xcp.ChecksumAdd12, xcp.ChecksumAdd14:
		s := h.sum
		for _, b := range p {
			s += uint32(b)
		}
		h.sum = s
	case xcp.ChecksumAdd22, xcp.ChecksumAdd24, xcp.ChecksumAdd44:
		h.writeElems(p)
	case xcp.ChecksumCRC16:
		s := uint16(h.sum)
		for _, b := range p {
			s = s>>8 ^ crc16ARC[byte(s)^b]
		}
		h.sum = uint32(s)
	case xcp.ChecksumCRC16CITT:
		s := uint16(h.sum)
		for _, b := range p {
			s = s<<8 ^ crc16CCITT[byte(s>>8)^b]
		}
		h.sum = uint32(s)
	case xcp.ChecksumCRC32:
		h.sum = crc32.Update(h.sum, crc32.IEEETable, p)
	}
	return n, nil
}

func (h *Hash) writeElems(p []byte) {
	es := ElementSize(h.typ)
	if h.npend > 0 {
		k := copy(h.pend[h.npend:es], p)
		h.npend += k
		p = p[k:]
		if h.npend < es {
			return
		}
		h.add(h.pend[:es])
		h.npend = 0
	}
	for len(p) >= es {
		h.add(p[:es])
		p = p[es:]
	}
	h.npend = copy(h.pend[:], p)
}

func (h *Hash) add(e []byte) {
	if len(e) == 2 {
		h.sum += uint32(h.order.Uint16(e))
		return
	}
	h.sum += h.order.Uint32(e)
}

// Sum32 returns the checksum of the data written so far, reduced to the
// type's width (bytes of an incomplete element are not included).
func (h *Hash) Sum32() uint32 {
	switch h.typ {
	case xcp.ChecksumAdd11:
		return h.sum & 0xFF
	case xcp.ChecksumAdd12, xcp.ChecksumAdd22:
		return h.sum & 0xFFFF
	}
	return h.sum
}

// Sum appends the checksum in big-endian order of its Size (hash.Hash).
func (h *Hash) Sum(b []byte) []byte {
	var tmp [4]byte
	binary.BigEndian.PutUint32(tmp[:], h.Sum32())
	return append(b, tmp[4-h.Size():]...)
}

// Checksum computes t over data in one call. The length of data must be a
// multiple of ElementSize(t).
func Checksum(t xcp.ChecksumType, order xcp.ByteOrder, data []byte) (uint32, error) {
	h := Hash{typ: t, order: order}
	if !Supported(t) {
		return 0, fmt.Errorf("%w: %s", ErrUnsupported, t)
	}
	if len(data)%ElementSize(t) != 0 {
		return 0, fmt.Errorf("%w: %d bytes for %s", ErrPartialElement, len(data), t)
	}
	h.Reset()
	h.Write(data)
	return h.Sum32(), nil
}

var (
	crc16ARC   = makeReflected16(0xA001) // 0x8005 bit-reversed
	crc16CCITT = makeNormal16(0x1021)
)

func makeReflected16(poly uint16) *[256]uint16 {
	var t [256]uint16
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ poly
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return &t
}

func makeNormal16(poly uint16) *[256]uint16 {
	var t [256]uint16
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ poly
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return &t
}
