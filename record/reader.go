package record

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"hash/crc32"
	"io"
	"iter"
	"os"
	"time"

	"github.com/pierrec/lz4/v4"
)

// ChunkInfo describes a frame block.
type ChunkInfo struct {
	Offset      int64  // file offset of the block header
	Seq         uint32 // block sequence number
	Records     uint32 // frames in the block
	First, Last int64  // host timestamps of the first and last frame
	Stored, Raw uint32 // payload size in the file and uncompressed
}

// Tail describes how a file that was not closed cleanly ends.
type Tail struct {
	// Offset is where the unusable tail starts (the end of the last
	// complete block).
	Offset int64
	// Bytes is the size of the torn tail (an incompletely written block),
	// 0 if the file ends exactly after a complete block.
	Bytes int64
	// Reason says what was found there.
	Reason string
}

func (t *Tail) String() string {
	return fmt.Sprintf("not closed cleanly: %d torn bytes at offset %d (%s)", t.Bytes, t.Offset, t.Reason)
}

// Reader reads a recording as a stream of frames, in bounded memory (one
// decompressed block at a time). It verifies every CRC; damaged blocks in
// the middle of a file are skipped and listed by Damage, a torn end is
// described by Tail. Err reports only read errors of the underlying
// reader.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	closer  io.Closer
	meta    *Meta
	created time.Time
	off     int64 // file offset of the next unread byte

	nextSeq  uint32
	chunk    ChunkInfo
	stored   []byte
	raw      []byte
	payload  []byte // current frames payload
	pos      int
	left     uint32 // frames not yet returned from the current chunk
	prevT    int64
	frame    dto.Frame
	stats    Stats
	index    []IndexEntry
	complete bool
	end      bool
	tail     *Tail
	damage   []CorruptError
	err      error
}

// Open opens the recording at path. Close the Reader when done.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// NewReader reads the file header from rd and returns a Reader positioned
// before the first frame.
func NewReader(rd io.Reader) (*Reader, error) {
	r := &Reader{br: bufio.NewReaderSize(rd, 64<<10)}
	var fix [fileHeaderFixed]byte
	n, err := io.ReadFull(r.br, fix[:])
	if n >= 8 && [8]byte(fix[:8]) != fileMagic || n < 8 && !bytes.HasPrefix(fileMagic[:], fix[:n]) {
		return nil, ErrNotRecording
	}
	if err != nil {
		return nil, r.headerErr(err, "file header")
	}
	le := binary.LittleEndian
	if v := le.Uint16(fix[8:]); v != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d (this reader knows %d)", ErrVersion, v, FormatVersion)
	}
	ml := le.Uint32(fix[12:])
	if ml > MaxMetaSize {
		return nil, &CorruptError{Offset: 12, Reason: fmt.Sprintf("metadata length %d exceeds %d", ml, MaxMetaSize), Err: ErrCorrupt}
	}
	r.created = time.Unix(0, int64(le.Uint64(fix[16:]))).UTC()
	rest := make([]byte, int(ml)+4)
	if _, err := io.ReadFull(r.br, rest); err != nil {
		return nil, r.headerErr(err, "metadata")
	}
	crc := crc32.Update(crc32.Checksum(fix[:], castagnoli), castagnoli, rest[:ml])
	if crc != le.Uint32(rest[ml:]) {
		return nil, &CorruptError{Offset: 0, Reason: "file header CRC mismatch", Err: ErrCorrupt}
	}
	m, err := unmarshalMeta(rest[:ml])
	if err != nil {
		return nil, err
	}
	r.meta = m
	r.off = int64(fileHeaderFixed) + int64(len(rest))
	return r, nil
}

func (r *Reader) headerErr(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &CorruptError{Offset: 0, Reason: what + " incomplete", Err: ErrTruncated}
	}
	return fmt.Errorf("record: read %s: %w", what, err)
}

// Meta returns the recording's metadata.
func (r *Reader) Meta() *Meta { return r.meta }

// Created returns the creation time stored in the file header.
func (r *Reader) Created() time.Time { return r.created }

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Next advances to the next frame and reports whether there is one.
func (r *Reader) Next() bool {
	for {
		if r.left > 0 {
			if r.decodeFrame() {
				return true
			}
			continue
		}
		if !r.NextChunk() {
			return false
		}
	}
}

// All returns an iterator over the remaining frames (Frame.Data valid
// until the next iteration). Check Err, Damage and Tail after the loop.
func (r *Reader) All() iter.Seq[dto.Frame] {
	return func(yield func(dto.Frame) bool) {
		for r.Next() {
			if !yield(r.frame) {
				return
			}
		}
	}
}

// Frame returns the current frame.
func (r *Reader) Frame() dto.Frame { return r.frame }

// Chunk describes the frame block of the current frame.
func (r *Reader) Chunk() ChunkInfo { return r.chunk }

// Err returns the first read error of the underlying reader (not damage
// or a torn tail, see Damage and Tail).
func (r *Reader) Err() error { return r.err }

// Tail describes the end of a file that was not closed cleanly; nil for a
// cleanly closed file or before the end is reached.
func (r *Reader) Tail() *Tail { return r.tail }

// Complete reports whether the index and trailer of a clean close were
// read (valid once Next returned false).
func (r *Reader) Complete() bool { return r.complete }

// Damage lists the damaged regions skipped so far.
func (r *Reader) Damage() []CorruptError { return r.damage }

// Stats returns the last stats block read so far (after the end: the
// recording's final counters, if a stats block survived).
func (r *Reader) Stats() Stats { return r.stats }

// Index returns the index of a cleanly closed file after the end.
func (r *Reader) Index() []IndexEntry { return r.index }

// Offset returns the file offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.off }

// decodeFrame decodes the next frame of the current chunk.
func (r *Reader) decodeFrame() bool {
	p := r.payload[r.pos:]
	dt, n1 := binary.Uvarint(p)
	if n1 <= 0 {
		return r.chunkDamaged("bad frame time")
	}
	ln, n2 := binary.Uvarint(p[n1:])
	if n2 <= 0 || ln > uint64(len(p)-n1-n2) {
		return r.chunkDamaged("bad frame length")
	}
	start := n1 + n2
	r.prevT += unzigzag(dt)
	r.frame = dto.Frame{Time: r.prevT, Data: p[start : start+int(ln) : start+int(ln)]}
	r.pos += start + int(ln)
	r.left--
	if r.left == 0 && r.pos != len(r.payload) {
		r.chunkDamaged(fmt.Sprintf("%d bytes after the last frame", len(r.payload)-r.pos))
		return true
	}
	return true
}

func (r *Reader) chunkDamaged(reason string) bool {
	r.damage = append(r.damage, CorruptError{Offset: r.chunk.Offset, Reason: "frame block: " + reason, Err: ErrCorrupt,
		Frames: r.left, First: r.prevT, Last: r.chunk.Last})
	r.left = 0
	return false
}

// NextChunk skips the rest of the current frame block and advances to the
// next one; the frames of the new block are then returned by Next.
func (r *Reader) NextChunk() bool {
	r.left = 0
	for !r.end {
		typ, ok := r.readBlock()
		if !ok {
			continue
		}
		if typ == blockFrames {
			if r.chunk.Records == 0 {
				continue
			}
			return true
		}
	}
	return false
}

// readBlock reads the next block; it reports the type and whether it is
// usable. It sets r.end at the end of the data.
func (r *Reader) readBlock() (uint8, bool) {
	hb, err := r.br.Peek(blockHeaderSize)
	if len(hb) < blockHeaderSize {
		r.finishAt(int64(len(hb)), err, "incomplete block header")
		return 0, false
	}
	var h blockHeader
	if reason := h.parse(hb); reason != "" {
		r.resync(reason)
		return 0, false
	}
	start := r.off
	pb, err := r.br.Peek(blockHeaderSize + int(h.stored))
	if err == bufio.ErrBufferFull {
		// Larger than the buffer: read it in full.
		r.stored = grow(r.stored, blockHeaderSize+int(h.stored))
		n, err := io.ReadFull(r.br, r.stored)
		if err != nil {
			r.off += int64(n)
			r.finishAt(-int64(n), err, "incomplete block payload")
			return 0, false
		}
		pb = r.stored
	} else if len(pb) < blockHeaderSize+int(h.stored) {
		r.finishAt(int64(len(pb)), err, "incomplete block payload")
		return 0, false
	} else {
		// pb aliases the bufio buffer. Discard only advances the read
		// position: the bytes stay valid until the next read from br,
		// which happens in the next readBlock, after the block's frames
		// were used (Frame.Data is valid until the next Next).
		r.br.Discard(len(pb))
	}
	r.off = start + int64(len(pb))
	payload := pb[blockHeaderSize:]
	if crc32.Checksum(payload, castagnoli) != h.payloadCRC {
		ce := CorruptError{Offset: start, Reason: "block payload CRC mismatch", Err: ErrCorrupt}
		if h.typ == blockFrames {
			ce.Frames, ce.First, ce.Last = h.records, h.first, h.last
		}
		r.damage = append(r.damage, ce)
		r.nextSeq = h.seq + 1
		return 0, false
	}
	if h.seq != r.nextSeq {
		r.damage = append(r.damage, CorruptError{Offset: start, Reason: fmt.Sprintf("blocks %d..%d missing", r.nextSeq, h.seq-1), Err: ErrCorrupt})
	}
	r.nextSeq = h.seq + 1
	if h.codec == codecLZ4 {
		r.raw = grow(r.raw, int(h.raw))
		n, err := lz4.UncompressBlock(payload, r.raw)
		if err != nil || n != int(h.raw) {
			ce := CorruptError{Offset: start, Reason: "LZ4 payload does not decompress to its size", Err: ErrCorrupt}
			if h.typ == blockFrames {
				ce.Frames, ce.First, ce.Last = h.records, h.first, h.last
			}
			r.damage = append(r.damage, ce)
			return 0, false
		}
		payload = r.raw
	}
	switch h.typ {
	case blockFrames:
		r.chunk = ChunkInfo{Offset: start, Seq: h.seq, Records: h.records, First: h.first, Last: h.last, Stored: h.stored, Raw: h.raw}
		r.payload, r.pos, r.left, r.prevT = payload, 0, h.records, h.first
		if h.records == 0 && len(payload) != 0 {
			r.damage = append(r.damage, CorruptError{Offset: start, Reason: "frame block without records has a payload", Err: ErrCorrupt})
		}
	case blockStats:
		var s Stats
		if err := json.Unmarshal(payload, &s); err != nil {
			r.damage = append(r.damage, CorruptError{Offset: start, Reason: "stats block: " + err.Error(), Err: ErrCorrupt})
			return 0, false
		}
		r.stats = s
	case blockIndex:
		idx, err := parseIndex(payload, h.records)
		if err != nil {
			r.damage = append(r.damage, CorruptError{Offset: start, Reason: "index block: " + err.Error(), Err: ErrCorrupt})
			return 0, false
		}
		r.index = idx
		r.readTrailer(start)
	}
	return h.typ, true
}

// readTrailer reads the trailer after the index block at indexOff and
// expects the end of the data.
func (r *Reader) readTrailer(indexOff int64) {
	t, err := r.br.Peek(trailerSize)
	if len(t) < trailerSize {
		r.finishAt(int64(len(t)), err, "incomplete trailer")
		return
	}
	if [8]byte(t[8:]) != trailerMagic || int64(binary.LittleEndian.Uint64(t)) != indexOff {
		r.resync("bad trailer")
		return
	}
	r.br.Discard(trailerSize)
	r.off += trailerSize
	if extra, _ := r.br.Peek(1); len(extra) > 0 {
		r.resync("data after the trailer")
		return
	}
	r.complete = true
	r.end = true
}

// finishAt ends reading: n bytes (negative: already consumed) remain at
// r.off, err is the error that stopped reading.
func (r *Reader) finishAt(n int64, err error, reason string) {
	r.end = true
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && err != bufio.ErrBufferFull {
		r.err = fmt.Errorf("record: read at offset %d: %w", r.off, err)
		return
	}
	off := r.off
	if n < 0 {
		off += n
		n = -n
	} else {
		r.br.Discard(int(n))
		r.off += n
	}
	if n == 0 {
		reason = "file ends after a complete block without index"
	}
	r.tail = &Tail{Offset: off, Bytes: n, Reason: reason}
}

// resync skips damaged bytes up to the next valid block header.
func (r *Reader) resync(reason string) {
	start := r.off
	r.br.Discard(1)
	r.off++
	for {
		p, err := r.br.Peek(32 << 10)
		if len(p) < blockHeaderSize {
			// Nothing valid follows: the damage is the torn end.
			r.br.Discard(len(p))
			r.off += int64(len(p))
			r.end = true
			if err != nil && !errors.Is(err, io.EOF) {
				r.err = fmt.Errorf("record: read at offset %d: %w", r.off, err)
				return
			}
			r.tail = &Tail{Offset: start, Bytes: r.off - start, Reason: reason}
			return
		}
		i := bytes.Index(p, blockMagic[:])
		if i < 0 || i > len(p)-blockHeaderSize {
			skip := len(p) - blockHeaderSize + 1
			if i >= 0 && i < skip {
				skip = i
			}
			if skip < 1 {
				skip = 1
			}
			r.br.Discard(skip)
			r.off += int64(skip)
			continue
		}
		var h blockHeader
		if h.parse(p[i:i+blockHeaderSize]) == "" {
			r.br.Discard(i)
			r.off += int64(i)
			r.damage = append(r.damage, CorruptError{Offset: start, Reason: fmt.Sprintf("%s; skipped %d bytes", reason, r.off-start), Err: ErrCorrupt})
			return
		}
		r.br.Discard(i + 1)
		r.off += int64(i + 1)
	}
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
