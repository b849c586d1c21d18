package record_test

import (
	"bytes"
	"github.com/goxcp/goxcp/protocol/xcp"
	"testing"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// smallFile returns a valid recording with a few chunks, a stats block,
// the index and the trailer.
func smallFile(f *testing.F) []byte {
	if f == nil {
		f = &testing.F{}
	}
	var buf bytes.Buffer
	meta := recordtest.MixedMeta(xcp.IDRelODTAbsDAQByte, 2, "intel")
	w, err := record.NewWriter(&buf, meta, record.Options{ChunkSize: 128, Buffers: 64})
	if err != nil {
		f.Fatal(err)
	}
	if err := recordtest.Write(w, meta, 40); err != nil {
		f.Fatal(err)
	}
	w.SetLoss([]record.Loss{{List: 0, CtrGaps: 1}})
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReader feeds arbitrary bytes to the reader and the decoder: they
// must never panic or hang, and a file's frames must stay within it.
func FuzzReader(f *testing.F) {
	good := smallFile(f)
	f.Add(good)
	for _, cut := range []int{0, 7, 8, 23, 24, 100, len(good) / 3, len(good) / 2, len(good) - 17, len(good) - 1} {
		if cut >= 0 && cut <= len(good) {
			f.Add(good[:cut])
		}
	}
	for _, off := range []int{9, 40, len(good) / 2, len(good) - 20} {
		b := bytes.Clone(good)
		b[off] ^= 0xFF
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := record.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		var total int
		for r.Next() {
			total += len(r.Frame().Data)
			if total > 4*record.MaxBlockSize {
				t.Fatal("more frame bytes than the input could hold")
			}
		}
		if r.Tail() != nil && r.Tail().Offset+r.Tail().Bytes > int64(len(data)) {
			t.Fatalf("tail %+v beyond %d bytes", r.Tail(), len(data))
		}
		if r.Offset() > int64(len(data)) {
			t.Fatalf("offset %d beyond %d bytes", r.Offset(), len(data))
		}
		// Decode the same bytes with the file's own layout.
		r2, err := record.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("second open failed: %v", err)
		}
		d, err := record.NewDecoder(r2)
		if err != nil {
			return
		}
		for d.Next() {
			s := d.Sample()
			if s.List < 0 || s.List >= len(r2.Meta().DAQ.Lists) || len(s.Values) != len(r2.Meta().DAQ.Lists[s.List].Measurements) {
				t.Fatalf("bad sample %+v", s)
			}
		}
	})
}
