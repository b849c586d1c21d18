package daqengine

import (
	"context"
	"runtime"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// runner is the goroutine of one running event channel.
type runner struct {
	event uint16
	stop  chan struct{}
	done  chan struct{}
}

// maxRateBatch is how many event cycles the free-running event samples
// before handing the DTOs to the transport in one batch.
const maxRateBatch = 64

// maxCatchUp is how many missed cycles of a periodic event the engine
// runs late when its goroutine wakes up late: a ticker drops the ticks
// its goroutine misses (a loaded machine, a GC pause), while an ECU's
// timer task keeps its nominal rate. Further behind, the engine skips the
// missed cycles (an ECU whose task overran).
const maxCatchUp = 100

// startLists starts lists and the event channels they need, on link.
// Lock held.
func (e *Engine) startLists(link Link, ls []*list) {
	for _, l := range ls {
		l.running, l.count, l.stim = true, 0, stimState{}
		if _, ok := e.runners[l.event]; ok {
			continue
		}
		r := &runner{event: l.event, stop: make(chan struct{}), done: make(chan struct{})}
		e.runners[l.event] = r
		e.runEvent(link, r, e.cfg.Events[l.event].Period)
	}
}

// stopRunners stops the running lists for which match is true and the
// event channels no running list needs any more. It returns the runners to
// wait for (after releasing the lock). Lock held.
func (e *Engine) stopRunners(match func(*list) bool) Stopped {
	for i := range e.lists {
		if l := &e.lists[i]; l.running && match(l) {
			l.running = false
		}
	}
	var wait Stopped
	for ev, r := range e.runners {
		needed := false
		for i := range e.lists {
			if e.lists[i].running && e.lists[i].event == ev {
				needed = true
			}
		}
		if !needed {
			close(r.stop)
			delete(e.runners, ev)
			wait = append(wait, r)
		}
	}
	return wait
}

// runEvent samples the lists of one event channel on a goroutine of
// link, periodically or (period 0) as fast as the connection takes the
// DTOs.
func (e *Engine) runEvent(link Link, r *runner, period time.Duration) {
	link.Go(func(ctx context.Context) {
		defer close(r.done)
		em := &emitter{e: e, link: link, buf: make([]byte, 0, 64<<10)}
		if period > 0 {
			next := time.Now().Add(period) // wall time of the next cycle
			var last time.Duration         // slave time of the last cycle
			t := time.NewTicker(period)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-r.stop:
					return
				case <-t.C:
				}
				// Every cycle that is due, each at its own slave time.
				wall, n := time.Now(), 0
				for ; !next.After(wall) && n < maxCatchUp; n++ {
					next = next.Add(period)
				}
				if !next.After(wall) {
					next = wall.Add(period) // too far behind: skip the missed cycles
				}
				// The slave clock is read after the wall clock: a goroutine
				// preempted in between would date the first cycles before
				// the last batch's, and time (and the counters that follow
				// it) would go back; no cycle is dated before the last one.
				now := e.mem.Now()
				for k := n - 1; k >= 0; k-- {
					last = max(last, now-time.Duration(k)*period)
					em.cycle(r.event, last)
				}
				if em.flush(ctx) != nil {
					return
				}
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-r.stop:
				return
			default:
			}
			for range maxRateBatch {
				em.cycle(r.event, e.mem.Now())
			}
			if em.flush(ctx) != nil {
				return
			}
			runtime.Gosched() // let periodic events and the connection run
		}
	})
}

// emitter builds the DTOs of one event channel into one arena and sends
// them in batches.
type emitter struct {
	e        *Engine
	link     Link
	buf      []byte
	ends     []int
	lists    []uint16 // DAQ list of each DTO (XCP on CAN: SET_DAQ_ID)
	pkts     [][]byte
	overload int // EV_DAQ_OVERLOAD events to send
	// events of EV_STIM_TIMEOUT to send
	stimTimeouts []uint16
	dtos         uint64
	samples      uint64
}

// cycle samples every running list of event ev once, at slave time now.
func (em *emitter) cycle(ev uint16, now time.Duration) {
	e := em.e
	c := &e.cfg
	o := e.f.Order
	e.mem.Lock()
	defer e.mem.Unlock()
	e.mem.Refresh(now)
	ts := e.ticks(now)
	for li := range e.lists {
		l := &e.lists[li]
		if !l.running || l.event != ev {
			continue
		}
		l.count++
		if (l.count-1)%uint32(max(l.prescaler, 1)) != 0 {
			continue
		}
		if l.mode&xcp.ModeDirection != 0 {
			if e.stimCycle(l, ev) {
				em.stimTimeouts = append(em.stimTimeouts, ev)
			}
			continue
		}
		em.samples++
		for oi := range l.odts {
			odt := &l.odts[oi]
			if len(odt.entries) == 0 || odt.entries[0].Size == 0 {
				break // an empty ODT ends the list (static configuration)
			}
			start := len(em.buf)
			pid := uint8(oi)
			if c.IDField == xcp.IDAbsODT {
				pid += l.firstPID
			}
			em.buf = c.IDField.AppendDTOHeader(em.buf, xcp.Format{Order: o}, pid, uint16(li))
			if oi == 0 && l.mode&xcp.ModeTimestamp != 0 {
				switch c.TimestampSize {
				case 1:
					em.buf = append(em.buf, uint8(ts))
				case 2:
					em.buf = o.AppendUint16(em.buf, uint16(ts))
				case 4:
					em.buf = o.AppendUint32(em.buf, uint32(ts))
				}
			}
			for _, en := range odt.entries {
				if en.Size == 0 {
					break
				}
				em.buf = e.appendEntry(em.buf, en)
			}
			if e.drop.Load() > 0 && e.drop.Add(-1) >= 0 {
				e.nDropped.Add(1)
				em.buf = em.buf[:start]
				continue
			}
			if e.overload.Load() > 0 && e.overload.Add(-1) >= 0 {
				e.nOverload.Add(1)
				if c.OverloadEvent {
					em.overload++
				} else {
					em.buf[start] |= 0x80
				}
			}
			em.ends = append(em.ends, len(em.buf))
			em.lists = append(em.lists, uint16(li))
			em.dtos++
		}
	}
}

// appendEntry appends the bytes of one ODT entry. Lock held.
func (e *Engine) appendEntry(b []byte, en xcp.DaqElement) []byte {
	if en.BitOffset != xcp.NoBitOffset {
		var w [4]byte
		n := 4
		src, err := e.mem.Span(en.Addr, en.Ext, n, false)
		for err != nil && n > 1 {
			n /= 2
			src, err = e.mem.Span(en.Addr, en.Ext, n, false)
		}
		if err == nil {
			copy(w[:], src)
		}
		v := e.f.Order.Uint32(w[:])
		if e.f.Order == xcp.Motorola {
			v >>= 8 * uint(4-n)
		}
		return append(b, byte(v>>en.BitOffset)&1)
	}
	src, err := e.mem.Span(en.Addr, en.Ext, int(en.Size), false)
	if err != nil {
		return append(b, make([]byte, en.Size)...)
	}
	return append(b, src...)
}

// flush sends the DTOs built so far, then the events they caused. The
// DTOs count as sent when they are handed to the transport: a batch cut
// off by a lost connection counts whole (some of it may have left), and a
// master never receives a DTO before it was counted.
func (em *emitter) flush(ctx context.Context) error {
	e := em.e
	if err := ctx.Err(); err != nil {
		return err // the connection is gone: nothing more is sent
	}
	e.nDTO.Add(em.dtos)
	e.nSamples.Add(em.samples)
	em.dtos, em.samples = 0, 0
	if len(em.ends) > 0 {
		em.pkts = em.pkts[:0]
		start := 0
		for _, end := range em.ends {
			em.pkts = append(em.pkts, em.buf[start:end])
			start = end
		}
		if err := em.link.SendDTOs(ctx, em.pkts, em.lists); err != nil {
			return err
		}
	}
	for ; em.overload > 0; em.overload-- {
		if err := em.link.SendEvent(e.event(xcp.EvDaqOverload, nil)); err != nil {
			return err
		}
	}
	for _, ev := range em.stimTimeouts {
		if err := em.link.SendEvent(e.event(xcp.EvStimTimeout, stimTimeoutData(ev, e.f))); err != nil {
			return err
		}
	}
	em.stimTimeouts = em.stimTimeouts[:0]
	em.buf, em.ends, em.lists = em.buf[:0], em.ends[:0], em.lists[:0]
	return nil
}
