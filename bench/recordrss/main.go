// Command recordrss measures the memory of the recording writer over a
// long recording: it writes synthetic 10-byte DTOs at a fixed rate to a
// file for a given duration and samples the process RSS and heap every
// second. The figure that matters is the spread of the RSS after the
// first 10 s (it must stay flat: nothing grows with the recording).
//
//	go run ./bench/recordrss -rate 10000 -duration 5m
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/goxcp/goxcp/bench/internal/procmem"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

func main() {
	rate := flag.Int("rate", 10000, "DTOs per second")
	duration := flag.Duration("duration", 5*time.Minute, "recording time")
	flag.Parse()
	if err := run(*rate, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "recordrss:", err)
		os.Exit(1)
	}
}

func run(rate int, duration time.Duration) error {
	dir, err := os.MkdirTemp("", "goxcp-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w, err := record.Create(filepath.Join(dir, "rss.xlog"), recordtest.NarrowMeta(), record.Options{})
	if err != nil {
		return err
	}
	frame := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var n uint64
	var minRSS, maxRSS, maxHeap uint64
	nextSample := start.Add(10 * time.Second)
	for now := range tick.C {
		if now.Sub(start) >= duration {
			break
		}
		// Catch up to the rate.
		for due := uint64(now.Sub(start).Seconds() * float64(rate)); n < due; n++ {
			frame[1], frame[2], frame[3] = byte(n), byte(n>>8), byte(n>>16)
			if err := w.Write(now.Sub(start).Nanoseconds(), frame); err != nil {
				return err
			}
		}
		if now.After(nextSample) {
			nextSample = now.Add(time.Second)
			r := procmem.RSS()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if minRSS == 0 || r < minRSS {
				minRSS = r
			}
			maxRSS = max(maxRSS, r)
			maxHeap = max(maxHeap, ms.HeapInuse)
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	s := w.Stats()
	fmt.Printf("recorded %d frames in %v (%d dropped), file %.1f MB in %d chunks\n", s.Frames, time.Since(start).Round(time.Second), s.Dropped, float64(s.FileBytes)/1e6, s.Chunks)
	fmt.Printf("after 10 s: RSS %.1f .. %.1f MB (spread %.2f MB), peak heap in use %.1f MB\n",
		float64(minRSS)/1e6, float64(maxRSS)/1e6, float64(maxRSS-minRSS)/1e6, float64(maxHeap)/1e6)
	return nil
}
