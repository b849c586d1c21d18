package cmdutil

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// ParseUint parses a number argument in decimal or with a 0x (hex), 0o or
// 0b prefix that must fit into bits bits; what names the argument in the
// error (a *UsageError).
func ParseUint(what, s string, bits int) (uint64, error) {
	v, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, bits)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, UsageErrorf("%s %q: out of range (at most %d bits)", what, s, bits)
		}
		return 0, UsageErrorf("%s %q: not a number (decimal or 0x hex)", what, s)
	}
	return v, nil
}

// ParseHex parses bytes written as hex digits, optionally with a 0x prefix
// and separated by blanks, colons or commas ("01 02 ff", "0102FF",
// "01:02:ff").
func ParseHex(what, s string) ([]byte, error) {
	clean := strings.NewReplacer(" ", "", ":", "", ",", "", "\t", "").Replace(s)
	clean = strings.TrimPrefix(strings.TrimPrefix(clean, "0x"), "0X")
	if clean == "" {
		return nil, UsageErrorf("%s: no bytes given", what)
	}
	if len(clean)%2 != 0 {
		return nil, UsageErrorf("%s %q: odd number of hex digits", what, s)
	}
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, UsageErrorf("%s %q: not hex bytes: %v", what, s, err)
	}
	return b, nil
}

// ExactArgs is like cobra.ExactArgs but returns a *UsageError naming the
// expected arguments, e.g. ExactArgs(2, "ADDR LEN").
func ExactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return UsageErrorf("%s needs %d argument(s) %s, got %d", cmd.CommandPath(), n, names, len(args))
		}
		return nil
	}
}

// NoArgs is like cobra.NoArgs but returns a *UsageError.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// HexDump formats data as lines of 16 bytes with the address of the first
// byte of each line: "0x00001000  01 02 …  |..|".
func HexDump(addr uint64, data []byte) string {
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		line := data[off:min(off+16, len(data))]
		fmt.Fprintf(&b, "0x%08X  ", addr+uint64(off))
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&b, "%02X ", line[i])
			} else {
				b.WriteString("   ")
			}
			if i == 7 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(" |")
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b.WriteByte(c)
		}
		b.WriteString("|\n")
	}
	return b.String()
}
