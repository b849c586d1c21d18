package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Target Resource Identifiers of Infineon DAP devices (table 90).
const (
	TRIInfineonCerberus1 TRI = 1
	TRIInfineonCerberus2 TRI = 2
)

// Target Resource Identifiers of MPC5xxx/SPC5xxx devices (table 91).
const (
	TRIPPCCore0 TRI = 0   // production device area, core 0
	TRIPPCCore1 TRI = 1   // … core 1
	TRIPPCCore2 TRI = 2   // … core 2
	TRIPPCCore3 TRI = 3   // … core 3
	TRIPPCBuddy TRI = 128 // buddy device area, read/write client
)

// Target Resource Identifiers of Renesas RH850 devices (table 92).
const (
	TRIRH850AXI       TRI = 0   // + PE-1: AXI bus via PEn MAU
	TRIRH850ELB       TRI = 32  // + PE-1: ELB bus
	TRIRH850NT        TRI = 64  // + PE-1: NT bus
	TRIRH850DebugRegs TRI = 255 // debug register access (table 93)
	RH850MaxPE            = 10
)

// RH850Bus names an RH850 bus of table 92.
type RH850Bus uint8

// RH850 buses.
const (
	RH850AXI RH850Bus = 0
	RH850ELB RH850Bus = 32
	RH850NT  RH850Bus = 64
)

// RH850TRI returns the TRI for bus access via processing element pe (1..10).
func RH850TRI(bus RH850Bus, pe int) (TRI, error) {
	if pe < 1 || pe > RH850MaxPE {
		return 0, fmt.Errorf("xcp/swdbg: RH850 PE%d: processing elements are PE1..PE%d", pe, RH850MaxPE)
	}
	if bus != RH850AXI && bus != RH850ELB && bus != RH850NT {
		return 0, fmt.Errorf("xcp/swdbg: RH850 bus %d is not AXI, ELB or NT", bus)
	}
	return TRI(int(bus) + pe - 1), nil
}

// RH850DebugReg is the address of a debug register for TRI 255 (table 93).
type RH850DebugReg struct {
	DCU  uint16 // bit k-1 selects the DCU register set of PEk (k = 1..10)
	JCU  bool   // JCU register set
	Bank uint8  // 0..15
	Reg  uint8  // IR register number
}

// Address encodes the register address (bits 1..0 zero, reserved bits zero).
func (r RH850DebugReg) Address() (uint64, error) {
	if r.DCU >= 1<<RH850MaxPE || r.Bank > 15 {
		return 0, fmt.Errorf("xcp/swdbg: RH850 debug register: DCU mask 0x%X or bank %d out of range", r.DCU, r.Bank)
	}
	a := uint64(r.DCU)<<17 | uint64(r.Bank)<<12 | uint64(r.Reg)<<2
	if r.JCU {
		a |= 1 << 16
	}
	return a, nil
}

// DecodeRH850DebugAddr decodes a TRI-255 byte address. Bits 1..0 and the
// reserved bits 63..27 and 11..10 must be zero.
func DecodeRH850DebugAddr(a uint64) (RH850DebugReg, error) {
	if a&0x3 != 0 || a>>27 != 0 || a&(3<<10) != 0 {
		return RH850DebugReg{}, fmt.Errorf("xcp/swdbg: RH850 debug register address 0x%X: reserved bits or bits 1..0 set: %w", a, xcp.ErrMalformed)
	}
	return RH850DebugReg{DCU: uint16(a >> 17 & 0x3FF), JCU: a>>16&1 == 1, Bank: uint8(a >> 12 & 0xF), Reg: uint8(a >> 2)}, nil
}

// CheckRH850DebugAccess applies the rule of table 93: with TRI 255 the
// element width must be DWORD.
func CheckRH850DebugAccess(tri TRI, ew ElementWidth) error {
	if tri == TRIRH850DebugRegs && ew != EWDWord {
		return fmt.Errorf("xcp/swdbg: RH850 debug register access (TRI 255) needs element width DWORD, not %s", ew)
	}
	return nil
}
