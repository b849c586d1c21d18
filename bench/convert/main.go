// Command convert measures the recording pipeline: it writes a synthetic
// recording of a narrow DAQ list (host time, slave time, one U16; or with
// -wide N, N values of mixed types) with the record.Writer, then converts
// it with xcp convert's sinks and prints rows per second, output size, and
// the peak heap and RSS seen during each conversion — which must not grow
// with the recording's size.
//
// Format mf4 writes MDF 4.10 (deflate), mf4-420 MDF 4.20 (transposed
// deflate); after writing an MDF file it is read back twice: every record
// with every channel decoded by goxcp/mdf4 (mdf4-read), and converted to
// CSV (mf4-to-csv).
//
//	go run ./bench/convert -rows 10000000 -formats csv,mf4,mf4-420
//	go run ./bench/convert -rows 10000000 -wide 50 -formats csv,mf4
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/goxcp/goxcp/bench/internal/procmem"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/record"
	rconv "github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/convert/hdf5"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/convert/parquet"
	"github.com/goxcp/goxcp/record/convert/sqlite"
	"github.com/goxcp/goxcp/record/convert/xlsx"
	"github.com/goxcp/goxcp/record/recordtest"
)

func main() {
	rows := flag.Int("rows", 10_000_000, "samples in the synthetic recording")
	formats := flag.String("formats", "csv,parquet", "comma-separated output formats: csv, parquet, sqlite, hdf5, xlsx, mf4, mf4-420")
	dir := flag.String("dir", "", "work directory (default: a temporary directory, removed afterwards)")
	wide := flag.Int("wide", 0, "values per sample (0: the narrow table, one U16)")
	flag.Parse()
	meta := recordtest.NarrowMeta()
	if *wide > 0 {
		meta = recordtest.WideMeta(*wide)
	}
	if err := run(*rows, strings.Split(*formats, ","), *dir, meta); err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
}

func run(rows int, formats []string, dir string, meta *record.Meta) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "goxcp-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	src := filepath.Join(dir, "narrow.xlog")
	t0 := time.Now()
	if err := recordtest.WriteFile(src, meta, rows); err != nil {
		return err
	}
	dt := time.Since(t0)
	st, _ := os.Stat(src)
	wdt := dt

	// Decode only.
	r, err := record.Open(src)
	if err != nil {
		return err
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		return err
	}
	t0 = time.Now()
	n := 0
	for d.Next() {
		n++
	}
	dt = time.Since(t0)
	fs := r.Stats()
	r.Close()
	fmt.Printf("write:   %d frames (%.1f MB) in %v = %.2f M frames/s (paced: never dropping), file %.1f MB\n",
		fs.Frames, float64(fs.Bytes)/1e6, wdt.Round(time.Millisecond), float64(fs.Frames)/wdt.Seconds()/1e6, float64(st.Size())/1e6)
	fmt.Printf("decode:  %d samples from the file in %v = %.2f M samples/s\n", n, dt.Round(time.Millisecond), float64(n)/dt.Seconds()/1e6)

	for _, f := range formats {
		var sink rconv.Sink
		out := filepath.Join(dir, "out."+f)
		raw := false
		switch f {
		case "mf4":
			sink, raw = mf4.New(out, mf4.Options{}), true
		case "mf4-420":
			sink, raw = mf4.New(out, mf4.Options{Version: mdf4.Version420}), true
		case "csv":
			sink = csv.New(out)
		case "parquet":
			sink = parquet.New(out, parquet.Options{})
		case "sqlite":
			sink = sqlite.New(out, sqlite.Options{})
		case "hdf5":
			sink = hdf5.New(out, []uint64{uint64(rows)})
		case "xlsx":
			sink = xlsx.New(out, xlsx.Options{})
		default:
			return fmt.Errorf("unknown format %q", f)
		}
		runtime.GC()
		stop, peak := procmem.Sample()
		r, err := record.Open(src)
		if err != nil {
			return err
		}
		t0 := time.Now()
		res, err := rconv.RunWith(context.Background(), r, sink, rconv.Options{Raw: raw})
		dt := time.Since(t0)
		r.Close()
		stop()
		if err != nil {
			return err
		}
		ost, _ := os.Stat(out)
		fmt.Printf("%-8s %d rows in %v = %.2f M rows/s, output %.1f MB, peak heap in use %.1f MB, peak RSS %.1f MB\n",
			f+":", res.Samples, dt.Round(time.Millisecond), float64(res.Samples)/dt.Seconds()/1e6,
			float64(ost.Size())/1e6, float64(peak.Heap)/1e6, float64(peak.RSS)/1e6)
		if raw {
			if err := readMDF(out, dir); err != nil {
				return err
			}
		}
		os.Remove(out)
	}
	return nil
}

// readMDF reads the MDF file back: every channel of every record, then
// converted to CSV.
func readMDF(path, dir string) error {
	runtime.GC()
	stop, peak := procmem.Sample()
	t0 := time.Now()
	f, err := mdf4.Open(path)
	if err != nil {
		return err
	}
	var n uint64
	var sum float64
	for _, g := range f.Groups {
		for r := f.Records(g); r.Next(); n++ {
			rec := r.Record()
			for _, c := range g.Channels {
				sum += c.Float(rec)
			}
		}
	}
	dt := time.Since(t0)
	f.Close()
	stop()
	fmt.Printf("  mdf4-read:  %d records, every channel decoded, in %v = %.2f M rows/s, peak heap in use %.1f MB, peak RSS %.1f MB (checksum %g)\n",
		n, dt.Round(time.Millisecond), float64(n)/dt.Seconds()/1e6, float64(peak.Heap)/1e6, float64(peak.RSS)/1e6, sum)

	runtime.GC()
	stop, peak = procmem.Sample()
	t0 = time.Now()
	if f, err = mdf4.Open(path); err != nil {
		return err
	}
	src, err := mf4.NewSource(f)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "from-mdf.csv")
	res, err := rconv.RunSource(context.Background(), src, csv.New(out), rconv.Options{})
	dt = time.Since(t0)
	f.Close()
	stop()
	if err != nil {
		return err
	}
	fmt.Printf("  mf4-to-csv: %d rows in %v = %.2f M rows/s, peak heap in use %.1f MB, peak RSS %.1f MB\n",
		res.Samples, dt.Round(time.Millisecond), float64(res.Samples)/dt.Seconds()/1e6, float64(peak.Heap)/1e6, float64(peak.RSS)/1e6)
	os.Remove(out)
	return nil
}
