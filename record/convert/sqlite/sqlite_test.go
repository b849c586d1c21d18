package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/sqlite"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestSQLite(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.xlog")
	meta := recordtest.MixedMeta(xcp.IDRelODTAbsDAQByte, 1, "intel")
	meta.DAQ.Lists[0].Name = `odd "name"`
	const n = 3*1000 + 2 // lists get 1001, 1001, 1000 rows: partial INSERT batches
	if err := recordtest.WriteFile(src, meta, n); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "out.db")
	if _, err := convert.Run(context.Background(), r, sqlite.New(out, sqlite.Options{BatchRows: 700})); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := convert.Tables(meta)
	for li, tab := range tables {
		name := tab.Name
		rows, err := db.Query("SELECT * FROM " + sqlite.Quote(name) + " ORDER BY host_ns")
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for rows.Next() {
			vals := make([]any, len(tab.Columns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if vals[0] != int64((k*3+li)*1000) {
				t.Fatalf("%s row %d: host %v", name, k, vals[0])
			}
			c := 1
			if tab.HasSlave {
				c++
			}
			for j := range meta.DAQ.Lists[li].Measurements {
				want := recordtest.Value(meta, li, j, k)
				if got := fmt.Sprint(vals[c+j]); got != want.String() && !(want.Type.Float() && vals[c+j] == want.Float64()) {
					t.Fatalf("%s row %d col %d: %v (%T), want %v", name, k, c+j, vals[c+j], vals[c+j], want)
				}
			}
			k++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if want := n / 3; k < want || k > want+1 {
			t.Fatalf("%s: %d rows", name, k)
		}
	}
	var start string
	if err := db.QueryRow("SELECT value FROM goxcp_meta WHERE key='start'").Scan(&start); err != nil || !strings.HasPrefix(start, "2026-11-21T12:00:00") {
		t.Fatalf("start %q %v", start, err)
	}
	// The standard sqlite3 shell opens it too.
	if _, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.Command("sqlite3", out, "SELECT count(*) FROM floats; PRAGMA integrity_check;").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa((n+1)/3)+"\nok" {
			t.Fatalf("sqlite3: %q %v", out, err)
		}
	}
}
