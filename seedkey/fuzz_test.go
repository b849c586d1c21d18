package seedkey

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// Key programs start processes (and exec starts goroutines for them).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// FuzzParseHex feeds arbitrary key-program output to ParseHex: an error
// or a key, never a panic, and every key printed back as plain hex parses
// to the same bytes.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"0xA1B2", "a1 b2:c3-d4\n", "", "0x", "abc", "zz", "\xff\xfe", strings.Repeat("ab", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseHex(s)
		if err != nil {
			return
		}
		again, err := ParseHex(hex.EncodeToString(key))
		if err != nil || !slices.Equal(again, key) {
			t.Fatalf("%q: key % X prints back as %q which parses to % X, %v", s, key, hex.EncodeToString(key), again, err)
		}
	})
}

// FuzzSplitCommandLine feeds arbitrary seed_n_key_command lines to the
// splitter: no panic, and the arguments it finds, single-quoted and joined
// again, split to the same arguments.
func FuzzSplitCommandLine(f *testing.F) {
	for _, s := range []string{`key --v 3`, `'a b' "c \" d" e\ f`, `"unterminated`, `'x`, `\`, "\t\n", `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, err := SplitCommandLine(s)
		if err != nil {
			return
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		again, err := SplitCommandLine(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, args) {
			t.Fatalf("%q: %q re-split as %q, %v", s, args, again, err)
		}
	})
}
