package dataset_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/record/xmraw"
)

// TestPyXCPRecordings adds pyXCP's reference recording and a truncated
// copy of it: wall-clock host times, the ECU id given, the intact part of
// the truncated one with its damage noted.
func TestPyXCPRecordings(t *testing.T) {
	b, err := os.ReadFile("../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw")
	if err != nil {
		t.Skipf("pyXCP reference recording not available: %v", err)
	}
	src := t.TempDir()
	full := filepath.Join(src, "hello.xmraw")
	cut := filepath.Join(src, "hello_cut.xmraw")
	os.WriteFile(full, b, 0o644)
	os.WriteFile(cut, b[:len(b)*3/4], 0o644)
	dir := t.TempDir()
	res, err := dataset.Build(context.Background(), dir, []string{full, cut}, dataset.Options{ECU: "XCPlite hello"})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0].Recording
	if res[0].Err != nil || r == nil || r.Rows != 26354 || len(r.Files) != 1 {
		t.Fatalf("result %+v", res[0])
	}
	f := r.Files[0]
	if !strings.HasPrefix(f.Path, "list=hello_mainloop/ecu=XCPlite_hello/date="+r.Start.Format("2006-01-02")+"/hello_") {
		t.Fatalf("path %s", f.Path)
	}
	// host_ns of the first row: the first DAQ frame's host time (pyXCP's
	// clock, ns since the epoch).
	xr, err := xmraw.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	xr.Next()
	first := int64(xr.Frame().Timestamp)
	xr.Close()
	fh, err := os.Open(filepath.Join(dir, f.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows := make([]pq.Row, 1)
	pr := pq.NewReader(fh)
	if n, err := pr.ReadRows(rows); n != 1 {
		t.Fatalf("read: %d, %v", n, err)
	}
	if got := rows[0][1].Int64(); got != first {
		t.Fatalf("host_ns %d, first frame at %d", got, first)
	}
	if rows[0][0].String() != "hello.xmraw" || !rows[0][2].IsNull() && rows[0][2].Int64() != 0 {
		t.Fatalf("row %v", rows[0])
	}
	pr.Close()

	c := res[1]
	if !errors.Is(c.Err, xmraw.ErrTruncated) || c.Recording == nil || c.Recording.Rows != 15888 || c.Recording.Damage == "" {
		t.Fatalf("truncated: %+v", c)
	}
	m, _ := dataset.ReadManifest(dir)
	if len(m.Recordings) != 2 || m.Recordings[0].ECU != "XCPlite hello" {
		t.Fatalf("manifest %+v", m.Recordings)
	}
}
