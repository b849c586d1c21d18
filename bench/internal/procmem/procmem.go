// Package procmem reads the memory figures of the running process for
// the bench programs.
package procmem

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RSS returns the resident set size of the process in bytes, read from
// /proc/self/status (0 where that is unavailable).
func RSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// CPUSeconds returns the user plus system CPU time of the process, read
// from /proc/self/stat (0 where that is unavailable; clock ticks taken as
// 1/100 s, Linux's USER_HZ).
func CPUSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	// After the command: state is field 3; utime and stime are 14 and 15.
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return float64(ut+st) / 100
}

// Peaks are the largest heap in use and RSS seen by Sample.
type Peaks struct{ Heap, RSS uint64 }

// Sample samples the heap in use and the RSS every 20 ms until stop is
// called; the peaks are valid after stop.
func Sample() (stop func(), p *Peaks) {
	p = &Peaks{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.Heap = max(p.Heap, ms.HeapInuse)
		p.RSS = max(p.RSS, RSS())
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() { close(done); wg.Wait() }, p
}
