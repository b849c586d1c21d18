package convert_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/cli/convert"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/sim"
)

// The group-by every engine runs over the dataset: rows, recordings and
// the range of the counter signal per DAQ list and ECU, over all
// recordings (DuckDB reads the Hive partitions list=, ecu=, date=).
const duckQuery = `SELECT list, ecu, count(*) AS n, count(DISTINCT recording) AS recordings,
  min(counter) AS lo, max(counter) AS hi
FROM read_parquet('%s/*/*/*/*.parquet', hive_partitioning = true, union_by_name = true)
GROUP BY list, ecu ORDER BY list, ecu`

type group struct {
	List, ECU     string
	N, Recordings int
	Lo, Hi        float64
}

// recordSims records from three simulators with different ECU ids (GET_ID
// names), over TCP on 127.0.0.1, with xcp record.
func recordSims(t *testing.T, dir string) []string {
	t.Helper()
	lists := filepath.Join(dir, "lists.toml")
	base := sim.Variables()[0].Addr
	if err := os.WriteFile(lists, []byte(fmt.Sprintf(`
[[list]]
name = "fast"
event = 0
timestamps = true
measurements = [{ name = "counter", address = %d, type = "U32" }, { name = "sine", address = %d, type = "F32" }]

[[list]]
name = "slow"
event = 1
measurements = [{ name = "counter", address = %d, type = "U32" }, { name = "triangle", address = %d, type = "I16" }]
`, base, base+8, base, base+0x20)), 0o644); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, ecu := range []string{"ECU_A", "ECU_B", "ECU_C"} {
		_, port := simtest.Serve(t, "tcp", sim.Config{Name: ecu})
		out := filepath.Join(dir, strings.ToLower(ecu)+".xlog")
		code, _, stderr := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "record", "--daq", lists,
			"-o", out, "--duration", "250ms", "--no-status")
		if code != 0 {
			t.Fatalf("xcp record %s: exit %d: %s", ecu, code, stderr)
		}
		files = append(files, out)
	}
	return files
}

// expected decodes the recordings themselves (not the dataset) into the
// answer the group-by must give.
func expected(t *testing.T, files []string) []group {
	t.Helper()
	m := map[[2]string]*group{}
	recs := map[[2]string]map[string]bool{}
	for _, f := range files {
		r, err := record.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		meta := r.Meta()
		d, err := record.NewDecoder(r)
		if err != nil {
			t.Fatal(err)
		}
		for s := range d.All() {
			k := [2]string{meta.DAQ.Lists[s.List].Name, meta.Slave.Identifier}
			g := m[k]
			if g == nil {
				g = &group{List: k[0], ECU: k[1], Lo: math.Inf(1), Hi: math.Inf(-1)}
				m[k] = g
				recs[k] = map[string]bool{}
			}
			g.N++
			c := s.Values[0].Float64()
			g.Lo, g.Hi = min(g.Lo, c), max(g.Hi, c)
			recs[k][filepath.Base(f)] = true
		}
		r.Close()
	}
	var out []group
	for k, g := range m {
		g.Recordings = len(recs[k])
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].List < out[j].List || out[i].List == out[j].List && out[i].ECU < out[j].ECU
	})
	return out
}

// duckdb runs a query with DuckDB from the npm registry (.ci/run installs
// @duckdb/node-api into ~/.cache/goxcp-ci/duckdb); it skips the test when
// node or the package is missing.
func duckdb(t *testing.T, query string) []map[string]any {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("DuckDB check skipped: node is not installed (.ci/run installs DuckDB from npm where node and npm exist)")
	}
	mods := os.Getenv("GOXCP_DUCKDB_MODULES")
	if mods == "" {
		home, _ := os.UserHomeDir()
		mods = filepath.Join(home, ".cache", "goxcp-ci", "duckdb", "node_modules")
	}
	if _, err := os.Stat(filepath.Join(mods, "@duckdb", "node-api")); err != nil {
		t.Skipf("DuckDB check skipped: @duckdb/node-api not found in %s (.ci/run installs it; or set GOXCP_DUCKDB_MODULES)", mods)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script, _ := filepath.Abs(filepath.Join("testdata", "duckdb_query.mjs"))
	cmd := exec.CommandContext(ctx, node, script, query)
	cmd.Env = append(os.Environ(), "DUCKDB_MODULES="+mods)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("duckdb: %v: %s", err, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("duckdb output %q: %v", out, err)
	}
	return rows
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatalf("number %q: %v", x, err)
		}
		return f
	}
	t.Fatalf("not a number: %#v", v)
	return 0
}

// TestDatasetDuckDB: recordings of three simulator runs (three ECU ids)
// become one dataset with xcp convert --dataset; DuckDB's group-by over
// all of them matches what the recordings hold. Adding them again adds
// nothing.
func TestDatasetDuckDB(t *testing.T) {
	dir := t.TempDir()
	files := recordSims(t, dir)
	lake := filepath.Join(dir, "lake")
	args := append([]string{"convert"}, files...)
	code, stdout, stderr := xcptest.Run(append(args, "--dataset", lake, "--json")...)
	if code != 0 {
		t.Fatalf("xcp convert --dataset: exit %d: %s", code, stderr)
	}
	var s convert.DatasetSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || s.Added != 3 {
		t.Fatalf("summary %+v (%v): %s", s, err, stdout)
	}
	want := expected(t, files)
	if len(want) != 6 {
		t.Fatalf("recordings hold %d list×ECU groups, want 6: %+v", len(want), want)
	}
	// Again, and one recording twice: nothing is added.
	code, stdout, _ = xcptest.Run(append(append(args, files[0]), "--dataset", lake, "--json")...)
	if err := json.Unmarshal([]byte(stdout), &s); code != 0 || err != nil || s.Added != 0 || s.Sources[0].Status != "duplicate" {
		t.Fatalf("second run: exit %d, %+v", code, s)
	}
	m, err := dataset.ReadManifest(lake)
	if err != nil || len(m.Recordings) != 3 {
		t.Fatalf("manifest %+v, %v", m, err)
	}

	rows := duckdb(t, fmt.Sprintf(duckQuery, filepath.ToSlash(lake)))
	if len(rows) != len(want) {
		t.Fatalf("DuckDB: %d groups %v, want %d %+v", len(rows), rows, len(want), want)
	}
	for i, r := range rows {
		g := group{List: fmt.Sprint(r["list"]), ECU: fmt.Sprint(r["ecu"]), N: int(num(t, r["n"])),
			Recordings: int(num(t, r["recordings"])), Lo: num(t, r["lo"]), Hi: num(t, r["hi"])}
		if g != want[i] {
			t.Errorf("DuckDB group %d: %+v, the recordings: %+v", i, g, want[i])
		}
	}
}
