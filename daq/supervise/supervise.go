// Package supervise runs a DAQ measurement that can be left unattended.
//
// A Recorder configures and starts the DAQ lists of a daq.Session, waits
// for the duration or the context, and watches for everything that would
// otherwise end a measurement silently or hang it:
//
//   - a lost connection: the master's receive goroutine ended (the slave
//     closed its TCP connection, a send failed, a CAN controller went
//     bus-off — any error matching transport.ErrConnectionLost);
//   - a stall: no DTO for longer than a watchdog time (over UDP, CAN or
//     SxI a dead slave simply goes quiet), by default
//     max(1 s, 10 × the slowest list's event period);
//   - a failing sink: the recording file or a CSV file cannot be written
//     (disk full, I/O error).
//
// By default the measurement then ends at once: the sinks are closed
// cleanly with everything received so far, the interruption is stored in
// a sink that records interruptions (InterruptionRecorder, e.g. the
// recording file), and Run returns an *InterruptedError (or the sink's
// error). Once the slave is known to be gone, STOP and FREE_DAQ are not
// waited for.
//
// With Reconnect set, a lost connection is not the end: the Recorder keeps
// trying to reach the slave again (CONNECT on the same connection, or a
// new connection from Reconnect), configures and starts the same DAQ
// lists, and continues into the same sinks. Each interruption's start,
// end and cause are stored; frame and sample times stay on one time axis.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"log/slog"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// ErrLayoutChanged is matched by Run's error when the slave, after
// reconnecting, measures the lists with another DTO layout than the
// recording has (other list numbers, PIDs or ODTs): resuming into the
// same recording would mis-decode it.
var ErrLayoutChanged = errors.New("daq: the slave's DTO layout changed after reconnecting")

// errSinkFailed ends watch when a sink failed (Run returns a *SinkError).
var errSinkFailed = errors.New("sink failed")

// ErrStalled is matched by the cause of an interruption the stall watchdog
// detected: the slave sent no DTO for longer than Recorder.Stall.
var ErrStalled = errors.New("no DTO from the slave")

// Connector opens a new connection to the slave and sends CONNECT; the
// returned function closes it (DISCONNECT if still possible, close the
// transport). The Recorder calls it to reconnect when the old connection
// is gone for good.
type Connector func(ctx context.Context) (*master.Master, func() error, error)

// Recorder is an unattended DAQ measurement. Set the fields, then call Run
// once.
type Recorder struct {
	// Lists are the DAQ lists to measure.
	Lists []daq.List
	// Options configure each daq.Session (sinks, buffers, DAQ info). The
	// sinks are wrapped so that they see one measurement across
	// interruptions: FrameSink and SampleSinks get Begin once, End once
	// with the totals, and times continue on one axis.
	Options daq.Options
	// Duration ends the measurement after this time (wall clock, counting
	// interruptions); 0 runs until ctx is done.
	Duration time.Duration
	// Stall is the stall watchdog: no DTO for this long counts as a lost
	// connection. 0 derives it from the lists' events: max(1 s, 10 × the
	// slowest list's period), and disables it if a list's event has no
	// known cycle time. Negative disables it.
	Stall time.Duration
	// Reconnect enables reconnecting after a lost connection. It is called
	// when the current connection itself is gone (TCP closed); while a
	// connection is still open (UDP) CONNECT is retried on it first. nil
	// ends the measurement at the first interruption.
	Reconnect Connector
	// RetryInterval is the pause between reconnection attempts (default
	// 1 s); each attempt is bounded by AttemptTimeout (default 5 s).
	RetryInterval, AttemptTimeout time.Duration
	// StopTimeout bounds stopping the measurement and freeing the slave's
	// DAQ configuration at the end (default 10 s). After an interruption
	// the slave is not waited for.
	StopTimeout time.Duration
	// StatusInterval and OnStatus report progress (OnStatus is called on
	// Run's goroutine; nil: no reports).
	StatusInterval time.Duration
	OnStatus       func(Status)
	// OnInterruption, if set, is called when an interruption begins (End
	// zero) and when it ends.
	OnInterruption func(Interruption)
	// Logger receives the Recorder's log (nil: none).
	Logger *slog.Logger
}

// Interruption is a time the measurement was interrupted.
type Interruption struct {
	// Start is when the last data arrived before the interruption; End
	// when the measurement ran again (zero if it did not).
	Start, End time.Time
	// Cause says why (an error matching transport.ErrConnectionLost).
	Cause error
}

// Duration returns how long the interruption lasted (until now if it has
// not ended).
func (i Interruption) Duration() time.Duration {
	if i.End.IsZero() {
		return time.Since(i.Start)
	}
	return i.End.Sub(i.Start)
}

// InterruptedError is returned by Run when a lost connection ended the
// measurement. It unwraps to the cause (transport.ErrConnectionLost).
type InterruptedError struct{ Interruption }

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("measurement interrupted at %s: %v", e.Start.Format("15:04:05.000"), e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

// SinkError is returned by Run when a sink failed (e.g. the disk is full);
// the measurement was ended at once. It unwraps to the sink's error.
type SinkError struct {
	Err error
	// Frames is how many frames the FrameSink could not take (they are
	// counted in Stats.SinkDropped).
	Frames uint64
}

func (e *SinkError) Error() string { return "recording stopped: " + e.Err.Error() }
func (e *SinkError) Unwrap() error { return e.Err }

// StopError is returned by Run when the measurement ran to its end and
// everything received is in the sinks, but stopping the lists or freeing
// the DAQ configuration on the slave failed (the slave may still send). It
// unwraps to that error.
type StopError struct{ Err error }

func (e *StopError) Error() string {
	return "the recording is complete, but stopping DAQ on the slave failed: " + e.Err.Error()
}
func (e *StopError) Unwrap() error { return e.Err }

// InterruptionRecorder is implemented by sinks that store interruptions
// (the recording file does). RecordInterruption is called when an
// interruption begins (end zero) and again with the same start when it
// ends.
type InterruptionRecorder interface {
	RecordInterruption(start, end time.Time, cause string)
}

// LossRecorder is implemented by sinks that store the live loss counters
// (the recording file does, so that a file killed mid-way still holds
// them). The Recorder calls UpdateLoss about once a second with the
// totals.
type LossRecorder interface {
	UpdateLoss(st daq.Stats)
}

// Status is a progress report, given to OnStatus every StatusInterval.
type Status struct {
	// Elapsed is the time since the measurement started.
	Elapsed time.Duration
	// Stats are the totals over all connections so far.
	Stats daq.Stats
	// Samples is the number of samples of all lists so far (the sum of
	// Stats.Lists[i].Samples).
	Samples uint64
	// Rate is the samples per second since the previous report (since the
	// start for the first one); 0 while the measurement is interrupted.
	Rate float64
	// Interrupted is set while the measurement waits for the slave.
	Interrupted bool
	// Interruptions is the number of interruptions so far.
	Interruptions int
}

// Result is what Run measured.
type Result struct {
	Start    time.Time
	Duration time.Duration
	// Stats are the totals over all connections.
	Stats         daq.Stats
	Interruptions []Interruption
	// Layout is the measured DTO layout.
	Layout *dto.Layout
}

func (r *Recorder) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// run is the state of one Run.
type run struct {
	r        *Recorder
	start    time.Time
	end      <-chan time.Time
	frames   *frameSink
	samples  []*sampleSink
	total    daq.Stats // of the finished segments
	res      Result
	lastLoss time.Time
	lastAt   time.Time // when the last DTO arrived before an interruption
	// The previous progress report, for Status.Rate.
	lastElapsed time.Duration
	lastSamples uint64
}

// status reports progress to OnStatus: st are the totals so far.
func (ru *run) status(st daq.Stats, interrupted bool) {
	s := Status{Elapsed: time.Since(ru.start), Stats: st, Interrupted: interrupted, Interruptions: len(ru.res.Interruptions)}
	for _, l := range st.Lists {
		s.Samples += l.Samples
	}
	if d := (s.Elapsed - ru.lastElapsed).Seconds(); d > 0 && s.Samples >= ru.lastSamples {
		s.Rate = float64(s.Samples-ru.lastSamples) / d
	}
	ru.lastElapsed, ru.lastSamples = s.Elapsed, s.Samples
	ru.r.OnStatus(s)
}

// Run measures on m (connected; owned by the caller) until the duration
// is over or ctx is done, handling interruptions as the Recorder says.
// Errors before the measurement started (configuration refused by the
// slave, a sink that cannot begin) are returned as they are.
func (r *Recorder) Run(ctx context.Context, m *master.Master) (Result, error) {
	ru := &run{r: r, start: time.Now()}
	ru.res.Start = ru.start
	if r.Duration > 0 {
		t := time.NewTimer(r.Duration)
		defer t.Stop()
		ru.end = t.C
	}
	opts := r.Options
	if opts.Info == nil {
		// With the events: their cycle times set the stall watchdog.
		info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{Events: true, Lists: true, Override: opts.Override})
		if err != nil {
			return ru.res, err
		}
		opts.Info = info
	}
	if opts.Buffers == nil {
		// The segments after interruptions reuse the receive buffers.
		opts.Buffers = &daq.Buffers{}
	}
	if opts.Sink != nil {
		ru.frames = &frameSink{inner: opts.Sink}
		opts.Sink = ru.frames
	}
	opts.SampleSinks = nil
	for _, s := range r.Options.SampleSinks {
		w := &sampleSink{inner: s}
		ru.samples = append(ru.samples, w)
		opts.SampleSinks = append(opts.SampleSinks, w)
	}
	err := ru.loop(ctx, m, opts)
	ru.res.Duration = time.Since(ru.start)
	ru.res.Stats = ru.total
	if endErr := ru.endSinks(); endErr != nil && err == nil {
		err = endErr
	} else if endErr != nil {
		err = errors.Join(err, endErr)
	}
	ru.res.Stats = ru.total
	return ru.res, err
}

// loop runs segments until the end; it returns the error that ended it.
func (ru *run) loop(ctx context.Context, m *master.Master, opts daq.Options) error {
	r := ru.r
	var release func() error // of a master the Recorder opened itself
	defer func() {
		if release != nil {
			release()
		}
	}()
	first, resuming := true, false
	// next waits for the slave after an interruption and switches to its
	// connection; false when the end came first.
	next := func() bool {
		nm, rel, ok := ru.reconnect(ctx, m)
		if !ok {
			return false
		}
		if nm != m {
			if release != nil {
				release()
			}
			release = rel
		}
		m = nm
		return true
	}
	for {
		ses, err := ru.startSegment(ctx, m, opts)
		if err != nil {
			if first || errors.Is(err, ErrLayoutChanged) {
				return err
			}
			// The slave is back but not ready (answers lost right after a
			// reset, …): the interruption goes on.
			r.log().Info("resuming failed, still interrupted", "err", err)
			if !next() {
				return nil // the end came while waiting: the interruption stays open
			}
			continue
		}
		if resuming {
			in := &ru.res.Interruptions[len(ru.res.Interruptions)-1]
			in.End = time.Now()
			ru.noteInterruption(*in)
			r.log().Info("measurement resumed", "after", in.End.Sub(in.Start).Round(time.Millisecond))
			resuming = false
		}
		first = false
		_, failErr := ses.SinkFailed()
		cause := ru.watch(ctx, m, ses)
		if d, ok := ses.SinceLastFrame(); ok {
			ru.lastAt = time.Now().Add(-d)
		}
		st, stopErr := ru.stop(ctx, m, ses, cause)
		ru.total = addStats(ru.total, st)
		if fe := failErr(); fe != nil {
			return &SinkError{Err: fe, Frames: ru.total.SinkDropped}
		}
		if cause == nil {
			if stopErr != nil {
				return &StopError{Err: stopErr}
			}
			return nil
		}
		// Interrupted.
		at := ru.lastAt
		if at.IsZero() {
			at = time.Now()
		}
		in := Interruption{Start: at, Cause: cause}
		ru.res.Interruptions = append(ru.res.Interruptions, in)
		ru.noteInterruption(in)
		r.log().Warn("measurement interrupted", "cause", cause)
		if r.Reconnect == nil {
			return &InterruptedError{in}
		}
		if !next() {
			return nil // the end came while waiting: the interruption stays open
		}
		resuming = true
	}
}

// startSegment sets up and starts the lists on m.
func (ru *run) startSegment(ctx context.Context, m *master.Master, opts daq.Options) (*daq.Session, error) {
	ses, err := daq.Setup(ctx, m, ru.r.Lists, opts)
	if err != nil {
		return nil, err
	}
	if err := ses.Start(ctx); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ru.r.stopTimeout())
		ses.Stop(sctx)
		cancel()
		return nil, err
	}
	if ru.res.Layout == nil {
		ru.res.Layout = ses.Layout()
	}
	return ses, nil
}

func (r *Recorder) stopTimeout() time.Duration {
	if r.StopTimeout > 0 {
		return r.StopTimeout
	}
	return 10 * time.Second
}

// watch waits for the end of the segment: nil for the duration or ctx,
// else the cause of the interruption or a *SinkError.
func (ru *run) watch(ctx context.Context, m *master.Master, ses *daq.Session) error {
	r := ru.r
	stall := r.stallTime(ses)
	check := 250 * time.Millisecond
	if stall > 0 {
		check = min(check, max(stall/4, 10*time.Millisecond))
	}
	tick := time.NewTicker(check)
	defer tick.Stop()
	var status <-chan time.Time
	if r.OnStatus != nil && r.StatusInterval > 0 {
		t := time.NewTicker(r.StatusInterval)
		defer t.Stop()
		status = t.C
	}
	failed, _ := ses.SinkFailed()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ru.end:
			return nil
		case <-m.Lost():
			if err := m.Err(); errors.Is(err, transport.ErrConnectionLost) {
				return err
			}
			return &transport.LostError{Op: "master closed", Err: m.Err()}
		case <-failed:
			return errSinkFailed
		case <-tick.C:
			ru.updateLoss(ses, false)
			if stall > 0 {
				if d, ok := ses.SinceLastFrame(); ok && d > stall {
					return &transport.LostError{Op: fmt.Sprintf("no DTO for %v, watchdog %v", d.Round(time.Millisecond), stall), Err: ErrStalled}
				}
			}
		case <-status:
			ru.status(addStats(ru.total, ses.Stats()), false)
		}
	}
}

// updateLoss gives the totals to a LossRecorder sink about once a second.
func (ru *run) updateLoss(ses *daq.Session, force bool) {
	if ru.frames == nil {
		return
	}
	lr, ok := ru.frames.inner.(LossRecorder)
	if !ok || (!force && time.Since(ru.lastLoss) < time.Second) {
		return
	}
	ru.lastLoss = time.Now()
	st := ru.total
	if ses != nil {
		st = addStats(st, ses.Stats())
	}
	lr.UpdateLoss(st)
}

// stallTime is the watchdog time for the lists of ses.
func (r *Recorder) stallTime(ses *daq.Session) time.Duration {
	if r.Stall != 0 {
		return max(r.Stall, 0)
	}
	var slowest time.Duration
	for _, l := range ses.Layout().Lists {
		var cycle int64
		for _, e := range ses.Info().Events {
			if e.Number == l.Event {
				cycle = e.CycleNanos()
			}
		}
		if cycle <= 0 {
			r.log().Info("stall watchdog off: an event has no cycle time", "list", l.Name, "event", l.Event)
			return 0
		}
		slowest = max(slowest, time.Duration(cycle)*time.Duration(max(l.Prescaler, 1)))
	}
	return max(time.Second, 10*slowest)
}

// stop stops the segment. After an interruption the slave is not waited
// for: a gone connection fails at once, a stalled one gets a short grace.
func (ru *run) stop(ctx context.Context, m *master.Master, ses *daq.Session, cause error) (daq.Stats, error) {
	budget := ru.r.stopTimeout()
	if cause != nil && errors.Is(cause, transport.ErrConnectionLost) {
		budget = min(budget, max(m.Timeouts().T1/4, 200*time.Millisecond), time.Second)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	st, err := ses.Stop(sctx)
	ru.updateLoss(nil, false)
	return st, err
}

// noteInterruption tells the sinks and the caller about in.
func (ru *run) noteInterruption(in Interruption) {
	cause := ""
	if in.Cause != nil {
		cause = in.Cause.Error()
	}
	if ru.frames != nil {
		if ir, ok := ru.frames.inner.(InterruptionRecorder); ok {
			ir.RecordInterruption(in.Start, in.End, cause)
		}
	}
	for _, s := range ru.samples {
		if ir, ok := s.inner.(InterruptionRecorder); ok {
			ir.RecordInterruption(in.Start, in.End, cause)
		}
	}
	if ru.r.OnInterruption != nil {
		ru.r.OnInterruption(in)
	}
}

// reconnect waits for the slave: CONNECT on m while its connection is
// open, else new connections from Reconnect. ok is false if the end came
// first.
func (ru *run) reconnect(ctx context.Context, m *master.Master) (*master.Master, func() error, bool) {
	r := ru.r
	interval := r.RetryInterval
	if interval <= 0 {
		interval = time.Second
	}
	attempt := r.AttemptTimeout
	if attempt <= 0 {
		attempt = 5 * time.Second
	}
	var status <-chan time.Time
	if r.OnStatus != nil && r.StatusInterval > 0 {
		t := time.NewTicker(r.StatusInterval)
		defer t.Stop()
		status = t.C
	}
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, attempt)
		var (
			nm  *master.Master
			rel func() error
			err error
		)
		if m.Err() == nil {
			nm = m
			_, err = m.Connect(actx, xcp.ConnectNormal)
		} else {
			nm, rel, err = r.Reconnect(actx)
		}
		cancel()
		if err == nil {
			return nm, rel, true
		}
		r.log().Info("reconnect failed", "attempt", n, "err", err)
		wait := time.NewTimer(interval)
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				wait.Stop()
				return nil, nil, false
			case <-ru.end:
				wait.Stop()
				return nil, nil, false
			case <-status:
				ru.status(ru.total, true)
			case <-wait.C:
				waiting = false
			}
		}
	}
}

// endSinks ends the wrapped sinks with the totals.
func (ru *run) endSinks() error {
	var errs []error
	if ru.frames != nil && ru.frames.begun {
		if lr, ok := ru.frames.inner.(LossRecorder); ok {
			lr.UpdateLoss(ru.total)
		}
		if err := ru.frames.inner.End(ru.total); err != nil {
			errs = append(errs, fmt.Errorf("daq: frame sink: %w", err))
		}
	}
	for _, s := range ru.samples {
		if s.begun && !s.ended {
			if err := s.inner.End(ru.total); err != nil {
				errs = append(errs, fmt.Errorf("daq: sample sink: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}
