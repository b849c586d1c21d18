package dataset_test

import (
	"context"
	"errors"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// writeRecording writes a recording of n samples per list, from ECU ecu,
// starting at start.
func writeRecording(t *testing.T, path, ecu string, start time.Time, n int) *record.Meta {
	t.Helper()
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	meta.Slave.Identifier = ecu
	meta.Start = start
	if err := recordtest.WriteFile(path, meta, 3*n); err != nil {
		t.Fatal(err)
	}
	return meta
}

func readParquet(t *testing.T, path string) *pq.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	pf, err := pq.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

func TestBuildAppendDedup(t *testing.T) {
	src := t.TempDir()
	dir := filepath.Join(t.TempDir(), "ds")
	day := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	a := filepath.Join(src, "a.xlog")
	b := filepath.Join(src, "b.xlog")
	writeRecording(t, a, "ECU_A", day, 1000)
	writeRecording(t, b, "ECU/B", day.Add(24*time.Hour), 500)
	res, err := dataset.Build(context.Background(), dir, []string{a, b, a}, dataset.Options{Workers: 2, RowGroupRows: 128})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Recording == nil || res[1].Recording == nil || res[2].Duplicate == nil || res[2].Recording != nil {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res[:2] {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	m, err := dataset.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Recordings) != 2 || len(m.Lists) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	// Layout, schema, rows, metadata.
	ra := res[0].Recording
	var rows uint64
	for _, f := range ra.Files {
		if !strings.HasPrefix(f.Path, "list="+f.List+"/ecu=ECU_A/date=2026-12-06/a_") {
			t.Fatalf("path %s", f.Path)
		}
		pf := readParquet(t, filepath.Join(dir, f.Path))
		if uint64(pf.NumRows()) != f.Rows {
			t.Fatalf("%s: %d rows, manifest %d", f.Path, pf.NumRows(), f.Rows)
		}
		rows += f.Rows
		cols := m.Lists[f.List]
		fields := pf.Schema().Fields()
		if len(fields) != len(cols) {
			t.Fatalf("%s: %d columns, schema %d", f.Path, len(fields), len(cols))
		}
		for i, c := range cols {
			if fields[i].Name() != c.Name {
				t.Fatalf("%s: column %d %s, want %s", f.Path, i, fields[i].Name(), c.Name)
			}
		}
		if f.List == "floats" {
			if u, _ := pf.Lookup("goxcp.units"); !strings.Contains(u, `"f64":"V"`) {
				t.Fatalf("units %q", u)
			}
			if len(pf.RowGroups()) < 2 {
				t.Fatalf("%d row groups", len(pf.RowGroups()))
			}
		}
	}
	if rows != 3000 || ra.Rows != 3000 {
		t.Fatalf("%d rows, recording says %d", rows, ra.Rows)
	}
	if f := res[1].Recording.Files[0]; !strings.Contains(f.Path, "/ecu=ECU_B/date=2026-12-07/b_") {
		t.Fatalf("path %s", f.Path)
	}
	// Adding again: b is a duplicate, c is appended.
	c := filepath.Join(src, "c.xlog")
	writeRecording(t, c, "ECU_A", day.Add(time.Hour), 200)
	res, err = dataset.Build(context.Background(), dir, []string{b, c}, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Duplicate == nil || res[1].Recording == nil || res[1].Err != nil {
		t.Fatalf("results %+v", res)
	}
	m, _ = dataset.ReadManifest(dir)
	if len(m.Recordings) != 3 {
		t.Fatalf("%d recordings", len(m.Recordings))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "list=*", "ecu=*", "date=*", "*.parquet"))
	if len(files) != 9 {
		t.Fatalf("%d files: %v", len(files), files)
	}
	hidden, _ := filepath.Glob(filepath.Join(dir, "list=*", "ecu=*", "date=*", ".*"))
	if len(hidden) != 0 {
		t.Fatalf("temporary files left: %v", hidden)
	}
}

// TestSchemaMismatch: a list whose signals differ from the dataset's is
// refused with a SchemaError and leaves no files.
func TestSchemaMismatch(t *testing.T) {
	src := t.TempDir()
	dir := t.TempDir()
	a := filepath.Join(src, "a.xlog")
	writeRecording(t, a, "E", recordtest.Start(), 10)
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	meta.DAQ.Lists[1].Measurements[3].Unit = "mV"
	b := filepath.Join(src, "b.xlog")
	if err := recordtest.WriteFile(b, meta, 30); err != nil {
		t.Fatal(err)
	}
	if _, err := dataset.Build(context.Background(), dir, []string{a}, dataset.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := dataset.Build(context.Background(), dir, []string{b}, dataset.Options{})
	var se *dataset.SchemaError
	if err != nil || !errors.As(res[0].Err, &se) || se.List != "floats" || res[0].Recording != nil {
		t.Fatalf("err %v, result %+v", err, res[0])
	}
	files, _ := filepath.Glob(filepath.Join(dir, "list=*", "ecu=unknown", "date=*", "b_*"))
	if len(files) != 0 {
		t.Fatalf("files left: %v", files)
	}
}
