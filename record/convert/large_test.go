package convert_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/convert/parquet"
	"github.com/goxcp/goxcp/record/recordtest"
)

var large = flag.Bool("large", false, "run the 10-million-sample conversion test even with -short or the race detector")

// TestConvertLarge converts a recording of 10 million samples to CSV and
// Parquet and checks every output row count, the last row, and that the
// heap in use stays bounded (it is sampled during the conversion). It
// takes about 10 s, so it is skipped with -short and under the race
// detector (where it takes minutes) unless -large is given:
//
//	go test ./record/convert -run Large -v
func TestConvertLarge(t *testing.T) {
	if (testing.Short() || raceEnabled) && !*large {
		t.Skip("10 million samples: skipped with -short and -race (use -large)")
	}
	const n = 10_000_000
	const heapLimit = 64 << 20
	dir := t.TempDir()
	src := filepath.Join(dir, "large.xlog")
	meta := recordtest.NarrowMeta()
	if err := recordtest.WriteFile(src, meta, n); err != nil {
		t.Fatal(err)
	}
	lastValue := recordtest.Value(meta, 0, 0, n-1).String()
	for _, f := range []string{"csv", "parquet"} {
		t.Run(f, func(t *testing.T) {
			out := filepath.Join(dir, "out."+f)
			var sink convert.Sink = csv.New(out)
			if f == "parquet" {
				sink = parquet.New(out, parquet.Options{})
			}
			r, err := record.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			runtime.GC()
			peak, stop := heapPeak()
			t0 := time.Now()
			res, err := convert.Run(context.Background(), r, sink)
			dt := time.Since(t0)
			stop()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d rows in %v (%.2f M rows/s), peak heap in use %.1f MB", f, res.Samples, dt, float64(res.Samples)/dt.Seconds()/1e6, float64(*peak)/1e6)
			if res.Samples != n {
				t.Fatalf("%d samples", res.Samples)
			}
			if *peak > heapLimit {
				t.Fatalf("peak heap in use %d bytes exceeds %d", *peak, heapLimit)
			}
			rows, last := countRows(t, f, out)
			if rows != n {
				t.Fatalf("%s has %d rows", out, rows)
			}
			wantLast := strconv.Itoa((n-1)*1000) + "," + strconv.Itoa((n-1)*100*1000) + "," + lastValue
			if last != wantLast {
				t.Fatalf("last row %q, want %q", last, wantLast)
			}
			os.Remove(out)
		})
	}
}

func heapPeak() (*uint64, func()) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tk.C:
			}
		}
	}()
	return &peak, func() { close(done); wg.Wait() }
}

// countRows returns the number of data rows and the last row as CSV text.
func countRows(t *testing.T, format, path string) (int, string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if format == "csv" {
		sc := bufio.NewScanner(f)
		n, last := -1, ""
		for sc.Scan() {
			n++
			last = sc.Text()
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		return n, last
	}
	st, _ := f.Stat()
	pf, err := pq.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	rgs := pf.RowGroups()
	lastRG := rgs[len(rgs)-1]
	rows := lastRG.Rows()
	defer rows.Close()
	if err := rows.SeekToRow(lastRG.NumRows() - 1); err != nil {
		t.Fatal(err)
	}
	buf := make([]pq.Row, 1)
	if _, err := rows.ReadRows(buf); err != nil && buf[0] == nil {
		t.Fatal(err)
	}
	var cells []string
	for _, v := range buf[0] {
		cells = append(cells, v.String())
	}
	return int(pf.NumRows()), strings.Join(cells, ",")
}
