// Command dataset measures building a Hive-partitioned Parquet dataset
// (record/dataset) from many recordings: it writes -n synthetic recordings
// of -rows samples each (the narrow table of bench/convert: host time,
// slave time, one U16; or -wide N values of mixed types) from three ECU
// ids, then builds the dataset once with one worker and once with
// -workers workers (default: all cores), each into a fresh directory, and
// prints rows per second and the peak heap and RSS seen during each build.
//
//	go run ./bench/dataset -n 10 -rows 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/goxcp/goxcp/bench/internal/procmem"
	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/record/recordtest"
)

func main() {
	n := flag.Int("n", 10, "recordings")
	rows := flag.Int("rows", 1_000_000, "samples per recording")
	wide := flag.Int("wide", 0, "values per sample (0: the narrow table, one U16)")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "workers of the parallel build")
	dir := flag.String("dir", "", "work directory (default: a temporary directory, removed afterwards)")
	flag.Parse()
	if err := run(*n, *rows, *wide, *workers, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "dataset:", err)
		os.Exit(1)
	}
}

func run(n, rows, wide, workers int, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "goxcp-bench-dataset-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	var files []string
	var size int64
	t0 := time.Now()
	for i := range n {
		meta := recordtest.NarrowMeta()
		if wide > 0 {
			meta = recordtest.WideMeta(wide)
		}
		meta.Slave.Identifier = fmt.Sprintf("ECU_%c", 'A'+i%3)
		meta.Start = recordtest.Start().Add(time.Duration(i) * time.Hour)
		f := filepath.Join(dir, fmt.Sprintf("run%02d.xlog", i))
		if err := recordtest.WriteFile(f, meta, rows); err != nil {
			return err
		}
		st, _ := os.Stat(f)
		size += st.Size()
		files = append(files, f)
	}
	fmt.Printf("input:   %d recordings × %d samples (%d values per sample) = %d rows, %.1f MB of .xlog, written in %v\n",
		n, rows, max(wide, 1), n*rows, float64(size)/1e6, time.Since(t0).Round(time.Millisecond))
	fmt.Printf("machine: %d CPUs usable (GOMAXPROCS)\n", runtime.GOMAXPROCS(0))
	for _, w := range []int{1, workers} {
		out := filepath.Join(dir, fmt.Sprintf("lake-%d", w))
		runtime.GC()
		stop, peak := procmem.Sample()
		t0, c0 := time.Now(), procmem.CPUSeconds()
		res, err := dataset.Build(context.Background(), out, files, dataset.Options{Workers: w})
		dt, cpu := time.Since(t0), procmem.CPUSeconds()-c0
		stop()
		if err != nil {
			return err
		}
		var total uint64
		var nfiles int
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
			total += r.Recording.Rows
			nfiles += len(r.Recording.Files)
		}
		var outSize int64
		filepath.Walk(out, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				outSize += fi.Size()
			}
			return nil
		})
		fmt.Printf("build %d worker(s): %d rows into %d files in %v = %.2f M rows/s (CPU %.1f s = %.2f M rows per CPU-second), dataset %.1f MB, peak heap in use %.1f MB, peak RSS %.1f MB\n",
			w, total, nfiles, dt.Round(time.Millisecond), float64(total)/dt.Seconds()/1e6, cpu, float64(total)/cpu/1e6,
			float64(outSize)/1e6, float64(peak.Heap)/1e6, float64(peak.RSS)/1e6)
		os.RemoveAll(out)
	}
	return nil
}
