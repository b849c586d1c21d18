package parquet_test

import (
	"context"
	"github.com/goxcp/goxcp/protocol/xcp"
	"io"
	"os"
	"path/filepath"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/parquet"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestParquet(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.xlog")
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	const n = 30000
	if err := recordtest.WriteFile(src, meta, n); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sink := parquet.New(filepath.Join(dir, "out")+string(filepath.Separator), parquet.Options{RowGroupRows: 4000})
	res, err := convert.Run(context.Background(), r, sink)
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples != n {
		t.Fatalf("result %+v", res)
	}
	tables := convert.Tables(meta)
	for li, path := range sink.Paths() {
		tab := tables[li]
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := pq.OpenFile(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		if pf.NumRows() != n/3 {
			t.Fatalf("%s: %d rows", path, pf.NumRows())
		}
		if len(pf.RowGroups()) < 2 {
			t.Fatalf("%s: %d row groups", path, len(pf.RowGroups()))
		}
		if v, _ := pf.Lookup("goxcp.list"); v != meta.DAQ.Lists[li].Name {
			t.Fatalf("%s: list metadata %q", path, v)
		}
		fields := pf.Schema().Fields()
		for j, c := range tab.Columns {
			if fields[j].Name() != c.Name {
				t.Fatalf("%s: column %d is %s, want %s", path, j, fields[j].Name(), c.Name)
			}
		}
		rd := pq.NewReader(pf)
		rows := make([]pq.Row, 1000)
		k := 0
		for {
			m, err := rd.ReadRows(rows)
			for _, row := range rows[:m] {
				if got := row[0].Int64(); got != int64(k*3+li)*1000 {
					t.Fatalf("%s row %d: host %d", path, k, got)
				}
				c := 1
				if tab.HasSlave {
					want := int64(float64(recordtest.SlaveTicks(li, k)-recordtest.SlaveTicks(0, 0)) * meta.DAQ.TimestampTickNS)
					if row[1].Int64() != want {
						t.Fatalf("%s row %d: slave %d want %d", path, k, row[1].Int64(), want)
					}
					c++
				}
				for j, ms := range meta.DAQ.Lists[li].Measurements {
					want := recordtest.Value(meta, li, j, k)
					got := row[c+j]
					ok := false
					switch {
					case ms.Type == dto.F64:
						ok = got.Double() == want.Float64()
					case ms.Type.Float():
						ok = got.Float() == float32(want.Float64())
					case ms.Type == dto.U32:
						ok = got.Uint32() == uint32(want.Uint64())
					case ms.Type.Size() == 8:
						ok = got.Int64() == want.Int64()
					default:
						ok = int64(got.Int32()) == want.Int64() || ms.Type.Signed() == false && uint64(got.Uint32()) == want.Uint64()
					}
					if !ok {
						t.Fatalf("%s row %d %s: %v, want %v", path, k, ms.Name, got, want)
					}
				}
				k++
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if k != n/3 {
			t.Fatalf("%s: read %d rows", path, k)
		}
		rd.Close()
		f.Close()
	}
}
