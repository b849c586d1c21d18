package master_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/goxcp/goxcp/internal/cmdcheck"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/sim"
)

// rapidSource draws cmdcheck's choices from rapid.
type rapidSource struct{ t *rapid.T }

func (r rapidSource) Int(lo, hi int, label string) int {
	return rapid.IntRange(lo, hi).Draw(r.t, label)
}

// TestCommandPathNeverWrong is the property of the command path: under
// random faults (answers delayed before, at and after t1, dropped,
// duplicated, ERR_CMD_BUSY) every call against the simulator returns the
// value the model of its memory allows, or an error — never a wrong value.
// The long run is bench/cmdsoak.
func TestCommandPathNeverWrong(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		// Each check takes real time (fault delays): keep the suite short
		// unless asked for more with -rapid.checks.
		f.Value.Set("12")
		defer f.Value.Set("100")
	}
	const t1 = 30 * time.Millisecond
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{},
				master.Config{Timeouts: master.Timeouts{T1: t1, T7: 2 * time.Millisecond}})
			ctx := context.Background()
			var calls, errs uint64
			rapid.Check(t, func(rt *rapid.T) {
				init := make([]byte, cmdcheck.Size)
				for i := range init {
					init[i] = byte(rapid.IntRange(1, 255).Draw(rt, "init"))
				}
				c, err := cmdcheck.New(ctx, s, m, t1, init) // waits out late answers of the last check
				if err != nil {
					rt.Fatal(err)
				}
				c.Wrong = func(msg string) { rt.Fatalf("wrong value without an error: %s", msg) }
				steps := rapid.IntRange(5, 25).Draw(rt, "steps")
				for range steps {
					if err := c.Step(ctx, rapidSource{rt}); err != nil {
						rt.Fatal(err)
					}
				}
				s.ClearFaults()
				calls += c.Counts.Calls
				errs += c.Counts.Errors
			})
			t.Logf("%s: %d calls, %d errors, 0 wrong", network, calls, errs)
		})
	}
}
