package pgm_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/pgm"
)

// srecLine builds a record with a correct count and checksum.
func srecLine(kind byte, addr []byte, data []byte) string {
	b := append([]byte{byte(len(addr) + len(data) + 1)}, addr...)
	b = append(b, data...)
	var sum byte
	for _, c := range b {
		sum += c
	}
	return fmt.Sprintf("S%c%X%02X", kind, b, ^sum)
}

func TestReadSRec(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string // segments, or the error
	}{
		// The classic example from the S-record description (S1, S5, S9).
		{"wikipedia example", "S00F000068656C6C6F202020202000003C\nS11F00007C0802A6900100049421FFF07C6C1B787C8C23783C6000003863000026\n" +
			"S11F001C4BFFFFE5398000007D83637880010014382100107C0803A64E800020E9\nS111003848656C6C6F20776F726C642E0A0042\n" +
			"S5030003F9\nS9030000FC\n", "1 segment at 0x0 (70 bytes)"},
		{"S2 and S3, two segments, blank lines, CRLF", srecLine('2', []byte{0x03, 0x00, 0x00}, []byte{1, 2}) + "\r\n\r\n" +
			srecLine('3', []byte{0x00, 0x03, 0x10, 0x00}, []byte{3}) + "\r\n" + srecLine('7', []byte{0, 0, 0, 0}, nil), "2 segments at 0x30000 (2 bytes), 0x31000 (1 bytes)"},
		{"bad checksum", "S1050000010200\n", "pgm: S-record line 1: checksum 0x00, computed 0xF7"},
		{"bad count", "S1060000010200\n", "pgm: S-record line 1: byte count 6 does not match the 5 bytes that follow"},
		{"bad hex", "S10500000102ZZ\n", "pgm: S-record line 1: not hex digits: encoding/hex: invalid byte: U+005A 'Z'"},
		{"unknown type", "S4030000FC\n", "pgm: S-record line 1: unknown record type S4"},
		{"not a record", srecLine('1', []byte{0, 0}, []byte{1}) + "\n:00000001FF\n", "pgm: S-record line 2: does not start with S and a record type: \":00000001FF\""},
		{"too short for the address", "S2030000FC\n", "pgm: S-record line 1: record type S2 is too short for its 3-byte address and checksum"},
		{"wrong record count", srecLine('1', []byte{0, 0}, []byte{1}) + "\n" + srecLine('5', []byte{0, 2}, nil), "pgm: S-record line 2: record count 2, but 1 data records precede it"},
		{"overlap", srecLine('1', []byte{0, 0}, []byte{1, 2}) + "\n" + srecLine('1', []byte{0, 1}, []byte{3}) + "\nS9030000FC\n", "pgm: S-record: pgm: image segments overlap: 0x00000000..0x00000001 and 0x00000001..0x00000001"},
		{"no data", "S9030000FC\n", "pgm: S-record: no data records (S1, S2 or S3)"},
		// A file cut off before its termination record is refused, like a
		// truncated Intel HEX file.
		{"truncated: no S7/S8/S9", srecLine('1', []byte{0, 0}, []byte{1, 2}) + "\n" + srecLine('1', []byte{0, 2}, []byte{3}) + "\n",
			"pgm: S-record line 2: the file ends without a termination record (S7, S8 or S9): it is truncated"},
		{"record after S9", srecLine('1', []byte{0, 0}, []byte{1}) + "\nS9030000FC\n" + srecLine('1', []byte{0, 2}, []byte{3}) + "\n",
			"pgm: S-record line 3: record after the termination record of line 2"},
		{"past 4 GiB", srecLine('3', []byte{0xFF, 0xFF, 0xFF, 0xFF}, []byte{1, 2}), "pgm: S-record line 1: data at 0xFFFFFFFF runs past the 32-bit address space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := pgm.ReadSRec(strings.NewReader(tc.in))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = describe(img)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func describe(img *pgm.Image) string {
	var parts []string
	for _, s := range img.Segments {
		parts = append(parts, fmt.Sprintf("0x%X (%d bytes)", s.Addr, len(s.Data)))
	}
	if len(parts) == 1 {
		return "1 segment at " + parts[0]
	}
	return fmt.Sprintf("%d segments at %s", len(parts), strings.Join(parts, ", "))
}

func TestReadHex(t *testing.T) {
	// Extended linear address 0x0003, 4 bytes at 0x0100, EOF.
	in := ":020000040003F7\n:0401000001020304F1\n:00000001FF\n"
	img, err := pgm.ReadHex(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Segments) != 1 || img.Segments[0].Addr != 0x30100 || !bytes.Equal(img.Segments[0].Data, []byte{1, 2, 3, 4}) {
		t.Fatalf("got %+v", img.Segments)
	}
	for _, bad := range []string{":0401000001020304F2\n:00000001FF\n", ":04010000010203\n:00000001FF\n", "garbage\n"} {
		if _, err := pgm.ReadHex(strings.NewReader(bad)); err == nil || !strings.HasPrefix(err.Error(), "pgm: Intel HEX: ") {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want pgm.Format
	}{
		{"app.hex", "", pgm.FormatHex}, {"app.S19", "", pgm.FormatSRec}, {"app.bin", ":00", pgm.FormatBinary},
		{"app", ":020000", pgm.FormatHex}, {"app.img", "S00F", pgm.FormatSRec}, {"app.img", "\x00\x01", pgm.FormatBinary},
	} {
		if got := pgm.FormatOf(tc.name, []byte(tc.data)); got != tc.want {
			t.Errorf("FormatOf(%q, %q) = %s, want %s", tc.name, tc.data, got, tc.want)
		}
	}
	if _, err := pgm.ParseFormat("elf"); err == nil {
		t.Error("elf accepted")
	}
	if _, err := pgm.ParseVerify("crc"); err == nil {
		t.Error("crc accepted")
	}
}

func FuzzReadSRec(f *testing.F) {
	f.Add([]byte("S00F000068656C6C6F202020202000003C\nS111003848656C6C6F20776F726C642E0A0042\nS5030001FB\nS9030000FC\n"))
	f.Add([]byte(srecLine('3', []byte{0, 3, 0, 0}, []byte{1, 2, 3}) + "\n" + srecLine('3', []byte{0, 3, 0, 1}, []byte{9})))
	f.Add([]byte("S1050000010200\n"))
	f.Add([]byte("S2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := pgm.ReadSRec(bytes.NewReader(data))
		if err != nil {
			var se *pgm.SRecError
			var oe *pgm.OverlapError
			if !errors.As(err, &se) && !errors.As(err, &oe) && !strings.Contains(err.Error(), "no data records") {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for i, s := range img.Segments {
			if len(s.Data) == 0 || s.End() > 1<<32 || (i > 0 && uint64(s.Addr) <= img.Segments[i-1].End()) {
				t.Fatalf("bad segments %+v", img.Segments)
			}
		}
	})
}

// FuzzReadHex feeds arbitrary text to the Intel HEX reader (gohex parses,
// NewImage checks): an error or sorted, non-empty, non-overlapping segments
// inside the 32-bit address space, never a panic.
func FuzzReadHex(f *testing.F) {
	f.Add([]byte(":10010000214601360121470136007EFE09D2190140\n:00000001FF\n"))
	f.Add([]byte(":020000040800F2\n:0400000001020304F2\n:00000001FF\n"))  // extended linear address
	f.Add([]byte(":020000021000EC\n:0100000055AA\n:00000001FF\n"))        // extended segment address
	f.Add([]byte(":0100000055AA\n:0100000066:99\n:00000001FF\n"))         // bad checksum, overlap
	f.Add([]byte(":02000004FFFF FC\n:04FFFE0001020304F5\n:00000001FF\n")) // runs past 4 GiB
	f.Add([]byte(":"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := pgm.ReadHex(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pgm: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		for i, s := range img.Segments {
			if len(s.Data) == 0 || s.End() > 1<<32 || (i > 0 && uint64(s.Addr) <= img.Segments[i-1].End()) {
				t.Fatalf("bad segments %+v", img.Segments)
			}
		}
	})
}

// Unknown record types, data after the end-of-file record and truncated
// files are refused, each with an error saying so.
func TestReadHexRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown record type 07", ":020000040003F7\n:0401000001020304F1\n:0400000712345678E1\n:00000001FF\n",
			"line 3: unknown record type 0x07 (Intel HEX defines 00..05)"},
		{"data after EOF", ":0401000001020304F1\n:00000001FF\n:0401000001020304F1\n",
			"line 3: data after the end-of-file record of line 2"},
		{"data after EOF elsewhere", ":0401000001020304F1\n:00000001FF\n\n:0402000001020304F0\n",
			"line 4: data after the end-of-file record of line 2"},
		{"truncated at a record", ":020000040003F7\n:0401000001020304F1\n",
			"no end-of-file record (:00000001FF): the file is truncated"},
		{"truncated inside a record", ":020000040003F7\n:04010000010203",
			"pgm: Intel HEX: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := pgm.ReadHex(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "overlap") {
				t.Fatalf("got %v, %v; want an error containing %q", img, err, tc.want)
			}
		})
	}
	// CRLF line ends and a trailing empty line are fine.
	if _, err := pgm.ReadHex(strings.NewReader(":0401000001020304F1\r\n:00000001FF\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
}
