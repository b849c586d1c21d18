package stimulus

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrNoStimList is returned for a configuration without a STIM list.
var ErrNoStimList = errors.New("no STIM list (mark one with stim = true)")

// UnknownNameError reports a measurement name a Source sets that no STIM
// list has.
type UnknownNameError struct {
	Name string
	Have []string // the measurement names of the STIM lists, sorted
}

func (e *UnknownNameError) Error() string {
	return fmt.Sprintf("no STIM list has a measurement %q (they have %s)", e.Name, strings.Join(e.Have, ", "))
}

// SetError reports a value a measurement cannot take (out of the range of
// its type, not a whole number for an integer type).
type SetError struct {
	Set int // 1-based number of the set
	Err error
}

func (e *SetError) Error() string { return fmt.Sprintf("set %d: %v", e.Set, e.Err) }
func (e *SetError) Unwrap() error { return e.Err }

// MismatchError reports stimulated measurements whose read-back differs
// from the last value sent.
type MismatchError struct{ Err error }

func (e *MismatchError) Error() string { return e.Err.Error() }
func (e *MismatchError) Unwrap() error { return e.Err }

// Check reports whether src fits lists: it returns ErrNoStimList when no
// list is a STIM list and an *UnknownNameError for a name src sets that no
// STIM list measures. The measurements must be resolved (A2L names turned
// into addresses) already.
func Check(lists []daq.List, src *Source) error {
	_, err := owners(lists, src)
	return err
}

// owners returns which STIM lists measure which names.
func owners(lists []daq.List, src *Source) (map[string][]string, error) {
	own := map[string][]string{}
	stim := false
	for _, l := range lists {
		if !l.Stim {
			continue
		}
		stim = true
		for _, m := range l.Measurements {
			own[m.Name] = append(own[m.Name], l.Name)
		}
	}
	if !stim {
		return nil, ErrNoStimList
	}
	for _, n := range src.Names() {
		if len(own[n]) == 0 {
			var have []string
			for k := range own {
				have = append(have, k)
			}
			sort.Strings(have)
			return nil, &UnknownNameError{Name: n, Have: have}
		}
	}
	return own, nil
}

// Options control Run. The zero value sends one set of a constant source,
// and every row of a table once, at the STIM event's cycle.
type Options struct {
	// Override supplies DAQ info the slave does not provide (a list
	// file's [override]).
	Override *daq.Override
	// Period is the time between sets; 0 means the cycle of the first
	// STIM list's event, or 10 ms for an acyclic event.
	Period time.Duration
	// Count stops after this many sets, Duration after this time (0 =
	// no limit). Without either, a source of constants sends one set and
	// any other source runs until it ends or ctx is done.
	Count    int
	Duration time.Duration
	// Verify reads every stimulated measurement back (UPLOAD) after the
	// last set and returns a *MismatchError when one differs.
	Verify bool
	// Progress, if set, is called after every set sent with the result
	// so far (on Run's goroutine; it must not keep r.Last).
	Progress func(r Result)
}

// Result is what a Run sent.
type Result struct {
	Sets     int                // sets sent
	DTOs     int                // STIM DTOs sent
	Period   time.Duration      // time between sets
	Duration time.Duration      // from the first set to the end of the run
	Last     map[string]float64 // the values of the last set
	// Done is true when every set was sent (or ctx ended the run): a
	// non-nil error of Run then comes from the read-back or from
	// stopping the lists.
	Done bool
	// Interrupted is true when ctx ended the sending (no read-back then).
	Interrupted bool
	Verified    bool      // Options.Verify found every measurement as sent
	Stats       daq.Stats // of the DAQ session (EV_STIM_TIMEOUT count …)
}

// Run configures lists on the slave (STIM lists are kept separate even
// when they share an event), starts them, sends the sets of src at the
// period until the source, Count or Duration ends or ctx is done, waits
// two event cycles so the slave applies the last set, optionally reads
// the values back, and stops the lists. ctx ending the run is a normal
// end (Result.Done). A value a measurement cannot take is a *SetError.
func Run(ctx context.Context, m *master.Master, lists []daq.List, src *Source, opts Options) (Result, error) {
	if _, err := owners(lists, src); err != nil {
		return Result{}, err
	}
	info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{Events: true, Lists: true, Override: opts.Override})
	if err != nil {
		return Result{}, err
	}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{Info: info, Override: opts.Override, SeparateLists: true})
	if err != nil {
		return Result{}, err
	}
	// The session's lists are the configured ones (names and
	// measurements as given), in slave order.
	var stimLists []string
	var lay []daq.List
	for _, l := range ses.Layout().Lists {
		lay = append(lay, daq.List{Name: l.Name, Stim: l.Stim, Measurements: l.Measurements})
		if l.Stim {
			stimLists = append(stimLists, l.Name)
		}
	}
	own, err := owners(lay, src)
	if err != nil {
		return Result{}, err
	}
	period, cycle := opts.Period, eventCycle(ses, stimLists[0])
	if period == 0 {
		period = cycle
		if period == 0 {
			period = 10 * time.Millisecond
		}
	}
	if err := ses.Start(ctx); err != nil {
		ses.Stop(context.WithoutCancel(ctx))
		return Result{}, err
	}
	res, runErr := drive(ctx, ses, src, own, stimLists, period, cycle, opts)
	res.Period = period
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var verifyErr error
	if runErr == nil && !res.Interrupted && opts.Verify {
		// The slave applies the last set at one of its next events; under
		// load that can take longer than the cycles drive waits, so a
		// read-back that still shows an older set is repeated (bounded).
		deadline := time.Now().Add(time.Second + 100*cycle)
		for {
			verifyErr = verify(sctx, m, ses, res.Last)
			var me *MismatchError
			if !errors.As(verifyErr, &me) || time.Now().After(deadline) {
				break
			}
			time.Sleep(max(cycle, time.Millisecond))
		}
		res.Verified = verifyErr == nil
	}
	st, stopErr := ses.Stop(sctx)
	res.Stats = st
	if runErr != nil {
		return res, runErr
	}
	return res, errors.Join(verifyErr, stopErr)
}

// eventCycle returns the cycle of the event of list name (0 if unknown or
// not cyclic).
func eventCycle(ses *daq.Session, name string) time.Duration {
	for _, l := range ses.Layout().Lists {
		if l.Name != name {
			continue
		}
		for _, e := range ses.Info().Events {
			if e.Number == l.Event {
				return time.Duration(e.CycleNanos())
			}
		}
	}
	return 0
}

// drive sends the sets until the source, the count or the duration ends
// or ctx is done, then waits two event cycles for the slave to apply the
// last one.
func drive(ctx context.Context, ses *daq.Session, src *Source, own map[string][]string, lists []string, period, cycle time.Duration, opts Options) (Result, error) {
	sts := map[string]*daq.Stimulator{}
	dtos := 0
	for _, n := range lists {
		st, err := ses.Stimulator(ctx, n)
		if err != nil {
			return Result{}, err
		}
		sts[n] = st
		for _, l := range ses.Layout().Lists {
			if l.Name == n {
				dtos += len(l.ODTs)
			}
		}
	}
	count := opts.Count
	if count == 0 && opts.Duration == 0 && !src.Changing() {
		count = 1 // constants only: one set
	}
	var end <-chan time.Time
	if opts.Duration > 0 {
		t := time.NewTimer(opts.Duration)
		defer t.Stop()
		end = t.C
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	res := Result{Last: map[string]float64{}}
	vals := map[string]float64{}
	start := time.Now()
	for i := 0; count == 0 || i < count; i++ {
		if !src.Values(i, time.Since(start), vals) {
			break
		}
		for name, v := range vals {
			for _, l := range own[name] {
				if err := sts[l].Set(name, v); err != nil {
					return res, &SetError{Set: i + 1, Err: err}
				}
			}
		}
		for _, n := range lists {
			if err := sts[n].Send(ctx); err != nil {
				if ctx.Err() != nil { // ctx ended the run while sending
					res.Duration, res.Done, res.Interrupted = time.Since(start), true, true
					return res, nil
				}
				return res, err
			}
		}
		res.Sets++
		res.DTOs += dtos
		for k, v := range vals {
			res.Last[k] = v
		}
		if opts.Progress != nil {
			res.Duration = time.Since(start)
			opts.Progress(res)
		}
		select {
		case <-ctx.Done():
			res.Duration, res.Done, res.Interrupted = time.Since(start), true, true
			return res, nil
		case <-end:
			count = i + 1
		case <-tick.C:
		}
	}
	// Let the slave apply the last set at its event.
	wait := 2 * cycle
	if cycle == 0 {
		wait = 100 * time.Millisecond
	}
	select {
	case <-ctx.Done():
	case <-time.After(max(wait, 20*time.Millisecond)):
	}
	res.Duration, res.Done = time.Since(start), true
	return res, nil
}

// verify reads every stimulated measurement back and compares it with the
// last value sent (as the measurement's type stores it).
func verify(ctx context.Context, m *master.Master, ses *daq.Session, last map[string]float64) error {
	var errs []error
	order := ses.Layout().Order
	for _, l := range ses.Layout().Lists {
		if !l.Stim {
			continue
		}
		for _, ms := range l.Measurements {
			v, ok := last[ms.Name]
			if !ok {
				continue
			}
			raw, err := daq.EncodeValue(ms.Type, v)
			if err != nil {
				return err
			}
			got, err := m.Read(ctx, ms.Address, ms.Extension, ms.Type.Size())
			if err != nil {
				return fmt.Errorf("verify %q: %w", ms.Name, err)
			}
			var have uint64
			for i := range got {
				k := i
				if order == xcp.Motorola {
					k = len(got) - 1 - i
				}
				have |= uint64(got[k]) << (8 * i)
			}
			if n := ms.Type.Size(); n < 8 {
				raw &= 1<<(8*n) - 1
			}
			if have != raw {
				errs = append(errs, fmt.Errorf("verify: %q at 0x%X reads % X, but %v was sent (raw 0x%X)", ms.Name, ms.Address, got, v, raw))
			}
		}
	}
	if len(errs) > 0 {
		return &MismatchError{errors.Join(errs...)}
	}
	return nil
}
