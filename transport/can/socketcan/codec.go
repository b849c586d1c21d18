// Package socketcan is the Linux SocketCAN backend of goxcp's CAN
// transport: a raw CAN socket (with CAN FD frames enabled when asked) bound
// to one interface such as can0, as a can.Bus with kernel receive filters.
// On other systems Open reports that SocketCAN is Linux-only.
package socketcan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"

	"github.com/goxcp/goxcp/transport/can"
)

// Config says which interface to open.
type Config struct {
	// Interface is the CAN network interface, e.g. "can0" or "vcan0".
	Interface string
	// FD enables CAN FD frames on the socket (CAN_RAW_FD_FRAMES).
	FD bool
	// RecvBuffer is the socket receive buffer in bytes (0 = 4 MiB, room
	// for thousands of frames while the reader is descheduled; without
	// CAP_NET_ADMIN the kernel caps it at net.core.rmem_max).
	RecvBuffer int
	// Logger receives reports about the bus (error frames, controller
	// state changes); nil = silent.
	Logger *slog.Logger
}

// Sizes of the kernel's struct can_frame and struct canfd_frame.
const (
	ClassicSize = 16
	FDSize      = 72
)

// Flags in can_id and canfd_frame.flags (linux/can.h).
const (
	flagEFF = 0x80000000
	flagRTR = 0x40000000
	flagERR = 0x20000000
	errMask = 0x1FFFFFFF // CAN_ERR_MASK
	fdBRS   = 0x01
	fdFDF   = 0x04
)

// ErrKernelFrame is matched by errors decoding a frame from the kernel.
var ErrKernelFrame = errors.New("socketcan: malformed frame")

// Encode appends the kernel representation of f (can_frame or canfd_frame).
func Encode(dst []byte, f can.Frame) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return dst, err
	}
	id := f.ID
	if f.Extended && !f.Error {
		id |= flagEFF
	}
	if f.Error {
		id |= flagERR
	}
	dst = binary.NativeEndian.AppendUint32(dst, id)
	if !f.FD {
		dst = append(dst, f.Len, 0, 0, 0)
		var d [8]byte
		copy(d[:], f.Payload())
		return append(dst, d[:]...), nil
	}
	flags := byte(fdFDF)
	if f.BRS {
		flags |= fdBRS
	}
	dst = append(dst, f.Len, flags, 0, 0)
	var d [64]byte
	copy(d[:], f.Payload())
	return append(dst, d[:]...), nil
}

// Decode parses a frame read from the socket. Error frames (CAN_ERR_FLAG)
// become frames with Error set (ID = the CAN_ERR_* class bits, 8 data
// bytes); ok is false for remote frames, which the XCP transport does not
// use.
func Decode(b []byte) (f can.Frame, ok bool, err error) {
	if len(b) != ClassicSize && len(b) != FDSize {
		return f, false, fmt.Errorf("%w: %d bytes (want %d or %d)", ErrKernelFrame, len(b), ClassicSize, FDSize)
	}
	id := binary.NativeEndian.Uint32(b)
	if id&flagERR != 0 {
		if len(b) != ClassicSize {
			return f, false, fmt.Errorf("%w: error frame of %d bytes", ErrKernelFrame, len(b))
		}
		f = can.Frame{ID: id & errMask, Extended: true, Error: true, Len: 8}
		copy(f.Data[:8], b[8:16])
		return f, true, nil
	}
	if id&flagRTR != 0 {
		return f, false, nil
	}
	f.Extended = id&flagEFF != 0
	f.ID = id &^ flagEFF
	if !f.Extended && f.ID > 0x7FF {
		return f, false, fmt.Errorf("%w: standard identifier 0x%X", ErrKernelFrame, f.ID)
	}
	f.Len = b[4]
	if len(b) == FDSize {
		f.FD = true
		f.BRS = b[5]&fdBRS != 0
		if can.FDLen(int(f.Len)) != int(f.Len) {
			return f, false, fmt.Errorf("%w: CAN FD length %d", ErrKernelFrame, f.Len)
		}
	} else if f.Len > 8 {
		return f, false, fmt.Errorf("%w: classic length %d", ErrKernelFrame, f.Len)
	}
	copy(f.Data[:], b[8:8+int(f.Len)])
	return f, true, nil
}
