package sim

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

// startLists starts lists and the event channels they need. s.mu is held.
func (ss *session) startLists(ls []*simList) {
	s := ss.slave
	d := &s.daq
	for _, l := range ls {
		l.running, l.count, l.stim = true, 0, stimState{}
		if _, ok := d.runners[l.event]; ok {
			continue
		}
		r := &runner{event: l.event, stop: make(chan struct{}), done: make(chan struct{})}
		d.runners[l.event] = r
		ss.runEvent(r, d.cfg.Events[l.event].Period)
	}
}

// stopRunners stops the running lists for which match is true and the
// event channels no running list needs any more. It returns the runners to
// wait for (after releasing s.mu). s.mu is held.
func (s *Slave) stopRunners(match func(*simList) bool) []*runner {
	d := &s.daq
	for i := range d.lists {
		if l := &d.lists[i]; l.running && match(l) {
			l.running = false
		}
	}
	var wait []*runner
	for ev, r := range d.runners {
		needed := false
		for i := range d.lists {
			if d.lists[i].running && d.lists[i].event == ev {
				needed = true
			}
		}
		if !needed {
			close(r.stop)
			delete(d.runners, ev)
			wait = append(wait, r)
		}
	}
	return wait
}

type batchSender interface {
	SendBatch(ctx context.Context, packets [][]byte) error
}

// runEvent samples the lists of one event channel, periodically or (period
// 0) as fast as the connection takes the DTOs.
func (ss *session) runEvent(r *runner, period time.Duration) {
	ss.spawn(func(ctx context.Context) {
		defer close(r.done)
		e := newEmitter(ss)
		if period > 0 {
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
				e.cycle(r.event)
				if e.flush(ctx) != nil {
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
				e.cycle(r.event)
			}
			if e.flush(ctx) != nil {
				return
			}
			runtime.Gosched() // let periodic events and the connection run

		}
	})
}

// emitter builds DTOs into one arena and sends them in batches.
type emitter struct {
	ss       *session
	bs       batchSender
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

func newEmitter(ss *session) *emitter {
	e := &emitter{ss: ss, buf: make([]byte, 0, 64<<10)}
	e.bs, _ = ss.conn.(batchSender)
	return e
}

// cycle samples every running list of event ev once.
func (e *emitter) cycle(ev uint16) {
	s := e.ss.slave
	d := &s.daq
	c := &d.cfg
	o := s.cfg.Order
	s.mu.Lock()
	now := s.now()
	s.updateVarsLocked(now)
	ts := s.daqTicks(now)
	for li := range d.lists {
		l := &d.lists[li]
		if !l.running || l.event != ev {
			continue
		}
		l.count++
		if (l.count-1)%uint32(max(l.prescaler, 1)) != 0 {
			continue
		}
		if l.mode&xcp.ModeDirection != 0 {
			if s.stimCycle(l, ev) {
				e.stimTimeouts = append(e.stimTimeouts, ev)
			}
			continue
		}
		e.samples++
		for oi := range l.odts {
			odt := &l.odts[oi]
			if len(odt.entries) == 0 || odt.entries[0].Size == 0 {
				break // an empty ODT ends the list (static configuration)
			}
			start := len(e.buf)
			pid := uint8(oi)
			if c.IDField == xcp.IDAbsODT {
				pid += l.firstPID
			}
			e.buf = c.IDField.AppendDTOHeader(e.buf, xcp.Format{Order: o}, pid, uint16(li))
			if oi == 0 && l.mode&xcp.ModeTimestamp != 0 {
				switch c.TimestampSize {
				case 1:
					e.buf = append(e.buf, uint8(ts))
				case 2:
					e.buf = o.AppendUint16(e.buf, uint16(ts))
				case 4:
					e.buf = o.AppendUint32(e.buf, uint32(ts))
				}
			}
			for _, en := range odt.entries {
				if en.Size == 0 {
					break
				}
				e.buf = s.appendEntry(e.buf, en)
			}
			if d.drop.Load() > 0 && d.drop.Add(-1) >= 0 {
				d.nDropped.Add(1)
				e.buf = e.buf[:start]
				continue
			}
			if d.overload.Load() > 0 && d.overload.Add(-1) >= 0 {
				d.nOverload.Add(1)
				if c.OverloadEvent {
					e.overload++
				} else {
					e.buf[start] |= 0x80
				}
			}
			e.ends = append(e.ends, len(e.buf))
			e.lists = append(e.lists, uint16(li))
			e.dtos++
		}
	}
	s.mu.Unlock()
}

// appendEntry appends the bytes of one ODT entry. s.mu is held.
func (s *Slave) appendEntry(b []byte, en xcp.DaqElement) []byte {
	if en.BitOffset != xcp.NoBitOffset {
		var w [4]byte
		n := 4
		src, _, err := s.span(en.Addr, en.Ext, n, false)
		for err != nil && n > 1 {
			n /= 2
			src, _, err = s.span(en.Addr, en.Ext, n, false)
		}
		if err == nil {
			copy(w[:], src)
		}
		v := s.cfg.Order.Uint32(w[:])
		if s.cfg.Order == xcp.Motorola {
			v >>= 8 * uint(4-n)
		}
		return append(b, byte(v>>en.BitOffset)&1)
	}
	src, _, err := s.span(en.Addr, en.Ext, int(en.Size), false)
	if err != nil {
		return append(b, make([]byte, en.Size)...)
	}
	return append(b, src...)
}

// flush sends the DTOs built so far.
func (e *emitter) flush(ctx context.Context) error {
	ss := e.ss
	d := &ss.slave.daq
	if len(e.ends) > 0 {
		e.pkts = e.pkts[:0]
		start := 0
		for _, end := range e.ends {
			e.pkts = append(e.pkts, e.buf[start:end])
			start = end
		}
		var err error
		if cc, ids := ss.canDaqIDs(); ids != nil {
			err = sendDTOsOn(ctx, cc, ids, e.pkts, e.lists)
		} else if e.bs != nil {
			err = e.bs.SendBatch(ctx, e.pkts)
		} else {
			for _, p := range e.pkts {
				if err = ss.conn.Send(ctx, p); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	for ; e.overload > 0; e.overload-- {
		if err := ss.send(evPacket(xcp.EvDaqOverload, nil, ss.format())); err != nil {
			return err
		}
	}
	for _, ev := range e.stimTimeouts {
		if err := ss.send(evPacket(xcp.EvStimTimeout, stimTimeoutData(ev, ss.format()), ss.format())); err != nil {
			return err
		}
	}
	e.stimTimeouts = e.stimTimeouts[:0]
	d.nDTO.Add(e.dtos)
	d.nSamples.Add(e.samples)
	e.buf, e.ends, e.lists, e.dtos, e.samples = e.buf[:0], e.ends[:0], e.lists[:0], 0, 0
	return nil
}
