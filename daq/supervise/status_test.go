package supervise_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq/supervise"
)

// TestStatusReports: OnStatus gets the sample total and the rate since the
// previous report, so a program shows progress without computing it.
func TestStatusReports(t *testing.T) {
	sl := startSlave(t, "tcp", 0)
	m, closeM, err := dial("tcp", sl.port)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer closeM()
	var (
		mu  sync.Mutex
		got []supervise.Status
	)
	rec := supervise.Recorder{Lists: counterList(), Duration: 700 * time.Millisecond, StatusInterval: 100 * time.Millisecond,
		OnStatus: func(s supervise.Status) { mu.Lock(); got = append(got, s); mu.Unlock() }}
	res, err := rec.Run(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 3 {
		t.Fatalf("%d status reports in 700 ms every 100 ms", len(got))
	}
	moving := false
	var prev supervise.Status
	for i, s := range got {
		var sum uint64
		for _, l := range s.Stats.Lists {
			sum += l.Samples
		}
		if s.Samples != sum || s.Samples < prev.Samples || s.Elapsed <= prev.Elapsed {
			t.Fatalf("report %d: %d samples (lists: %d), previous %d at %v, now %v", i, s.Samples, sum, prev.Samples, prev.Elapsed, s.Elapsed)
		}
		want := float64(s.Samples-prev.Samples) / (s.Elapsed - prev.Elapsed).Seconds()
		if math.Abs(s.Rate-want) > 1e-6*want+1e-9 {
			t.Errorf("report %d: rate %.3f, want %.3f", i, s.Rate, want)
		}
		moving = moving || s.Rate > 0
		prev = s
	}
	var total uint64
	for _, l := range res.Stats.Lists {
		total += l.Samples
	}
	if !moving || prev.Samples > total {
		t.Errorf("rates never above 0 (%v) or last report %d > result %d", moving, prev.Samples, total)
	}
}
