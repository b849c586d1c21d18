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
