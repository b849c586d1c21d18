package xmraw

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pierrec/lz4/v4"
)

// Magic is the start of every .xmraw file.
const Magic = "ASAMINT::XCP_RAW"

// Version is the file format version this package reads.
const Version = 0x0100

// Header option bits.
const (
	OptRelativeTimestamps = 0x0002
	OptHasMetadata        = 0x0004
)

const (
	fileHeaderSize  = 16 + 38 // magic + header
	containerHeader = 12
	frameHeaderSize = 13

	// MaxMetadataSize bounds the metadata block a Reader accepts.
	MaxMetadataSize = 16 << 20
	// MaxContainerSize bounds the compressed and uncompressed size of one
	// container (pyXCP writes about 512 KiB).
	MaxContainerSize = 64 << 20
)

// Frame categories of the frame header (pyXCP's FrameCategory).
const (
	CatMeta = iota
	CatCmd
	CatRes
	CatErr
	CatEv
	CatServ
	CatDAQ
	CatStim
)

// Errors; the concrete errors wrap one of them.
var (
	// ErrNotXmraw means the data does not start with pyXCP's magic.
	ErrNotXmraw = errors.New("xmraw: not a pyXCP recording (.xmraw)")
	// ErrVersion means a file format version this package does not know.
	ErrVersion = errors.New("xmraw: unsupported version")
	// ErrCorrupt means inconsistent sizes or undecodable data.
	ErrCorrupt = errors.New("xmraw: corrupt data")
	// ErrTruncated means the file ends before the data its header announces.
	ErrTruncated = errors.New("xmraw: truncated")
	// ErrUnsupported means a recording feature this package cannot decode.
	ErrUnsupported = errors.New("xmraw: unsupported")
)

// FormatError locates damage in a file.
type FormatError struct {
	Offset    int64 // file offset of the damaged header or container
	Container int   // 0-based container number, -1 for the file header
	Reason    string
	Err       error // ErrCorrupt, ErrTruncated, ...
}

func (e *FormatError) Error() string {
	where := "file header"
	if e.Container >= 0 {
		where = fmt.Sprintf("container %d", e.Container)
	}
	return fmt.Sprintf("%v: %s at offset %d: %s", e.Err, where, e.Offset, e.Reason)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Header is the file header.
type Header struct {
	Version    uint16
	Options    uint16
	Containers uint64 // number of containers
	Frames     uint64 // number of frames in all containers
	Compressed uint64 // bytes of compressed container data
	Raw        uint64 // bytes of uncompressed container data
}

// Frame is one recorded frame.
type Frame struct {
	Category uint8  // CatDAQ for DTOs
	Counter  uint16 // transport counter
	// Timestamp is the host receive time in nanoseconds (pyXCP's clock).
	Timestamp uint64
	// Data is the XCP packet, PID first; valid until the next Next.
	Data []byte
}

// Stats count what a Reader has read.
type Stats struct {
	Containers uint64 // containers read intact
	Frames     uint64 // frames returned
	Skipped    uint64 // frames in containers skipped as damaged (as announced)
}

// Reader streams the frames of a .xmraw file, one container in memory at a
// time. It is not safe for concurrent use.
type Reader struct {
	br     *bufio.Reader
	closer io.Closer
	off    int64
	hdr    Header
	params *Params
	meta   []byte

	container int // containers consumed
	raw       []byte
	stored    []byte
	pos       int
	left      uint32
	frame     Frame
	stats     Stats
	damage    []FormatError
	err       error
	done      bool
}

// Open opens a .xmraw file; Close releases it.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("xmraw: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// IsFile reports whether the file at path starts with pyXCP's magic.
func IsFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("xmraw: %w", err)
	}
	defer f.Close()
	var b [len(Magic)]byte
	n, err := io.ReadFull(f, b[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false, fmt.Errorf("xmraw: %w", err)
	}
	return n == len(b) && string(b[:]) == Magic, nil
}

// NewReader reads the file header and metadata from rd.
func NewReader(rd io.Reader) (*Reader, error) {
	r := &Reader{br: bufio.NewReaderSize(rd, 64<<10)}
	var b [fileHeaderSize]byte
	n, err := io.ReadFull(r.br, b[:])
	if n < len(Magic) || string(b[:len(Magic)]) != Magic {
		if err != nil && n < len(Magic) && string(b[:n]) == Magic[:n] && n > 0 {
			return nil, &FormatError{Container: -1, Reason: fmt.Sprintf("%d of %d header bytes", n, fileHeaderSize), Err: ErrTruncated}
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("xmraw: %w", err)
		}
		return nil, ErrNotXmraw
	}
	if err != nil {
		return nil, &FormatError{Container: -1, Reason: fmt.Sprintf("%d of %d header bytes", n, fileHeaderSize), Err: ErrTruncated}
	}
	h := b[len(Magic):]
	if size := binary.LittleEndian.Uint16(h); size != fileHeaderSize {
		return nil, &FormatError{Container: -1, Reason: fmt.Sprintf("header size %d (want %d)", size, fileHeaderSize), Err: ErrCorrupt}
	}
	r.hdr = Header{
		Version:    binary.LittleEndian.Uint16(h[2:]),
		Options:    binary.LittleEndian.Uint16(h[4:]),
		Containers: binary.LittleEndian.Uint64(h[6:]),
		Frames:     binary.LittleEndian.Uint64(h[14:]),
		Compressed: binary.LittleEndian.Uint64(h[22:]),
		Raw:        binary.LittleEndian.Uint64(h[30:]),
	}
	if r.hdr.Version != Version {
		return nil, fmt.Errorf("%w: file version 0x%04X (this reader knows 0x%04X)", ErrVersion, r.hdr.Version, Version)
	}
	r.off = fileHeaderSize
	if r.hdr.Options&OptHasMetadata == 0 {
		return nil, fmt.Errorf("%w: the recording holds no DAQ metadata (written without measurement parameters); its frames cannot be decoded", ErrUnsupported)
	}
	var lb [8]byte
	if _, err := io.ReadFull(r.br, lb[:]); err != nil {
		return nil, r.readErr(-1, "metadata length", err)
	}
	mlen := binary.LittleEndian.Uint64(lb[:])
	if mlen > MaxMetadataSize {
		return nil, &FormatError{Offset: r.off, Container: -1, Reason: fmt.Sprintf("metadata length %d exceeds %d", mlen, MaxMetadataSize), Err: ErrCorrupt}
	}
	r.off += 8
	r.meta = make([]byte, mlen)
	if _, err := io.ReadFull(r.br, r.meta); err != nil {
		return nil, r.readErr(-1, "metadata", err)
	}
	p, err := ParseParams(r.meta)
	if err != nil {
		return nil, &FormatError{Offset: r.off, Container: -1, Reason: "metadata: " + err.Error(), Err: ErrCorrupt}
	}
	r.off += int64(mlen)
	r.params = p
	return r, nil
}

// readErr turns a short read into ErrTruncated and keeps other errors.
func (r *Reader) readErr(container int, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FormatError{Offset: r.off, Container: container, Reason: "file ends inside the " + what, Err: ErrTruncated}
	}
	return fmt.Errorf("xmraw: reading %s at offset %d: %w", what, r.off, err)
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.hdr }

// Params returns the measurement parameters stored in the file.
func (r *Reader) Params() *Params { return r.params }

// Metadata returns the raw metadata block (pyXCP's serialized parameters).
func (r *Reader) Metadata() []byte { return r.meta }

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	c := r.closer
	r.closer = nil
	return c.Close()
}

// Next advances to the next frame and reports whether there is one. At the
// end (or a point past which nothing can be read) it returns false; Err
// says why if it was not the clean end of the file.
func (r *Reader) Next() bool {
	for r.left == 0 {
		if r.done || !r.nextContainer() {
			r.done = true
			return false
		}
	}
	b := r.raw[r.pos:]
	if len(b) < frameHeaderSize {
		r.dropContainer(fmt.Sprintf("frame header beyond the container's data (%d frames missing)", r.left))
		return r.Next()
	}
	n := int(binary.LittleEndian.Uint16(b[11:]))
	if len(b) < frameHeaderSize+n {
		r.dropContainer(fmt.Sprintf("frame of %d bytes beyond the container's data (%d frames missing)", n, r.left))
		return r.Next()
	}
	r.frame = Frame{Category: b[0], Counter: binary.LittleEndian.Uint16(b[1:]), Timestamp: binary.LittleEndian.Uint64(b[3:]), Data: b[frameHeaderSize : frameHeaderSize+n : frameHeaderSize+n]}
	r.pos += frameHeaderSize + n
	r.left--
	r.stats.Frames++
	return true
}

// dropContainer records that the rest of the current container is damaged.
func (r *Reader) dropContainer(reason string) {
	r.damage = append(r.damage, FormatError{Offset: r.off, Container: r.container - 1, Reason: reason, Err: ErrCorrupt})
	r.stats.Skipped += uint64(r.left)
	r.left = 0
}

// nextContainer loads the next container; false at the end or when
// nothing more can be read (r.err set then).
func (r *Reader) nextContainer() bool {
	for {
		if uint64(r.container) >= r.hdr.Containers {
			if _, err := r.br.Peek(1); err == nil {
				r.damage = append(r.damage, FormatError{Offset: r.off, Container: r.container, Reason: "data after the last container the header announces (ignored)", Err: ErrCorrupt})
			}
			return false
		}
		c := r.container
		start := r.off
		var h [containerHeader]byte
		if _, err := io.ReadFull(r.br, h[:]); err != nil {
			r.err = r.readErr(c, "container header", err)
			r.err = r.lost(r.err)
			return false
		}
		recs := binary.LittleEndian.Uint32(h[0:])
		stored := binary.LittleEndian.Uint32(h[4:])
		raw := binary.LittleEndian.Uint32(h[8:])
		r.off += containerHeader
		// LZ4 expands at most 255-fold.
		if stored > MaxContainerSize || raw > MaxContainerSize || uint64(recs)*frameHeaderSize > uint64(raw) || uint64(raw) > 255*uint64(stored)+16 {
			// The sizes can't be trusted, so the next container can't be found.
			r.err = r.lost(&FormatError{Offset: start, Container: c, Reason: fmt.Sprintf("implausible container header (%d frames, %d bytes compressed, %d uncompressed)", recs, stored, raw), Err: ErrCorrupt})
			return false
		}
		if err := r.readStored(int(stored)); err != nil {
			r.off = start
			r.err = r.lost(r.readErr(c, fmt.Sprintf("container data (%d bytes announced)", stored), err))
			return false
		}
		r.off += int64(stored)
		r.container++
		if cap(r.raw) < int(raw) {
			r.raw = make([]byte, raw)
		}
		r.raw = r.raw[:raw]
		n, err := lz4.UncompressBlock(r.stored, r.raw)
		if err != nil || n != int(raw) {
			reason := fmt.Sprintf("LZ4 data decompress to %d bytes, header says %d", n, raw)
			if err != nil {
				reason = "LZ4 data: " + err.Error()
			}
			r.damage = append(r.damage, FormatError{Offset: start, Container: c, Reason: reason + fmt.Sprintf(" (%d frames skipped)", recs), Err: ErrCorrupt})
			r.stats.Skipped += uint64(recs)
			continue
		}
		r.stats.Containers++
		r.pos, r.left = 0, recs
		if recs > 0 {
			return true
		}
	}
}

// readStored reads n bytes into r.stored, growing it as data arrives so
// that a header announcing more than the file holds allocates no more
// than the file's size.
func (r *Reader) readStored(n int) error {
	r.stored = r.stored[:0]
	for len(r.stored) < n {
		k := min(n-len(r.stored), 1<<20)
		r.stored = append(r.stored, make([]byte, k)...)
		if _, err := io.ReadFull(r.br, r.stored[len(r.stored)-k:]); err != nil {
			return err
		}
	}
	return nil
}

// lost adds to a fatal error how much of what the header announces is
// missing.
func (r *Reader) lost(err error) error {
	var fe *FormatError
	if errors.As(err, &fe) && r.hdr.Containers > 0 {
		missing := r.hdr.Containers - uint64(r.container)
		fe.Reason += fmt.Sprintf("; %d of %d containers unread", missing, r.hdr.Containers)
	}
	return err
}

// Frame returns the current frame; its Data is valid until the next Next.
func (r *Reader) Frame() *Frame { return &r.frame }

// Err returns why reading stopped before the end the header announces
// (wrapping ErrTruncated or ErrCorrupt, or an I/O error); nil after a
// complete file.
func (r *Reader) Err() error { return r.err }

// Damage lists the containers skipped as damaged so far.
func (r *Reader) Damage() []FormatError { return r.damage }

// Stats returns what has been read so far.
func (r *Reader) Stats() Stats { return r.stats }
