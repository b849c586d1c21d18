package xcp

import (
	"encoding/binary"
	"fmt"
)

// ByteOrder is the byte order of multi-byte parameters, announced by the
// slave in COMM_MODE_BASIC bit 0 of the CONNECT response.
type ByteOrder uint8

// Byte orders.
const (
	Intel    ByteOrder = 0 // little endian
	Motorola ByteOrder = 1 // big endian
)

// String returns "Intel" or "Motorola".
func (o ByteOrder) String() string {
	if o == Motorola {
		return "Motorola"
	}
	return "Intel"
}

// Binary returns the encoding/binary byte order for o.
func (o ByteOrder) Binary() binary.ByteOrder {
	if o == Motorola {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Uint16 decodes b[0:2].
func (o ByteOrder) Uint16(b []byte) uint16 {
	if o == Motorola {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

// Uint32 decodes b[0:4].
func (o ByteOrder) Uint32(b []byte) uint32 {
	if o == Motorola {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// Uint64 decodes b[0:8].
func (o ByteOrder) Uint64(b []byte) uint64 {
	if o == Motorola {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// PutUint16 encodes v into b[0:2].
func (o ByteOrder) PutUint16(b []byte, v uint16) {
	if o == Motorola {
		binary.BigEndian.PutUint16(b, v)
		return
	}
	binary.LittleEndian.PutUint16(b, v)
}

// PutUint32 encodes v into b[0:4].
func (o ByteOrder) PutUint32(b []byte, v uint32) {
	if o == Motorola {
		binary.BigEndian.PutUint32(b, v)
		return
	}
	binary.LittleEndian.PutUint32(b, v)
}

// PutUint64 encodes v into b[0:8].
func (o ByteOrder) PutUint64(b []byte, v uint64) {
	if o == Motorola {
		binary.BigEndian.PutUint64(b, v)
		return
	}
	binary.LittleEndian.PutUint64(b, v)
}

// AppendUint16 appends v to b.
func (o ByteOrder) AppendUint16(b []byte, v uint16) []byte {
	if o == Motorola {
		return binary.BigEndian.AppendUint16(b, v)
	}
	return binary.LittleEndian.AppendUint16(b, v)
}

// AppendUint32 appends v to b.
func (o ByteOrder) AppendUint32(b []byte, v uint32) []byte {
	if o == Motorola {
		return binary.BigEndian.AppendUint32(b, v)
	}
	return binary.LittleEndian.AppendUint32(b, v)
}

// AppendUint64 appends v to b.
func (o ByteOrder) AppendUint64(b []byte, v uint64) []byte {
	if o == Motorola {
		return binary.BigEndian.AppendUint64(b, v)
	}
	return binary.LittleEndian.AppendUint64(b, v)
}

// Granularity is the address granularity (AG): the size in bytes of one
// addressable memory element. UPLOAD/DOWNLOAD sizes count elements of this
// size and their data is aligned to it within the packet.
type Granularity uint8

// Address granularities, as sizes in bytes.
const (
	Byte  Granularity = 1
	Word  Granularity = 2
	DWord Granularity = 4
)

// GranularityFromBits decodes the ADDRESS_GRANULARITY bits (1..2) of
// COMM_MODE_BASIC: 0 BYTE, 1 WORD, 2 DWORD.
func GranularityFromBits(bits uint8) (Granularity, error) {
	switch bits & 3 {
	case 0:
		return Byte, nil
	case 1:
		return Word, nil
	case 2:
		return DWord, nil
	}
	return 0, fmt.Errorf("xcp: address granularity bits 3 are reserved: %w", ErrMalformed)
}

// Bits returns the COMM_MODE_BASIC encoding of g (0, 1 or 2).
func (g Granularity) Bits() uint8 {
	switch g {
	case Word:
		return 1
	case DWord:
		return 2
	}
	return 0
}

// Size returns the element size in bytes (1 for the zero value).
func (g Granularity) Size() int {
	if g == 0 {
		return 1
	}
	return int(g)
}

// String returns "BYTE", "WORD" or "DWORD".
func (g Granularity) String() string {
	switch g {
	case Word:
		return "WORD"
	case DWord:
		return "DWORD"
	}
	return "BYTE"
}

// Format holds the session parameters that shape packets: the slave's byte
// order, its address granularity and the maximum packet sizes. The zero
// value is Intel byte order, BYTE granularity and the XCP minimum sizes
// (MAX_CTO 8, MAX_DTO 8).
type Format struct {
	Order  ByteOrder
	AG     Granularity
	MaxCTO int
	MaxDTO int
}

// CTO returns the effective MAX_CTO (8 for the zero value).
func (f Format) CTO() int {
	if f.MaxCTO < 8 {
		return 8
	}
	return f.MaxCTO
}

// DTO returns the effective MAX_DTO (8 for the zero value).
func (f Format) DTO() int {
	if f.MaxDTO < 8 {
		return 8
	}
	return f.MaxDTO
}

// Align returns the number of alignment bytes that follow the PID or the
// command header of a packet whose data must start at an element boundary:
// AG-1 (0 for BYTE, 1 for WORD, 3 for DWORD).
func (f Format) Align() int { return f.AG.Size() - 1 }

// MaxUploadElements is the number of AG elements one UPLOAD response packet
// can carry: (MAX_CTO - AG) / AG.
func (f Format) MaxUploadElements() int { return (f.CTO() - f.AG.Size()) / f.AG.Size() }

// MaxDownloadElements is the number of AG elements one DOWNLOAD,
// DOWNLOAD_NEXT, PROGRAM or PROGRAM_NEXT packet can carry: the 2 header
// bytes are padded up to AG, so (MAX_CTO-2)/AG for BYTE and WORD and
// (MAX_CTO-4)/4 for DWORD.
func (f Format) MaxDownloadElements() int {
	hdr := 2
	if ag := f.AG.Size(); ag > hdr {
		hdr = ag
	}
	return (f.CTO() - hdr) / f.AG.Size()
}
