package seedkey

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// script writes an executable shell script into a temporary directory.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgramKey(t *testing.T) {
	// The script echoes its arguments so the test sees exactly what it got,
	// then prints a key derived from them.
	p := script(t, `[ "$1" = "--v" ] || { echo "bad flag $1" >&2; exit 3; }
echo "$2 $3" > "$(dirname "$0")/args"
echo "0x$3$2"`)
	f, err := Command(p + " --v")
	if err != nil {
		t.Fatal(err)
	}
	key, err := f(t.Context(), xcp.ResPgm, []byte{0xA1, 0xB2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xA1, 0xB2, 0x10}; !reflect.DeepEqual(key, want) {
		t.Fatalf("key % X, want % X", key, want)
	}
	args, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "args"))
	if strings.TrimSpace(string(args)) != "10 A1B2" {
		t.Fatalf("program got %q", args)
	}
}

func TestProgramErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
		is               error
	}{
		{"exit status", `echo "no licence" >&2; exit 2`, "no licence", nil},
		{"not hex", `echo "hello"`, "not a hex key", ErrBadKey},
		{"odd digits", `echo "ABC"`, "odd number", ErrBadKey},
		{"empty", `true`, "printed no key", ErrBadKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Program(script(t, tc.body))
			_, err := f(t.Context(), xcp.ResCalPag, []byte{1})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "key.sh") {
				t.Fatalf("err = %v, want it to contain %q and the program name", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tc.is)
			}
		})
	}
	if _, err := Program(filepath.Join(t.TempDir(), "missing"))(t.Context(), xcp.ResDaq, []byte{1}); err == nil {
		t.Fatal("missing program accepted")
	}
}

func TestProgramContextBounded(t *testing.T) {
	f := Program(script(t, `sleep 30; echo 00`))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f(ctx, xcp.ResCalPag, []byte{1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"key", []string{"key"}, false},
		{"  /opt/x/key  -a 1 ", []string{"/opt/x/key", "-a", "1"}, false},
		{`"/path with space/key" 'a b' c\ d`, []string{"/path with space/key", "a b", "c d"}, false},
		{`"say \"hi\""`, []string{`say "hi"`}, false},
		{`'open`, nil, true},
		{`"open`, nil, true},
		{`x\`, nil, true},
		{"", nil, false},
	}
	for _, tc := range tests {
		got, err := SplitCommandLine(tc.in)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitCommandLine(%q) = %q, %v", tc.in, got, err)
		}
	}
	if _, err := Command("   "); err == nil {
		t.Fatal("empty command accepted")
	}
}

func TestParseHex(t *testing.T) {
	for in, want := range map[string][]byte{"0xA1B2": {0xA1, 0xB2}, "a1 b2\n": {0xA1, 0xB2}, "A1:B2-C3": {0xA1, 0xB2, 0xC3}} {
		got, err := ParseHex(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseHex(%q) = % X, %v", in, got, err)
		}
	}
}

func TestPerResource(t *testing.T) {
	f := PerResource(map[xcp.Resource]master.KeyFunc{
		xcp.ResPgm: Func(func(_ xcp.Resource, s []byte) []byte { return []byte{0x10} }),
	}, nil)
	if k, err := f(t.Context(), xcp.ResPgm, nil); err != nil || k[0] != 0x10 {
		t.Fatal(k, err)
	}
	if _, err := f(t.Context(), xcp.ResDaq, nil); err == nil {
		t.Fatal("no error for a resource without a function")
	}
}
