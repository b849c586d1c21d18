package daq_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

const stimBase = sim.RAMBase + 0x100 // free simulator RAM (no variable)

func stimLists() []daq.List {
	ms := []dto.Measurement{
		{Name: "u32", Address: stimBase, Type: dto.U32},
		{Name: "f32", Address: stimBase + 4, Type: dto.F32},
		{Name: "i16", Address: stimBase + 10, Type: dto.I16},
		{Name: "f64", Address: stimBase + 0x40, Type: dto.F64},
	}
	return []daq.List{
		{Name: "stim", Event: 0, Stim: true, Measurements: ms},
		{Name: "back", Event: 0, Measurements: ms},
	}
}

// TestStimRamp stimulates simulator RAM with a ramp over TCP and reads it
// back with UPLOAD after every step and with a DAQ list on the same event.
func TestStimRamp(t *testing.T) {
	for _, idf := range []xcp.IDField{xcp.IDAbsODT, xcp.IDRelODTAbsDAQWord} {
		t.Run(idf.String(), func(t *testing.T) {
			m, s, stop := pairEth(t, "tcp", sim.Config{MaxDTO: 16, DAQ: sim.DAQConfig{IDField: idf}})
			defer stop()
			ctx := context.Background()
			var mu sync.Mutex
			var seen []float64
			ses, err := daq.Setup(ctx, m, stimLists(), daq.Options{SeparateLists: true, OnSample: func(smp *dto.Sample) {
				mu.Lock()
				seen = append(seen, smp.Values[0].Float64())
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
			}
			lay := ses.Layout()
			if len(lay.Lists[0].ODTs) < 2 {
				t.Fatalf("want the STIM list in several ODTs (MAX_DTO 16), got %d", len(lay.Lists[0].ODTs))
			}
			if _, err := ses.Stimulator(ctx, "stim"); err == nil {
				t.Fatal("Stimulator before Start accepted")
			}
			if err := ses.Start(ctx); err != nil {
				t.Fatal(err)
			}
			st, err := ses.Stimulator(ctx, "stim")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ses.Stimulator(ctx, "back"); err == nil {
				t.Fatal("Stimulator of a DAQ list accepted")
			}
			const steps = 40
			for k := 1; k <= steps; k++ {
				for name, v := range map[string]float64{"u32": float64(k * 1000), "f32": float64(k) / 4, "i16": float64(-k), "f64": float64(k) * math.Pi} {
					if err := st.Set(name, v); err != nil {
						t.Fatal(err)
					}
				}
				if err := st.Send(ctx); err != nil {
					t.Fatal(err)
				}
				want := make([]byte, 0, 0x48)
				o := m.Format().Order
				want = o.AppendUint32(want, uint32(k*1000))
				want = o.AppendUint32(want, math.Float32bits(float32(k)/4))
				want = append(want, 0, 0)
				want = o.AppendUint16(want, uint16(int16(-k)))
				for start := time.Now(); ; time.Sleep(time.Millisecond) {
					got, err := m.Read(ctx, stimBase, 0, 12)
					if err != nil {
						t.Fatal(err)
					}
					f64, err := m.Read(ctx, stimBase+0x40, 0, 8)
					if err != nil {
						t.Fatal(err)
					}
					if string(got[:8]) == string(want[:8]) && string(got[10:12]) == string(want[10:12]) &&
						math.Float64frombits(o.Uint64(f64)) == float64(k)*math.Pi {
						break
					}
					if time.Since(start) > 5*time.Second {
						t.Fatalf("step %d: slave memory % X (f64 % X), want % X", k, got, f64, want)
					}
				}
			}
			stats, err := ses.Stop(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Lists[1].Samples == 0 {
				t.Fatal("no DAQ samples of the read-back list")
			}
			mu.Lock()
			defer mu.Unlock()
			last := 0.0
			for _, v := range seen {
				if v < last || math.Mod(v, 1000) != 0 || v > steps*1000 {
					t.Fatalf("DAQ read back %v after %v: not a ramp value in order", v, last)
				}
				last = v
			}
			if last != steps*1000 {
				t.Fatalf("DAQ read back ends at %v, want %v", last, steps*1000)
			}
			ss := s.StimStats()
			if ss.Rejected != 0 || ss.DTOs < steps*uint64(len(lay.Lists[0].ODTs)) {
				t.Fatalf("simulator STIM stats %+v", ss)
			}
		})
	}
}

func TestStimErrors(t *testing.T) {
	ctx := context.Background()
	evs := sim.DefaultEvents()
	evs[1].NoStim = true
	m, _, stop := pair(t, sim.Config{DAQ: sim.DAQConfig{Events: evs}})
	defer stop()
	l := stimLists()[:1]
	l[0].Event = 1
	if _, err := daq.Setup(ctx, m, l, daq.Options{}); !errors.Is(err, daq.ErrStimUnsupported) {
		t.Fatalf("STIM on a DAQ-only event: %v", err)
	}
	l = stimLists()[:1]
	l[0].Measurements[0].BitMask = 1
	if _, err := daq.Setup(ctx, m, l, daq.Options{}); err == nil {
		t.Fatal("masked STIM measurement accepted")
	}
	ses, err := daq.Setup(ctx, m, stimLists()[:1], daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ses.Stop(ctx)
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := ses.Stimulator(ctx, "stim")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"u32", -1}, {"u32", 1.5}, {"i16", 40000}, {"nope", 1}, {"u32", math.NaN()}} {
		if err := st.Set(c.name, c.v); err == nil {
			t.Errorf("Set(%s, %v) accepted", c.name, c.v)
		}
	}
}

// TestStimTimeout: a STIM list without data makes the simulator send
// EV_STIM_TIMEOUT with the event number.
func TestStimTimeout(t *testing.T) {
	ctx := context.Background()
	m, s, stop := pair(t, sim.Config{DAQ: sim.DAQConfig{StimTimeout: true}})
	defer stop()
	ev, cancel := m.Subscribe(16)
	defer cancel()
	ses, err := daq.Setup(ctx, m, stimLists()[:1], daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-ev:
		if n.Event != xcp.EvStimTimeout || len(n.Data) < 4 || m.Format().Order.Uint16(n.Data[2:]) != 0 {
			t.Fatalf("notice %+v, want EV_STIM_TIMEOUT for event 0", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no EV_STIM_TIMEOUT")
	}
	stats, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.StimTimeouts == 0 || stats.Lost() != 0 {
		t.Fatalf("session stats %+v: want STIM timeouts counted, no loss", stats)
	}
	if s.StimStats().Timeouts == 0 {
		t.Fatal("no timeouts counted")
	}
}

// TestStimStaticTimestamps: a STIM list with timestamps (the master sends
// one in the first dto.ODT) in a static DAQ configuration (DAQ consistency).
func TestStimStaticTimestamps(t *testing.T) {
	ctx := context.Background()
	// DAQ consistency: the list's ODTs in use (not the static list's
	// unused ones) make a complete set.
	m, s, stop := pair(t, sim.Config{Order: xcp.Motorola, MaxDTO: 12, DAQ: sim.DAQConfig{Static: true, TimestampSize: 2}})
	defer stop()
	l := stimLists()[:1]
	l[0].Timestamps = true
	ses, err := daq.Setup(ctx, m, l, daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := ses.Stimulator(ctx, "stim")
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 5; k++ {
		if err := st.Set("f64", float64(k)/8); err != nil {
			t.Fatal(err)
		}
		if err := st.Set("u32", float64(k)); err != nil {
			t.Fatal(err)
		}
		if err := st.Send(ctx); err != nil {
			t.Fatal(err)
		}
		for start := time.Now(); ; time.Sleep(time.Millisecond) {
			a, err1 := m.Read(ctx, stimBase, 0, 4)
			b, err2 := m.Read(ctx, stimBase+0x40, 0, 8)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if xcp.Motorola.Uint32(a) == uint32(k) && math.Float64frombits(xcp.Motorola.Uint64(b)) == float64(k)/8 {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("step %d: % X % X", k, a, b)
			}
		}
	}
	if _, err := ses.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ss := s.StimStats(); ss.Rejected != 0 || ss.Applied == 0 {
		t.Fatalf("stats %+v", ss)
	}
}
