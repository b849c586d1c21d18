package cmdutil

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/master"
)

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want uint64
		err  string
	}{
		{"0x1000", 32, 0x1000, ""},
		{"4096", 32, 4096, ""},
		{"0X_FFFF_FFFF", 32, 0xFFFFFFFF, ""},
		{"0x100000000", 32, 0, "out of range (at most 32 bits)"},
		{"256", 8, 0, "out of range"},
		{"-1", 32, 0, "not a number"},
		{"abc", 32, 0, "not a number"},
		{"", 32, 0, "not a number"},
	}
	for _, tt := range tests {
		got, err := ParseUint("ADDR", tt.in, tt.bits)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "ADDR") || ExitCode(err) != ExitUsage {
				t.Errorf("ParseUint(%q): got %v, want usage error %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseUint(%q) = %#x, %v; want %#x", tt.in, got, err, tt.want)
		}
	}
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		err  string
	}{
		{"0102ff", []byte{1, 2, 0xff}, ""},
		{"01 02 FF", []byte{1, 2, 0xff}, ""},
		{"0x01:02,ff", []byte{1, 2, 0xff}, ""},
		{"123", nil, "odd number of hex digits"},
		{"zz", nil, "not hex bytes"},
		{"  ", nil, "no bytes given"},
	}
	for _, tt := range tests {
		got, err := ParseHex("HEX", tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || ExitCode(err) != ExitUsage {
				t.Errorf("ParseHex(%q): got %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("ParseHex(%q) = % X, %v", tt.in, got, err)
		}
	}
}

func TestHexDump(t *testing.T) {
	data := []byte("0123456789abcdef\x00\x01")
	want := "0x00001000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n" +
		"0x00001010  00 01                                             |..|\n"
	if got := HexDump(0x1000, data); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A command that ran out of its command deadline exits like a timeout.
func TestExitCodeCommandDeadline(t *testing.T) {
	err := fmt.Errorf("master: GET_STATUS: no answer within the command deadline of 30s: %w", master.ErrCommandDeadline)
	if got := ExitCode(err); got != ExitTimeout {
		t.Fatalf("ExitCode = %d, want %d (ExitTimeout)", got, ExitTimeout)
	}
}
