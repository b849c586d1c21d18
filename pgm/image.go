// Package pgm flashes images into an XCP slave's non-volatile memory with
// the PGM commands of ASAM MCD-1 XCP V1.5 (part 2, "non-volatile memory
// programming"): it loads an image (Intel HEX, Motorola S-record or raw
// binary), maps its segments to the slave's sectors (GET_PGM_PROCESSOR_INFO
// and GET_SECTOR_INFO), and runs the session PROGRAM_START →
// PROGRAM_CLEAR → PROGRAM … PROGRAM(size 0) → verify → PROGRAM_RESET.
package pgm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/marcinbor85/gohex"
)

// Segment is a contiguous run of image bytes at an address.
type Segment struct {
	Addr uint32
	Data []byte
}

// End returns the first address after the segment (as uint64: a segment
// may end exactly at 2^32).
func (s Segment) End() uint64 { return uint64(s.Addr) + uint64(len(s.Data)) }

// Image is a flash image: segments sorted by address, non-overlapping,
// with adjacent segments merged.
type Image struct {
	Segments []Segment
}

// Size returns the number of data bytes of the image.
func (img *Image) Size() int {
	n := 0
	for _, s := range img.Segments {
		n += len(s.Data)
	}
	return n
}

// OverlapError reports two image segments that cover the same address.
type OverlapError struct {
	A, B Segment
}

func (e *OverlapError) Error() string {
	return fmt.Sprintf("pgm: image segments overlap: 0x%08X..0x%08X and 0x%08X..0x%08X",
		e.A.Addr, e.A.End()-1, e.B.Addr, e.B.End()-1)
}

// NewImage sorts segs, merges adjacent ones and returns an *OverlapError
// when two overlap. Empty segments are dropped; a segment running past the
// 32-bit address space is an error.
func NewImage(segs []Segment) (*Image, error) {
	s := make([]Segment, 0, len(segs))
	for _, g := range segs {
		if len(g.Data) == 0 {
			continue
		}
		if g.End() > 1<<32 {
			return nil, fmt.Errorf("pgm: segment at 0x%08X (%d bytes) runs past the 32-bit address space", g.Addr, len(g.Data))
		}
		s = append(s, g)
	}
	slices.SortStableFunc(s, func(a, b Segment) int {
		switch {
		case a.Addr < b.Addr:
			return -1
		case a.Addr > b.Addr:
			return 1
		}
		return 0
	})
	var out []Segment
	for _, g := range s {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if uint64(g.Addr) < last.End() {
				return nil, &OverlapError{A: *last, B: g}
			}
			if uint64(g.Addr) == last.End() {
				last.Data = append(last.Data, g.Data...)
				continue
			}
		}
		out = append(out, Segment{Addr: g.Addr, Data: slices.Clone(g.Data)})
	}
	if len(out) == 0 {
		return nil, errors.New("pgm: the image holds no data")
	}
	return &Image{Segments: out}, nil
}

// Format is an image file format.
type Format string

// The image formats.
const (
	FormatHex    Format = "hex"  // Intel HEX (I8HEX, I16HEX, I32HEX)
	FormatSRec   Format = "srec" // Motorola S-record (S19, S28, S37)
	FormatBinary Format = "bin"  // raw bytes at a base address
)

// ParseFormat accepts "hex", "ihex", "srec", "s19", "s28", "s37", "mot",
// "bin" and "binary".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "hex", "ihex", "intelhex":
		return FormatHex, nil
	case "srec", "s19", "s28", "s37", "mot", "mhx":
		return FormatSRec, nil
	case "bin", "binary", "raw":
		return FormatBinary, nil
	}
	return "", fmt.Errorf("pgm: unknown image format %q (hex, srec or bin)", s)
}

// FormatOf guesses the format from a file name's extension, else from the
// first byte of the data (':' Intel HEX, 'S' S-record), else binary.
func FormatOf(name string, data []byte) Format {
	ext := strings.ToLower(name)
	if i := strings.LastIndexByte(ext, '.'); i >= 0 {
		if f, err := ParseFormat(ext[i+1:]); err == nil {
			return f
		}
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(t) > 0 && t[0] == ':':
		return FormatHex
	case len(t) > 1 && t[0] == 'S' && t[1] >= '0' && t[1] <= '9':
		return FormatSRec
	}
	return FormatBinary
}

// checkHexRecords checks what the HEX parser lets through: every record
// type is one of 00 (data) … 05 (start linear address), nothing but empty
// lines follows the end-of-file record (01), and there is one. The
// records' syntax and checksums are left to the parser.
func checkHexRecords(data []byte) error {
	eof := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		n := i + 1
		if eof > 0 {
			return fmt.Errorf("line %d: data after the end-of-file record of line %d", n, eof)
		}
		if len(line) < 9 || line[0] != ':' {
			return nil // the parser names the syntax error
		}
		var typ byte
		if _, err := fmt.Sscanf(line[7:9], "%02X", &typ); err != nil {
			return nil
		}
		switch {
		case typ == 0x01:
			eof = n
		case typ > 0x05:
			return fmt.Errorf("line %d: unknown record type 0x%02X (Intel HEX defines 00..05)", n, typ)
		}
	}
	if eof == 0 {
		return errors.New("no end-of-file record (:00000001FF): the file is truncated")
	}
	return nil
}

// Load decodes data in format f; base is the address of a binary image
// (ignored otherwise).
func Load(f Format, data []byte, base uint32) (*Image, error) {
	switch f {
	case FormatHex:
		return ReadHex(bytes.NewReader(data))
	case FormatSRec:
		return ReadSRec(bytes.NewReader(data))
	case FormatBinary:
		if uint64(base)+uint64(len(data)) > 1<<32 {
			return nil, fmt.Errorf("pgm: %d bytes at 0x%08X run past the 32-bit address space", len(data), base)
		}
		return NewImage([]Segment{{Addr: base, Data: data}})
	}
	return nil, fmt.Errorf("pgm: unknown image format %q", f)
}

// ReadHex reads an Intel HEX file (data, extended segment and extended
// linear address records). Overlapping records are an error, and so are
// record types Intel HEX does not define (a file for another tool must
// not be flashed half understood), anything after the end-of-file record,
// and a file without one (truncated).
func ReadHex(r io.Reader) (*Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("pgm: Intel HEX: %w", err)
	}
	if err := checkHexRecords(data); err != nil {
		return nil, fmt.Errorf("pgm: Intel HEX: %w", err)
	}
	mem := gohex.NewMemory()
	if err := mem.ParseIntelHex(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("pgm: Intel HEX: %w", err)
	}
	var segs []Segment
	for _, s := range mem.GetDataSegments() {
		segs = append(segs, Segment{Addr: s.Address, Data: s.Data})
	}
	return NewImage(segs)
}
