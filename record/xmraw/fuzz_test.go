package xmraw

import (
	"bytes"
	"os"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the Reader and Decoder: they must
// not panic, hang or allocate beyond the input's size, and a Reader that
// stops early must say why.
func FuzzReader(f *testing.F) {
	for _, id := range []int{1, 2, 4} {
		p := twoLists(id, id == 2)
		frames := []Frame{
			dtoFrame(p, 0, 0, 100, uint16(65000), uint32(1), int16(-2)),
			dtoFrame(p, 0, 1, 110, float32(1.5), int8(-3)),
			dtoFrame(p, 1, 0, 120, 2.5),
		}
		b := buildFile(f, p, [][]Frame{frames, frames})
		f.Add(b)
		f.Add(b[:len(b)-7])
	}
	if b, err := os.ReadFile("testdata/two_lists.xmraw"); err == nil {
		f.Add(b)
	}
	if ref, err := os.ReadFile("../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw"); err == nil {
		f.Add(ref[:0x1F8+12+200]) // header, metadata, the start of a container
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		d, err := NewDecoder(r.Params())
		if err != nil {
			return
		}
		n := 0
		for r.Next() {
			d.Decode(r.Frame())
			if n++; n > 1<<20 {
				t.Fatal("more frames than the input can hold")
			}
		}
		if s := r.Stats(); s.Containers < r.Header().Containers && r.Err() == nil && len(r.Damage()) == 0 {
			t.Fatalf("stopped after %d of %d containers without saying why", s.Containers, r.Header().Containers)
		}
	})
}
