package xmraw_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/goxcp/goxcp/record/convert"
	rcsv "github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/xmraw"
)

const (
	refXmraw = "../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw"
	refCSV   = "../../../shared/recordings/pyxcp/hello_mainloop.csv"
)

func readRef(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Skipf("reference recording not available: %v", err)
	}
	return b
}

// readCSV returns the rows of a CSV file without its header.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// TestReferenceMatchesPyXCP converts pyXCP's own recording with goxcp's
// CSV writer and compares every row with pyXCP's CSV conversion of it:
// the same rows, timestamps and values, and global_counter without gaps.
func TestReferenceMatchesPyXCP(t *testing.T) {
	readRef(t, refXmraw)
	want := readCSV(t, refCSV)
	r, err := xmraw.Open(refXmraw)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	src, err := xmraw.NewSource(r)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "hello.csv")
	res, err := convert.RunSource(context.Background(), src, rcsv.New(out), convert.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, out)
	if len(got) != len(want) || res.Samples != uint64(len(want)) {
		t.Fatalf("%d rows (%d samples), pyXCP has %d", len(got), res.Samples, len(want))
	}
	// pyXCP: timestamp0, timestamp1, heat_energy, global_counter; goxcp:
	// host_ns, slave_ns, then the values in the same (ODT) order.
	var prev uint64
	for i := range want {
		g, w := got[i], want[i]
		if len(g) != 4 {
			t.Fatalf("row %d: %d columns: %q", i, len(g), g)
		}
		for c := range 4 {
			if c == 2 {
				gf, err1 := strconv.ParseFloat(g[c], 64)
				wf, err2 := strconv.ParseFloat(w[c], 64)
				if err1 != nil || err2 != nil || gf != wf {
					t.Fatalf("row %d heat_energy: %s, pyXCP %s", i, g[c], w[c])
				}
				continue
			}
			gu, err1 := strconv.ParseUint(g[c], 10, 64)
			wu, err2 := strconv.ParseUint(w[c], 10, 64)
			if err1 != nil || err2 != nil || gu != wu {
				t.Fatalf("row %d column %d: %s, pyXCP %s", i, c, g[c], w[c])
			}
		}
		ctr, _ := strconv.ParseUint(g[3], 10, 64)
		if i > 0 && ctr != prev+1 {
			t.Fatalf("row %d: global_counter %d after %d", i, ctr, prev)
		}
		prev = ctr
	}
	if s := r.Stats(); s.Frames != r.Header().Frames || s.Containers != r.Header().Containers || len(r.Damage()) != 0 || r.Err() != nil {
		t.Errorf("stats %+v, header %+v, damage %v, err %v", s, r.Header(), r.Damage(), r.Err())
	}
}

func TestReferenceParams(t *testing.T) {
	readRef(t, refXmraw)
	r, err := xmraw.Open(refXmraw)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := r.Params()
	if p.IDFieldSize != 4 || p.TimestampSize != 4 || p.TimestampScale != 1 || p.BigEndian || len(p.Lists) != 1 {
		t.Fatalf("params %+v", p)
	}
	l := p.Lists[0]
	if l.Name != "hello_mainloop" || l.Event != 1 || len(l.ODTs) != 1 || len(l.ODTs[0]) != 2 ||
		l.ODTs[0][0].Name != "heat_energy" || l.ODTs[0][0].Address != 0x1F278 || l.ODTs[0][0].Type.String() != "F64" ||
		l.ODTs[0][1].Name != "global_counter" || l.ODTs[0][1].Address != 0x1F270 || l.ODTs[0][1].Type.String() != "U32" {
		t.Fatalf("list %+v", l)
	}
	m := xmraw.Meta(p)
	if m.Start.Year() != 2026 || m.DAQ.Lists[0].Measurements[1].Offset != 16 || !m.DAQ.Lists[0].Timestamps {
		t.Fatalf("meta %+v", m)
	}
	if err := m.DAQ.Validate(); err != nil {
		t.Fatalf("meta layout: %v", err)
	}
}

// count reads all samples of b; it returns the samples per list, the
// reader's error and damage.
func count(t *testing.T, b []byte) (int, []xmraw.FormatError, error) {
	t.Helper()
	r, err := xmraw.NewReader(bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	d, err := xmraw.NewDecoder(r.Params())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		if d.Decode(r.Frame()) {
			n++
		}
	}
	return n, r.Damage(), r.Err()
}

// TestReferenceDamaged cuts and corrupts the reference recording: what is
// intact converts, the rest gives an error naming where and what.
func TestReferenceDamaged(t *testing.T) {
	b := readRef(t, refXmraw)
	r, err := xmraw.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	r.Next()
	const first = 15888 // frames in the first container
	c2 := 0x1F8 + 12 + 314120
	for _, tc := range []struct {
		name    string
		b       []byte
		samples int
		err     error
		damaged int
	}{
		{"magic only", b[:16], 0, xmraw.ErrTruncated, 0},
		{"half magic", b[:8], 0, xmraw.ErrTruncated, 0},
		{"in metadata", b[:0x100], 0, xmraw.ErrTruncated, 0},
		{"in first container", b[:0x1000], 0, xmraw.ErrTruncated, 0},
		{"at second container", b[:c2], first, xmraw.ErrTruncated, 0},
		{"in second container", b[:c2+5000], first, xmraw.ErrTruncated, 0},
		{"bad LZ4 in first container", flip(b, 0x1F8+12+100000, 0xFF), 26354 - first, nil, 1},
		{"bad container header", flip(b, c2+5, 0x7F), first, xmraw.ErrCorrupt, 0},
		{"not xmraw", []byte("\x89XLOG\r\n\x1a rest"), 0, xmraw.ErrNotXmraw, 0},
		{"empty", nil, 0, xmraw.ErrNotXmraw, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, damage, err := count(t, tc.b)
			if n != tc.samples || !errors.Is(err, tc.err) || len(damage) != tc.damaged {
				t.Fatalf("%d samples, err %v, damage %v; want %d, %v, %d", n, err, damage, tc.samples, tc.err, tc.damaged)
			}
			if err != nil && len(err.Error()) < 20 {
				t.Errorf("error %q does not say enough", err)
			}
		})
	}
}

func flip(b []byte, off int, x byte) []byte {
	c := bytes.Clone(b)
	for i := off; i < off+64 && i < len(c); i++ {
		c[i] ^= x
	}
	return c
}

// TestTruncatedConvert: xcp convert of a cut file writes what is intact
// and returns the error.
func TestTruncatedConvert(t *testing.T) {
	b := readRef(t, refXmraw)
	cut := b[:0x1F8+12+314120+100]
	r, err := xmraw.NewReader(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	src, err := xmraw.NewSource(r)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cut.csv")
	res, err := convert.RunSource(context.Background(), src, rcsv.New(out), convert.Options{})
	var fe *xmraw.FormatError
	if !errors.As(err, &fe) || !errors.Is(err, xmraw.ErrTruncated) || fe.Container != 1 {
		t.Fatalf("err %v", err)
	}
	if rows := readCSV(t, out); len(rows) != 15888 || res.Samples != 15888 {
		t.Fatalf("%d rows, %d samples", len(rows), res.Samples)
	}
}
