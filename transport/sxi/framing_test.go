package sxi

import (
	"bytes"
	"fmt"
	"testing"
)

func allFramings() []Framing {
	var out []Framing
	for h := LenByte; h <= LenFillWord; h++ {
		for t := NoChecksum; t <= ChecksumWord; t++ {
			for _, se := range []bool{false, true} {
				out = append(out, Framing{Header: h, Tail: t, SyncEsc: se})
			}
		}
	}
	return out
}

func TestAppendFrameGolden(t *testing.T) {
	pkt := []byte{0xFF, 0x00}
	tests := []struct {
		f    Framing
		ctr  uint16
		want []byte
	}{
		{Framing{Header: LenByte}, 7, []byte{0x02, 0xFF, 0x00}},
		{Framing{Header: LenCtrByte}, 7, []byte{0x02, 0x07, 0xFF, 0x00}},
		{Framing{Header: LenFillByte}, 7, []byte{0x02, 0x00, 0xFF, 0x00}},
		{Framing{Header: LenWord}, 7, []byte{0x02, 0x00, 0xFF, 0x00}},
		{Framing{Header: LenCtrWord}, 0x0102, []byte{0x02, 0x00, 0x02, 0x01, 0xFF, 0x00}},
		{Framing{Header: LenFillWord}, 7, []byte{0x02, 0x00, 0x00, 0x00, 0xFF, 0x00}},
		// byte sum: 02+07+FF+00 = 0x108 -> 0x08
		{Framing{Header: LenCtrByte, Tail: ChecksumByte}, 7, []byte{0x02, 0x07, 0xFF, 0x00, 0x08}},
		// LEN_BYTE + 2 bytes = 3 bytes: one fill byte, words 0xFF02 + 0x0000 = 0xFF02
		{Framing{Header: LenByte, Tail: ChecksumWord}, 0, []byte{0x02, 0xFF, 0x00, 0x00, 0x02, 0xFF}},
		// LEN_CTR_WORD: words 0x0002 + 0x0003 + 0x00FF = 0x0104
		{Framing{Header: LenCtrWord, Tail: ChecksumWord}, 3, []byte{0x02, 0x00, 0x03, 0x00, 0xFF, 0x00, 0x04, 0x01}},
		// SYNC/ESC: SYNC, then 0x01 (ctr) and 0x00 (packet byte) escaped with ESC 0x00
		{Framing{Header: LenCtrByte, SyncEsc: true}, 1, []byte{0x01, 0x02, 0x00, 0x01, 0xFF, 0x00, 0x00}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%v", tt.f.Header, tt.f.Tail, tt.f.SyncEsc), func(t *testing.T) {
			got, err := tt.f.AppendFrame(nil, tt.ctr, pkt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("frame % X, want % X", got, tt.want)
			}
			var dec []byte
			var ctr uint16
			NewDecoder(tt.f).Feed(got, func(p []byte, c uint16) { dec = append([]byte(nil), p...); ctr = c })
			if !bytes.Equal(dec, pkt) {
				t.Fatalf("decoded % X", dec)
			}
			if tt.f.Header.hasCtr() && ctr != tt.ctr&mask(tt.f.Header) {
				t.Fatalf("ctr %d", ctr)
			}
		})
	}
}

func mask(h HeaderFormat) uint16 {
	if h.word() {
		return 0xFFFF
	}
	return 0xFF
}

// TestResyncAfterGarbage feeds garbage, a frame cut short, and valid
// frames, byte by byte and in one piece, for every format with a way to
// detect damage (a checksum or SYNC/ESC framing).
func TestResyncAfterGarbage(t *testing.T) {
	for _, f := range allFramings() {
		if f.Tail == NoChecksum && !f.SyncEsc {
			continue
		}
		t.Run(fmt.Sprintf("%s/%s/%v", f.Header, f.Tail, f.SyncEsc), func(t *testing.T) {
			f.MaxPacket = 16 // without SYNC/ESC, a bound on LEN is what rejects noise quickly
			var stream []byte
			p1 := []byte{0xFF, 0x10, 0x20, 0x01, 0x00}
			p2 := []byte{0xFE, 0x25}
			fr1, _ := f.AppendFrame(nil, 1, p1)
			fr2, _ := f.AppendFrame(nil, 2, p2)
			stream = append(stream, 0x55, 0xAA, 0x13) // line noise
			// A torn frame (cut before any escaped byte: a frame torn just
			// after an ESC would swallow the next SYNC, as the protocol says).
			stream = append(stream, fr1[:tearPoint(f, fr1)]...)
			stream = append(stream, fr1...)
			stream = append(stream, 0x99)
			stream = append(stream, fr2...)
			for _, chunk := range []int{1, 3, len(stream)} {
				d := NewDecoder(f)
				var got [][]byte
				collect := func(p []byte, _ uint16) { got = append(got, append([]byte(nil), p...)) }
				for i := 0; i < len(stream); i += chunk {
					d.Feed(stream[i:min(i+chunk, len(stream))], collect)
				}
				d.Flush(collect) // the line went idle
				if len(got) < 2 || !bytes.Equal(got[len(got)-2], p1) || !bytes.Equal(got[len(got)-1], p2) {
					t.Fatalf("chunk %d: got % X", chunk, got)
				}
				if d.Garbage() == 0 {
					t.Fatalf("chunk %d: garbage not counted", chunk)
				}
			}
		})
	}
}

func TestBadLengthIsSkipped(t *testing.T) {
	f := Framing{Header: LenByte, Tail: ChecksumByte, MaxPacket: 8}
	fr, _ := f.AppendFrame(nil, 0, []byte{0xFF})
	d := NewDecoder(f)
	var n int
	d.Feed(append([]byte{0x00, 0x20}, fr...), func([]byte, uint16) { n++ })
	if n != 1 || d.Garbage() != 2 {
		t.Fatalf("packets %d garbage %d", n, d.Garbage())
	}
}

func TestAppendFrameRejects(t *testing.T) {
	if _, err := (Framing{}).AppendFrame(nil, 0, nil); err == nil {
		t.Fatal("empty packet accepted")
	}
	if _, err := (Framing{}).AppendFrame(nil, 0, make([]byte, 256)); err == nil {
		t.Fatal("256-byte packet accepted by LEN_BYTE")
	}
	if err := (Framing{SyncEsc: true, Sync: 5, Esc: 5}).Validate(); err == nil {
		t.Fatal("equal SYNC and ESC accepted")
	}
}

func TestParseFormats(t *testing.T) {
	for _, s := range []string{"HEADER_LEN_CTR_WORD", "len_ctr_word"} {
		if h, err := ParseHeaderFormat(s); err != nil || h != LenCtrWord {
			t.Fatalf("%s: %v %v", s, h, err)
		}
	}
	if _, err := ParseHeaderFormat("LEN_TRIPLE"); err == nil {
		t.Fatal("bad header accepted")
	}
	if tf, err := ParseTailFormat("checksum_word"); err != nil || tf != ChecksumWord {
		t.Fatal(tf, err)
	}
}

func FuzzDecoder(f *testing.F) {
	for i, fr := range allFramings() {
		b, _ := fr.AppendFrame(nil, uint16(i), []byte{0xFF, byte(i), 0x00, 0x01})
		f.Add(uint8(i), b)
	}
	f.Add(uint8(3), []byte{0xFF, 0xFF, 0x00})
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		fs := allFramings()
		fr := fs[int(sel)%len(fs)]
		d := NewDecoder(fr)
		total := 0
		d.Feed(data, func(p []byte, _ uint16) {
			if len(p) == 0 || len(p) > fr.maxPacket() {
				t.Fatalf("bad packet length %d", len(p))
			}
			total += len(p)
		})
		if uint64(total) > uint64(len(data)) {
			t.Fatal("decoded more than fed")
		}
	})
}

// tearPoint returns a cut position of at least 3 bytes into frame that does
// not fall between an ESC and the byte it escapes.
func tearPoint(f Framing, frame []byte) int {
	if !f.SyncEsc {
		return 3
	}
	_, esc := f.chars()
	escaped := false
	for i := 1; i < len(frame); i++ {
		if i >= 3 && !escaped {
			return i
		}
		escaped = !escaped && frame[i] == esc
	}
	return 1
}
