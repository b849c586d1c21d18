// Package can implements XCP on CAN and CAN FD (ASAM MCD-1 XCP 1.5 part 3):
// the CAN frame value type, the small Bus interface every CAN backend
// implements (SocketCAN, slcan serial adapters, the in-process virtual bus,
// the UDP-multicast bus, or a user's own), and Conn, which carries XCP
// packets over a Bus: one packet per frame on the master and slave
// identifiers, with MAX_DLC_REQUIRED padding, CAN FD length steps and
// DAQ-list-specific identifiers.
//
// Identifiers follow the A2L / pyXCP convention: bit 31 set means a 29-bit
// extended identifier (ID(0x80000000 | 0x1234567)).
package can

import (
	"fmt"
	"strings"
)

// ExtendedFlag marks a 29-bit identifier in configuration values (bit 31),
// as in A2L files and pyXCP.
const ExtendedFlag uint32 = 0x80000000

// ID is a CAN identifier with its format.
type ID struct {
	Value    uint32 // 11-bit or 29-bit identifier
	Extended bool   // 29-bit (CAN 2.0B) identifier
}

// ParseID decodes the A2L/pyXCP convention: bit 31 set → extended. A value
// above 0x7FF without bit 31 is also taken as extended.
func ParseID(v uint32) (ID, error) {
	if v&ExtendedFlag != 0 {
		v &^= ExtendedFlag
		if v > 0x1FFFFFFF {
			return ID{}, fmt.Errorf("can: identifier 0x%X exceeds 29 bits", v)
		}
		return ID{Value: v, Extended: true}, nil
	}
	if v > 0x1FFFFFFF {
		return ID{}, fmt.Errorf("can: identifier 0x%X exceeds 29 bits", v)
	}
	return ID{Value: v, Extended: v > 0x7FF}, nil
}

// Raw returns the A2L/pyXCP encoding (bit 31 for extended identifiers).
func (id ID) Raw() uint32 {
	if id.Extended {
		return id.Value | ExtendedFlag
	}
	return id.Value
}

func (id ID) String() string {
	if id.Extended {
		return fmt.Sprintf("%08X", id.Value)
	}
	return fmt.Sprintf("%03X", id.Value)
}

// Frame is one CAN or CAN FD frame. It is a value type; Data holds Len
// valid bytes.
type Frame struct {
	ID       uint32 // 11-bit or 29-bit identifier
	Extended bool   // 29-bit identifier
	FD       bool   // CAN FD frame
	BRS      bool   // CAN FD bit rate switch
	Error    bool   // error frame: ID holds ErrClass* bits, Data the details (see health.go)
	Len      uint8  // payload length: 0..8, or a CAN FD length up to 64
	Data     [64]byte
}

// Payload returns the valid data bytes. A Len beyond the 64 data bytes (an
// invalid frame, see Validate) yields all 64 rather than a panic.
func (f *Frame) Payload() []byte { return f.Data[:min(int(f.Len), len(f.Data))] }

// Key returns the identifier with its format.
func (f Frame) Key() ID { return ID{Value: f.ID, Extended: f.Extended} }

// Validate checks the identifier range and the length for the frame type.
func (f Frame) Validate() error {
	if f.Error {
		if f.ID > 0x1FFFFFFF || f.FD || f.Len != 8 {
			return fmt.Errorf("can: error frame with class 0x%X, fd=%v, %d data bytes (want ≤ 29 bits, classic, 8 bytes)", f.ID, f.FD, f.Len)
		}
		return nil
	}
	max := uint32(0x7FF)
	if f.Extended {
		max = 0x1FFFFFFF
	}
	if f.ID > max {
		return fmt.Errorf("can: identifier 0x%X out of range for a %s frame", f.ID, map[bool]string{false: "standard", true: "extended"}[f.Extended])
	}
	if !f.FD {
		if f.Len > 8 {
			return fmt.Errorf("can: classic frame with %d data bytes (max 8)", f.Len)
		}
		if f.BRS {
			return fmt.Errorf("can: bit rate switch on a classic frame")
		}
		return nil
	}
	if FDLen(int(f.Len)) != int(f.Len) {
		return fmt.Errorf("can: %d is not a CAN FD length (0..8, 12, 16, 20, 24, 32, 48, 64)", f.Len)
	}
	return nil
}

// String formats the frame like candump: "7E1#FF0001" or "7E1##1FF0001".
func (f Frame) String() string {
	var b strings.Builder
	if f.Error {
		fmt.Fprintf(&b, "ERR %03X (%s)#", f.ID, DescribeError(f))
		for _, c := range f.Payload() {
			fmt.Fprintf(&b, "%02X", c)
		}
		return b.String()
	}
	b.WriteString(f.Key().String())
	if f.FD {
		b.WriteString("##")
		if f.BRS {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	} else {
		b.WriteByte('#')
	}
	for _, c := range f.Payload() {
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

var fdLens = [...]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64}

// FDLen returns the smallest CAN FD frame length that holds n bytes (-1
// for n > 64).
func FDLen(n int) int {
	for _, l := range fdLens {
		if l >= n {
			return l
		}
	}
	return -1
}

// LenToDLC returns the DLC code for a frame length (CAN FD lengths above 8
// map to DLC 9..15).
func LenToDLC(n int) (uint8, error) {
	for dlc, l := range fdLens {
		if l == n {
			return uint8(dlc), nil
		}
	}
	return 0, fmt.Errorf("can: %d is not a valid frame length", n)
}

// DLCToLen returns the frame length of a DLC code (0..15).
func DLCToLen(dlc uint8, fd bool) (int, error) {
	if dlc > 15 {
		return 0, fmt.Errorf("can: DLC %d out of range", dlc)
	}
	if !fd && dlc > 8 {
		return 8, nil // classic CAN: DLC 9..15 mean 8 bytes
	}
	return fdLens[dlc], nil
}
