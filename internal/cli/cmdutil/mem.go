package cmdutil

import (
	"github.com/spf13/pflag"
)

// MemFlags are the address arguments shared by the memory commands.
type MemFlags struct {
	Ext uint8 // --ext: address extension
}

// AddExt adds --ext to fs.
func (m *MemFlags) AddExt(fs *pflag.FlagSet) {
	fs.Uint8Var(&m.Ext, "ext", 0, "address extension (0..255)")
}

// ParseAddr parses an ADDR argument (32 bits, decimal or 0x hex).
func ParseAddr(s string) (uint32, error) {
	v, err := ParseUint("ADDR", s, 32)
	return uint32(v), err
}

// ParseLen parses a LEN argument: a positive byte count (decimal or 0x hex)
// that fits, with addr, into the 32-bit address space.
func ParseLen(s string, addr uint32) (int, error) {
	v, err := ParseUint("LEN", s, 32)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return 0, UsageErrorf("LEN must be at least 1")
	}
	if uint64(addr)+v > 1<<32 {
		return 0, UsageErrorf("LEN %s: 0x%X+%d runs past the 32-bit address space", s, addr, v)
	}
	return int(v), nil
}
