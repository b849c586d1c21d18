package record_test

import (
	"bytes"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"path/filepath"
	"testing"
	"time"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// BenchmarkWriter measures the sustained throughput of the writer into a
// file (compression and disk included): the producer waits while the
// chunk backlog is nearly full, so no frame is dropped, and the figures
// are frames/s and MB/s of frame data actually written.
func BenchmarkWriter(b *testing.B) {
	for _, size := range []int{8, 64, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			w, err := record.Create(filepath.Join(b.TempDir(), "w.xlog"), recordtest.NarrowMeta(), record.Options{})
			if err != nil {
				b.Fatal(err)
			}
			frame := make([]byte, size)
			for i := range frame {
				frame[i] = byte(i * 7)
			}
			b.SetBytes(int64(size))
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				frame[1], frame[size-1] = byte(i), byte(i>>8)
				if err := w.Write(int64(i)*1000, frame); err != nil {
					b.Fatal(err)
				}
				if i&63 == 0 {
					for w.Backlog() >= w.Buffers()-2 {
						time.Sleep(50 * time.Microsecond)
					}
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if d := w.Stats().Dropped; d != 0 {
				b.Fatalf("%d frames dropped", d)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mframes/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds()/1e6, "Mframes/cpu-s")
			}
		})
	}
}

// BenchmarkDecode measures reading and decoding samples of the mixed
// layout (three lists, 13 values, several ODTs) from memory.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name string
		meta *record.Meta
	}{{"narrow", recordtest.NarrowMeta()}, {"mixed", recordtest.MixedMeta(xcp.IDRelODTAbsDAQWord, 4, "intel")}} {
		b.Run(c.name, func(b *testing.B) {
			var buf bytes.Buffer
			w, err := record.NewWriter(&buf, c.meta, record.Options{Buffers: 4096})
			if err != nil {
				b.Fatal(err)
			}
			const n = 1 << 20
			if err := recordtest.Write(w, c.meta, n); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil || w.Stats().Dropped != 0 {
				b.Fatal(err, w.Stats())
			}
			data := buf.Bytes()
			cpu0 := cpuTime()
			b.ResetTimer()
			samples := 0
			for range b.N {
				r, err := record.NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				d, err := record.NewDecoder(r)
				if err != nil {
					b.Fatal(err)
				}
				for d.Next() {
					samples++
				}
				if samples%n != 0 {
					b.Fatalf("%d samples", samples)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(samples)/b.Elapsed().Seconds()/1e6, "Msamples/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(samples)/cpu.Seconds()/1e6, "Msamples/cpu-s")
			}
		})
	}
}
