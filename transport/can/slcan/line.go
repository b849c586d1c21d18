// Package slcan drives serial-line CAN adapters that speak the Lawicel
// ASCII protocol (slcan: CANable, CANtact, USBtin, many USB-CAN sticks),
// including the CAN FD extensions, as a can.Bus. It also contains
// Emulator, a software adapter that serves the protocol on a byte stream
// and bridges it to any can.Bus — tests put it on the far side of a
// pseudo-terminal.
//
// Lines end with CR. Frames: "tIIIL<data>" (11-bit), "TIIIIIIIIL<data>"
// (29-bit), "rIIIL"/"RIIIIIIIIL" (remote frames), and for CAN FD "d"/"D"
// (no bit rate switch) and "b"/"B" (with bit rate switch), where L is the
// DLC as one hex digit (0..F) and data is two hex digits per byte. An
// adapter answers commands with CR (ok) or BEL (error). Setup commands:
// "C" close, "O" open, "Sn" nominal bitrate, "Yn" CAN FD data bitrate.
package slcan

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/transport/can"
)

// ErrLine is matched by errors reporting a line that is not a valid frame.
var ErrLine = errors.New("slcan: malformed line")

const hexDigits = "0123456789ABCDEF"

// AppendFrame appends the Lawicel line for f (without the CR).
func AppendFrame(dst []byte, f can.Frame) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return dst, err
	}
	if f.Error {
		return dst, fmt.Errorf("slcan: an error frame (%s) cannot be sent: the Lawicel protocol has no error frames", can.DescribeError(f))
	}
	var c byte
	switch {
	case f.FD && f.BRS:
		c = 'b'
	case f.FD:
		c = 'd'
	default:
		c = 't'
	}
	digits := 3
	if f.Extended {
		c -= 'a' - 'A'
		digits = 8
	}
	dst = append(dst, c)
	for i := digits - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[(f.ID>>(4*uint(i)))&0xF])
	}
	dlc, err := can.LenToDLC(int(f.Len))
	if err != nil {
		return dst, err
	}
	dst = append(dst, hexDigits[dlc])
	for _, b := range f.Payload() {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xF])
	}
	return dst, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// IsFrameLine reports whether the line starts like a frame.
func IsFrameLine(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case 't', 'T', 'r', 'R', 'd', 'D', 'b', 'B':
		return true
	}
	return false
}

// ParseFrame decodes a frame line (without CR). Remote frames decode with
// Len 0. A trailing 4-digit timestamp (adapters with timestamps enabled)
// is accepted and ignored.
func ParseFrame(line []byte) (can.Frame, error) {
	var f can.Frame
	if !IsFrameLine(line) {
		return f, fmt.Errorf("%w: %q is not a frame", ErrLine, line)
	}
	c := line[0]
	remote := c == 'r' || c == 'R'
	f.Extended = c >= 'A' && c <= 'Z'
	f.FD = c == 'd' || c == 'D' || c == 'b' || c == 'B'
	f.BRS = c == 'b' || c == 'B'
	digits := 3
	if f.Extended {
		digits = 8
	}
	if len(line) < 1+digits+1 {
		return f, fmt.Errorf("%w: %q too short", ErrLine, line)
	}
	for _, d := range line[1 : 1+digits] {
		v, ok := unhex(d)
		if !ok {
			return f, fmt.Errorf("%w: bad identifier digit %q in %q", ErrLine, d, line)
		}
		f.ID = f.ID<<4 | uint32(v)
	}
	dlc, ok := unhex(line[1+digits])
	if !ok {
		return f, fmt.Errorf("%w: bad DLC %q in %q", ErrLine, line[1+digits], line)
	}
	n, err := can.DLCToLen(dlc, f.FD)
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrLine, err)
	}
	if !f.FD && dlc > 8 {
		return f, fmt.Errorf("%w: DLC %d on a classic frame in %q", ErrLine, dlc, line)
	}
	data := line[2+digits:]
	if remote {
		n = 0
	}
	switch len(data) {
	case 2 * n, 2*n + 4:
	default:
		return f, fmt.Errorf("%w: %d data digits for %d bytes in %q", ErrLine, len(data), n, line)
	}
	for i := 0; i < n; i++ {
		hi, ok1 := unhex(data[2*i])
		lo, ok2 := unhex(data[2*i+1])
		if !ok1 || !ok2 {
			return f, fmt.Errorf("%w: bad data digits in %q", ErrLine, line)
		}
		f.Data[i] = hi<<4 | lo
	}
	f.Len = uint8(n)
	if err := f.Validate(); err != nil {
		return f, fmt.Errorf("%w: %v", ErrLine, err)
	}
	return f, nil
}

// BitrateCode returns the "Sn" digit for a nominal bitrate.
func BitrateCode(bps int) (byte, error) {
	codes := map[int]byte{10000: '0', 20000: '1', 50000: '2', 100000: '3', 125000: '4',
		250000: '5', 500000: '6', 800000: '7', 1000000: '8'}
	if c, ok := codes[bps]; ok {
		return c, nil
	}
	return 0, fmt.Errorf("slcan: bitrate %d not supported (10k, 20k, 50k, 100k, 125k, 250k, 500k, 800k, 1M)", bps)
}

// DataBitrateCode returns the "Yn" digit for a CAN FD data bitrate.
func DataBitrateCode(bps int) (byte, error) {
	codes := map[int]byte{2000000: '2', 5000000: '5'}
	if c, ok := codes[bps]; ok {
		return c, nil
	}
	return 0, fmt.Errorf("slcan: data bitrate %d not supported (2M, 5M)", bps)
}
