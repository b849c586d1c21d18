package a2l_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
)

// genA2L writes a synthetic A2L of at least size bytes in the style real
// generators produce (XCPlite-like measurements with IF_DATA, curves with
// axes, conversions, typedefs and instances). It returns the text and the
// number of objects.
func genA2L(size int) (string, int) {
	var b strings.Builder
	b.Grow(size + 1<<20)
	b.WriteString("ASAP2_VERSION 1 71\n/begin PROJECT bench \"generated\"\n/begin HEADER \"\" VERSION \"1.0\" /end HEADER\n/begin MODULE bench \"\"\n")
	b.WriteString("/begin MOD_COMMON \"\" BYTE_ORDER MSB_LAST ALIGNMENT_BYTE 1 ALIGNMENT_WORD 2 ALIGNMENT_LONG 4 /end MOD_COMMON\n")
	b.WriteString("/begin RECORD_LAYOUT RL_F32 FNC_VALUES 1 FLOAT32_IEEE ROW_DIR DIRECT /end RECORD_LAYOUT\n")
	b.WriteString("/begin RECORD_LAYOUT RL_CURVE NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UWORD INDEX_INCR DIRECT FNC_VALUES 3 SWORD ROW_DIR DIRECT /end RECORD_LAYOUT\n")
	b.WriteString("/begin TYPEDEF_MEASUREMENT M_U16 \"\" UWORD NO_COMPU_METHOD 0 0 0 65535 /end TYPEDEF_MEASUREMENT\n")
	b.WriteString("/begin TYPEDEF_STRUCTURE S \"\" 0x4 /begin STRUCTURE_COMPONENT a M_U16 0x0 /end STRUCTURE_COMPONENT /begin STRUCTURE_COMPONENT b M_U16 0x2 /end STRUCTURE_COMPONENT /end TYPEDEF_STRUCTURE\n")
	n := 0
	for i := 0; b.Len() < size || i%8 != 0; i++ {
		switch i % 8 {
		case 0, 1, 2, 3, 4:
			fmt.Fprintf(&b, "/begin MEASUREMENT signal_%d \"Measurement variable %d of the generated benchmark file\" SWORD conv_%d 0 0 -32768 32767 ECU_ADDRESS 0x%X ECU_ADDRESS_EXTENSION 1 PHYS_UNIT \"rpm\" READ_WRITE /begin IF_DATA XCP /begin DAQ_EVENT FIXED_EVENT_LIST EVENT 0x%X /end DAQ_EVENT /end IF_DATA /end MEASUREMENT\n", i, i, i/8, 0x10000+i*2, i%16)
		case 5:
			fmt.Fprintf(&b, "/begin CHARACTERISTIC curve_%d \"Curve %d\" CURVE 0x%X RL_CURVE 0 conv_%d -1000 1000\n  /begin AXIS_DESCR STD_AXIS signal_%d NO_COMPU_METHOD 16 0 65535 /end AXIS_DESCR\n  FORMAT \"%%8.3\" /* a comment */ EXTENDED_LIMITS -2000 2000\n/end CHARACTERISTIC\n", i, i, 0x80000000+i*64, i/8, i-1)
		case 6:
			fmt.Fprintf(&b, "/begin COMPU_METHOD conv_%d \"linear conversion\" LINEAR \"%%6.2\" \"rpm\" COEFFS_LINEAR 0.25 -100.5 /end COMPU_METHOD\n", i/8)
		case 7:
			fmt.Fprintf(&b, "/begin INSTANCE inst_%d \"instance\" S 0x%X ECU_ADDRESS_EXTENSION 2 /end INSTANCE\n", i, 0x200000+i*4)
		}
		n++
	}
	b.WriteString("/end MODULE\n/end PROJECT\n")
	return b.String(), n
}

var bigA2L = sync.OnceValues(func() (string, int) { return genA2L(50 << 20) })

// BenchmarkParseLarge parses a generated ≥ 50 MB A2L with ≥ 100k objects
// and reports throughput (MB/s), the bytes allocated and retained per
// byte of input, and the peak heap (sampled) relative to the file size.
// Run: go test ./a2l -run '^$' -bench ParseLarge -benchtime 3x
func BenchmarkParseLarge(b *testing.B) {
	src, objs := bigA2L()
	if len(src) < 50<<20 || objs < 100000 {
		b.Fatalf("generated %d bytes, %d objects", len(src), objs)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var f *a2l.File
	var err error
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		f, err = a2l.ParseString("bench.a2l", src, a2l.Options{})
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if cpu > 0 {
		// Throughput per CPU second (user+system of the process, GC
		// included): stable on a shared machine where wall time is not.
		b.ReportMetric(float64(len(src))*float64(n)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
	m := f.Modules[0]
	if got := len(m.Measurements) + len(m.Characteristics) + len(m.CompuMethods) + len(m.Instances); got != objs {
		b.Fatalf("parsed %d objects, generated %d", got, objs)
	}
	if o, err := m.Resolve(fmt.Sprintf("inst_%d.b", 7)); err != nil || o.Common().Address != 0x200000+7*4+2 {
		b.Fatalf("resolve: %v", err)
	}

	// Memory: sample the heap while parsing once more.
	f = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				peak <- max
				return
			case <-t.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				if s.HeapInuse > max {
					max = s.HeapInuse
				}
			}
		}
	}()
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	f, _ = a2l.ParseString("bench.a2l", src, a2l.Options{})
	runtime.ReadMemStats(&ms)
	alloc := ms.TotalAlloc - before
	close(stop)
	p := <-peak
	if ms.HeapInuse > p {
		p = ms.HeapInuse
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	retained := ms.HeapInuse - base
	runtime.KeepAlive(f)
	size := float64(len(src))
	// The source text itself (1×) is held by the caller in every figure below except "alloc".
	b.ReportMetric(float64(objs), "objects")
	b.ReportMetric(size/1e6, "file-MB")
	b.ReportMetric(float64(alloc)/size, "alloc/file")
	b.ReportMetric(float64(retained)/size, "model/file")
	b.ReportMetric((float64(p)-float64(base))/size+1, "peak/file") // + the file itself
}

// BenchmarkLookup shows O(1) name lookup on the large file.
func BenchmarkLookup(b *testing.B) {
	src, _ := bigA2L()
	f, err := a2l.ParseString("bench.a2l", src, a2l.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m := f.Modules[0]
	names := []string{"signal_0", "signal_100003", "curve_5", "inst_15.a"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Resolve(names[i%len(names)]); err != nil {
			b.Fatal(err)
		}
	}
}

// corpusA2L builds a large real-world A2L: one PROJECT whose MODULEs are
// the MODULE contents of the valid single-module files of the real-world
// corpus (ASAM's demo, Vector ASAP2 Studio projects, a2ltool and XCPlite
// output), repeated until the text reaches size bytes. It returns the
// text and the number of modules.
func corpusA2L(tb testing.TB, size int) (string, int) {
	dir := a2ltest.Corpus(tb)
	var bodies []string
	for _, name := range []string{"ASAP2_Demo_V171.a2l", "FCR-21_Dev.A2L", "andrey_iAPU.a2l", "a2ltool_software_b.a2l", "NCU-SW_test.a2l", "domohuhn_example-ecu.a2l"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		s := strings.TrimPrefix(string(b), "\uFEFF")
		i, j := strings.Index(s, "/begin MODULE"), strings.LastIndex(s, "/end MODULE")
		if i < 0 || j < i {
			tb.Fatalf("%s: no MODULE", name)
		}
		// the module's name and long identifier stay; the text from them on is the body
		rest := s[i+len("/begin MODULE"):]
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			tb.Fatalf("%s: no module name", name)
		}
		body := rest[strings.Index(rest, fields[0])+len(fields[0]) : j-i-len("/begin MODULE")]
		bodies = append(bodies, body)
	}
	var b strings.Builder
	b.Grow(size + 1<<20)
	b.WriteString("ASAP2_VERSION 1 71\n/begin PROJECT corpus \"MODULE contents of the real-world corpus\"\n")
	n := 0
	for b.Len() < size {
		fmt.Fprintf(&b, "/begin MODULE m%d%s/end MODULE\n", n, bodies[n%len(bodies)])
		n++
	}
	b.WriteString("/end PROJECT\n")
	return b.String(), n
}

// BenchmarkParseCorpus parses a ≥ 100 MB A2L made of the MODULEs of real
// files (see corpusA2L) and reports wall-time throughput (MB/s, from
// SetBytes) and the peak heap while parsing relative to the file size
// (the text itself included). Targets: ≥ 100 MB/s, peak ≤ 3× the file.
// Run: go test ./a2l -run '^$' -bench ParseCorpus -benchtime 3x
func BenchmarkParseCorpus(b *testing.B) {
	src, mods := corpusA2L(b, 100<<20)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var f *a2l.File
	var err error
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		if f, err = a2l.ParseString("corpus.a2l", src, a2l.Options{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if cpu > 0 {
		// Per CPU second as well: wall time on a shared machine varies
		// with its load, CPU time much less.
		b.ReportMetric(float64(len(src))*float64(n)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
	if len(f.Modules) != mods || f.Modules[mods-1].Measurement("ASAM.M.SCALAR.UBYTE.IDENTICAL") == nil && f.Modules[0].Measurement("ASAM.M.SCALAR.UBYTE.IDENTICAL") == nil {
		b.Fatalf("parsed %d modules of %d", len(f.Modules), mods)
	}
	f = nil
	peak, _ := peakHeap(func() { f, _ = a2l.ParseString("corpus.a2l", src, a2l.Options{}) })
	runtime.KeepAlive(f)
	b.ReportMetric(float64(len(src))/1e6, "file-MB")
	b.ReportMetric(float64(peak)/float64(len(src))+1, "peak/file") // + the file itself
}

// peakHeap runs fn and returns the highest heap in use above the level
// before it (sampled every millisecond) and the bytes allocated.
func peakHeap(fn func()) (peak, alloc uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, before := ms.HeapInuse, ms.TotalAlloc
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var max uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max
				return
			case <-t.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				max = maxU(max, s.HeapInuse)
			}
		}
	}()
	fn()
	runtime.ReadMemStats(&ms)
	close(stop)
	p := maxU(<-done, ms.HeapInuse)
	if p < base {
		return 0, ms.TotalAlloc - before
	}
	return p - base, ms.TotalAlloc - before
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
