// Package live follows measurements by A2L name as physical values while
// an ECU runs: sampled by DAQ on the event each signal declares (IF_DATA
// XCP DAQ_EVENT) or a chosen one, or polled with uploads where the slave
// has no DAQ or a signal no event. A Monitor keeps per signal the last
// value, minimum and maximum since start (or the last reset), the sample
// rate and a history of the last seconds for sparklines and live plots —
// what `xcp monitor` shows in the terminal and `xcp ui` in the browser.
package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
)

// Options configure a Monitor.
type Options struct {
	// Event samples signals that declare no DAQ_EVENT on this event (an
	// EVENT name of the A2L or a channel number); "" polls them.
	Event string
	// Poll is the polling interval (default 100 ms); PollAll polls every
	// signal instead of using DAQ.
	Poll    time.Duration
	PollAll bool
	// Window is the history kept per signal (default 10 s) in Points
	// buckets (default 100).
	Window time.Duration
	Points int
	// DAQ are the options of the DAQ session (OnSample is taken).
	DAQ daq.Options
	// RecordTo, if set, records the DAQ-sampled signals into this file
	// (.xlog, or .mf4) while they are followed, with their units and
	// conversions; Tool names the program in the file header.
	RecordTo string
	Tool     string
}

// Value is the state of one signal.
type Value struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
	// Source says how the signal is sampled: "DAQ event 3" or "poll 100ms".
	Source string `json:"source"`
	// Value is the last physical value (NaN before the first sample);
	// Text its verbal form for TAB_VERB conversions.
	Value float64 `json:"value"`
	Text  string  `json:"text,omitempty"`
	// Min and Max since start or the last ResetMinMax.
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Samples uint64  `json:"samples"`
	// Rate is samples per second, measured between the last two
	// snapshots at least 250 ms apart (the first as soon as samples came).
	Rate float64 `json:"rate"`
	// History holds the last Window in Points buckets, oldest first: the
	// last value of each bucket, NaN where no sample arrived.
	History []float64 `json:"history"`
	// Time is the host time of the last sample.
	Time time.Time `json:"time"`
}

// state is a signal's running state (guarded by Monitor.mu).
type state struct {
	Value
	win       Window // since the last Drain
	sig       *cal.Signal
	elem      int   // element of an array signal
	bucket    int64 // index of the newest history bucket
	hist      []float64
	rateN     uint64
	rateT     time.Time
	listIndex int // DAQ list (-1: polled)
}

// Monitor follows signals. Its methods are safe for concurrent use.
type Monitor struct {
	opt     Options
	mu      sync.Mutex
	states  []*state
	byMeas  map[int]map[string]*state // the lists given to Setup: measurement name → state
	indexes [][]*state                // DAQ list index → measurement index → state
	ses     *daq.Session
	sink    *recorder.FileSink
	m       *master.Master
	start   time.Time
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pollErr error
	stopped bool
}

// Start resolves names in mod and starts following them on m: DAQ lists
// per event for the signals that have one, polling for the rest. Stop
// ends it.
func Start(ctx context.Context, m *master.Master, mod *a2l.Module, names []string, opt Options) (*Monitor, error) {
	if len(names) == 0 {
		return nil, errors.New("live: no signals")
	}
	if opt.Poll <= 0 {
		opt.Poll = 100 * time.Millisecond
	}
	if opt.Window <= 0 {
		opt.Window = 10 * time.Second
	}
	if opt.Points <= 0 {
		opt.Points = 100
	}
	mo := &Monitor{opt: opt, m: m, start: time.Now(), byMeas: map[int]map[string]*state{}}
	// Group by event; remember the polled ones.
	type group struct {
		event   uint16
		name    string
		signals []string
	}
	var groups []*group
	byEvent := map[int]*group{}
	var polled []string
	fixedEvent := -1
	if opt.Event != "" {
		if n, err := strconv.ParseUint(opt.Event, 0, 16); err == nil {
			fixedEvent = int(n)
		} else {
			ev, err := cal.ResolveEvent(mod, opt.Event)
			if err != nil {
				return nil, fmt.Errorf("live: event %q: %w", opt.Event, err)
			}
			fixedEvent = int(ev)
		}
	}
	for _, name := range names {
		sig, err := cal.ResolveSignal(mod, name)
		if err != nil {
			return nil, fmt.Errorf("live: %w%s", err, a2ldaq.Suggest(mod, name))
		}
		ev := sig.Event
		if ev < 0 {
			ev = fixedEvent
		}
		if opt.PollAll || ev < 0 {
			polled = append(polled, name)
			continue
		}
		g := byEvent[ev]
		if g == nil {
			g = &group{event: uint16(ev), name: "event" + strconv.Itoa(ev)}
			byEvent[ev] = g
			groups = append(groups, g)
		}
		g.signals = append(g.signals, name)
	}
	for _, name := range polled {
		sig, _ := cal.ResolveSignal(mod, name)
		for i := range max(sig.Count, 1) {
			n := name
			if sig.Count > 1 {
				n = fmt.Sprintf("%s[%d]", name, i)
			}
			mo.states = append(mo.states, mo.newState(n, sig, i, -1, "poll "+opt.Poll.String()))
		}
	}
	if len(groups) > 0 {
		lists := make([]daq.List, len(groups))
		for i, g := range groups {
			lists[i] = daq.List{Name: g.name, Event: g.event, Signals: g.signals}
		}
		res, err := a2ldaq.Resolve(mod, lists)
		if err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
		for i, l := range lists {
			mo.byMeas[i] = map[string]*state{}
			for _, meas := range l.Measurements {
				sig := res[i][meas.Name]
				if sig == nil {
					continue
				}
				st := mo.newState(meas.Name, sig, elemOf(meas.Name, sig), i, "DAQ event "+strconv.Itoa(int(l.Event)))
				mo.states = append(mo.states, st)
				mo.byMeas[i][meas.Name] = st
			}
		}
		dopt := opt.DAQ
		dopt.OnSample = mo.onSample
		if opt.RecordTo != "" {
			tool := opt.Tool
			if tool == "" {
				tool = "goxcp live"
			}
			mo.sink = &recorder.FileSink{Path: opt.RecordTo, Tool: tool, Slave: recorder.SlaveOf(m), Signals: recorder.NewSignals(lists, res)}
			dopt.Sink = mo.sink
		}
		ses, err := daq.Setup(ctx, m, lists, dopt)
		if err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
		// Map the configured layout (lists may be merged or renamed) back.
		lay := ses.Layout()
		byName := map[string]*state{}
		for _, per := range mo.byMeas {
			for n, st := range per {
				byName[n] = st
			}
		}
		mo.indexes = make([][]*state, len(lay.Lists))
		for li, l := range lay.Lists {
			mo.indexes[li] = make([]*state, len(l.Measurements))
			for k, meas := range l.Measurements {
				mo.indexes[li][k] = byName[meas.Name]
			}
		}
		if err := ses.Start(ctx); err != nil {
			ses.Stop(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("live: %w", err)
		}
		mo.ses = ses
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	mo.cancel = cancel
	if opt.RecordTo != "" && mo.ses == nil {
		cancel()
		return nil, errors.New("live: recording needs DAQ-sampled signals (these are all polled)")
	}
	if len(polled) > 0 {
		mo.wg.Add(1)
		go mo.poll(pctx)
	}
	return mo, nil
}

func elemOf(measName string, sig *cal.Signal) int {
	if sig.Count <= 1 {
		return 0
	}
	var i int
	if _, err := fmt.Sscanf(measName[len(sig.Name):], "[%d]", &i); err == nil {
		return i
	}
	return 0
}

func (mo *Monitor) newState(name string, sig *cal.Signal, elem, list int, source string) *state {
	unit := sig.Unit
	if unit == "" && sig.Conv != nil {
		unit = sig.Conv.Unit
	}
	st := &state{Value: Value{Name: name, Unit: unit, Source: source, Value: math.NaN(), Min: math.Inf(1), Max: math.Inf(-1)},
		sig: sig, elem: elem, listIndex: list, hist: make([]float64, mo.opt.Points), bucket: -1}
	for i := range st.hist {
		st.hist[i] = math.NaN()
	}
	return st
}

// indexes[list][measurement] is the state of each DAQ value.
func (mo *Monitor) onSample(s *dto.Sample) {
	now := time.Now()
	mo.mu.Lock()
	defer mo.mu.Unlock()
	if s.List >= len(mo.indexes) {
		return
	}
	for k, v := range s.Values {
		if k < len(mo.indexes[s.List]) {
			if st := mo.indexes[s.List][k]; st != nil {
				mo.update(st, v.Float64(), now)
			}
		}
	}
}

// update records a raw value (lock held).
func (mo *Monitor) update(st *state, raw float64, now time.Time) {
	phys := raw
	if c := st.sig.Conv; c != nil {
		phys = c.Phys(raw)
		if c.Verbal() {
			st.Text = c.Text(raw)
		}
	}
	st.Value.Value = phys
	st.Samples++
	st.Time = now
	if !math.IsNaN(phys) {
		st.Min, st.Max = math.Min(st.Min, phys), math.Max(st.Max, phys)
		if st.win.N == 0 {
			st.win.Min, st.win.Max = phys, phys
		}
		st.win.Min, st.win.Max = math.Min(st.win.Min, phys), math.Max(st.win.Max, phys)
	}
	st.win.N++
	st.win.Last = phys
	width := mo.opt.Window / time.Duration(mo.opt.Points)
	b := int64(now.Sub(mo.start) / width)
	n := int64(len(st.hist))
	if st.bucket < 0 {
		st.bucket = b
	}
	for st.bucket < b {
		st.bucket++
		st.hist[st.bucket%n] = math.NaN()
	}
	st.hist[b%n] = phys
}

func (mo *Monitor) poll(ctx context.Context) {
	defer mo.wg.Done()
	t := time.NewTicker(mo.opt.Poll)
	defer t.Stop()
	for {
		var polled []*state
		mo.mu.Lock()
		for _, st := range mo.states {
			if st.listIndex < 0 {
				polled = append(polled, st)
			}
		}
		mo.mu.Unlock()
		for _, st := range polled {
			b, err := mo.m.Read(ctx, st.sig.Address, st.sig.Ext, st.sig.Size())
			if err == nil {
				var raw float64
				if raw, err = st.sig.Raw(b, st.elem); err == nil {
					mo.mu.Lock()
					mo.update(st, raw, time.Now())
					mo.mu.Unlock()
					continue
				}
			}
			if ctx.Err() != nil {
				return
			}
			mo.mu.Lock()
			mo.pollErr = fmt.Errorf("live: poll %s: %w", st.Name, err)
			mo.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Snapshot returns the state of every signal, in the order given to Start
// (DAQ-sampled and polled signals each in their groups), and updates the
// rates.
func (mo *Monitor) Snapshot() []Value {
	now := time.Now()
	mo.mu.Lock()
	defer mo.mu.Unlock()
	out := make([]Value, len(mo.states))
	width := mo.opt.Window / time.Duration(mo.opt.Points)
	cur := int64(now.Sub(mo.start) / width)
	for i, st := range mo.states {
		if st.rateT.IsZero() {
			st.rateT, st.rateN = mo.start, 0
		}
		// A rate over at least 250 ms; the first one as soon as it can be.
		if dt := now.Sub(st.rateT); dt >= 250*time.Millisecond || st.Rate == 0 && st.Samples > st.rateN && dt >= 20*time.Millisecond {
			st.Rate = float64(st.Samples-st.rateN) / dt.Seconds()
			st.rateT, st.rateN = now, st.Samples
		}
		v := st.Value
		n := int64(len(st.hist))
		v.History = make([]float64, n)
		for k := range n {
			b := cur - n + 1 + k
			if b < 0 || b > st.bucket || st.bucket-b >= n {
				v.History[k] = math.NaN()
				continue
			}
			v.History[k] = st.hist[b%n]
		}
		out[i] = v
	}
	return out
}

// Window is what arrived of a signal between two Drains: the number of
// samples, their extremes and the last value (NaN when none).
type Window struct {
	N        uint64  `json:"n"`
	Min, Max float64 `json:"-"`
	Last     float64 `json:"-"`
}

// Drain returns, per signal in Snapshot order, what arrived since the
// previous Drain: a decimated stream (extremes and last value per call)
// for live plots, however fast the data comes.
func (mo *Monitor) Drain() []Window {
	mo.mu.Lock()
	defer mo.mu.Unlock()
	out := make([]Window, len(mo.states))
	for i, st := range mo.states {
		out[i] = st.win
		if st.win.N == 0 {
			out[i].Min, out[i].Max, out[i].Last = math.NaN(), math.NaN(), math.NaN()
		}
		st.win = Window{}
	}
	return out
}

// Recording returns the counters of the recording (ok false without
// RecordTo).
func (mo *Monitor) Recording() (st record.Stats, ok bool) {
	if mo.sink == nil {
		return record.Stats{}, false
	}
	return mo.sink.Stats(), true
}

// ResetMinMax starts the minimum and maximum anew.
func (mo *Monitor) ResetMinMax() {
	mo.mu.Lock()
	defer mo.mu.Unlock()
	for _, st := range mo.states {
		st.Min, st.Max = math.Inf(1), math.Inf(-1)
		if !math.IsNaN(st.Value.Value) {
			st.Min, st.Max = st.Value.Value, st.Value.Value
		}
	}
}

// Stats returns the DAQ counters (ok false when every signal is polled)
// and the last polling error.
func (mo *Monitor) Stats() (s daq.Stats, ok bool, pollErr error) {
	mo.mu.Lock()
	pollErr = mo.pollErr
	mo.mu.Unlock()
	if mo.ses == nil {
		return daq.Stats{}, false, pollErr
	}
	return mo.ses.Stats(), true, pollErr
}

// Stop stops DAQ and polling. It is safe to call more than once.
func (mo *Monitor) Stop(ctx context.Context) error {
	mo.mu.Lock()
	if mo.stopped {
		mo.mu.Unlock()
		return nil
	}
	mo.stopped = true
	mo.mu.Unlock()
	mo.cancel()
	mo.wg.Wait()
	if mo.ses != nil {
		if _, err := mo.ses.Stop(ctx); err != nil {
			return fmt.Errorf("live: %w", err)
		}
	}
	return nil
}
