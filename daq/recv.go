package daq

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// SampleSink receives decoded samples on the consumer goroutine, in the
// order Begin, Sample…, End. A sample is valid only during the call.
type SampleSink interface {
	Begin(h Header) error
	Sample(s *dto.Sample) error
	End(st Stats) error
}

// Record is an owned copy of a sample, as delivered on a Samples channel.
type Record struct {
	List     int    // index into Layout.Lists
	Name     string // name of the DAQ list
	HostNS   int64  // ns since the first frame
	SlaveNS  int64  // ns since the first slave timestamp (if HasSlave)
	HasSlave bool
	Values   []dto.Value
}

// Samples returns a channel that receives a copy of every decoded sample.
// Call it before Start; the channel is closed by Stop. A receiver that
// does not keep up loses samples from the channel (counted per list as
// SlowConsumer) — never from the recording or the other consumers.
func (s *Session) Samples(buf int) <-chan Record {
	ch := make(chan Record, buf)
	s.mu.Lock()
	s.chans = append(s.chans, ch)
	s.mu.Unlock()
	return ch
}

const recHdr = 10 // int64 time + uint16 length

type chunk struct {
	buf []byte
	t0  int64
}

// receiver moves DTOs from the master's receive goroutine to the consumer
// goroutine through a fixed set of chunk buffers: the receive path only
// copies bytes under an uncontended mutex and never blocks or allocates.
type receiver struct {
	s     *Session
	dec   *decoder
	hdr   Header
	sink  FrameSink
	sinks []SampleSink
	chans []chan Record
	flush int64

	mu      sync.Mutex // guards the fields up to the blank line
	cur     *chunk
	closed  bool
	frames  uint64
	bytes   uint64
	dropped uint64
	last    int64 // Packet.Time of the last DTO (at first: of the start)

	free chan *chunk
	full chan *chunk
	stop chan struct{}
	done chan struct{}

	// stallMax bounds how long onDTO waits for a free buffer (< 0: never);
	// timer is its reusable timer (receive goroutine only).
	stallMax time.Duration
	timer    *time.Timer
	stalls   atomic.Uint64

	lost0   uint64
	errF0   uint64 // transport error frames at the start
	busOff0 uint64
	ovEv    atomic.Uint64
	stimTo  atomic.Uint64 // EV_STIM_TIMEOUT events
	unsub   func()
	subDone chan struct{}

	host0 atomic.Int64 // Frame.Time of the first frame + 1 (0 = none yet)

	// failed is closed at the first sink error (failErr); refused counts
	// the frames the failed FrameSink was no longer given.
	failed   chan struct{}
	failErr  atomic.Pointer[error]
	refused  atomic.Uint64
	failOnce sync.Once

	// consumer goroutine state
	batch   []dto.Frame
	err     error
	statMu  sync.Mutex
	decSnap Stats
}

func newReceiver(s *Session) (*receiver, error) {
	size, n := s.opts.ChunkSize, s.opts.Chunks
	if size <= 0 {
		size = 1 << 20
	}
	if size < 128<<10 {
		size = 128 << 10 // larger than any DTO (64 KiB) with its header
	}
	if n <= 0 {
		n = 16
	}
	if n < 2 {
		n = 2
	}
	dec, err := newDecoder(s.lay)
	if err != nil {
		return nil, err
	}
	fl := s.opts.FlushInterval
	if fl <= 0 {
		fl = 50 * time.Millisecond
	}
	conn := s.m.Conn()
	info := conn.Info()
	cst := conn.Stats()
	stall := s.opts.MaxStall
	if stall == 0 {
		stall = 500 * time.Millisecond
	}
	r := &receiver{s: s, dec: dec, sink: s.opts.Sink, sinks: s.opts.SampleSinks, flush: int64(fl),
		stallMax: stall, timer: time.NewTimer(time.Hour),
		free: make(chan *chunk, n), full: make(chan *chunk, n), stop: make(chan struct{}), done: make(chan struct{}),
		lost0: cst.Lost, errF0: cst.ErrorFrames, busOff0: cst.BusOff, subDone: make(chan struct{}), failed: make(chan struct{}), last: int64(time.Since(info.Start)),
		hdr: Header{Start: info.Start, Layout: s.lay, Info: s.info, Transport: info.Kind + " " + info.Remote}}
	s.mu.Lock()
	r.chans, s.chans = s.chans, nil
	s.mu.Unlock()
	r.timer.Stop()
	for range n {
		r.free <- s.opts.Buffers.get(size)
	}
	r.batch = s.opts.Buffers.frames()
	return r, nil
}

// Buffers keeps the receive buffers of stopped measurements for the next
// one (Options.Buffers). The zero value is ready to use; it is safe for
// concurrent use.
type Buffers struct {
	mu     sync.Mutex
	chunks []*chunk
	batch  []dto.Frame
}

// Held returns the bytes of receive buffers b holds for the next
// measurement.
func (b *Buffers) Held() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.chunks {
		n += cap(c.buf)
	}
	return n
}

// get returns a chunk of at least size bytes, from b if it has one.
func (b *Buffers) get(size int) *chunk {
	if b != nil {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i := len(b.chunks) - 1; i >= 0; i-- {
			if c := b.chunks[i]; cap(c.buf) >= size {
				b.chunks = append(b.chunks[:i], b.chunks[i+1:]...)
				return c
			}
		}
	}
	return &chunk{buf: make([]byte, 0, size)}
}

// frames returns the kept frame batch (nil if none).
func (b *Buffers) frames() []dto.Frame {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.batch
	b.batch = nil
	return f[:0]
}

// put takes back the chunks in free and the frame batch of a stopped
// receiver.
func (b *Buffers) put(free chan *chunk, batch []dto.Frame) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		select {
		case c := <-free:
			b.chunks = append(b.chunks, c)
		default:
			if cap(batch) > cap(b.batch) {
				b.batch = batch[:0]
			}
			return
		}
	}
}

// begin starts the sinks and the consumer goroutine.
func (r *receiver) begin() error {
	if r.sink != nil {
		if err := r.sink.Begin(r.hdr); err != nil {
			return fmt.Errorf("daq: frame sink: %w", err)
		}
	}
	for i, ss := range r.sinks {
		if err := ss.Begin(r.hdr); err != nil {
			for _, prev := range r.sinks[:i] {
				prev.End(Stats{})
			}
			if r.sink != nil {
				r.sink.End(Stats{})
			}
			return fmt.Errorf("daq: sample sink: %w", err)
		}
	}
	ch, unsub := r.s.m.Subscribe(64)
	r.unsub = unsub
	go func() {
		defer close(r.subDone)
		for n := range ch {
			if n.Kind == xcp.KindEv && n.Event == xcp.EvDaqOverload {
				r.ovEv.Add(1)
			}
			if n.Kind == xcp.KindEv && n.Event == xcp.EvStimTimeout {
				r.stimTo.Add(1)
			}
		}
	}()
	go r.loop()
	return nil
}

// onDTO runs on the master's receive goroutine.
func (r *receiver) onDTO(p transport.Packet) {
	n := len(p.Data)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.frames++
	r.bytes += uint64(n)
	r.last = p.Time
	c := r.cur
	if c != nil && (len(c.buf)+recHdr+n > cap(c.buf) || p.Time-c.t0 > r.flush) {
		r.full <- c // never blocks: it holds as many as there are chunks
		c, r.cur = nil, nil
	}
	if c == nil {
		select {
		case c = <-r.free:
		default:
			// Every buffer is with the consumer: wait for one (over TCP
			// this throttles the slave), but not forever.
			r.mu.Unlock()
			c = r.waitFree()
			r.mu.Lock()
			if c == nil || r.closed {
				if c != nil {
					r.free <- c
				}
				r.dropped++
				r.mu.Unlock()
				return
			}
		}
		c.buf, c.t0 = c.buf[:0], p.Time
		r.cur = c
	}
	b := binary.LittleEndian.AppendUint64(c.buf, uint64(p.Time))
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	c.buf = append(b, p.Data...)
	r.mu.Unlock()
}

// waitFree waits up to stallMax for a free buffer (nil after that).
func (r *receiver) waitFree() *chunk {
	if r.stallMax < 0 {
		return nil
	}
	r.stalls.Add(1)
	r.timer.Reset(r.stallMax)
	select {
	case c := <-r.free:
		r.timer.Stop()
		return c
	case <-r.timer.C:
		return nil
	}
}

// take removes the partly filled current chunk, unless full chunks are
// waiting: they are older and must be processed first.
func (r *receiver) take() *chunk {
	r.mu.Lock()
	if len(r.full) > 0 {
		r.mu.Unlock()
		return nil
	}
	c := r.cur
	r.cur = nil
	r.mu.Unlock()
	if c != nil && len(c.buf) == 0 {
		r.free <- c
		return nil
	}
	return c
}

func (r *receiver) loop() {
	defer close(r.done)
	t := time.NewTicker(time.Duration(r.flush))
	defer t.Stop()
	for {
		select {
		case c := <-r.full:
			r.process(c)
		case <-t.C:
			if c := r.take(); c != nil {
				r.process(c)
			}
		case <-r.stop:
			// onDTO is closed: no chunk is added any more.
			for len(r.full) > 0 {
				r.process(<-r.full)
			}
			if c := r.take(); c != nil {
				r.process(c)
			}
			return
		}
	}
}

func (r *receiver) process(c *chunk) {
	b := c.buf
	r.batch = r.batch[:0]
	for len(b) >= recHdr {
		t := int64(binary.LittleEndian.Uint64(b))
		n := int(binary.LittleEndian.Uint16(b[8:]))
		r.batch = append(r.batch, dto.Frame{Time: t, Data: b[recHdr : recHdr+n]})
		b = b[recHdr+n:]
	}
	if r.sink != nil {
		if r.err == nil {
			if err := r.sink.Frames(r.batch); err != nil {
				r.fail(fmt.Errorf("daq: frame sink: %w", err))
			}
		} else {
			r.refused.Add(uint64(len(r.batch)))
		}
	}
	for _, f := range r.batch {
		r.dec.decode(f, r.emit)
	}
	if len(r.batch) > 0 && r.host0.Load() == 0 {
		r.host0.Store(r.dec.host0 + 1)
	}
	st := r.dec.stats()
	r.statMu.Lock()
	r.decSnap = st
	r.statMu.Unlock()
	r.free <- c
}

func (r *receiver) emit(s *dto.Sample) {
	if f := r.s.opts.OnSample; f != nil {
		f(s)
	}
	for i, ss := range r.sinks {
		if ss == nil {
			continue
		}
		if err := ss.Sample(s); err != nil {
			r.fail(fmt.Errorf("daq: sample sink: %w", err))
			ss.End(Stats{})
			r.sinks[i] = nil
		}
	}
	if len(r.chans) == 0 {
		return
	}
	rec := Record{List: s.List, Name: r.dec.lay.Lists[s.List].Name, HostNS: s.HostNS - r.dec.host0, SlaveNS: s.SlaveNS, HasSlave: s.HasSlave,
		Values: append([]dto.Value(nil), s.Values...)}
	for _, ch := range r.chans {
		select {
		case ch <- rec:
		default:
			r.dec.slow[s.List]++
		}
	}
}

// fail records the first sink error (consumer goroutine) and announces it
// on failed.
func (r *receiver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.failOnce.Do(func() {
		r.failErr.Store(&err)
		close(r.failed)
	})
}

// sinceLast is how long ago the last DTO arrived (since the start of the
// connection if none did).
func (r *receiver) sinceLast() time.Duration {
	r.mu.Lock()
	last := r.last
	r.mu.Unlock()
	return time.Since(r.hdr.Start) - time.Duration(last)
}

// stats assembles the live counters.
func (r *receiver) stats() Stats {
	r.statMu.Lock()
	st := r.decSnap
	st.Lists = append([]ListStats(nil), st.Lists...)
	r.statMu.Unlock()
	if st.Lists == nil {
		st.Lists = make([]ListStats, len(r.s.lay.Lists))
		for i, l := range r.s.lay.Lists {
			st.Lists[i].Name = l.Name
		}
	}
	r.mu.Lock()
	st.Frames, st.Bytes, st.Dropped = r.frames, r.bytes, r.dropped
	r.mu.Unlock()
	st.Stalls = r.stalls.Load()
	cst := r.s.m.Conn().Stats()
	if cst.Lost > r.lost0 {
		st.TransportLost = cst.Lost - r.lost0
	}
	if cst.ErrorFrames > r.errF0 {
		st.ErrorFrames = cst.ErrorFrames - r.errF0
	}
	if cst.BusOff > r.busOff0 {
		st.BusOff = cst.BusOff - r.busOff0
	}
	st.OverloadEvents = r.ovEv.Load()
	st.StimTimeouts = r.stimTo.Load()
	if dc, ok := r.sink.(DropCounter); ok {
		st.SinkDropped = dc.Dropped()
	}
	st.SinkDropped += r.refused.Load()
	if e := r.failErr.Load(); e != nil {
		st.SinkError = (*e).Error()
	}
	return st
}

// finish stops receiving, lets the consumer deliver everything, ends the
// sinks and returns the final counters.
func (r *receiver) finish() (Stats, error) {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	<-r.done
	r.unsub()
	<-r.subDone
	st := r.stats()
	if r.err != nil {
		st.SinkError = r.err.Error()
	}
	errs := []error{r.err}
	if r.sink != nil {
		if err := r.sink.End(st); err != nil {
			errs = append(errs, fmt.Errorf("daq: frame sink: %w", err))
		}
	}
	for _, ss := range r.sinks {
		if ss != nil {
			if err := ss.End(st); err != nil {
				errs = append(errs, fmt.Errorf("daq: sample sink: %w", err))
			}
		}
	}
	for _, ch := range r.chans {
		close(ch)
	}
	// The consumer is done and onDTO closed: every chunk is free.
	r.s.opts.Buffers.put(r.free, r.batch)
	r.batch = nil
	return st, errors.Join(errs...)
}

// decoder is the consumer goroutine's dto.Decoder with what a session
// adds: list names, the samples a slow channel missed and the host time
// of the first frame.
type decoder struct {
	dec     *dto.Decoder
	lay     *dto.Layout
	slow    []uint64
	host0   int64 // Frame.Time of the first frame (the origin of Record.Host)
	started bool
}

func newDecoder(l *dto.Layout) (*decoder, error) {
	d, err := dto.NewDecoder(l)
	if err != nil {
		return nil, fmt.Errorf("daq: %w", err)
	}
	return &decoder{dec: d, lay: l, slow: make([]uint64, len(l.Lists))}, nil
}

// decode processes one frame and calls emit for a sample it completes.
func (d *decoder) decode(f dto.Frame, emit func(*dto.Sample)) {
	if len(f.Data) == 0 {
		return
	}
	if !d.started {
		d.started, d.host0 = true, f.Time
	}
	if x := d.dec.Decode(f.Time, f.Data); x != nil {
		emit(x)
	}
}

// stats returns the decoder's counters (UnknownPID and Lists).
func (d *decoder) stats() Stats {
	ds := d.dec.Stats()
	s := Stats{UnknownPID: ds.Unknown + ds.Other, Lists: make([]ListStats, len(ds.Lists))}
	for i, l := range ds.Lists {
		s.Lists[i] = ListStats{Name: d.lay.Lists[i].Name, ListStats: l, SlowConsumer: d.slow[i]}
	}
	return s
}
