package convert_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/convert/parquet"
	"github.com/goxcp/goxcp/record/recordtest"
)

const benchRows = 1 << 21

func benchConvert(b *testing.B, mk func(out string) convert.Sink) {
	benchConvertMeta(b, recordtest.NarrowMeta(), mk)
}

func benchConvertMeta(b *testing.B, meta *record.Meta, mk func(out string) convert.Sink) {
	dir := b.TempDir()
	src := filepath.Join(dir, "narrow.xlog")
	if err := recordtest.WriteFile(src, meta, benchRows); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var rows uint64
	for i := 0; i < b.N; i++ {
		r, err := record.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		res, err := convert.Run(context.Background(), r, mk(filepath.Join(dir, "out")))
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
		rows += res.Samples
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds()/1e6, "Mrows/s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/1e6, "MB-heap-inuse")
}

// BenchmarkConvertCSV converts a narrow table (host_ns, slave_ns, one U16)
// of 2 Mi rows to CSV.
func BenchmarkConvertCSV(b *testing.B) {
	benchConvert(b, func(out string) convert.Sink { return csv.New(out + ".csv") })
}

// BenchmarkConvertParquet converts the same narrow table to Parquet.
func BenchmarkConvertParquet(b *testing.B) {
	benchConvert(b, func(out string) convert.Sink { return parquet.New(out+".parquet", parquet.Options{}) })
}

// BenchmarkConvertCSVPhysical converts the narrow table to CSV with a
// LINEAR conversion on the value (physical values, as for A2L signals).
func BenchmarkConvertCSVPhysical(b *testing.B) {
	m := recordtest.NarrowMeta()
	m.DAQ.Lists[0].Measurements[0].Conversion = &compu.Spec{Name: "lin", Type: "LINEAR", Coeffs: []float64{0.5, -40}, Unit: "degC"}
	benchConvertMeta(b, m, func(out string) convert.Sink { return csv.New(out + ".csv") })
}
