package daq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"goxcp/master"
	"goxcp/xcp"
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
	// SampleSinks receive decoded samples (e.g. a CSVWriter).
	SampleSinks []SampleSink
	// OnSample is called for every decoded sample on the consumer
	// goroutine; it must not keep the sample.
	OnSample func(*Sample)
	// ChunkSize and Chunks size the receive buffers (bytes per chunk,
	// number of chunks): the memory that absorbs a slow consumer.
	// 0 means 1 MiB and 16.
	ChunkSize, Chunks int
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
}

// Session is DAQ measurement of a set of DAQ lists on one slave: Setup
// configures the slave, Start starts the lists and the receiving, Stop
// stops them and leaves the slave without DAQ configuration. Methods are
// not safe for concurrent use, except Stats.
type Session struct {
	m      *master.Master
	f      xcp.Format
	info   *Info
	lay    *Layout
	opts   Options
	static bool

	mu         sync.Mutex // guards state below against the recovery hook
	configured bool       // the slave holds our configuration, modes not yet used
	predefMode bool       // SET_DAQ_LIST_MODE was sent for the predefined lists
	running    bool

	rx    *receiver
	chans []chan Record // Samples channels for the next Start

	// reinits counts completed configurations by the PreReinitDaq recovery:
	// a configuration sequence interrupted by one is complete.
	reinits atomic.Uint64
	pending []byte // the configuration command in flight (for the recovery)
}

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
	if err := s.check(lists); err != nil {
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
		return nil, err
	}
	return s, nil
}

// layout allocates ODTs for the configurable lists and reads the ODTs of
// the predefined ones, keeping the order of lists.
func (s *Session) layout(ctx context.Context, x Exchanger, lists []List) (*Layout, error) {
	info, f := s.info, s.f
	lim := LimitsFromInfo(info, f)
	var conf []List
	for _, l := range lists {
		if !l.Predefined {
			conf = append(conf, l)
		}
	}
	if s.static && len(conf) > 0 {
		// The lists go into the static lists MIN_DAQ…; each has fixed
		// numbers of ODTs and entries.
		for _, li := range info.Lists {
			if li.Number >= lim.FirstList && int(li.Number) < int(lim.FirstList)+len(conf) {
				if lim.MaxODT == 0 || int(li.MaxODT) < lim.MaxODT {
					lim.MaxODT = int(li.MaxODT)
				}
				if lim.MaxEntries == 0 || int(li.MaxEntries) < lim.MaxEntries {
					lim.MaxEntries = int(li.MaxEntries)
				}
			}
		}
		if lim.MaxODT == 0 || lim.MaxEntries == 0 {
			return nil, fmt.Errorf("daq: static DAQ configuration: GET_DAQ_LIST_INFO gave no ODT/entry limits for lists %d..%d", lim.FirstList, int(lim.FirstList)+len(conf)-1)
		}
	}
	lay := &Layout{Order: lim.Order, IDField: lim.IDField, TimestampSize: lim.TimestampSize,
		TimestampUnit: lim.TimestampUnit, TimestampTick: lim.TimestampTick, OverloadMSB: lim.OverloadMSB}
	var alloc *Layout
	if len(conf) > 0 {
		var err error
		if alloc, err = Allocate(conf, lim); err != nil {
			return nil, err
		}
	}
	ci := 0
	for _, l := range lists {
		if !l.Predefined {
			lay.Lists = append(lay.Lists, alloc.Lists[ci])
			ci++
			continue
		}
		ll, err := s.readPredefined(ctx, x, l, lim)
		if err != nil {
			return nil, err
		}
		lay.Lists = append(lay.Lists, *ll)
	}
	return lay, nil
}

// readPredefined reads the ODTs of a predefined list (SET_DAQ_PTR and
// READ_DAQ) and places the list's measurements in them.
func (s *Session) readPredefined(ctx context.Context, x Exchanger, l List, lim Limits) (*ListLayout, error) {
	maxODT, maxEntries := 0xFC, 0xFF
	for _, li := range s.info.Lists {
		if li.Number == l.Number {
			maxODT, maxEntries = int(li.MaxODT), int(li.MaxEntries)
		}
	}
	f := s.f
	ll := &ListLayout{List: l, Number: l.Number, Offsets: make([]int, len(l.Measurements))}
	for o := range maxODT {
		var odt ODT
		for e := range maxEntries {
			if e == 0 {
				_, err := x.Do(ctx, xcp.SetDaqPtr{List: l.Number, ODT: uint8(o)}.Append(nil, f))
				if errors.Is(err, xcp.ErrOutOfRange) && o > 0 {
					break // no more ODTs
				}
				if err != nil {
					return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): SET_DAQ_PTR ODT %d: %w", l.Name, l.Number, o, err)
				}
			}
			p, err := x.Do(ctx, []byte{byte(xcp.CmdReadDaq)})
			if err != nil {
				if errors.Is(err, xcp.ErrSequence) || errors.Is(err, xcp.ErrOutOfRange) {
					break // past the last entry
				}
				return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): READ_DAQ: %w", l.Name, l.Number, err)
			}
			var r xcp.ReadDaqResponse
			if err := r.Decode(p, f); err != nil {
				return nil, fmt.Errorf("daq: predefined DAQ list %q: %w", l.Name, err)
			}
			if r.Size == 0 {
				break
			}
			if r.BitOffset != xcp.NoBitOffset {
				return nil, fmt.Errorf("daq: predefined DAQ list %q: ODT %d entry %d is a single bit, which is not supported", l.Name, o, e)
			}
			odt.Entries = append(odt.Entries, Entry{Addr: r.Addr, Ext: r.Ext, Size: r.Size})
		}
		if len(odt.Entries) == 0 {
			break
		}
		ll.ODTs = append(ll.ODTs, odt)
	}
	if len(ll.ODTs) == 0 {
		return nil, fmt.Errorf("daq: predefined DAQ list %q (%d) has no ODT entries", l.Name, l.Number)
	}
	for i, m := range l.Measurements {
		off, found := 0, false
		for _, o := range ll.ODTs {
			for _, e := range o.Entries {
				if e.Ext == m.Ext && m.Addr >= e.Addr && uint64(m.Addr)+uint64(m.Type.Size()) <= uint64(e.Addr)+uint64(e.Size) {
					ll.Offsets[i], found = off+int(m.Addr-e.Addr), true
				}
				off += int(e.Size)
			}
			if found {
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): measurement %q (0x%X, %s) is not in any of its ODT entries", l.Name, l.Number, m.Name, m.Addr, m.Type)
		}
	}
	return ll, nil
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
func (s *Session) Layout() *Layout { return s.lay }

// Info returns the DAQ info used.
func (s *Session) Info() *Info { return s.info }

func (s *Session) do(ctx context.Context, x Exchanger, what string, req []byte) ([]byte, error) {
	p, err := x.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("daq: %s: %w", what, err)
	}
	return p, nil
}

// configure writes the configuration and the list modes to the slave. If a
// command fails in a way the error-handling matrix cures with PreReinitDaq,
// the recovery (s.recover) writes the whole configuration again, nested
// inside the failing command; the interrupted sequence is then complete.
func (s *Session) configure(ctx context.Context, x Exchanger) error {
	gen := s.reinits.Load()
	err := s.configureOnce(ctx, &watch{x: x, s: s, gen: gen})
	if errors.Is(err, errReinitialised) {
		return nil
	}
	return err
}

var errReinitialised = errors.New("daq: configuration re-initialised by the recovery")

// watch is an Exchanger that ends a configuration sequence once a recovery
// has completed the configuration.
type watch struct {
	x   Exchanger
	s   *Session
	gen uint64
}

func (w *watch) Do(ctx context.Context, req []byte) ([]byte, error) {
	w.s.mu.Lock()
	w.s.pending = req
	w.s.mu.Unlock()
	p, err := w.x.Do(ctx, req)
	w.s.mu.Lock()
	w.s.pending = nil
	w.s.mu.Unlock()
	if w.s.reinits.Load() != w.gen {
		return nil, errReinitialised
	}
	return p, err
}

var errStopHere = errors.New("daq: recovery reached the failing command")

// stopper is an Exchanger that replays a configuration sequence up to (not
// including) the command that failed.
type stopper struct {
	x      Exchanger
	stopAt []byte
}

func (s *stopper) Do(ctx context.Context, req []byte) ([]byte, error) {
	if bytes.Equal(req, s.stopAt) {
		return nil, errStopHere
	}
	return s.x.Do(ctx, req)
}

func (s *Session) configureOnce(ctx context.Context, x Exchanger) error {
	f := s.f
	if !s.static {
		if _, err := s.do(ctx, x, "FREE_DAQ", []byte{byte(xcp.CmdFreeDaq)}); err != nil {
			return err
		}
		count := 0
		for _, l := range s.lay.Lists {
			if !l.Predefined {
				count++
			}
		}
		if p := s.info.Processor; count > maxConfigurable(p) {
			return fmt.Errorf("daq: ALLOC_DAQ %d exceeds what the slave offers (MAX_DAQ %d, MIN_DAQ %d)", count, p.MaxDaq, p.MinDaq)
		}
		if count > 0 {
			if _, err := s.do(ctx, x, "ALLOC_DAQ", xcp.AllocDaq{Count: uint16(count)}.Append(nil, f)); err != nil {
				return err
			}
		}
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			if _, err := s.do(ctx, x, fmt.Sprintf("ALLOC_ODT (list %q)", l.Name), xcp.AllocOdt{List: l.Number, Count: uint8(len(l.ODTs))}.Append(nil, f)); err != nil {
				return err
			}
		}
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			for o, odt := range l.ODTs {
				req := xcp.AllocOdtEntry{List: l.Number, ODT: uint8(o), Count: uint8(len(odt.Entries))}.Append(nil, f)
				if _, err := s.do(ctx, x, fmt.Sprintf("ALLOC_ODT_ENTRY (list %q ODT %d)", l.Name, o), req); err != nil {
					return err
				}
			}
		}
	} else {
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			if _, err := s.do(ctx, x, fmt.Sprintf("CLEAR_DAQ_LIST (list %q)", l.Name), xcp.ClearDaqList{List: l.Number}.Append(nil, f)); err != nil {
				return err
			}
		}
	}
	for _, l := range s.lay.Lists {
		if l.Predefined {
			continue
		}
		for o, odt := range l.ODTs {
			if err := s.writeODT(ctx, x, &l, o, odt); err != nil {
				return err
			}
		}
	}
	for _, l := range s.lay.Lists {
		if l.Predefined && s.static && s.predefMode {
			// Without FREE_DAQ nothing re-initialises a predefined list:
			// its mode is set once per session.
			continue
		}
		mode := xcp.DaqListMode(0)
		if l.Timestamps {
			mode |= xcp.ModeTimestamp
		}
		req := xcp.SetDaqListMode{Mode: mode, List: l.Number, Event: l.Event, Prescaler: max(l.Prescaler, 1), Priority: l.Priority}.Append(nil, f)
		if _, err := s.do(ctx, x, fmt.Sprintf("SET_DAQ_LIST_MODE (list %q)", l.Name), req); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.configured, s.predefMode = true, true
	s.mu.Unlock()
	return nil
}

func (s *Session) writeODT(ctx context.Context, x Exchanger, l *ListLayout, o int, odt ODT) error {
	f := s.f
	what := fmt.Sprintf("list %q ODT %d", l.Name, o)
	if _, err := s.do(ctx, x, "SET_DAQ_PTR ("+what+")", xcp.SetDaqPtr{List: l.Number, ODT: uint8(o)}.Append(nil, f)); err != nil {
		return err
	}
	els := make([]xcp.DaqElement, len(odt.Entries))
	for i, e := range odt.Entries {
		els[i] = xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: e.Size, Ext: e.Ext, Addr: e.Addr}
	}
	if !s.opts.NoWriteMultiple && len(els) > 1 && f.MaxWriteDaqMultiple() > 1 {
		per := f.MaxWriteDaqMultiple()
		done := 0
		for done < len(els) {
			n := min(per, len(els)-done)
			_, err := x.Do(ctx, xcp.WriteDaqMultiple{Elements: els[done : done+n]}.Append(nil, f))
			if err != nil {
				if unsupported(err) && done == 0 {
					break // fall back to WRITE_DAQ
				}
				return fmt.Errorf("daq: WRITE_DAQ_MULTIPLE (%s): %w", what, err)
			}
			done += n
		}
		if done == len(els) {
			return nil
		}
	}
	for i, e := range els {
		if _, err := s.do(ctx, x, fmt.Sprintf("WRITE_DAQ (%s entry %d)", what, i), xcp.WriteDaq{DaqElement: e}.Append(nil, f)); err != nil {
			return err
		}
	}
	return nil
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
