package xlsx_test

import (
	"context"
	"encoding/csv"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/xlsx"
	"github.com/goxcp/goxcp/record/recordtest"
	"github.com/goxcp/goxcp/record/xmraw"
)

// TestPyXCPRecordingSplit writes pyXCP's reference recording with a small
// sheet size, reads the workbook back and compares every cell with
// pyXCP's own CSV conversion (to Excel's 15 significant digits): rows
// continue across the numbered sheets, numbers are numbers, time is in
// seconds.
func TestPyXCPRecordingSplit(t *testing.T) {
	const ref = "../../../../shared/recordings/pyxcp/"
	r, err := xmraw.Open(ref + "pyxcp_hello_xcp.xmraw")
	if err != nil {
		t.Skipf("pyXCP reference recording not available: %v", err)
	}
	defer r.Close()
	src, err := xmraw.NewSource(r)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "hello.xlsx")
	maxRows, limit := 10000, -1
	if raceEnabled {
		maxRows, limit = 2000, 5000
	}
	if _, err := convert.RunSource(context.Background(), &limited{Source: src, n: limit}, xlsx.New(out, xlsx.Options{MaxRows: maxRows}), convert.Options{}); err != nil {
		t.Fatal(err)
	}
	cf, err := os.Open(ref + "hello_mainloop.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	want, err := csv.NewReader(cf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want = want[1:]
	if limit >= 0 {
		want = want[:limit]
	}

	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := []string{"hello_mainloop", "hello_mainloop (2)", "hello_mainloop (3)"}
	if got := f.GetSheetList(); strings.Join(got, "|") != xlsx.InfoSheet+"|"+strings.Join(sheets, "|") {
		t.Fatalf("sheets %q", got)
	}
	i := 0
	for _, sh := range sheets {
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if h := strings.Join(rows[0], "|"); h != "time [s]|ecu_time [s]|heat_energy|global_counter" {
			t.Fatalf("%s: header %q", sh, h)
		}
		if len(rows) > maxRows {
			t.Fatalf("%s: %d rows", sh, len(rows))
		}
		for r, row := range rows[1:] {
			w := want[i]
			for c := range 4 {
				got, err := strconv.ParseFloat(row[c], 64)
				if err != nil {
					t.Fatalf("%s row %d col %d: %q", sh, r+2, c, row[c])
				}
				wf, _ := strconv.ParseFloat(w[c], 64)
				if c < 2 {
					wf /= 1e9
				}
				// Excel keeps 15 significant digits (excelize writes no more).
				if math.Abs(got-wf) > 1e-14*math.Abs(wf) {
					t.Fatalf("%s row %d col %d: %v, pyXCP %v", sh, r+2, c, got, wf)
				}
			}
			i++
		}
		cell, _ := excelize.CoordinatesToCellName(3, 2)
		if ct, _ := f.GetCellType(sh, cell); ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
			t.Fatalf("%s %s: cell type %v, want a number", sh, cell, ct)
		}
	}
	if i != len(want) {
		t.Fatalf("%d rows, pyXCP has %d", i, len(want))
	}
	info, _ := f.GetRows(xlsx.InfoSheet)
	if !strings.Contains(strings.Join(info[5], " "), "split into 3 sheets") {
		t.Fatalf("no note on the split: %q", info)
	}
}

// limited ends a Source after n samples (n < 0: never).
type limited struct {
	convert.Source
	n int
}

func (l *limited) Next() bool {
	if l.n == 0 {
		return false
	}
	l.n--
	return l.Source.Next()
}

// TestUnitsAndTypes: units in the header, every type as a number.
func TestUnitsAndTypes(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.xlog")
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	if err := recordtest.WriteFile(src, meta, 300); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "out.xlsx")
	if _, err := convert.Run(context.Background(), r, xlsx.New(out, xlsx.Options{})); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("floats", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(rows[0], "|"); h != "time [s]|ecu_time [s]|f16|bf16|f32|f64 [V]" || len(rows) != 101 {
		t.Fatalf("header %q, %d rows", h, len(rows))
	}
	ints, _ := f.GetRows("ints", excelize.Options{RawCellValue: true})
	for k := range 100 {
		for j := range meta.DAQ.Lists[0].Measurements {
			v := recordtest.Value(meta, 0, j, k)
			got := ints[k+1][j+2]
			if got != v.String() {
				t.Fatalf("ints row %d col %d: %q, want %s", k, j, got, v)
			}
			if ct, _ := f.GetCellType("ints", cellName(j+3, k+2)); ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
				t.Fatalf("ints row %d col %d: cell type %v", k, j, ct)
			}
		}
	}
}

func cellName(c, r int) string {
	n, _ := excelize.CoordinatesToCellName(c, r)
	return n
}
