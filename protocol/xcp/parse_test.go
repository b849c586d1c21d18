package xcp

import (
	"strings"
	"testing"
)

func TestParseResources(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Resource
		err  string
	}{
		{"", 0, ""},
		{"cal", ResCalPag, ""},
		{" DAQ , stim", ResDaq | ResStim, ""},
		{"cal/pag,pgm,dbg", ResCalPag | ResPgm | ResDbg, ""},
		{"all", ResCalPag | ResDaq | ResStim | ResPgm | ResDbg, ""},
		{"cal,foo", 0, `unknown resource "foo"`},
	} {
		got, err := ParseResources(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %v %v, want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseChecksumType(t *testing.T) {
	for t2 := ChecksumAdd11; t2 <= ChecksumCRC32; t2++ {
		for _, s := range []string{t2.String(), strings.ToLower(strings.TrimPrefix(t2.String(), "XCP_"))} {
			if got, err := ParseChecksumType(s); err != nil || got != t2 {
				t.Errorf("%q: %v %v", s, got, err)
			}
		}
	}
	if _, err := ParseChecksumType("md5"); err == nil || !strings.Contains(err.Error(), `unknown type "md5" (want one of XCP_ADD_11`) {
		t.Errorf("md5: %v", err)
	}
}

// FuzzParseSettings: the parsers of the simulator's --protect and
// --checksum settings (text a user typed) never panic, and what they
// accept is within the defined codes.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{"", "cal", " DAQ , stim", "all", "cal,foo", "crc16_ccitt", "ADD_44", "XOR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseResources(s); err == nil && r&^(ResCalPag|ResDaq|ResStim|ResPgm|ResDbg) != 0 {
			t.Fatalf("%q: resource bits %#x outside the defined ones", s, r)
		}
		ParseChecksumType(s) // must not panic
	})
}
