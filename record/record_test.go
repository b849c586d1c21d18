package record_test

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/fuzzmin"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(killChildEnv) != "" {
		killChild()
		return
	}
	fuzzmin.MustBound()
	goleak.VerifyTestMain(m)
}

type frame struct {
	t    int64
	data []byte
}

// writeFrames writes n synthetic frames of varying length and returns them.
func writeFrames(t testing.TB, w *record.Writer, n int) []frame {
	t.Helper()
	var out []frame
	for i := range n {
		d := make([]byte, 1+i%40)
		for j := range d {
			d[j] = byte(i*31 + j)
		}
		ts := int64(i)*1000 - int64(i%3)*700 // not monotonic: negative deltas too
		if err := w.Write(ts, d); err != nil {
			t.Fatal(err)
		}
		out = append(out, frame{ts, d})
	}
	return out
}

func readAll(t testing.TB, r *record.Reader) []frame {
	t.Helper()
	var out []frame
	for r.Next() {
		f := r.Frame()
		out = append(out, frame{f.Time, bytes.Clone(f.Data)})
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalFrames(t *testing.T, got, want []frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].t != want[i].t || !bytes.Equal(got[i].data, want[i].data) {
			t.Fatalf("frame %d: got %d %x, want %d %x", i, got[i].t, got[i].data, want[i].t, want[i].data)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, chunk := range []int{64, 4096, 1 << 20} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.xlog")
			meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
			meta.Comment = "round trip"
			w, err := record.Create(path, meta, record.Options{ChunkSize: chunk, Buffers: 4096})
			if err != nil {
				t.Fatal(err)
			}
			want := writeFrames(t, w, 5000)
			w.SetLoss([]record.Loss{{List: 1, CtrGaps: 3, MissingODTs: 2, Overloads: 1}})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ws := w.Stats()
			if ws.Frames != 5000 || ws.Dropped != 0 {
				t.Fatalf("writer stats %+v", ws)
			}
			r, err := record.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Meta().Comment != "round trip" || r.Meta().DAQ.Lists[1].Measurements[3].Unit != "V" || !r.Meta().Start.Equal(recordtest.Start()) {
				t.Fatalf("meta %+v", r.Meta())
			}
			equalFrames(t, readAll(t, r), want)
			if !r.Complete() || r.Tail() != nil || len(r.Damage()) != 0 {
				t.Fatalf("complete %v tail %v damage %v", r.Complete(), r.Tail(), r.Damage())
			}
			st := r.Stats()
			if st.Frames != 5000 || len(st.Lists) != 1 || st.Lists[0] != (record.Loss{List: 1, CtrGaps: 3, MissingODTs: 2, Overloads: 1}) {
				t.Fatalf("stats %+v", st)
			}
			if uint64(len(r.Index())) != ws.Chunks || st.Chunks != ws.Chunks {
				t.Fatalf("index %d entries, %d chunks", len(r.Index()), ws.Chunks)
			}
			var sum uint32
			for _, e := range r.Index() {
				sum += e.Records
			}
			if sum != 5000 {
				t.Fatalf("index counts %d records", sum)
			}
		})
	}
}

func TestEmptyRecording(t *testing.T) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, recordtest.NarrowMeta(), record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(0, []byte{1}); !errors.Is(err, record.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	r, err := record.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r.Next() || !r.Complete() || r.Tail() != nil {
		t.Fatalf("empty file: complete %v tail %v", r.Complete(), r.Tail())
	}
}

// fileWithChunks writes n frames in small chunks and returns the file
// bytes, the frames and the writer's chunk count.
func fileWithChunks(t *testing.T, n int) ([]byte, []frame) {
	t.Helper()
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, recordtest.NarrowMeta(), record.Options{ChunkSize: 512, Buffers: 1 << 12})
	if err != nil {
		t.Fatal(err)
	}
	fr := writeFrames(t, w, n)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), fr
}

func TestTruncation(t *testing.T) {
	data, want := fileWithChunks(t, 300)
	r0, _ := record.NewReader(bytes.NewReader(data))
	readAll(t, r0)
	idx := r0.Index()
	if len(idx) < 5 {
		t.Fatalf("only %d chunks", len(idx))
	}
	for cut := len(data) - 1; cut > int(idx[0].Offset); cut -= 37 {
		r, err := record.NewReader(bytes.NewReader(data[:cut]))
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, r)
		// Every chunk that ends before the cut must be recovered.
		var n int
		var end int64
		for i, e := range idx {
			next := int64(len(data))
			if i+1 < len(idx) {
				next = idx[i+1].Offset
			}
			if e.Offset+48+1 <= int64(cut) && next <= int64(cut) {
				n += int(e.Records)
				end = next
			}
		}
		if len(got) < n {
			t.Fatalf("cut %d: recovered %d frames, want at least %d", cut, len(got), n)
		}
		equalFrames(t, got, want[:len(got)])
		if r.Complete() {
			t.Fatalf("cut %d: truncated file reported complete", cut)
		}
		tail := r.Tail()
		if tail == nil || tail.Offset+tail.Bytes != int64(cut) || tail.Offset < end {
			t.Fatalf("cut %d: tail %+v (last complete chunk ends at %d)", cut, tail, end)
		}
	}
	// Header truncations are errors, never panics.
	for cut := range 60 {
		if _, err := record.NewReader(bytes.NewReader(data[:cut])); err == nil {
			t.Fatalf("header cut at %d: no error", cut)
		} else if cut >= 8 && !errors.Is(err, record.ErrTruncated) {
			t.Fatalf("header cut at %d: %v", cut, err)
		}
	}
}

func TestCorruptionInTheMiddle(t *testing.T) {
	data, want := fileWithChunks(t, 300)
	r0, _ := record.NewReader(bytes.NewReader(data))
	readAll(t, r0)
	idx := r0.Index()
	for _, where := range []struct {
		name string
		off  int64
	}{
		{"header", idx[2].Offset + 10},
		{"payload", idx[2].Offset + 60},
		{"magic", idx[2].Offset},
	} {
		t.Run(where.name, func(t *testing.T) {
			bad := bytes.Clone(data)
			bad[where.off] ^= 0x40
			r, err := record.NewReader(bytes.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			skip := int(idx[2].Records)
			before := int(idx[0].Records + idx[1].Records)
			equalFrames(t, got, append(append([]frame{}, want[:before]...), want[before+skip:]...))
			if len(r.Damage()) == 0 || r.Damage()[0].Offset != idx[2].Offset || !errors.Is(&r.Damage()[0], record.ErrCorrupt) {
				t.Fatalf("damage %v, want at %d", r.Damage(), idx[2].Offset)
			}
			if !r.Complete() {
				t.Fatal("file with a damaged middle block not complete")
			}
		})
	}
}

func TestNotARecording(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("hello world, this is text"), {0x89, 'X', 'L'}} {
		if _, err := record.NewReader(bytes.NewReader(in)); !errors.Is(err, record.ErrNotRecording) && !errors.Is(err, record.ErrTruncated) {
			t.Fatalf("%q: %v", in, err)
		}
	}
	data, _ := fileWithChunks(t, 10)
	bad := bytes.Clone(data)
	bad[8] = 9 // format version
	if _, err := record.NewReader(bytes.NewReader(bad)); !errors.Is(err, record.ErrVersion) {
		t.Fatalf("version: %v", err)
	}
	bad = bytes.Clone(data)
	bad[30] ^= 1 // metadata
	if _, err := record.NewReader(bytes.NewReader(bad)); !errors.Is(err, record.ErrCorrupt) {
		t.Fatalf("metadata: %v", err)
	}
}

// slowWriter blocks every write until released.
type slowWriter struct {
	gate chan struct{}
	mu   sync.Mutex
	buf  bytes.Buffer
}

func (s *slowWriter) Write(p []byte) (int, error) {
	<-s.gate
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func TestDiskTooSlowIsCounted(t *testing.T) {
	sw := &slowWriter{gate: make(chan struct{})}
	done := make(chan error)
	var w *record.Writer
	go func() {
		var err error
		w, err = record.NewWriter(sw, recordtest.NarrowMeta(), record.Options{ChunkSize: 100, Buffers: 2})
		done <- err
	}()
	sw.gate <- struct{}{} // file header
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := w.Write(int64(i), []byte{0, 1, 2, 3, 4, 5, 6, 7}); err != nil {
			t.Fatal(err)
		}
	}
	s := w.Stats()
	if s.Dropped == 0 || s.Frames+s.Dropped != 1000 {
		t.Fatalf("stats %+v", s)
	}
	close(sw.gate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := record.NewReader(&sw.buf)
	if err != nil {
		t.Fatal(err)
	}
	n := len(readAll(t, r))
	if uint64(n) != s.Frames || r.Stats().Dropped != s.Dropped {
		t.Fatalf("read %d frames, stats %+v; writer %+v", n, r.Stats(), s)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n--; f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteErrorIsReported(t *testing.T) {
	w, err := record.NewWriter(&failWriter{n: 1}, recordtest.NarrowMeta(), record.Options{ChunkSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 100000 && werr == nil; i++ {
		werr = w.Write(int64(i), make([]byte, 8))
		if i%100 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	cerr := w.Close()
	if werr == nil || cerr == nil || cerr.Error() != werr.Error() {
		t.Fatalf("write error %v, close error %v", werr, cerr)
	}
}

func TestFlushInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.xlog")
	w, err := record.Create(path, recordtest.NarrowMeta(), record.Options{FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write(1, []byte{0, 1, 2})
	deadline := time.Now().Add(5 * time.Second)
	for w.Stats().Chunks == 0 {
		if time.Now().After(deadline) {
			t.Fatal("partial chunk not flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := readAll(t, r); len(got) != 1 || r.Tail() == nil || r.Tail().Bytes != 0 {
		t.Fatalf("frames %v tail %v", got, r.Tail())
	}
}

func TestFrameTooLarge(t *testing.T) {
	w, err := record.NewWriter(io.Discard, nil, record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(0, make([]byte, record.MaxFrameSize+1)); err == nil {
		t.Fatal("no error for an oversized frame")
	}
	if err := w.Write(0, make([]byte, record.MaxFrameSize)); err != nil {
		t.Fatal(err)
	}
}

func TestLossStatsWrittenWhenChanged(t *testing.T) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, recordtest.NarrowMeta(), record.Options{ChunkSize: 64, Buffers: 256})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		w.Write(int64(i), make([]byte, 20))
		w.SetLoss([]record.Loss{{List: 0, CtrGaps: uint64(i / 50)}}) // changes once
	}
	w.Close()
	// Count the stats blocks: one for the change (plus the first report)
	// and the final one; not one per call.
	n := bytes.Count(buf.Bytes(), []byte(`"lists":[{"list":0`))
	if n < 2 || n > 4 {
		t.Fatalf("%d stats blocks with loss counters", n)
	}
	r, _ := record.NewReader(&buf)
	readAll(t, r)
	if got := r.Stats().Lists; len(got) != 1 || got[0].CtrGaps != 1 {
		t.Fatalf("final loss %+v", got)
	}
}

func TestSparseIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 140000 blocks")
	}
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, recordtest.NarrowMeta(), record.Options{ChunkSize: 1, Buffers: 64})
	if err != nil {
		t.Fatal(err)
	}
	const n = 140000 // one frame per block: more blocks than the index keeps
	for i := range n {
		for w.Backlog() >= 60 {
			time.Sleep(10 * time.Microsecond)
		}
		if err := w.Write(int64(i), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil || w.Stats().Dropped != 0 || w.Stats().Chunks != n {
		t.Fatalf("%v %+v", err, w.Stats())
	}
	r, err := record.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(readAll(t, r)); got != n {
		t.Fatalf("%d frames", got)
	}
	idx := r.Index()
	if len(idx) > 1<<16 || len(idx) < n/4 {
		t.Fatalf("index of %d entries", len(idx))
	}
	stride := idx[1].Seq - idx[0].Seq
	for i, e := range idx {
		// Blocks alternate with nothing else, so the sequence number of
		// block k is k; the index keeps every stride-th one.
		if e.Seq != uint32(i)*stride || e.First != int64(e.Seq) {
			t.Fatalf("entry %d: %+v (stride %d)", i, e, stride)
		}
	}
}
