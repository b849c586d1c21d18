package soak

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestShortSoak is the soak for seconds: faults every few hundred
// milliseconds over TCP and UDP; nothing may hang, every frame must be
// accounted for, every file must convert with its interruptions.
func TestShortSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			rep, err := Run(t.Context(), Config{Proto: proto, Rate: 10000, Duration: 6 * time.Second, FileDuration: 3 * time.Second,
				FaultEvery: 500 * time.Millisecond, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + rep.String())
			if len(rep.Problems) > 0 {
				t.Errorf("%d problems:\n%s", len(rep.Problems), rep)
			}
			if rep.Files < 2 || rep.Frames == 0 || rep.Samples == 0 {
				t.Errorf("nothing recorded: %s", rep)
			}
			if sum := func() (n int) {
				for _, v := range rep.Faults {
					n += v
				}
				return
			}(); sum < 4 {
				t.Errorf("only %d faults injected", sum)
			}
		})
	}
}

// TestShortSoakCatchesMissingFrames: frames the slave counts as sent that
// never arrive, without any loss counter or interruption noticing, are a
// problem — exactly when no interruption follows, and when one follows if
// they were sent more than one event cycle (here 100 frames) before it.
func TestShortSoakCatchesMissingFrames(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tc := range []struct {
		name    string
		every   time.Duration
		phantom uint64
	}{{"no faults", time.Hour, 7}, {"faults", 400 * time.Millisecond, 500}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Run(t.Context(), Config{Proto: "tcp", Rate: 10000, Duration: 3 * time.Second, FileDuration: 3 * time.Second,
				FaultEvery: tc.every, Seed: 3, phantom: tc.phantom})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || strings.Contains(p, fmt.Sprintf(": %d unaccounted", tc.phantom)) || strings.Contains(p, "frames sent before the interruption")
			}
			if !found {
				t.Errorf("%d frames went missing unnoticed, the soak did not report them:\n%s", tc.phantom, rep)
			}
		})
	}
}

// TestSlaveTime: the first DTO of a cycle carries the slave clock
// (recorded by the simulator: PID 0, DAQ 0, time_us 31636 µs).
func TestSlaveTime(t *testing.T) {
	if us, ok := slaveTime([]byte{0x00, 0x00, 0x00, 0x94, 0x7B, 0x00, 0x00}); !ok || us != 31636 {
		t.Errorf("slaveTime = %d, %v, want 31636", us, ok)
	}
	for _, d := range [][]byte{{0x01, 0x00, 0x00, 0, 0, 0, 0}, {0x00, 0x01, 0x00, 0, 0, 0, 0}, {0x00, 0x00, 0x00, 0, 0, 0}} {
		if _, ok := slaveTime(d); ok {
			t.Errorf("slaveTime(% X) found a time in another DTO", d)
		}
	}
}
