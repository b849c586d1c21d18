package live_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/live"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, network string) (*master.Master, *a2l.Module) {
	t.Helper()
	s, m := simtest.Start(t, network, sim.Config{}, master.Config{})
	f, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m, f.Modules[0]
}

// waitFor polls the monitor until cond holds for every value.
func waitFor(t *testing.T, mo *live.Monitor, cond func(live.Value) bool) []live.Value {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		vs := mo.Snapshot()
		ok := true
		for _, v := range vs {
			ok = ok && cond(v)
		}
		if ok {
			return vs
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached: %+v", vs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMonitorDAQAndPolling(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			m, mod := start(t, network)
			ctx := context.Background()
			mo, err := live.Start(ctx, m, mod, []string{"counter", "waves.sine", "enabled"}, live.Options{Event: "10ms", Window: time.Second, Points: 20})
			if err != nil {
				t.Fatal(err)
			}
			defer mo.Stop(ctx)
			polled, err := live.Start(ctx, m, mod, []string{"amplitude"}, live.Options{Poll: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer polled.Stop(ctx)
			vs := waitFor(t, mo, func(v live.Value) bool { return v.Samples >= 20 })
			for _, v := range vs {
				if !strings.HasPrefix(v.Source, "DAQ event") {
					t.Errorf("%s sampled by %q", v.Name, v.Source)
				}
				if !(v.Min <= v.Value && v.Value <= v.Max) {
					t.Errorf("%s: %g not within %g..%g", v.Name, v.Value, v.Min, v.Max)
				}
				if v.Rate <= 0 {
					t.Errorf("%s: rate %g", v.Name, v.Rate)
				}
				n := 0
				for _, h := range v.History {
					if !math.IsNaN(h) {
						n++
					}
				}
				if len(v.History) != 20 || n < 2 {
					t.Errorf("%s: history %v", v.Name, v.History)
				}
			}
			if vs[0].Name != "counter" || vs[0].Unit != "ms" || vs[0].Max <= vs[0].Min {
				t.Errorf("counter %+v: want a rising ms counter", vs[0])
			}
			if e := vs[2]; e.Name != "enabled" || (e.Text != "on" && e.Text != "off") {
				t.Errorf("enabled %+v: want a verbal value", e)
			}
			pv := waitFor(t, polled, func(v live.Value) bool { return v.Samples >= 3 })
			if pv[0].Source != "poll 20ms" || pv[0].Value != 100 {
				t.Errorf("amplitude %+v", pv[0])
			}
			mo.ResetMinMax()
			for _, v := range mo.Snapshot() {
				if v.Min != v.Value || v.Max != v.Value {
					t.Errorf("after reset %s: %g..%g, value %g", v.Name, v.Min, v.Max, v.Value)
				}
			}
			st, ok, perr := mo.Stats()
			if !ok || st.Frames == 0 || perr != nil {
				t.Errorf("stats %+v %v %v", st, ok, perr)
			}
			if err := mo.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := mo.Stop(ctx); err != nil {
				t.Errorf("second Stop: %v", err)
			}
		})
	}
}

func TestMonitorErrors(t *testing.T) {
	m, mod := start(t, "tcp")
	ctx := context.Background()
	if _, err := live.Start(ctx, m, mod, []string{"sinus"}, live.Options{}); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := live.Start(ctx, m, mod, nil, live.Options{}); err == nil {
		t.Error("no names: no error")
	}
	if _, err := live.Start(ctx, m, mod, []string{"counter"}, live.Options{Event: "nosuchevent"}); err == nil {
		t.Error("unknown event: no error")
	}
}

func TestDrainAndRecording(t *testing.T) {
	m, mod := start(t, "tcp")
	ctx := context.Background()
	path := t.TempDir() + "/live.xlog"
	mo, err := live.Start(ctx, m, mod, []string{"counter", "waves.sine"}, live.Options{Event: "1ms", RecordTo: path})
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	deadline := time.Now().Add(30 * time.Second)
	for total < 100 && time.Now().Before(deadline) {
		time.Sleep(30 * time.Millisecond)
		ws := mo.Drain()
		if len(ws) != 2 {
			t.Fatalf("%d windows", len(ws))
		}
		if ws[0].N > 0 && !(ws[0].Min <= ws[0].Last && ws[0].Last <= ws[0].Max) {
			t.Errorf("window %+v", ws[0])
		}
		total += ws[0].N
	}
	if total < 100 {
		t.Fatalf("drained %d counter samples", total)
	}
	if st, ok := mo.Recording(); !ok || st.Frames == 0 {
		t.Errorf("recording stats %+v %v", st, ok)
	}
	if err := mo.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	frames := 0
	for r.Next() {
		frames++
	}
	if !r.Complete() || frames == 0 || len(r.Meta().DAQ.Lists) != 1 || r.Meta().DAQ.Lists[0].Measurements[0].Unit != "ms" {
		t.Errorf("recording: complete %v, meta %+v", r.Complete(), r.Meta().DAQ)
	}
	if _, err := live.Start(ctx, m, mod, []string{"amplitude"}, live.Options{RecordTo: path + "2"}); err == nil {
		t.Error("recording polled signals: no error")
	}
}
