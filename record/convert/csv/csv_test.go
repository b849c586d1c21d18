package csv_test

import (
	"context"
	stdcsv "encoding/csv"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestCSV(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.xlog")
	meta := recordtest.MixedMeta(xcp.IDRelODTAbsDAQWord, 2, "motorola")
	meta.DAQ.Lists[0].Measurements[0].Name = "a,b" // needs quoting
	const n = 3000
	if err := recordtest.WriteFile(src, meta, n); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "out") + string(filepath.Separator) // a directory: one file per list
	sink := csv.New(out)
	res, err := convert.Run(context.Background(), r, sink)
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples != n || !res.Complete || res.PerList[0] != n/3 {
		t.Fatalf("result %+v", res)
	}
	tables := convert.Tables(meta)
	for li, path := range sink.Paths() {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := stdcsv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		tab := tables[li]
		if len(rows) != n/3+1 || len(rows[0]) != len(tab.Columns) {
			t.Fatalf("%s: %d rows of %d columns", path, len(rows), len(rows[0]))
		}
		if li == 0 && rows[0][2] != "a,b" || li == 1 && rows[0][5] != "f64 [V]" {
			t.Fatalf("%s: header %q", path, rows[0])
		}
		for k, row := range rows[1:] {
			i := k*3 + li
			if row[0] != strconv.Itoa(i*1000) {
				t.Fatalf("%s row %d: host %s", path, k, row[0])
			}
			c := 1
			if tab.HasSlave {
				// 2-byte timestamps wrap every 655 samples; linearised.
				want := int64(float64(recordtest.SlaveTicks(li, k)-recordtest.SlaveTicks(0, 0)) * meta.DAQ.TimestampTickNS)
				if row[1] != strconv.FormatInt(want, 10) {
					t.Fatalf("%s row %d: slave %s, want %d", path, k, row[1], want)
				}
				c++
			}
			for j := range meta.DAQ.Lists[li].Measurements {
				if want := recordtest.Value(meta, li, j, k).String(); row[c+j] != want {
					t.Fatalf("%s row %d col %d: %s, want %s", path, k, c+j, row[c+j], want)
				}
			}
		}
	}
}
