package pgm

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// SRecError is a malformed Motorola S-record, with its line number.
type SRecError struct {
	Line int
	Msg  string
}

func (e *SRecError) Error() string { return fmt.Sprintf("pgm: S-record line %d: %s", e.Line, e.Msg) }

// ReadSRec reads a Motorola S-record file: S1/S2/S3 data records (16-,
// 24- and 32-bit addresses) are the image; S0 (header), S5/S6 (record
// count) and S7/S8/S9 (start address) are checked and skipped. Every
// record's length and checksum is checked; blank lines are allowed. The
// file must end with its termination record (S7, S8 or S9) and nothing
// but blank lines after it: a file without one is truncated (like an
// Intel HEX file without its end-of-file record) and is refused.
func ReadSRec(r io.Reader) (*Image, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), 1024)
	var segs []Segment
	data := 0
	line := 0
	end := 0 // line of the termination record
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if end > 0 {
			return nil, &SRecError{Line: line, Msg: fmt.Sprintf("record after the termination record of line %d", end)}
		}
		seg, kind, err := parseSRecLine(text)
		if err != nil {
			return nil, &SRecError{Line: line, Msg: err.Error()}
		}
		switch kind {
		case '7', '8', '9':
			end = line
		case '1', '2', '3':
			data++
			if len(seg.Data) > 0 {
				segs = append(segs, seg)
			}
		case '5', '6':
			if int(seg.Addr) != data%(1<<(8*addrLen(kind))) {
				return nil, &SRecError{Line: line, Msg: fmt.Sprintf("record count %d, but %d data records precede it", seg.Addr, data)}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &SRecError{Line: line + 1, Msg: err.Error()}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("pgm: S-record: no data records (S1, S2 or S3)")
	}
	if end == 0 {
		return nil, &SRecError{Line: line, Msg: "the file ends without a termination record (S7, S8 or S9): it is truncated"}
	}
	img, err := NewImage(segs)
	if err != nil {
		return nil, fmt.Errorf("pgm: S-record: %w", err)
	}
	return img, nil
}

// addrLen is the address field length in bytes of record type kind.
func addrLen(kind byte) int {
	switch kind {
	case '0', '1', '5', '9':
		return 2
	case '2', '6', '8':
		return 3
	case '3', '7':
		return 4
	}
	return 0
}

// parseSRecLine decodes one record; Segment.Addr holds the address field
// (the count of S5/S6).
func parseSRecLine(s string) (Segment, byte, error) {
	if len(s) < 4 || s[0] != 'S' {
		return Segment{}, 0, fmt.Errorf("does not start with S and a record type: %.12q", s)
	}
	kind := s[1]
	al := addrLen(kind)
	if al == 0 {
		return Segment{}, 0, fmt.Errorf("unknown record type S%c", kind)
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return Segment{}, 0, fmt.Errorf("not hex digits: %v", err)
	}
	if len(b) < 1 || int(b[0]) != len(b)-1 {
		return Segment{}, 0, fmt.Errorf("byte count %d does not match the %d bytes that follow", b[0], len(b)-1)
	}
	if len(b) < 1+al+1 {
		return Segment{}, 0, fmt.Errorf("record type S%c is too short for its %d-byte address and checksum", kind, al)
	}
	var sum byte
	for _, c := range b[:len(b)-1] {
		sum += c
	}
	if ^sum != b[len(b)-1] {
		return Segment{}, 0, fmt.Errorf("checksum 0x%02X, computed 0x%02X", b[len(b)-1], ^sum)
	}
	var addr uint32
	for _, c := range b[1 : 1+al] {
		addr = addr<<8 | uint32(c)
	}
	payload := b[1+al : len(b)-1]
	switch kind {
	case '1', '2', '3':
		if uint64(addr)+uint64(len(payload)) > 1<<32 {
			return Segment{}, 0, fmt.Errorf("data at 0x%08X runs past the 32-bit address space", addr)
		}
		return Segment{Addr: addr, Data: payload}, kind, nil
	case '5', '6', '7', '8', '9':
		if len(payload) != 0 {
			return Segment{}, 0, fmt.Errorf("record type S%c carries %d data bytes (it has none)", kind, len(payload))
		}
	}
	return Segment{Addr: addr}, kind, nil
}
