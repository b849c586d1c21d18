package a2ldaq_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDAQByName measures signals given by their A2L names (the simulator's
// A2L fetched with GET_ID 4) on an event given by its A2L name, and turns
// the samples into physical values with the A2L conversions.
func TestDAQByName(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := memconn.Pipe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, b) }()
	defer func() { cancel(); <-done }()
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	text, err := m.FetchA2L(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := a2l.Parse("slave.a2l", text, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	names := []string{"counter", "waves.sine", "sine", "enabled", "pid.kp"}
	l, err := a2ldaq.List(mod, "fast", "1ms", names, true)
	if err != nil {
		t.Fatal(err)
	}
	if l.Event != 0 {
		t.Fatalf("event 1ms = channel %d", l.Event)
	}
	sigs := make([]*cal.Signal, len(names))
	for i, n := range names {
		if sigs[i], err = cal.ResolveSignal(mod, n); err != nil {
			t.Fatal(err)
		}
	}
	// OnSample runs on the receive goroutine: hand copies over without
	// blocking it, and wait for the samples rather than for a time.
	const want = 5
	got := make(chan []dto.Value, 1024)
	ses, err := daq.Setup(ctx, m, []daq.List{l}, daq.Options{OnSample: func(s *dto.Sample) {
		select {
		case got <- append([]dto.Value(nil), s.Values...):
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var samples [][]dto.Value
	for len(samples) < want {
		select {
		case v := <-got:
			samples = append(samples, v)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d samples after 10 s, want %d", len(samples), want)
		}
	}
	if _, err := ses.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	prev := -1.0
	for i, v := range samples {
		counter := sigs[0].Conv.Phys(v[0].Float64())
		if counter < prev {
			t.Fatalf("sample %d: counter went back from %v to %v", i, prev, counter)
		}
		prev = counter
		if v[1].Float64() != v[2].Float64() {
			t.Errorf("sample %d: waves.sine %v != sine %v (same memory)", i, v[1], v[2])
		}
		if txt := sigs[3].Conv.Text(v[3].Float64()); txt != "on" {
			t.Errorf("sample %d: enabled = %q", i, txt)
		}
		if v[4].Float64() != 1.5 {
			t.Errorf("sample %d: pid.kp = %v", i, v[4])
		}
	}
}
