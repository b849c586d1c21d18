package mdf4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Block identifiers.
const (
	idHD = "##HD"
	idFH = "##FH"
	idTX = "##TX"
	idMD = "##MD"
	idDG = "##DG"
	idCG = "##CG"
	idCN = "##CN"
	idCC = "##CC"
	idSI = "##SI"
	idEV = "##EV"
	idDT = "##DT"
	idDZ = "##DZ"
	idDL = "##DL"
	idHL = "##HL"
	idDV = "##DV"
	idDI = "##DI"
	idLD = "##LD"
	idSD = "##SD"
	idRD = "##RD"
)

const (
	idBlockSize = 64 // the ID block at offset 0
	headerSize  = 24 // id, reserved, length, link count
	hdOffset    = idBlockSize
)

// Errors; the concrete errors wrap one of them.
var (
	// ErrNotMDF means the file does not start with an MDF identification.
	ErrNotMDF = errors.New("mdf4: not an MDF 4 file")
	// ErrUnsupported means a valid MDF feature this package does not
	// handle (the Error names the block and offset).
	ErrUnsupported = errors.New("mdf4: unsupported")
	// ErrCorrupt means a block is damaged or inconsistent.
	ErrCorrupt = errors.New("mdf4: corrupt file")
	// ErrUnfinalized means the file was not finalised by its writer.
	ErrUnfinalized = errors.New("mdf4: file not finalised")
)

// Error describes a problem with one block of a file.
type Error struct {
	Block  string // block identifier such as "##CN" (without data, "")
	Offset int64  // file offset of the block
	Reason string
	Err    error // ErrUnsupported, ErrCorrupt, ...
}

func (e *Error) Error() string {
	if e.Block == "" {
		return fmt.Sprintf("%v at offset %d: %s", e.Err, e.Offset, e.Reason)
	}
	return fmt.Sprintf("%v: %s block at offset %d: %s", e.Err, e.Block, e.Offset, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

func corrupt(id string, off int64, format string, args ...any) error {
	return &Error{Block: id, Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrCorrupt}
}

func unsupported(id string, off int64, format string, args ...any) error {
	return &Error{Block: id, Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

// block is one block as stored: identifier, links and data section.
type block struct {
	id    string
	links []uint64
	data  []byte
	off   int64 // file offset (reading)
}

// size returns the block length as stored in its header (unpadded).
func (b *block) size() uint64 { return headerSize + 8*uint64(len(b.links)) + uint64(len(b.data)) }

// appendBlock appends b, padded to a multiple of 8 bytes.
func appendBlock(dst []byte, b *block) []byte {
	le := binary.LittleEndian
	dst = append(dst, b.id...)
	dst = append(dst, 0, 0, 0, 0)
	dst = le.AppendUint64(dst, b.size())
	dst = le.AppendUint64(dst, uint64(len(b.links)))
	for _, l := range b.links {
		dst = le.AppendUint64(dst, l)
	}
	dst = append(dst, b.data...)
	for len(dst)%8 != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// parseHeader decodes a block header: identifier, length, link count.
func parseHeader(h []byte, off int64) (id string, length, links uint64, err error) {
	if len(h) < headerSize {
		return "", 0, 0, corrupt("", off, "block header truncated")
	}
	id = string(h[:4])
	if id[0] != '#' || id[1] != '#' {
		return "", 0, 0, corrupt("", off, "no block identifier (found %q)", id)
	}
	le := binary.LittleEndian
	length, links = le.Uint64(h[8:]), le.Uint64(h[16:])
	if links > (length-headerSize)/8 || length < headerSize {
		return "", 0, 0, corrupt(printable(id), off, "length %d too small for %d links", length, links)
	}
	return id, length, links, nil
}

func printable(s string) string {
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}

// fields reads little-endian fields of a data section; reading beyond
// its end yields zeros and sets short.
type fields struct {
	b     []byte
	p     int
	short bool
}

func (f *fields) bytes(n int) []byte {
	if f.p+n > len(f.b) {
		f.short = true
		f.p = len(f.b)
		return make([]byte, n)
	}
	v := f.b[f.p : f.p+n]
	f.p += n
	return v
}
func (f *fields) u8() uint8   { return f.bytes(1)[0] }
func (f *fields) u16() uint16 { return binary.LittleEndian.Uint16(f.bytes(2)) }
func (f *fields) u32() uint32 { return binary.LittleEndian.Uint32(f.bytes(4)) }
func (f *fields) u64() uint64 { return binary.LittleEndian.Uint64(f.bytes(8)) }
func (f *fields) i16() int16  { return int16(f.u16()) }
func (f *fields) i64() int64  { return int64(f.u64()) }
func (f *fields) f64() float64 {
	return math.Float64frombits(f.u64())
}
func (f *fields) skip(n int) { f.bytes(n) }

// out appends little-endian fields to a data section.
type out []byte

func (o *out) u8(v uint8)   { *o = append(*o, v) }
func (o *out) u16(v uint16) { *o = binary.LittleEndian.AppendUint16(*o, v) }
func (o *out) u32(v uint32) { *o = binary.LittleEndian.AppendUint32(*o, v) }
func (o *out) u64(v uint64) { *o = binary.LittleEndian.AppendUint64(*o, v) }
func (o *out) i16(v int16)  { o.u16(uint16(v)) }
func (o *out) i64(v int64)  { o.u64(uint64(v)) }
func (o *out) f64(v float64) {
	o.u64(math.Float64bits(v))
}
func (o *out) zero(n int) { *o = append(*o, make([]byte, n)...) }
