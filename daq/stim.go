package daq

import (
	"context"
	"errors"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"math"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// ErrStimUnsupported is wrapped by the errors of Setup when a STIM list
// asks for something the slave cannot do: no STIM resource, an event
// without STIM, a predefined list that is not STIM-capable.
var ErrStimUnsupported = errors.New("daq: STIM not supported")

// checkStim checks the STIM lists against the slave: the STIM resource
// (CONNECT), STIM-capable events (GET_DAQ_EVENT_INFO, read here if not yet
// known), STIM-capable predefined lists (GET_DAQ_LIST_INFO) and no bit
// masks (a STIM entry writes whole elements).
func (s *Session) checkStim(ctx context.Context, lists []List) error {
	for i := range lists {
		l := &lists[i]
		if !l.Stim {
			continue
		}
		if res := s.m.ConnectInfo().Resource; s.m.Connected() && res&xcp.ResStim == 0 {
			return fmt.Errorf("%w: STIM list %q: the slave does not offer the STIM resource (CONNECT resources %s)", ErrStimUnsupported, l.Name, res)
		}
		for _, m := range l.Measurements {
			if m.BitMask != 0 {
				return fmt.Errorf("daq: STIM list %q: measurement %q has a bit mask; a STIM entry writes whole elements and would overwrite the other bits", l.Name, m.Name)
			}
		}
		if l.Predefined {
			for _, li := range s.info.Lists {
				if li.Number == l.Number && li.Properties&xcp.ListSTIM == 0 {
					return fmt.Errorf("%w: STIM list %q: predefined list %d is not STIM-capable (properties 0x%02X)", ErrStimUnsupported, l.Name, l.Number, uint8(li.Properties))
				}
			}
		}
		if len(s.info.Events) == 0 {
			evs, err := readEvents(ctx, s.m, s.f, s.info.Processor.MaxEvent)
			if err != nil && !unsupported(err) {
				return fmt.Errorf("daq: STIM list %q: reading the events: %w", l.Name, err)
			}
			if err == nil {
				s.info.Events, s.info.EventsSource = evs, FromSlave
			}
		}
		for _, e := range s.info.Events {
			if e.Number == l.Event && e.Properties&xcp.EventSTIM == 0 {
				return fmt.Errorf("%w: STIM list %q: event %d %q does not support STIM (it is a DAQ-only event)", ErrStimUnsupported, l.Name, e.Number, e.Name)
			}
		}
	}
	return nil
}

// maxStimPID is the highest PID of a STIM DTO: the master's packets with
// PIDs from 0xC0 are commands.
const maxStimPID = 0xBF

// Stimulator sends the stimulation data of one STIM list: Set the values
// of its measurements, then Send the DTOs, typically once per event cycle
// of the list's event. It starts from the slave's memory contents (read
// when it is made), so measurements that are never set, and the bytes an
// ODT entry covers beyond the measurements (alignment to the entry
// granularity), keep their values. A Stimulator is not safe for
// concurrent use; it belongs to a running Session.
type Stimulator struct {
	s      *Session
	li     int
	ll     *dto.List
	sample []byte
	buf    []byte
	pkts   [][]byte
	index  map[string]int
	start  time.Time
}

// Stimulator returns the Stimulator of the running STIM list name.
func (s *Session) Stimulator(ctx context.Context, name string) (*Stimulator, error) {
	s.mu.Lock()
	running := s.running
	s.mu.Unlock()
	if !running {
		return nil, fmt.Errorf("daq: Stimulator %q: the session is not running (call Start first)", name)
	}
	li := -1
	for i := range s.lay.Lists {
		if s.lay.Lists[i].Name == name {
			li = i
		}
	}
	if li < 0 {
		return nil, fmt.Errorf("daq: no DAQ list %q", name)
	}
	ll := &s.lay.Lists[li]
	if !ll.Stim {
		return nil, fmt.Errorf("daq: DAQ list %q is not a STIM list", name)
	}
	if int(ll.FirstPID)+len(ll.ODTs) > maxStimPID+1 {
		return nil, fmt.Errorf("daq: STIM list %q: the slave assigned PIDs 0x%02X-0x%02X; STIM DTOs have PIDs 0x00-0x%02X", name, ll.FirstPID, int(ll.FirstPID)+len(ll.ODTs)-1, maxStimPID)
	}
	st := &Stimulator{s: s, li: li, ll: ll, sample: make([]byte, 0, ll.SampleSize()), index: map[string]int{}, start: time.Now()}
	for _, o := range ll.ODTs {
		for _, e := range o.Entries {
			n := int(e.Size)
			b, err := s.m.Read(ctx, e.Address, e.Extension, n)
			if err != nil {
				return nil, fmt.Errorf("daq: STIM list %q: reading the initial contents of 0x%X (%d bytes): %w", name, e.Address, n, err)
			}
			st.sample = append(st.sample, b...)
		}
	}
	for i, m := range ll.Measurements {
		st.index[m.Name] = i
	}
	return st, nil
}

// Measurements returns the measurements of the list.
func (st *Stimulator) Measurements() []dto.Measurement { return st.ll.Measurements }

// Set sets the value of a measurement for the next Send. The value is
// converted to the measurement's type; integers must be whole numbers in
// the type's range.
func (st *Stimulator) Set(name string, v float64) error {
	i, ok := st.index[name]
	if !ok {
		return fmt.Errorf("daq: STIM list %q has no measurement %q", st.ll.Name, name)
	}
	m := st.ll.Measurements[i]
	raw, err := EncodeValue(m.Type, v)
	if err != nil {
		return fmt.Errorf("daq: STIM list %q: measurement %q: %w", st.ll.Name, name, err)
	}
	putRaw(st.sample[st.ll.Offsets[i]:], m.Type.Size(), raw, st.s.lay.Order)
	return nil
}

// Send sends one set of DTOs (every ODT of the list) with the values set
// so far; with timestamps, the first carries the time since the
// Stimulator was made in the slave's timestamp unit. The slave applies
// them at the next cycle of the list's event.
func (st *Stimulator) Send(ctx context.Context) error {
	lay := st.s.lay
	var ts uint64
	if st.ll.Timestamps && lay.TimestampSize > 0 {
		if ps := lay.TickPS; ps > 0 {
			ts = uint64(time.Since(st.start).Nanoseconds()) * 1000 / ps
		}
	}
	st.pkts = st.pkts[:0]
	var err error
	st.buf, err = lay.EncodeSample(st.buf[:0], st.li, st.sample, ts, func(p []byte) {
		st.pkts = append(st.pkts, p)
	})
	if err != nil {
		return err
	}
	if err := transport.SendAll(ctx, st.s.m.Conn(), st.pkts); err != nil {
		return fmt.Errorf("daq: STIM list %q: sending: %w", st.ll.Name, err)
	}
	return nil
}

// EncodeValue converts v to the raw bits of type t (the inverse of the
// decoded Value): integers must be whole numbers within the type's range,
// floats are rounded to the type's precision.
func EncodeValue(t dto.Type, v float64) (uint64, error) {
	if math.IsNaN(v) && !t.Float() {
		return 0, fmt.Errorf("NaN is no %s value", t)
	}
	var lo, hi float64
	switch t {
	case dto.U8:
		lo, hi = 0, math.MaxUint8
	case dto.U16:
		lo, hi = 0, math.MaxUint16
	case dto.U32:
		lo, hi = 0, math.MaxUint32
	case dto.U64:
		lo, hi = 0, math.MaxUint64
	case dto.I8:
		lo, hi = math.MinInt8, math.MaxInt8
	case dto.I16:
		lo, hi = math.MinInt16, math.MaxInt16
	case dto.I32:
		lo, hi = math.MinInt32, math.MaxInt32
	case dto.I64:
		lo, hi = math.MinInt64, math.MaxInt64
	case dto.F16:
		return uint64(float32ToHalf(float32(v))), nil
	case dto.BF16:
		return uint64(math.Float32bits(float32(v)) >> 16), nil
	case dto.F32:
		return uint64(math.Float32bits(float32(v))), nil
	case dto.F64:
		return math.Float64bits(v), nil
	default:
		return 0, fmt.Errorf("no valid data type")
	}
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("%v is not a whole number (%s)", v, t)
	}
	if v < lo || v > hi || (t == dto.U64 && v >= 1<<64) || (t == dto.I64 && v >= 1<<63) {
		return 0, fmt.Errorf("%v is out of the range of %s", v, t)
	}
	if t.Signed() {
		return uint64(int64(v)), nil
	}
	return uint64(v), nil
}

// putRaw stores the n low bytes of raw at b in the given byte order.
func putRaw(b []byte, n int, raw uint64, o xcp.ByteOrder) {
	for i := range n {
		k := i
		if o == xcp.Motorola {
			k = n - 1 - i
		}
		b[k] = byte(raw >> (8 * i))
	}
}

// float32ToHalf converts to IEEE 754 binary16, rounding to nearest even;
// out-of-range values become infinities.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xFF
	mant := b & 0x7FFFFF
	switch {
	case exp == 0xFF: // Inf, NaN
		h := sign | 0x7C00
		if mant != 0 {
			h |= 0x200
		}
		return h
	case exp-127+15 >= 0x1F:
		return sign | 0x7C00
	case exp-127+15 <= 0:
		// subnormal half (or zero): multiples of 2^-24
		return sign | uint16(math.RoundToEven(math.Abs(float64(f))*(1<<24)))
	}
	e := uint16(exp - 127 + 15)
	v := uint32(e)<<10 | mant>>13
	if r := mant & 0x1FFF; r > 0x1000 || (r == 0x1000 && v&1 == 1) {
		v++ // may carry into the exponent, which is right
	}
	return sign | uint16(v)
}
