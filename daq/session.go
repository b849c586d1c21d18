package daq

import (
	"context"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Options configure a Session. The zero value reads the DAQ info from the
// slave and delivers nothing (counters only).
type Options struct {
	// Info is the slave's DAQ info; nil reads it with ReadInfo.
	Info *Info
	// Override supplies DAQ info the slave does not provide.
	Override *Override
	// Sink receives the raw frames (e.g. the recorder of package record).
	Sink FrameSink
	// SampleSinks receive decoded samples (e.g. goxcp/recorder.CSVSink).
	SampleSinks []SampleSink
	// OnSample is called for every decoded sample on the consumer
	// goroutine; it must not keep the sample.
	OnSample func(*dto.Sample)
	// ChunkSize and Chunks size the receive buffers (bytes per chunk,
	// number of chunks): the memory that absorbs a slow consumer.
	// 0 means 1 MiB and 16.
	ChunkSize, Chunks int
	// Buffers, if set, lends the receive buffers to the measurement and
	// takes them back when it stops, for the next measurement on the same
	// Buffers (supervise resumes a recording after an interruption this
	// way): the memory is allocated once instead of once per measurement.
	Buffers *Buffers
	// FlushInterval bounds how long received frames wait before the
	// consumer sees them (0 = 50 ms).
	FlushInterval time.Duration
	// MaxStall bounds how long the receive path waits for a free buffer
	// when the consumer is behind before it drops a frame (counted in
	// Stats.Dropped): 0 means 500 ms, negative means never wait. Waiting
	// throttles a slave over TCP instead of losing data; OnSample and the
	// sinks must therefore not wait for the master.
	MaxStall time.Duration
	// NoWriteMultiple disables WRITE_DAQ_MULTIPLE.
	NoWriteMultiple bool
	// SeparateLists configures lists that share an event and prescaler
	// as separate DAQ lists. By default they are measured as one DAQ list
	// named "a+b" (see Layout), because some slaves (XCPlite) break on a
	// second SET_DAQ_LIST_MODE for an event.
	SeparateLists bool
}

// Session is DAQ measurement of a set of DAQ lists on one slave: Setup
// configures the slave, Start starts the lists and the receiving, Stop
// stops them and leaves the slave without DAQ configuration. Methods are
// not safe for concurrent use, except Stats.
type Session struct {
	m      *master.Master
	f      xcp.Format
	info   *Info
	lay    *dto.Layout
	opts   Options
	static bool

	mu         sync.Mutex // guards state below against the recovery hook
	configured bool       // the slave holds our configuration, modes not yet used
	predefMode bool       // SET_DAQ_LIST_MODE was sent for the predefined lists
	running    bool

	rx     *receiver
	lastRx *receiver     // of the last measurement (HostOrigin)
	chans  []chan Record // Samples channels for the next Start

	// reinits counts completed configurations by the PreReinitDaq recovery:
	// a configuration sequence interrupted by one is complete.
	reinits atomic.Uint64
	pending []byte // the configuration command in flight (for the recovery)
}

// ErrUnknownEvent is matched by the error of a list that names an event
// the slave does not have.
var ErrUnknownEvent = errors.New("the slave has no event")

// ErrRunning is returned by Start on a running session.
var ErrRunning = errors.New("daq: session is running")

// Setup checks the lists against the slave's DAQ info, allocates ODTs and
// writes the configuration to the slave (dynamic: FREE_DAQ, ALLOC_DAQ,
// ALLOC_ODT, ALLOC_ODT_ENTRY, SET_DAQ_PTR, WRITE_DAQ[_MULTIPLE]; static:
// CLEAR_DAQ_LIST into the existing lists), and SET_DAQ_LIST_MODE. It
// installs a master Recovery for xcp.PreReinitDaq that repeats this.
func Setup(ctx context.Context, m *master.Master, lists []List, opts Options) (*Session, error) {
	f := m.Format()
	info := opts.Info
	if info == nil {
		var err error
		info, err = ReadInfo(ctx, m, f, InfoOptions{Override: opts.Override, Lists: true})
		if err != nil {
			return nil, err
		}
	} else {
		opts.Override.Apply(info, false)
	}
	if err := info.Complete(); err != nil {
		return nil, err
	}
	s := &Session{m: m, f: f, info: info, opts: opts}
	s.static = info.Processor.Properties&xcp.DaqConfigDynamic == 0
	lists = append([]List(nil), lists...)
	if err := s.resolveEvents(ctx, lists); err != nil {
		return nil, err
	}
	if err := ValidateLists(lists); err != nil {
		return nil, fmt.Errorf("daq: %w", err)
	}
	if !opts.SeparateLists {
		lists = mergeByEvent(lists)
	}
	if err := s.check(lists); err != nil {
		return nil, err
	}
	if err := s.checkStim(ctx, lists); err != nil {
		return nil, err
	}
	if err := checkAG(f, info, lists); err != nil {
		return nil, err
	}
	lay, err := s.layout(ctx, m, lists)
	if err != nil {
		return nil, err
	}
	s.lay = lay
	m.SetRecovery(xcp.PreReinitDaq, s.recover)
	if err := s.configure(ctx, m); err != nil {
		m.SetRecovery(xcp.PreReinitDaq, nil)
		s.clean(ctx) // best effort: leave no half configuration behind
		return nil, err
	}
	return s, nil
}

// resolveEvents sets Event of the lists that name their event.
func (s *Session) resolveEvents(ctx context.Context, lists []List) error {
	for i := range lists {
		l := &lists[i]
		if l.EventName == "" {
			continue
		}
		if len(s.info.Events) == 0 {
			evs, err := readEvents(ctx, s.m, s.f, s.info.Processor.MaxEvent)
			if err != nil {
				return fmt.Errorf("daq: DAQ list %q names event %q, but the events cannot be read: %w", l.Name, l.EventName, err)
			}
			s.info.Events, s.info.EventsSource = evs, FromSlave
		}
		n, ok := s.info.EventByName(l.EventName)
		if !ok {
			var names []string
			for _, e := range s.info.Events {
				names = append(names, strconv.Quote(e.Name))
			}
			return fmt.Errorf("daq: DAQ list %q: %w %q (it has %s)", l.Name, ErrUnknownEvent, l.EventName, strings.Join(names, ", "))
		}
		l.Event = n
	}
	return nil
}

// check validates the lists against what the slave supports.
func (s *Session) check(lists []List) error {
	if err := ValidateLists(lists); err != nil {
		return fmt.Errorf("daq: %w", err)
	}
	p, r := s.info.Processor, s.info.Resolution
	n := 0
	for _, l := range lists {
		if !l.Predefined {
			n++
		}
	}
	if avail := maxConfigurable(p); n > avail {
		return fmt.Errorf("daq: %d DAQ lists requested, the slave offers %d (MAX_DAQ %d, MIN_DAQ %d)", n, avail, p.MaxDaq, p.MinDaq)
	}
	for i := range lists {
		l := &lists[i]
		if l.Predefined {
			if l.Number >= uint16(p.MinDaq) {
				return fmt.Errorf("daq: DAQ list %q: list %d is not predefined (the slave has %d predefined lists)", l.Name, l.Number, p.MinDaq)
			}
			for _, li := range s.info.Lists {
				if li.Number == l.Number && li.Properties&xcp.ListEventFixed != 0 && li.FixedEvent != l.Event {
					return fmt.Errorf("daq: DAQ list %q: predefined list %d is fixed to event %d, not %d", l.Name, l.Number, li.FixedEvent, l.Event)
				}
			}
		}
		if p.MaxEvent > 0 && l.Event >= p.MaxEvent {
			return fmt.Errorf("daq: DAQ list %q: event %d does not exist (the slave has %d events)", l.Name, l.Event, p.MaxEvent)
		}
		if l.Prescaler > 1 && p.Properties&xcp.DaqPrescalerSupported == 0 {
			return fmt.Errorf("daq: DAQ list %q: prescaler %d, but the slave does not support prescalers", l.Name, l.Prescaler)
		}
		if l.Timestamps && (p.Properties&xcp.DaqTimestampSupported == 0 || r.TimestampMode.Size() == 0) {
			return fmt.Errorf("daq: DAQ list %q asks for timestamps, but the slave has no DAQ timestamps", l.Name)
		}
		if r.TimestampMode.Fixed() && r.TimestampMode.Size() > 0 {
			l.Timestamps = true // the slave always sends them
		}
	}
	return nil
}

// maxConfigurable is how many DAQ lists the master may configure. With a
// static configuration these are the lists MIN_DAQ…MAX_DAQ-1. With a
// dynamic one MAX_DAQ is no limit: it is MIN_DAQ plus the number of lists
// allocated at the moment (XCP part 2, GET_DAQ_PROCESSOR_INFO; XCPlite
// answers 0 before ALLOC_DAQ), so only the 16-bit list number bounds it
// and ALLOC_DAQ reports ERR_MEMORY_OVERFLOW when the slave runs out.
func maxConfigurable(p xcp.GetDaqProcessorInfoResponse) int {
	if p.Properties&xcp.DaqConfigDynamic != 0 {
		return 0x10000 - int(p.MinDaq)
	}
	return int(p.MaxDaq) - int(p.MinDaq)
}

// Layout returns the DTO layout (valid after Setup; the first PIDs are
// final after Start).
func (s *Session) Layout() *dto.Layout { return s.lay }

// Info returns the DAQ info used.
func (s *Session) Info() *Info { return s.info }

func (s *Session) do(ctx context.Context, x Exchanger, what string, req []byte) ([]byte, error) {
	p, err := x.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("daq: %s: %w", what, err)
	}
	return p, nil
}

// selectLists selects every list and records the first PIDs.
func (s *Session) selectLists(ctx context.Context, x Exchanger) error {
	for i := range s.lay.Lists {
		l := &s.lay.Lists[i]
		p, err := s.do(ctx, x, fmt.Sprintf("START_STOP_DAQ_LIST select (list %q)", l.Name),
			xcp.StartStopDaqList{Mode: xcp.DaqListSelect, List: l.Number}.Append(nil, s.f))
		if err != nil {
			return err
		}
		var r xcp.StartStopDaqListResponse
		if err := r.Decode(p, s.f); err != nil {
			return fmt.Errorf("daq: START_STOP_DAQ_LIST (list %q): %w", l.Name, err)
		}
		if s.lay.IDField == xcp.IDAbsODT {
			l.FirstPID = r.FirstPID
		}
	}
	return nil
}

// recover re-initialises DAQ for the error-handling matrix (PreReinitDaq):
// it writes the configuration again and restarts the lists if they ran.
func (s *Session) recover(ctx context.Context, x master.Exchanger) error {
	s.mu.Lock()
	running := s.running
	pending := append([]byte(nil), s.pending...)
	s.mu.Unlock()
	if len(pending) > 0 {
		// A command of our own configuration failed: replay the sequence up
		// to it; the error handling then repeats it and the sequence goes on.
		err := s.configureOnce(ctx, &stopper{x: x, stopAt: pending})
		if errors.Is(err, errStopHere) {
			return nil
		}
		if err != nil {
			return err
		}
	} else if err := s.configureOnce(ctx, x); err != nil {
		return err
	}
	s.reinits.Add(1)
	if !running {
		return nil
	}
	if err := s.selectLists(ctx, x); err != nil {
		return err
	}
	_, err := s.do(ctx, x, "START_STOP_SYNCH start", xcp.StartStopSynch{Mode: xcp.SynchStartSelected}.Append(nil, s.f))
	if err == nil {
		s.mu.Lock()
		s.configured = false
		s.mu.Unlock()
	}
	return err
}

// Start starts receiving and all lists (START_STOP_DAQ_LIST select for each,
// then START_STOP_SYNCH start selected). A session that ran before is
// configured again first: a slave must not see SET_DAQ_LIST_MODE twice for
// a list without a new allocation.
func (s *Session) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return ErrRunning
	}
	need := !s.configured
	s.mu.Unlock()
	if need {
		s.m.SetRecovery(xcp.PreReinitDaq, s.recover)
		if err := s.configure(ctx, s.m); err != nil {
			return err
		}
	}
	if err := s.selectLists(ctx, s.m); err != nil {
		return err
	}
	rx, err := newReceiver(s)
	if err != nil {
		return err
	}
	if err := rx.begin(); err != nil {
		return err
	}
	s.m.SetDTOHandler(rx.onDTO)
	s.mu.Lock()
	s.rx = rx
	s.running, s.configured = true, false
	s.mu.Unlock()
	if _, err := s.do(ctx, s.m, "START_STOP_SYNCH start", xcp.StartStopSynch{Mode: xcp.SynchStartSelected}.Append(nil, s.f)); err != nil {
		s.m.SetDTOHandler(nil)
		rx.finish()
		s.mu.Lock()
		s.rx, s.running = nil, false
		s.mu.Unlock()
		return err
	}
	return nil
}

// Stop stops all lists (START_STOP_SYNCH stop all), delivers what was
// received, ends the sinks and frees the slave's DAQ configuration
// (FREE_DAQ, or CLEAR_DAQ_LIST for static lists). It returns the final
// statistics; the error reports the first failure (the slave's, or a
// sink's).
func (s *Session) Stop(ctx context.Context) (Stats, error) {
	s.mu.Lock()
	running := s.running
	s.mu.Unlock()
	var errs []error
	if running {
		if _, err := s.do(ctx, s.m, "START_STOP_SYNCH stop", xcp.StartStopSynch{Mode: xcp.SynchStopAll}.Append(nil, s.f)); err != nil {
			errs = append(errs, err)
		}
	}
	var st Stats
	s.mu.Lock()
	rx := s.rx
	s.mu.Unlock()
	if rx != nil {
		s.m.SetDTOHandler(nil)
		var err error
		st, err = rx.finish()
		if err != nil {
			errs = append(errs, err)
		}
	}
	s.mu.Lock()
	if rx != nil {
		s.lastRx = rx
	}
	s.rx, s.running, s.configured = nil, false, false
	s.mu.Unlock()
	s.m.SetRecovery(xcp.PreReinitDaq, nil)
	if err := s.clean(ctx); err != nil {
		errs = append(errs, err)
	}
	return st, errors.Join(errs...)
}

// clean removes the configuration from the slave.
func (s *Session) clean(ctx context.Context) error {
	if !s.static {
		_, err := s.do(ctx, s.m, "FREE_DAQ", []byte{byte(xcp.CmdFreeDaq)})
		return err
	}
	for _, l := range s.lay.Lists {
		if l.Predefined {
			continue
		}
		if _, err := s.do(ctx, s.m, fmt.Sprintf("CLEAR_DAQ_LIST (list %q)", l.Name), xcp.ClearDaqList{List: l.Number}.Append(nil, s.f)); err != nil {
			return err
		}
	}
	return nil
}

// HostOrigin returns the wall-clock time of host time 0 of Record.Host
// (Sample.HostNS counts from Header.Start instead): the arrival of the first DTO of the running or last
// measurement. ok is false before the first DTO.
func (s *Session) HostOrigin() (t time.Time, ok bool) {
	s.mu.Lock()
	rx := s.rx
	if rx == nil {
		rx = s.lastRx
	}
	s.mu.Unlock()
	if rx == nil {
		return time.Time{}, false
	}
	h := rx.host0.Load()
	if h == 0 {
		return time.Time{}, false
	}
	return rx.hdr.Start.Add(time.Duration(h - 1)), true
}

// SinkFailed returns a channel that is closed when a sink of the running
// measurement failed (a FrameSink or SampleSink returned an error, e.g. a
// full disk), and the error; both are nil when no measurement runs. From
// then on the frames the failed FrameSink is no longer given are counted
// in Stats.SinkDropped. Safe to call from any goroutine.
func (s *Session) SinkFailed() (<-chan struct{}, func() error) {
	s.mu.Lock()
	rx := s.rx
	s.mu.Unlock()
	if rx == nil {
		return nil, nil
	}
	return rx.failed, func() error {
		if e := rx.failErr.Load(); e != nil {
			return *e
		}
		return nil
	}
}

// SinceLastFrame returns how long ago the last DTO of the running
// measurement arrived (since the connection opened if none did yet), for
// a stall watchdog; ok is false when no measurement runs. Safe to call
// from any goroutine.
func (s *Session) SinceLastFrame() (d time.Duration, ok bool) {
	s.mu.Lock()
	rx := s.rx
	s.mu.Unlock()
	if rx == nil {
		return 0, false
	}
	return rx.sinceLast(), true
}

// Stats returns the live counters (safe to call from any goroutine).
func (s *Session) Stats() Stats {
	s.mu.Lock()
	rx := s.rx
	s.mu.Unlock()
	if rx == nil {
		return Stats{}
	}
	return rx.stats()
}
