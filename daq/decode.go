package daq

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"

	"goxcp/xcp"
)

// Frame is one raw DAQ packet (a DTO, PID first) with its host receive
// time in nanoseconds since Header.Start.
type Frame struct {
	Time int64
	Data []byte
}

// Header describes a measurement to a FrameSink before the first frame.
type Header struct {
	// Start is the wall-clock time that Frame.Time counts from.
	Start time.Time
	// Layout tells how to decode the frames (NewDecoder).
	Layout *Layout
	// Info is the slave's DAQ information used for the configuration.
	Info *Info
	// Transport names the connection, e.g. "tcp 127.0.0.1:5555".
	Transport string
}

// FrameSink receives the raw frames of a measurement, e.g. to record them
// to a file. Its methods are called from one goroutine (the measurement's
// consumer goroutine, never the receive path), in the order Begin, Frames…,
// End. Frames gets the frames in arrival order; the slice and the frame data
// are valid only during the call. An error from a method stops the sink
// (no further calls except End) and is reported by Measurement.Stop.
type FrameSink interface {
	Begin(h Header) error
	Frames(batch []Frame) error
	// End is called once when the measurement stops, with the final
	// statistics (also after an error).
	End(st Stats) error
}

// DropCounter is implemented by a FrameSink that may drop frames it was
// given (for example a recorder whose disk is too slow); Stats.SinkDropped
// reports the count so that no loss goes unnoticed. Dropped may be called
// from any goroutine.
type DropCounter interface {
	Dropped() uint64
}

// Value is one decoded measurement value.
type Value struct {
	Type Type
	bits uint64 // integers: the value (sign-extended); floats: float64 bits
}

// Float64 returns the value as float64.
func (v Value) Float64() float64 {
	switch {
	case v.Type.Float():
		return math.Float64frombits(v.bits)
	case v.Type.Signed():
		return float64(int64(v.bits))
	}
	return float64(v.bits)
}

// Int64 returns the value as int64 (floats truncated).
func (v Value) Int64() int64 {
	if v.Type.Float() {
		return int64(math.Float64frombits(v.bits))
	}
	return int64(v.bits)
}

// Uint64 returns the raw integer bits (floats: float64 bits).
func (v Value) Uint64() uint64 { return v.bits }

// String formats the value (floats in the shortest form that reads back
// to the same value of their type).
func (v Value) String() string { return string(v.AppendText(nil)) }

// AppendText appends the value as text (for CSV writers, no allocation).
func (v Value) AppendText(b []byte) []byte {
	switch {
	case v.Type == F64:
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 64)
	case v.Type.Float():
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 32)
	case v.Type.Signed():
		return strconv.AppendInt(b, int64(v.bits), 10)
	}
	return strconv.AppendUint(b, v.bits, 10)
}

// Sample is one complete acquisition of a DAQ list.
type Sample struct {
	List int // index into Layout.Lists
	// Host is the host receive time of the first ODT in ns since the first
	// frame of the measurement.
	Host int64
	// HostNS is the same receive time in ns since Header.Start: the origin
	// of the online CSV's timestamp0 and, for a recording, of its frames
	// and of `xcp convert`'s host_ns column.
	HostNS int64
	// Slave is the slave's DAQ timestamp, linearised across wrap-arounds
	// and scaled to ns, since the first timestamp of the measurement;
	// valid if HasSlave.
	Slave    int64
	HasSlave bool
	// Values are the measurement values in list order. Values and Raw are
	// reused for the next sample: copy what you keep.
	Values []Value
	Raw    []byte
}

// ListStats counts what happened to one DAQ list.
type ListStats struct {
	Name    string `json:"name"`
	Samples uint64 `json:"samples"`
	// Incomplete counts samples discarded because ODTs were missing or
	// out of order; MissingODT the ODTs known missing.
	Incomplete uint64 `json:"incomplete"`
	MissingODT uint64 `json:"missing_odt"`
	OutOfOrder uint64 `json:"out_of_order"`
	// Overload counts DTOs flagged with the overload bit of the PID.
	Overload uint64 `json:"overload"`
	// Malformed counts DTOs too short for their ODT.
	Malformed uint64 `json:"malformed"`
	// SlowConsumer counts samples a Go consumer (channel) was too slow to
	// take; they were recorded nevertheless.
	SlowConsumer uint64 `json:"slow_consumer"`
}

// Lost reports the number of loss indications for the list.
func (s ListStats) Lost() uint64 { return s.Incomplete + s.Overload + s.Malformed }

// Stats are the counters of a measurement.
type Stats struct {
	Frames uint64 `json:"frames"`
	Bytes  uint64 `json:"bytes"`
	// TransportLost is the frames the transport's counter shows missing
	// (XCP on Ethernet: a 16-bit CTR sizes a gap only modulo 65536; see
	// goxcp/transport/eth).
	TransportLost uint64 `json:"transport_lost"`
	// Dropped counts frames the receive path had to drop because every
	// buffer stayed full (the consumer or the sink did not keep up).
	Dropped uint64 `json:"dropped"`
	// Stalls counts how often the receive path waited for a buffer (not a
	// loss: over TCP the slave is throttled meanwhile).
	Stalls uint64 `json:"stalls"`
	// UnknownPID counts DTOs that belong to no configured ODT.
	UnknownPID uint64 `json:"unknown_pid"`
	// OverloadEvents counts EV_DAQ_OVERLOAD events from the slave.
	OverloadEvents uint64 `json:"overload_events"`
	// SinkDropped counts frames the FrameSink itself dropped (a recorder
	// whose disk did not keep up), if it reports them (DropCounter).
	SinkDropped uint64 `json:"sink_dropped"`
	// SinkError is the first error of the FrameSink, if any.
	SinkError string      `json:"sink_error,omitempty"`
	Lists     []ListStats `json:"lists"`
}

// Lost is the total of all loss indications.
func (s Stats) Lost() uint64 {
	n := s.TransportLost + s.Dropped + s.SinkDropped + s.UnknownPID + s.OverloadEvents
	for _, l := range s.Lists {
		n += l.Lost()
	}
	return n
}

type measDec struct {
	off   int
	typ   Type
	mask  uint64
	shift uint8
}

type listState struct {
	lay     *ListLayout
	nODT    int
	odtOff  []int
	odtLen  []int
	buf     []byte
	next    int // next expected ODT; -1 = skip until ODT 0
	host    int64
	slave   int64
	hasTS   bool
	tsLast  uint64
	tsLin   int64
	tsHost  int64
	tsValid bool
	meas    []measDec
	vals    []Value
	stats   ListStats
}

// Decoder reassembles DTOs into samples. It is not safe for concurrent
// use; it allocates nothing per frame.
type Decoder struct {
	lay      *Layout
	order    xcp.ByteOrder
	lists    []listState
	byPID    [256]int32 // abs ODT numbering: list index<<8 | odt, -1 unknown
	byNumber []int32    // relative numbering: list number -> index, -1 unknown
	tsSize   int
	tsMask   uint64
	psTick   uint64
	host0    int64
	started  bool
	tsRef    bool
	tsRaw0   uint64
	tsHost0  int64
	unknown  uint64
	sample   Sample
}

// NewDecoder returns a decoder for the layout.
func NewDecoder(l *Layout) (*Decoder, error) {
	d := &Decoder{lay: l, order: l.Order, tsSize: l.TimestampSize}
	switch l.TimestampSize {
	case 0, 1, 2, 4:
	default:
		return nil, fmt.Errorf("daq: timestamp size %d is not 0, 1, 2 or 4", l.TimestampSize)
	}
	if l.TimestampSize > 0 {
		d.tsMask = 1<<(8*l.TimestampSize) - 1
		d.psTick = l.TimestampUnit.Picoseconds() * uint64(max(l.TimestampTick, 1))
		if d.psTick == 0 {
			return nil, fmt.Errorf("daq: timestamp unit %d is undefined", l.TimestampUnit)
		}
	}
	for i := range d.byPID {
		d.byPID[i] = -1
	}
	d.lists = make([]listState, len(l.Lists))
	for i := range l.Lists {
		ll := &l.Lists[i]
		st := &d.lists[i]
		st.lay, st.nODT, st.stats.Name = ll, len(ll.ODTs), ll.Name
		if st.nODT == 0 {
			return nil, fmt.Errorf("daq: DAQ list %q has no ODTs", ll.Name)
		}
		off := 0
		for _, o := range ll.ODTs {
			st.odtOff = append(st.odtOff, off)
			st.odtLen = append(st.odtLen, o.Payload())
			off += o.Payload()
		}
		st.buf = make([]byte, off)
		if len(ll.Offsets) != len(ll.Measurements) {
			return nil, fmt.Errorf("daq: DAQ list %q: %d offsets for %d measurements", ll.Name, len(ll.Offsets), len(ll.Measurements))
		}
		for j, m := range ll.Measurements {
			if !m.Type.Valid() || ll.Offsets[j] < 0 || ll.Offsets[j]+m.Type.Size() > off {
				return nil, fmt.Errorf("daq: DAQ list %q: measurement %q lies outside the sample (%d bytes)", ll.Name, m.Name, off)
			}
			md := measDec{off: ll.Offsets[j], typ: m.Type, mask: m.Mask}
			if m.Mask != 0 {
				md.shift = uint8(bits.TrailingZeros64(m.Mask))
			}
			st.meas = append(st.meas, md)
		}
		st.vals = make([]Value, len(ll.Measurements))
		st.hasTS = ll.Timestamps && l.TimestampSize > 0
		if l.IDField == xcp.IDAbsODT {
			pidMax := 0xFC
			if l.OverloadMSB {
				pidMax = 0x80
			}
			if int(ll.FirstPID)+st.nODT > pidMax {
				return nil, fmt.Errorf("daq: DAQ list %q: PIDs %d..%d exceed the PID range", ll.Name, ll.FirstPID, int(ll.FirstPID)+st.nODT-1)
			}
			for o := range st.nODT {
				p := int(ll.FirstPID) + o
				if d.byPID[p] >= 0 {
					return nil, fmt.Errorf("daq: DAQ list %q: PID %d is used twice", ll.Name, p)
				}
				d.byPID[p] = int32(i<<8 | o)
			}
		} else {
			for int(ll.Number) >= len(d.byNumber) {
				d.byNumber = append(d.byNumber, -1)
			}
			if d.byNumber[ll.Number] >= 0 {
				return nil, fmt.Errorf("daq: DAQ list number %d is used twice", ll.Number)
			}
			d.byNumber[ll.Number] = int32(i)
		}
	}
	return d, nil
}

// Layout returns the decoder's layout.
func (d *Decoder) Layout() *Layout { return d.lay }

// HostStart returns the Frame.Time of the first frame decoded (the host
// time origin of Sample.Host).
func (d *Decoder) HostStart() int64 { return d.host0 }

// Decode processes one frame and calls emit for a sample it completes. The
// sample is valid only during emit.
func (d *Decoder) Decode(f Frame, emit func(*Sample)) {
	p := f.Data
	if len(p) == 0 {
		return
	}
	if !d.started {
		d.started, d.host0 = true, f.Time
	}
	var li, odt int
	var overload bool
	var hdr int
	if d.lay.IDField == xcp.IDAbsODT {
		pid := p[0]
		if d.lay.OverloadMSB && pid&0x80 != 0 {
			overload, pid = true, pid&0x7F
		}
		e := d.byPID[pid]
		if e < 0 {
			d.unknown++
			return
		}
		li, odt, hdr = int(e>>8), int(e&0xFF), 1
	} else {
		o, num, n, ok := d.lay.IDField.ParseDTOHeader(p, xcp.Format{Order: d.order})
		if !ok {
			d.unknown++
			return
		}
		if d.lay.OverloadMSB && o&0x80 != 0 {
			overload, o = true, o&0x7F
		}
		if int(num) >= len(d.byNumber) || d.byNumber[num] < 0 {
			d.unknown++
			return
		}
		li, odt, hdr = int(d.byNumber[num]), int(o), n
	}
	st := &d.lists[li]
	if odt >= st.nODT {
		d.unknown++
		return
	}
	if overload {
		st.stats.Overload++
	}
	q := p[hdr:]
	if odt == 0 {
		if st.next > 0 {
			st.stats.Incomplete++
			st.stats.MissingODT += uint64(st.nODT - st.next)
		}
		if st.hasTS {
			if len(q) < d.tsSize {
				st.stats.Malformed++
				st.next = -1
				return
			}
			st.slave = d.slaveTime(st, d.readTS(q), f.Time)
			q = q[d.tsSize:]
		}
		st.host = f.Time - d.host0
		st.next = 0
	} else if odt != st.next {
		switch {
		case st.next < 0:
			// Still skipping the rest of a damaged sample.
		case odt > st.next:
			st.stats.Incomplete++
			st.stats.MissingODT += uint64(odt - st.next)
			st.next = -1
		default:
			st.stats.Incomplete++
			st.stats.OutOfOrder++
			st.next = -1
		}
		return
	}
	n := st.odtLen[odt]
	if len(q) < n {
		st.stats.Malformed++
		st.stats.Incomplete++
		st.next = -1
		return
	}
	copy(st.buf[st.odtOff[odt]:], q[:n])
	st.next++
	if st.next < st.nODT {
		return
	}
	st.next = 0
	st.stats.Samples++
	if emit == nil {
		return
	}
	d.decodeValues(st)
	s := &d.sample
	s.List, s.Host, s.Slave, s.HasSlave, s.Values, s.Raw = li, st.host, st.slave, st.hasTS, st.vals, st.buf
	s.HostNS = st.host + d.host0
	emit(s)
}

func (d *Decoder) readTS(q []byte) uint64 {
	switch d.tsSize {
	case 1:
		return uint64(q[0])
	case 2:
		return uint64(d.order.Uint16(q))
	}
	return uint64(d.order.Uint32(q))
}

// slaveTime linearises a raw timestamp of a list and scales it to ns since
// the first timestamp of the measurement. A list's first timestamp is
// placed using the host clock to resolve wrap-arounds before it.
func (d *Decoder) slaveTime(st *listState, raw uint64, host int64) int64 {
	if !d.tsRef {
		d.tsRef, d.tsRaw0, d.tsHost0 = true, raw, host
	}
	if !st.tsValid {
		expect := int64(0)
		if host > d.tsHost0 {
			expect = int64(d.hostTicks(host - d.tsHost0))
		}
		base := (d.tsRaw0 + uint64(expect)) & d.tsMask
		diff := (raw - base) & d.tsMask
		delta := int64(diff)
		if diff > d.tsMask/2 {
			delta -= int64(d.tsMask) + 1
		}
		st.tsLin, st.tsLast, st.tsValid = expect+delta, raw, true
	} else {
		// Forward distance modulo the timestamp range, plus as many whole
		// wrap-arounds as the host clock says have passed (timestamps of
		// 1 or 2 bytes may wrap several times between samples).
		delta := (raw - st.tsLast) & d.tsMask
		if host > st.tsHost {
			if e := d.hostTicks(host - st.tsHost); e > delta {
				period := d.tsMask + 1
				delta += (e - delta + period/2) / period * period
			}
		}
		st.tsLin += int64(delta)
		st.tsLast = raw
	}
	st.tsHost = host
	return ticksToNs(st.tsLin, d.psTick)
}

// hostTicks converts a host duration in ns to timestamp ticks.
func (d *Decoder) hostTicks(ns int64) uint64 {
	hi, lo := bits.Mul64(uint64(ns), 1000)
	if hi >= d.psTick {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, d.psTick)
	return q
}

func ticksToNs(t int64, ps uint64) int64 {
	neg := t < 0
	u := uint64(t)
	if neg {
		u = uint64(-t)
	}
	hi, lo := bits.Mul64(u, ps)
	if hi >= 1000 {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1000)
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func (d *Decoder) decodeValues(st *listState) {
	buf := st.buf
	for i := range st.meas {
		m := &st.meas[i]
		b := buf[m.off:]
		var raw uint64
		switch m.typ.Size() {
		case 1:
			raw = uint64(b[0])
		case 2:
			raw = uint64(d.order.Uint16(b))
		case 4:
			raw = uint64(d.order.Uint32(b))
		default:
			raw = d.order.Uint64(b)
		}
		st.vals[i] = makeValue(m, raw)
	}
}

func makeValue(m *measDec, raw uint64) Value {
	if m.mask != 0 {
		return Value{Type: m.typ, bits: (raw & m.mask) >> m.shift}
	}
	switch m.typ {
	case I8:
		raw = uint64(int64(int8(raw)))
	case I16:
		raw = uint64(int64(int16(raw)))
	case I32:
		raw = uint64(int64(int32(raw)))
	case F16:
		raw = math.Float64bits(float64(halfToFloat32(uint16(raw))))
	case BF16:
		raw = math.Float64bits(float64(math.Float32frombits(uint32(raw) << 16)))
	case F32:
		raw = math.Float64bits(float64(math.Float32frombits(uint32(raw))))
	}
	return Value{Type: m.typ, bits: raw}
}

// halfToFloat32 converts an IEEE 754 binary16 to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h) & 0x3FF
	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3FF
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case 0x1F:
		return math.Float32frombits(sign | 0xFF<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// Stats returns the decoder's counters (UnknownPID and Lists).
func (d *Decoder) Stats() Stats {
	s := Stats{UnknownPID: d.unknown, Lists: make([]ListStats, len(d.lists))}
	for i := range d.lists {
		s.Lists[i] = d.lists[i].stats
	}
	return s
}

// addSlow counts a sample a consumer could not take.
func (d *Decoder) addSlow(list int) { d.lists[list].stats.SlowConsumer++ }
