// Package sxi implements XCP on SxI (ASAM MCD-1 XCP 1.5 part 3, serial
// interfaces such as SCI/UART and SPI): the frame header formats, the
// checksum tails, the XCP 1.5 SYNC/ESC framing, resynchronisation after
// garbage on the line, and a transport.Conn over any byte stream — a serial
// port (Open) or, in tests, a pseudo-terminal.
//
// A frame is
//
//	[SYNC] LEN [CTR|FILL] packet [FILL] [CHECKSUM]
//
// LEN, CTR and FILL are one byte each (…_BYTE header formats) or two bytes
// in Intel byte order (…_WORD formats). LEN counts the XCP packet only. The
// checksum is the byte sum (CHECKSUM_BYTE) or the 16-bit word sum
// (CHECKSUM_WORD, little-endian words; one fill byte after the packet makes
// the checksummed part an even number of bytes) of everything from LEN to
// the end of the packet (and its fill). With SYNC/ESC framing enabled every
// frame starts with the SYNC character and any SYNC or ESC byte inside the
// frame is sent as ESC followed by that byte.
package sxi

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// HeaderFormat selects the SxI frame header.
type HeaderFormat uint8

// Header formats (names as in ASAM and pyXCP's header_format setting).
const (
	LenByte     HeaderFormat = iota // LEN (1 byte)
	LenCtrByte                      // LEN, CTR (1 byte each)
	LenFillByte                     // LEN, FILL (1 byte each)
	LenWord                         // LEN (2 bytes)
	LenCtrWord                      // LEN, CTR (2 bytes each)
	LenFillWord                     // LEN, FILL (2 bytes each)
)

var headerNames = [...]string{"HEADER_LEN_BYTE", "HEADER_LEN_CTR_BYTE", "HEADER_LEN_FILL_BYTE",
	"HEADER_LEN_WORD", "HEADER_LEN_CTR_WORD", "HEADER_LEN_FILL_WORD"}

func (h HeaderFormat) String() string {
	if int(h) < len(headerNames) {
		return headerNames[h]
	}
	return fmt.Sprintf("HeaderFormat(%d)", uint8(h))
}

// ParseHeaderFormat accepts "HEADER_LEN_CTR_WORD", "LEN_CTR_WORD" or
// "len_ctr_word".
func ParseHeaderFormat(s string) (HeaderFormat, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(u, "HEADER_") {
		u = "HEADER_" + u
	}
	for i, n := range headerNames {
		if n == u {
			return HeaderFormat(i), nil
		}
	}
	return 0, fmt.Errorf("sxi: unknown header format %q (want one of %s)", s, strings.Join(headerNames[:], ", "))
}

// word reports whether the header fields are two bytes wide.
func (h HeaderFormat) word() bool { return h >= LenWord }

// size returns the header length in bytes.
func (h HeaderFormat) size() int {
	n := 1
	if h.word() {
		n = 2
	}
	switch h {
	case LenByte, LenWord:
		return n
	}
	return 2 * n
}

func (h HeaderFormat) hasCtr() bool { return h == LenCtrByte || h == LenCtrWord }

// CounterBits is the width of the header's CTR in bits (0: the header
// has none), as transport.Info.CounterBits reports it.
func (h HeaderFormat) CounterBits() int {
	switch h {
	case LenCtrByte:
		return 8
	case LenCtrWord:
		return 16
	}
	return 0
}

// maxLen is the largest packet LEN can describe.
func (h HeaderFormat) maxLen() int {
	if h.word() {
		return 0xFFFF
	}
	return 0xFF
}

// TailFormat selects the checksum after the packet.
type TailFormat uint8

// Tail formats.
const (
	NoChecksum   TailFormat = iota // no tail
	ChecksumByte                   // 1-byte sum
	ChecksumWord                   // 2-byte sum of little-endian words
)

var tailNames = [...]string{"NO_CHECKSUM", "CHECKSUM_BYTE", "CHECKSUM_WORD"}

func (t TailFormat) String() string {
	if int(t) < len(tailNames) {
		return tailNames[t]
	}
	return fmt.Sprintf("TailFormat(%d)", uint8(t))
}

// ParseTailFormat accepts "CHECKSUM_BYTE", "checksum_byte", "NO_CHECKSUM".
func ParseTailFormat(s string) (TailFormat, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range tailNames {
		if n == u {
			return TailFormat(i), nil
		}
	}
	return 0, fmt.Errorf("sxi: unknown tail format %q (want one of %s)", s, strings.Join(tailNames[:], ", "))
}

// Framing is the complete frame format of a link. The zero value is
// HEADER_LEN_BYTE, NO_CHECKSUM, no SYNC/ESC framing.
type Framing struct {
	Header HeaderFormat
	Tail   TailFormat
	// SyncEsc enables the XCP 1.5 SYNC/ESC framing.
	SyncEsc bool
	// Sync and Esc are the framing characters (defaults 0x01 and 0x00
	// when SyncEsc is set and both are zero).
	Sync, Esc byte
	// MaxPacket bounds LEN on receive (0 = what the header can describe).
	MaxPacket int
}

func (f Framing) chars() (sync, esc byte) {
	if f.Sync == 0 && f.Esc == 0 {
		return 0x01, 0x00
	}
	return f.Sync, f.Esc
}

// Validate reports an inconsistent framing.
func (f Framing) Validate() error {
	if int(f.Header) >= len(headerNames) {
		return fmt.Errorf("sxi: invalid header format %d", f.Header)
	}
	if int(f.Tail) >= len(tailNames) {
		return fmt.Errorf("sxi: invalid tail format %d", f.Tail)
	}
	if f.SyncEsc {
		if s, e := f.chars(); s == e {
			return fmt.Errorf("sxi: SYNC and ESC characters must differ (both 0x%02X)", s)
		}
	}
	if f.MaxPacket < 0 || f.MaxPacket > f.Header.maxLen() {
		return fmt.Errorf("sxi: max packet %d outside 1..%d for %s", f.MaxPacket, f.Header.maxLen(), f.Header)
	}
	return nil
}

func (f Framing) maxPacket() int {
	if f.MaxPacket > 0 {
		return f.MaxPacket
	}
	return f.Header.maxLen()
}

// tailFill reports whether a fill byte follows a packet of length n so that
// the checksummed part has even length (CHECKSUM_WORD only).
func (f Framing) tailFill(n int) bool {
	return f.Tail == ChecksumWord && (f.Header.size()+n)%2 == 1
}

// Overhead returns the number of bytes the frame adds around a packet of
// length n, without SYNC/ESC escaping.
func (f Framing) Overhead(n int) int {
	o := f.Header.size()
	if f.tailFill(n) {
		o++
	}
	switch f.Tail {
	case ChecksumByte:
		o++
	case ChecksumWord:
		o += 2
	}
	if f.SyncEsc {
		o++
	}
	return o
}

// checksum computes the tail over b (header, packet and any fill).
func (f Framing) checksum(b []byte) uint16 {
	switch f.Tail {
	case ChecksumByte:
		var s byte
		for _, c := range b {
			s += c
		}
		return uint16(s)
	case ChecksumWord:
		var s uint16
		for i := 0; i+1 < len(b); i += 2 {
			s += binary.LittleEndian.Uint16(b[i:])
		}
		return s
	}
	return 0
}

// AppendFrame appends the frame carrying packet with counter ctr to dst.
func (f Framing) AppendFrame(dst []byte, ctr uint16, packet []byte) ([]byte, error) {
	if len(packet) == 0 {
		return dst, fmt.Errorf("sxi: empty packet")
	}
	if len(packet) > f.maxPacket() {
		return dst, fmt.Errorf("sxi: packet of %d bytes exceeds %d for %s", len(packet), f.maxPacket(), f.Header)
	}
	// Build the unescaped frame after the original dst content.
	start := len(dst)
	if f.Header.word() {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(packet)))
		if f.Header != LenWord {
			v := uint16(0)
			if f.Header.hasCtr() {
				v = ctr
			}
			dst = binary.LittleEndian.AppendUint16(dst, v)
		}
	} else {
		dst = append(dst, byte(len(packet)))
		if f.Header != LenByte {
			v := byte(0)
			if f.Header.hasCtr() {
				v = byte(ctr)
			}
			dst = append(dst, v)
		}
	}
	dst = append(dst, packet...)
	if f.tailFill(len(packet)) {
		dst = append(dst, 0)
	}
	switch f.Tail {
	case ChecksumByte:
		dst = append(dst, byte(f.checksum(dst[start:])))
	case ChecksumWord:
		dst = binary.LittleEndian.AppendUint16(dst, f.checksum(dst[start:]))
	}
	if !f.SyncEsc {
		return dst, nil
	}
	sync, esc := f.chars()
	raw := append([]byte(nil), dst[start:]...)
	dst = append(dst[:start], sync)
	for _, c := range raw {
		if c == sync || c == esc {
			dst = append(dst, esc)
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// MaxPacketLen returns the largest packet the framing carries (MaxPacket,
// or what the LEN field can express).
func (f Framing) MaxPacketLen() int { return f.maxPacket() }
