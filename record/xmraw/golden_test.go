package xmraw

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/two_lists.xmraw")

// goldenFile is a small .xmraw file laid out as pyXCP writes it: two
// lists (one with timestamps over two ODTs, one predefined), 16-bit
// timestamps wrapping once, written by buildFile. The runnable example
// reads it.
func goldenFile(t testing.TB) []byte {
	p := twoLists(4, false)
	p.StartNS = 1_796_598_839_211_117_080
	var frames []Frame
	host := p.StartNS + 50_000_000
	for k := range 6 {
		ts := uint16(65000 + 200*k) // wraps after the third sample
		frames = append(frames,
			dtoFrame(p, 0, 0, host, ts, uint32(100+k), int16(-k)),
			dtoFrame(p, 0, 1, host+20_000, float32(k)/4, int8(k)))
		if k%2 == 1 {
			frames = append(frames, dtoFrame(p, 1, 0, host+40_000, float64(k)*1.5))
		}
		host += 200_000
	}
	return buildFile(t, p, [][]Frame{frames[:7], frames[7:]})
}

func TestGoldenFile(t *testing.T) {
	path := filepath.Join("testdata", "two_lists.xmraw")
	b := goldenFile(t)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// LZ4 output may change with the library; the frames must not.
	r1, err := NewReader(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := NewReader(bytes.NewReader(b))
	n := 0
	for r1.Next() {
		if !r2.Next() || !bytes.Equal(r1.Frame().Data, r2.Frame().Data) || r1.Frame().Timestamp != r2.Frame().Timestamp {
			t.Fatalf("frame %d differs from goldenFile (go test -update)", n)
		}
		n++
	}
	if r2.Next() || n != 15 || r1.Err() != nil {
		t.Fatalf("%d frames, err %v", n, r1.Err())
	}
}
