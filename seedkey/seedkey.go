// Package seedkey provides key functions for the XCP seed & key unlock
// (GET_SEED/UNLOCK, ASAM MCD-1 XCP 1.5 part 2) as master.KeyFunc values:
// an external program (the portable analogue of pyXCP's seed & key DLL and
// its bridge), a plain Go function, and a per-resource dispatcher.
//
// The external-program protocol (configuration key
// general.seed_n_key_command): the program is run with two extra
// arguments, the resource being unlocked as two hex digits (CAL_PAG 01,
// DAQ 04, STIM 08, PGM 10, DBG 20) and the seed as hex, e.g.
//
//	mykey --variant 3 01 A1B2C3D4
//
// and prints the key as hex on stdout (whitespace, ":" or "-" between
// bytes and a leading 0x are allowed). A non-zero exit status, no output
// or anything that is not hex is an error naming the program and quoting
// its stderr.
package seedkey

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// DefaultTimeout bounds an external key program when the context has no
// earlier deadline.
const DefaultTimeout = 10 * time.Second

// ErrBadKey is matched (errors.Is) by errors reporting unusable output of
// a key program.
var ErrBadKey = errors.New("seedkey: key program output is not a hex key")

// Command returns a KeyFunc that runs the program given as a command line
// (split like a shell would: spaces separate arguments, single and double
// quotes group, backslash escapes), appending the resource and seed as hex
// arguments. The program is not run through a shell.
func Command(cmdline string) (master.KeyFunc, error) {
	argv, err := SplitCommandLine(cmdline)
	if err != nil {
		return nil, fmt.Errorf("seedkey: seed_n_key_command %q: %w", cmdline, err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("seedkey: seed_n_key_command is empty")
	}
	return Program(argv[0], argv[1:]...), nil
}

// Program returns a KeyFunc that runs name with args followed by the
// resource and seed as hex arguments and reads the key as hex from stdout.
// The program is killed when ctx is done or after DefaultTimeout.
func Program(name string, args ...string) master.KeyFunc {
	fixed := append([]string(nil), args...)
	return func(ctx context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
			defer cancel()
		}
		argv := append(append([]string(nil), fixed...), fmt.Sprintf("%02X", uint8(res)), strings.ToUpper(hex.EncodeToString(seed)))
		cmd := exec.CommandContext(ctx, name, argv...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.WaitDelay = time.Second // do not wait for grandchildren holding the pipes
		err := cmd.Run()
		what := fmt.Sprintf("seedkey: key program %s (resource %s)", name, res)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: %w", what, ctxErr)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w%s", what, err, stderrNote(stderr.Bytes()))
		}
		key, err := ParseHex(stdout.String())
		if err != nil {
			return nil, fmt.Errorf("%s: %w%s", what, err, stderrNote(stderr.Bytes()))
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("%s: printed no key: %w%s", what, ErrBadKey, stderrNote(stderr.Bytes()))
		}
		if len(key) > 255 {
			return nil, fmt.Errorf("%s: key of %d bytes exceeds the 255 XCP allows: %w", what, len(key), ErrBadKey)
		}
		return key, nil
	}
}

func stderrNote(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf(" (stderr: %q)", s)
}

// ParseHex parses a key printed as hex: optional 0x prefix, bytes
// optionally separated by whitespace, ':' or '-'.
func ParseHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	clean := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ':' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(clean)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of hex digits in %q", ErrBadKey, trim(s))
	}
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadKey, trim(s), err)
	}
	return b, nil
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// SplitCommandLine splits a command line into arguments: whitespace
// separates, single quotes take everything literally, double quotes allow
// backslash escapes of " and \, and a backslash outside quotes escapes the
// next character.
func SplitCommandLine(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inArg = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inArg = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			cur.WriteByte(s[i])
			inArg = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// Func adapts a plain key algorithm to a KeyFunc.
func Func(f func(res xcp.Resource, seed []byte) []byte) master.KeyFunc {
	return func(_ context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
		return f(res, seed), nil
	}
}

// PerResource returns a KeyFunc that uses fns[res] for each resource and
// fallback (may be nil) for resources without an entry.
func PerResource(fns map[xcp.Resource]master.KeyFunc, fallback master.KeyFunc) master.KeyFunc {
	m := make(map[xcp.Resource]master.KeyFunc, len(fns))
	for k, v := range fns {
		m[k] = v
	}
	return func(ctx context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
		if f, ok := m[res]; ok && f != nil {
			return f(ctx, res, seed)
		}
		if fallback != nil {
			return fallback(ctx, res, seed)
		}
		return nil, fmt.Errorf("seedkey: no key function for resource %s", res)
	}
}
