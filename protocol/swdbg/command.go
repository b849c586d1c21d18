package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Command is the SW-DBG command code, byte 2 of every SW-DBG command
// (after 0xC0 0xFC), see table 3.
type Command uint8

// SW-DBG commands (table 3).
const (
	CmdAttach           Command = 0x00
	CmdGetVendorInfo    Command = 0x01
	CmdGetModeInfo      Command = 0x02
	CmdGetJTAGID        Command = 0x03
	CmdHaltAfterReset   Command = 0x04
	CmdGetHWIOInfo      Command = 0x05
	CmdSetHWIOEvent     Command = 0x06
	CmdHWIOControl      Command = 0x07
	CmdExclusiveAccess  Command = 0x08
	CmdSequenceMultiple Command = 0x09
	CmdLLT              Command = 0x0A
	CmdReadModifyWrite  Command = 0x0B
	CmdWrite            Command = 0x0C
	CmdWriteNext        Command = 0x0D
	CmdWriteCAN1        Command = 0x0E
	CmdWriteCAN2        Command = 0x0F
	CmdWriteCANNext     Command = 0x10
	CmdRead             Command = 0x11
	CmdReadCAN1         Command = 0x12
	CmdReadCAN2         Command = 0x13
	numCommands                 = 0x14
	headerLen                   = 3 // 0xC0 0xFC code
	commandSpace        byte    = byte(xcp.L1SwDbg)
	level1              byte    = byte(xcp.CmdLevel1)
)

var commandNames = [numCommands]string{
	"DBG_ATTACH", "DBG_GET_VENDOR_INFO", "DBG_GET_MODE_INFO", "DBG_GET_JTAG_ID",
	"DBG_HALT_AFTER_RESET", "DBG_GET_HWIO_INFO", "DBG_SET_HWIO_EVENT", "DBG_HWIO_CONTROL",
	"DBG_EXCLUSIVE_TARGET_ACCESS", "DBG_SEQUENCE_MULTIPLE", "DBG_LLT", "DBG_READ_MODIFY_WRITE",
	"DBG_WRITE", "DBG_WRITE_NEXT", "DBG_WRITE_CAN1", "DBG_WRITE_CAN2", "DBG_WRITE_CAN_NEXT",
	"DBG_READ", "DBG_READ_CAN1", "DBG_READ_CAN2",
}

// String returns the ASAM mnemonic, e.g. "DBG_READ".
func (c Command) String() string {
	if c < numCommands {
		return commandNames[c]
	}
	return fmt.Sprintf("DBG_0x%02X", uint8(c))
}

// Known reports whether c is one of the twenty SW-DBG commands.
func (c Command) Known() bool { return c < numCommands }

// CommandOf returns the SW-DBG command code of a command packet, and false
// if p is not a SW-DBG command (0xC0 0xFC code).
func CommandOf(p []byte) (Command, bool) {
	if len(p) < headerLen || p[0] != level1 || p[1] != commandSpace {
		return 0, false
	}
	return Command(p[2]), true
}

func appendHeader(b []byte, c Command) []byte { return append(b, level1, commandSpace, byte(c)) }

// checkCmd verifies the SW-DBG header and the minimum length of a command.
func checkCmd(p []byte, c Command, need int) error {
	if len(p) < need {
		return &xcp.FormatError{What: c.String(), Need: need, Got: len(p)}
	}
	if got, ok := CommandOf(p); !ok || got != c {
		return fmt.Errorf("xcp/swdbg: %s: header % X is not C0 FC %02X: %w", c, p[:headerLen], byte(c), xcp.ErrMalformed)
	}
	return nil
}

// checkRes verifies a positive response's PID and minimum length.
func checkRes(p []byte, what string, need int) error {
	if len(p) < need {
		return &xcp.FormatError{What: what, Need: need, Got: len(p)}
	}
	if p[0] != xcp.PIDRes {
		return fmt.Errorf("xcp/swdbg: %s: PID 0x%02X is not 0xFF: %w", what, p[0], xcp.ErrMalformed)
	}
	return nil
}

// ElementWidth is the EW parameter of the memory commands (table 41):
// the access size in bytes.
type ElementWidth uint8

// Element widths.
const (
	EWByte  ElementWidth = 1
	EWWord  ElementWidth = 2
	EWDWord ElementWidth = 4
	EWDLong ElementWidth = 8
)

// Valid reports whether w is one of 1, 2, 4, 8 (table 41).
func (w ElementWidth) Valid() bool { return w == 1 || w == 2 || w == 4 || w == 8 }

// ValidCAN reports whether w may be used with DBG_WRITE_CAN2 and
// DBG_READ_CAN2 (table 48: no DLONG).
func (w ElementWidth) ValidCAN() bool { return w == 1 || w == 2 || w == 4 }

// String returns "BYTE", "WORD", "DWORD", "DLONG" or "EW(n)".
func (w ElementWidth) String() string {
	switch w {
	case 1:
		return "BYTE"
	case 2:
		return "WORD"
	case 4:
		return "DWORD"
	case 8:
		return "DLONG"
	}
	return fmt.Sprintf("EW(%d)", uint8(w))
}

func (w ElementWidth) check(what string, can bool) error {
	if (can && !w.ValidCAN()) || (!can && !w.Valid()) {
		return fmt.Errorf("xcp/swdbg: %s: element width %d is reserved: %w", what, uint8(w), xcp.ErrMalformed)
	}
	return nil
}

// appendElement appends v as one element of width w in byte order o.
func appendElement(b []byte, o xcp.ByteOrder, w ElementWidth, v uint64) []byte {
	switch w {
	case 1:
		return append(b, byte(v))
	case 2:
		return o.AppendUint16(b, uint16(v))
	case 4:
		return o.AppendUint32(b, uint32(v))
	}
	return o.AppendUint64(b, v)
}

// Element decodes one element of width w from b in byte order o.
func Element(b []byte, o xcp.ByteOrder, w ElementWidth) uint64 {
	switch w {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(o.Uint16(b))
	case 4:
		return uint64(o.Uint32(b))
	}
	return o.Uint64(b)
}

// Packet-size limits that follow from MAX_CTO_DBG (chapter 4).

// MaxWriteElements is the number of elements one DBG_WRITE carries:
// (MAX_CTO_DBG-16)/EW.
func MaxWriteElements(maxCTODbg int, w ElementWidth) int { return max(0, maxCTODbg-16) / int(w) }

// MaxWriteNextElements is the number of elements one DBG_WRITE_NEXT
// carries: (MAX_CTO_DBG-8)/EW.
func MaxWriteNextElements(maxCTODbg int, w ElementWidth) int { return max(0, maxCTODbg-8) / int(w) }

// MaxReadElements is the number of elements one DBG_READ (or DBG_READ_CAN2)
// response packet carries: (MAX_CTO_DBG-EW)/EW.
func MaxReadElements(maxCTODbg int, w ElementWidth) int { return max(0, maxCTODbg-int(w)) / int(w) }

// MaxWriteCANElements is the number of elements one DBG_WRITE_CAN_NEXT
// carries: (MAX_CTO_DBG-4)/EW.
func MaxWriteCANElements(maxCTODbg int, w ElementWidth) int { return max(0, maxCTODbg-4) / int(w) }

// MaxBlockWriteElements is the DBG_WRITE limit in master block mode:
// min(65535, (MAX_BS*(MAX_CTO_DBG-8)-8)/EW).
func MaxBlockWriteElements(maxCTODbg, maxBS int, w ElementWidth) int {
	return min(65535, max(0, maxBS*(maxCTODbg-8)-8)/int(w))
}

// MaxBlockWriteCANElements is the DBG_WRITE_CAN2 limit in master block
// mode: min(255, MAX_BS*(MAX_CTO_DBG-4)/EW).
func MaxBlockWriteCANElements(maxCTODbg, maxBS int, w ElementWidth) int {
	return min(255, max(0, maxBS*(maxCTODbg-4))/int(w))
}

// ReadPackets is the number of response packets a DBG_READ of n elements
// produces in slave block mode: ⌈n / ((MAX_CTO_DBG-EW)/EW)⌉.
func ReadPackets(n, maxCTODbg int, w ElementWidth) int {
	per := MaxReadElements(maxCTODbg, w)
	if per <= 0 {
		return 0
	}
	return (n + per - 1) / per
}
