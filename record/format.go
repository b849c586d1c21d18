package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// FormatVersion is the version of the container format (file header and
// blocks) this package writes and reads.
const FormatVersion = 1

// Magic numbers; see docs/recording-format.md.
var (
	fileMagic    = [8]byte{0x89, 'X', 'L', 'O', 'G', '\r', '\n', 0x1A}
	blockMagic   = [4]byte{'X', 'B', 'L', 'K'}
	trailerMagic = [8]byte{'X', 'L', 'O', 'G', 'E', 'N', 'D', '\n'}
)

const (
	fileHeaderFixed = 24 // magic, version, flags, metadata length, creation time
	blockHeaderSize = 48
	trailerSize     = 16
	indexEntrySize  = 32

	// MaxMetaSize bounds the metadata block a reader accepts.
	MaxMetaSize = 16 << 20
	// MaxBlockSize bounds the stored and raw payload size of a block.
	MaxBlockSize = 64 << 20
	// MaxFrameSize is the largest frame a recording holds (an XCP packet
	// on Ethernet is at most 65535 bytes).
	MaxFrameSize = 0xFFFF
)

// Block types.
const (
	blockFrames = 1 // LZ4-compressed (or stored) frames
	blockStats  = 2 // JSON Stats snapshot, cumulative
	blockIndex  = 3 // index of frame blocks; written on clean close
)

// Payload codecs.
const (
	codecNone = 0
	codecLZ4  = 1 // LZ4 block format (no frame header)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors reported by the Reader; the concrete errors wrap one of them.
var (
	// ErrNotRecording means the data does not start with the file magic.
	ErrNotRecording = errors.New("record: not a goxcp recording")
	// ErrVersion means the file needs a newer reader.
	ErrVersion = errors.New("record: unsupported version")
	// ErrCorrupt means a CRC mismatch or an inconsistent header or payload.
	ErrCorrupt = errors.New("record: corrupt data")
	// ErrTruncated means the data ends inside a block or the header.
	ErrTruncated = errors.New("record: truncated")
)

// CorruptError describes damage at a file offset.
type CorruptError struct {
	Offset int64  // file offset of the damaged block or header
	Reason string // what was wrong
	Err    error  // ErrCorrupt or ErrTruncated
	// Frames is how many frames the damaged frame block held that could
	// not be read (0 if unknown), First and Last their host time range
	// (ns since Meta.Start).
	Frames      uint32
	First, Last int64
}

func (e *CorruptError) Error() string {
	if e.Frames > 0 {
		return fmt.Sprintf("%v at offset %d: %s (%d frames lost, host time %.3f..%.3f s)", e.Err, e.Offset, e.Reason, e.Frames, float64(e.First)/1e9, float64(e.Last)/1e9)
	}
	return fmt.Sprintf("%v at offset %d: %s", e.Err, e.Offset, e.Reason)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// blockHeader is the fixed header in front of every block.
type blockHeader struct {
	typ, codec  uint8
	records     uint32
	stored, raw uint32
	payloadCRC  uint32
	first, last int64
	seq         uint32
}

func (h *blockHeader) put(b []byte) {
	_ = b[blockHeaderSize-1]
	copy(b[0:4], blockMagic[:])
	b[4] = h.typ
	b[5] = h.codec
	b[6], b[7] = 0, 0
	le := binary.LittleEndian
	le.PutUint32(b[8:], h.records)
	le.PutUint32(b[12:], h.stored)
	le.PutUint32(b[16:], h.raw)
	le.PutUint32(b[20:], h.payloadCRC)
	le.PutUint64(b[24:], uint64(h.first))
	le.PutUint64(b[32:], uint64(h.last))
	le.PutUint32(b[40:], h.seq)
	le.PutUint32(b[44:], crc32.Checksum(b[:44], castagnoli))
}

// parse decodes and checks a block header; the reason is empty if it is
// valid.
func (h *blockHeader) parse(b []byte) string {
	if [4]byte(b[0:4]) != blockMagic {
		return "bad block magic"
	}
	le := binary.LittleEndian
	if crc32.Checksum(b[:44], castagnoli) != le.Uint32(b[44:]) {
		return "block header CRC mismatch"
	}
	h.typ, h.codec = b[4], b[5]
	h.records = le.Uint32(b[8:])
	h.stored = le.Uint32(b[12:])
	h.raw = le.Uint32(b[16:])
	h.payloadCRC = le.Uint32(b[20:])
	h.first = int64(le.Uint64(b[24:]))
	h.last = int64(le.Uint64(b[32:]))
	h.seq = le.Uint32(b[40:])
	switch {
	case h.typ < blockFrames || h.typ > blockIndex:
		return fmt.Sprintf("unknown block type %d", h.typ)
	case h.codec > codecLZ4:
		return fmt.Sprintf("unknown codec %d", h.codec)
	case h.stored > MaxBlockSize || h.raw > MaxBlockSize:
		return fmt.Sprintf("block size %d/%d exceeds %d", h.stored, h.raw, MaxBlockSize)
	case h.codec == codecNone && h.stored != h.raw:
		return fmt.Sprintf("stored block with sizes %d != %d", h.stored, h.raw)
	case h.records > h.raw:
		return fmt.Sprintf("%d records in %d bytes", h.records, h.raw)
	}
	return ""
}

// IndexEntry locates one frame block in a cleanly closed file.
type IndexEntry struct {
	Offset      int64  // file offset of the block header
	Records     uint32 // frames in the block
	Seq         uint32 // block sequence number
	First, Last int64  // host timestamps of the first and last frame
}

func appendIndexEntry(b []byte, e IndexEntry) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, uint64(e.Offset))
	b = le.AppendUint32(b, e.Records)
	b = le.AppendUint32(b, e.Seq)
	b = le.AppendUint64(b, uint64(e.First))
	b = le.AppendUint64(b, uint64(e.Last))
	return b
}

func parseIndex(b []byte, n uint32) ([]IndexEntry, error) {
	if uint64(len(b)) != uint64(n)*indexEntrySize {
		return nil, fmt.Errorf("index of %d entries has %d bytes", n, len(b))
	}
	le := binary.LittleEndian
	out := make([]IndexEntry, n)
	for i := range out {
		p := b[i*indexEntrySize:]
		out[i] = IndexEntry{
			Offset:  int64(le.Uint64(p)),
			Records: le.Uint32(p[8:]),
			Seq:     le.Uint32(p[12:]),
			First:   int64(le.Uint64(p[16:])),
			Last:    int64(le.Uint64(p[24:])),
		}
	}
	return out, nil
}
