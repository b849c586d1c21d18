package hexedit_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/cal/hexedit"
)

// text builds an image with New and returns its text, with CRLF line
// ends when crlf.
func text(t testing.TB, f hexedit.Format, crlf bool, segs ...hexedit.Segment) string {
	img, err := hexedit.New(f, segs)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := img.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if crlf {
		return strings.ReplaceAll(b.String(), "\n", "\r\n")
	}
	return b.String()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestPatchKeepsOtherRecords(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		f    hexedit.Format
		text string
	}{
		{"hex", hexedit.IntelHex, text(t, hexedit.IntelHex, true, hexedit.Segment{Addr: 0x1FFF0, Data: seq(64)}, hexedit.Segment{Addr: 0x30000, Data: seq(20)})},
		{"srec", hexedit.SRecord, text(t, hexedit.SRecord, false, hexedit.Segment{Addr: 0x8000_0000, Data: seq(100)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := hexedit.Parse([]byte(tc.text), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			base := img.Ranges()[0][0]
			got, err := img.Read(ctx, base+14, 0, 4) // across a record boundary for HEX
			if err != nil || !bytes.Equal(got, seq(64)[14:18]) {
				t.Fatalf("Read = % X, %v", got, err)
			}
			if err := img.Write(ctx, base+14, 0, []byte{0xDE, 0xAD, 0xBE, 0xEF}); err != nil {
				t.Fatal(err)
			}
			if _, err := img.Read(ctx, 0x10, 0, 1); !errors.Is(err, hexedit.ErrNotInImage) {
				t.Errorf("read outside: %v", err)
			}
			if err := img.Write(ctx, img.Ranges()[len(img.Ranges())-1][1]-1, 0, []byte{1, 2}); !errors.Is(err, hexedit.ErrNotInImage) {
				t.Errorf("write past the end: %v", err)
			}
			var out bytes.Buffer
			if _, err := img.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			before, after := strings.SplitAfter(tc.text, "\n"), strings.SplitAfter(out.String(), "\n")
			if len(before) != len(after) {
				t.Fatalf("%d lines became %d", len(before), len(after))
			}
			changed := 0
			for i := range before {
				if before[i] != after[i] {
					changed++
				}
			}
			if want := map[string]int{"hex": 2, "srec": 1}[tc.name]; changed != want {
				t.Errorf("%d lines changed, want %d:\n%s", changed, want, out.String())
			}
			back, err := hexedit.Parse(out.Bytes(), tc.f)
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			got, _ = back.Read(ctx, base+12, 0, 8)
			want := append(append(seq(64)[12:14:14], 0xDE, 0xAD, 0xBE, 0xEF), seq(64)[18:20]...)
			if !bytes.Equal(got, want) {
				t.Errorf("after write: % X, want % X", got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := text(t, hexedit.IntelHex, false, hexedit.Segment{Data: seq(4)})
	tests := []struct {
		name, text string
		f          hexedit.Format
		want       string
	}{
		{"checksum", ":0400000000070E15CF\n:00000001FF\n", hexedit.IntelHex, "line 1: checksum 0xCF is wrong"},
		{"unknown type", ":00000007F9\n:00000001FF\n", hexedit.IntelHex, "line 1: unknown record type 07"},
		{"after eof", good + ":0100000000FF\n", hexedit.IntelHex, "line 4: data after the end-of-file record"},
		{"truncated", ":0400000000070E15D2\n", hexedit.IntelHex, "no end-of-file record"},
		{"length", ":0500000000070E15D0\n:00000001FF\n", hexedit.IntelHex, "length does not match"},
		{"not hex", ":04000000zz070E15D0\n", hexedit.IntelHex, "not hexadecimal"},
		{"no colon", "0400000000070E15D0\n", hexedit.IntelHex, "does not start with ':'"},
		{"overlap", ":0400000000070E15D2\n:0400020000070E15D0\n:00000001FF\n", hexedit.IntelHex, "given twice"},
		{"srec truncated", "S1060000010203F3\n", hexedit.SRecord, "no termination record"},
		{"srec checksum", "S1060000010203F2\nS9030000FC\n", hexedit.SRecord, "checksum 0xF2 is wrong"},
		{"srec type", "S4060000010203F3\nS9030000FC\n", hexedit.SRecord, "unknown record type S4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hexedit.Parse([]byte(tt.text), tt.f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(text(f, hexedit.IntelHex, true, hexedit.Segment{Addr: 0x1FFF0, Data: seq(40)})), true)
	f.Add([]byte(text(f, hexedit.SRecord, false, hexedit.Segment{Addr: 0x100, Data: seq(40)})), false)
	f.Fuzz(func(t *testing.T, data []byte, isHex bool) {
		format := hexedit.SRecord
		if isHex {
			format = hexedit.IntelHex
		}
		img, err := hexedit.Parse(data, format)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if _, err := img.WriteTo(&out); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("unchanged image not written back byte for byte")
		}
		for _, r := range img.Ranges() {
			if _, err := img.Read(context.Background(), r[0], 0, int(min(r[1]-r[0], 64))); err != nil {
				t.Fatal(err)
			}
		}
	})
}
