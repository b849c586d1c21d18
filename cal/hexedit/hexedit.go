// Package hexedit opens Intel HEX and Motorola S-record files as
// calibration memory: values are read from and patched into the data
// records in place, and the file is written back with every record outside
// the changed bytes exactly as it was (same addresses, record lengths,
// order, line endings, comments). This is how a calibrated image is
// prepared for production from a build artefact without an ECU (see
// package cal and cal/paramset).
//
// Images have one flat address space: the address extension of the
// memory accesses is ignored.
package hexedit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Format is an image file format.
type Format int

// The formats.
const (
	IntelHex Format = iota + 1
	SRecord
)

func (f Format) String() string {
	switch f {
	case IntelHex:
		return "Intel HEX"
	case SRecord:
		return "S-record"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf returns the format by file extension (.hex, .ihex, .ihx; .s19,
// .s28, .s37, .srec, .mot, .sx) or, failing that, by the first record.
func FormatOf(name string, data []byte) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".hex", ".ihex", ".ihx":
		return IntelHex, nil
	case ".s19", ".s28", ".s37", ".srec", ".mot", ".sx":
		return SRecord, nil
	}
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	switch {
	case len(t) > 0 && t[0] == ':':
		return IntelHex, nil
	case len(t) > 1 && (t[0] == 'S' || t[0] == 's') && t[1] >= '0' && t[1] <= '9':
		return SRecord, nil
	}
	return 0, fmt.Errorf("hexedit: %s: neither Intel HEX nor S-record (by extension or content)", name)
}

// Error is a malformed record, with its line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("hexedit: line %d: %s", e.Line, e.Msg) }

// ErrNotInImage is returned (wrapped) for an access to addresses no data
// record holds.
var ErrNotInImage = errors.New("address not in the image")

// Image is a parsed HEX or S-record file whose data bytes can be read and
// patched. It is not safe for concurrent use.
type Image struct {
	format Format
	lines  []*line
	spans  []span // data bytes by address, sorted, not overlapping
	dirty  bool
}

type line struct {
	text, eol string
	rec       *record
	changed   bool
}

type record struct {
	typ     byte   // HEX: 0..5; S-record: 0..9
	addr    uint32 // the address field as written
	addrLen int    // bytes of the address field
	data    []byte
	base    uint32 // absolute address of data[0] (data records)
	upper   bool   // hex digits in upper case
}

type span struct {
	start, end uint32 // [start, end)
	rec        *record
	line       *line
}

// maxImage bounds what Parse accepts.
const maxImage = 256 << 20

// Open reads an image file.
func Open(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hexedit: %w", err)
	}
	f, err := FormatOf(path, data)
	if err != nil {
		return nil, err
	}
	img, err := Parse(data, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// Parse parses an image in format f. Checksums, record lengths and types
// are checked; data after the end record, a missing end record and
// overlapping data are errors.
func Parse(data []byte, f Format) (*Image, error) {
	if len(data) > maxImage {
		return nil, fmt.Errorf("hexedit: image larger than %d MiB", maxImage>>20)
	}
	img := &Image{format: f}
	var (
		hexBase uint32 // HEX: upper linear or segment base
		ended   bool
	)
	rest := data
	for n := 1; len(rest) > 0; n++ {
		text, eol, tail := cutLine(rest)
		rest = tail
		ln := &line{text: text, eol: eol}
		img.lines = append(img.lines, ln)
		trimmed := strings.TrimSpace(text)
		if n == 1 {
			trimmed = strings.TrimPrefix(trimmed, "\xef\xbb\xbf")
		}
		if trimmed == "" {
			continue
		}
		if ended {
			return nil, &Error{n, "data after the end-of-file record"}
		}
		var rec *record
		var err error
		if f == IntelHex {
			rec, err = parseHex(trimmed)
		} else {
			rec, err = parseSRec(trimmed)
		}
		if err != nil {
			return nil, &Error{n, err.Error()}
		}
		ln.rec = rec
		if f == IntelHex {
			switch rec.typ {
			case 0:
				rec.base = hexBase + rec.addr
			case 1:
				ended = true
			case 2:
				hexBase = uint32(rec.data[0])<<12 | uint32(rec.data[1])<<4
			case 4:
				hexBase = uint32(rec.data[0])<<24 | uint32(rec.data[1])<<16
			}
			if rec.typ == 0 && len(rec.data) > 0 {
				if uint64(rec.base)+uint64(len(rec.data)) > 1<<32 {
					return nil, &Error{n, "data record runs past 4 GiB"}
				}
				img.spans = append(img.spans, span{rec.base, rec.base + uint32(len(rec.data)), rec, ln})
			}
		} else {
			switch rec.typ {
			case 1, 2, 3:
				rec.base = rec.addr
				if len(rec.data) > 0 {
					if uint64(rec.base)+uint64(len(rec.data)) > 1<<32 {
						return nil, &Error{n, "data record runs past 4 GiB"}
					}
					img.spans = append(img.spans, span{rec.base, rec.base + uint32(len(rec.data)), rec, ln})
				}
			case 7, 8, 9:
				ended = true
			}
		}
	}
	if !ended {
		if f == IntelHex {
			return nil, errors.New("hexedit: no end-of-file record (type 01): the file is truncated")
		}
		return nil, errors.New("hexedit: no termination record (S7, S8 or S9): the file is truncated")
	}
	sort.SliceStable(img.spans, func(i, j int) bool { return img.spans[i].start < img.spans[j].start })
	for i := 1; i < len(img.spans); i++ {
		if img.spans[i].start < img.spans[i-1].end {
			return nil, fmt.Errorf("hexedit: data at 0x%X is given twice (overlapping records)", img.spans[i].start)
		}
	}
	return img, nil
}

func cutLine(b []byte) (text, eol string, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return string(b), "", nil
	}
	text, eol = string(b[:i]), "\n"
	if strings.HasSuffix(text, "\r") {
		text, eol = text[:len(text)-1], "\r\n"
	}
	return text, eol, b[i+1:]
}

func decodeHex(s string) ([]byte, bool, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, false, fmt.Errorf("not hexadecimal: %q", s)
	}
	return b, strings.ToUpper(s) == s, nil
}

func parseHex(s string) (*record, error) {
	if s[0] != ':' {
		return nil, fmt.Errorf("record does not start with ':'")
	}
	b, upper, err := decodeHex(s[1:])
	if err != nil {
		return nil, err
	}
	if len(b) < 5 || int(b[0])+5 != len(b) {
		return nil, fmt.Errorf("record length does not match its byte count")
	}
	var sum byte
	for _, c := range b {
		sum += c
	}
	if sum != 0 {
		return nil, fmt.Errorf("checksum 0x%02X is wrong", b[len(b)-1])
	}
	r := &record{typ: b[3], addr: uint32(b[1])<<8 | uint32(b[2]), addrLen: 2, data: b[4 : len(b)-1], upper: upper}
	want := map[byte]int{1: 0, 2: 2, 3: 4, 4: 2, 5: 4}
	if r.typ > 5 {
		return nil, fmt.Errorf("unknown record type %02X", r.typ)
	}
	if n, ok := want[r.typ]; ok && len(r.data) != n {
		return nil, fmt.Errorf("record type %02X with %d data bytes, want %d", r.typ, len(r.data), n)
	}
	return r, nil
}

func parseSRec(s string) (*record, error) {
	if len(s) < 4 || (s[0] != 'S' && s[0] != 's') || s[1] < '0' || s[1] > '9' {
		return nil, fmt.Errorf("record does not start with S0..S9")
	}
	typ := s[1] - '0'
	addrLen := map[byte]int{0: 2, 1: 2, 2: 3, 3: 4, 5: 2, 6: 3, 7: 4, 8: 3, 9: 2}[typ]
	if addrLen == 0 {
		return nil, fmt.Errorf("unknown record type S%d", typ)
	}
	b, upper, err := decodeHex(s[2:])
	if err != nil {
		return nil, err
	}
	if len(b) < 1+addrLen+1 || int(b[0])+1 != len(b) {
		return nil, fmt.Errorf("record length does not match its byte count")
	}
	var sum byte
	for _, c := range b[:len(b)-1] {
		sum += c
	}
	if ^sum != b[len(b)-1] {
		return nil, fmt.Errorf("checksum 0x%02X is wrong (want 0x%02X)", b[len(b)-1], ^sum)
	}
	r := &record{typ: typ, addrLen: addrLen, data: b[1+addrLen : len(b)-1], upper: upper}
	for _, c := range b[1 : 1+addrLen] {
		r.addr = r.addr<<8 | uint32(c)
	}
	return r, nil
}

// Format returns the image's file format.
func (img *Image) Format() Format { return img.format }

// Changed reports whether Write changed any byte.
func (img *Image) Changed() bool { return img.dirty }

// Ranges returns the address ranges the image holds data for, merged.
func (img *Image) Ranges() [][2]uint32 {
	var out [][2]uint32
	for _, s := range img.spans {
		if n := len(out); n > 0 && out[n-1][1] == s.start {
			out[n-1][1] = s.end
			continue
		}
		out = append(out, [2]uint32{s.start, s.end})
	}
	return out
}

// Read returns n bytes at addr (the extension is ignored). It satisfies
// cal.Memory.
func (img *Image) Read(ctx context.Context, addr uint32, _ uint8, n int) ([]byte, error) {
	out := make([]byte, n)
	err := img.each(addr, n, func(s *span, off, i int) { out[i] = s.rec.data[off] })
	if err != nil {
		return nil, err
	}
	return out, ctx.Err()
}

// Write patches data at addr into the data records holding those bytes
// (the extension is ignored); every byte must already be in the image. It
// satisfies cal.Memory.
func (img *Image) Write(ctx context.Context, addr uint32, _ uint8, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := img.each(addr, len(data), func(*span, int, int) {}); err != nil {
		return err
	}
	return img.each(addr, len(data), func(s *span, off, i int) {
		if s.rec.data[off] != data[i] {
			s.rec.data[off] = data[i]
			s.line.changed = true
			img.dirty = true
		}
	})
}

// each calls fn for every byte of [addr, addr+n) with its span, offset in
// the record and index in the access.
func (img *Image) each(addr uint32, n int, fn func(s *span, off, i int)) error {
	if n < 0 || uint64(addr)+uint64(n) > 1<<32 {
		return fmt.Errorf("hexedit: access 0x%X+%d: %w", addr, n, ErrNotInImage)
	}
	for i := 0; i < n; {
		a := addr + uint32(i)
		k := sort.Search(len(img.spans), func(k int) bool { return img.spans[k].end > a })
		if k == len(img.spans) || img.spans[k].start > a {
			return fmt.Errorf("hexedit: 0x%X (of 0x%X+%d): %w", a, addr, n, ErrNotInImage)
		}
		s := &img.spans[k]
		for ; i < n && addr+uint32(i) < s.end; i++ {
			fn(s, int(addr+uint32(i)-s.start), i)
		}
	}
	return nil
}

// WriteTo writes the image: unchanged lines exactly as read, changed data
// records re-encoded with the same address field and a new checksum.
func (img *Image) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	for _, ln := range img.lines {
		text := ln.text
		if ln.changed {
			text = img.encode(ln.rec)
		}
		buf.WriteString(text)
		buf.WriteString(ln.eol)
	}
	n, err := w.Write(buf.Bytes())
	return int64(n), err
}

func (img *Image) encode(r *record) string {
	var b []byte
	var s string
	if img.format == IntelHex {
		b = append(b, byte(len(r.data)), byte(r.addr>>8), byte(r.addr), r.typ)
		b = append(b, r.data...)
		var sum byte
		for _, c := range b {
			sum += c
		}
		b = append(b, -sum)
		s = ":" + hex.EncodeToString(b)
	} else {
		b = append(b, byte(r.addrLen+len(r.data)+1))
		for k := r.addrLen - 1; k >= 0; k-- {
			b = append(b, byte(r.addr>>(8*k)))
		}
		b = append(b, r.data...)
		var sum byte
		for _, c := range b {
			sum += c
		}
		b = append(b, ^sum)
		s = fmt.Sprintf("S%d", r.typ) + hex.EncodeToString(b)
	}
	if r.upper {
		s = strings.ToUpper(s)
	}
	return s
}

// Save writes the image to path through a temporary file renamed into
// place.
func (img *Image) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("hexedit: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := img.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("hexedit: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("hexedit: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("hexedit: %w", err)
	}
	return nil
}

// Segment is data at an address.
type Segment struct {
	Addr uint32
	Data []byte
}

// New builds an image of the segments in format f: Intel HEX with 16-byte
// data records and extended linear address records, or S-records with S3
// records of 32 bytes between an S0 header and an S7 end.
func New(f Format, segs []Segment) (*Image, error) {
	var b bytes.Buffer
	switch f {
	case IntelHex:
		upper := int64(-1)
		for _, s := range segs {
			for off := 0; off < len(s.Data); {
				a := s.Addr + uint32(off)
				if int64(a>>16) != upper {
					upper = int64(a >> 16)
					writeHexRecord(&b, 4, 0, []byte{byte(upper >> 8), byte(upper)})
				}
				// A record must not cross a 64 KiB boundary.
				n := min(16, len(s.Data)-off, int(0x10000-(a&0xFFFF)))
				writeHexRecord(&b, 0, uint16(a), s.Data[off:off+n])
				off += n
			}
		}
		writeHexRecord(&b, 1, 0, nil)
	case SRecord:
		writeSRecord(&b, 0, 2, 0, []byte("goxcp"))
		for _, s := range segs {
			for off := 0; off < len(s.Data); off += 32 {
				writeSRecord(&b, 3, 4, s.Addr+uint32(off), s.Data[off:min(off+32, len(s.Data))])
			}
		}
		writeSRecord(&b, 7, 4, 0, nil)
	default:
		return nil, fmt.Errorf("hexedit: %v: unknown format", f)
	}
	return Parse(b.Bytes(), f)
}

func writeHexRecord(b *bytes.Buffer, typ byte, addr uint16, data []byte) {
	r := &record{typ: typ, addr: uint32(addr), addrLen: 2, data: data, upper: true}
	b.WriteString((&Image{format: IntelHex}).encode(r))
	b.WriteString("\n")
}

func writeSRecord(b *bytes.Buffer, typ byte, addrLen int, addr uint32, data []byte) {
	r := &record{typ: typ, addr: addr, addrLen: addrLen, data: data, upper: true}
	b.WriteString((&Image{format: SRecord}).encode(r))
	b.WriteString("\n")
}
