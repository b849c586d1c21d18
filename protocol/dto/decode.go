package dto

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Frame is one raw DAQ packet (a DTO, PID first) with its host receive
// time in nanoseconds (since the start of the measurement or recording):
// what a measurement hands to a recorder and what a recording holds.
type Frame struct {
	Time int64
	// Data is the XCP packet, PID first; who hands out a Frame says how
	// long Data stays valid.
	Data []byte
}

// Sample is one complete acquisition of a DAQ list: what a live
// measurement (goxcp/daq) and a recording's decoder (goxcp/record) yield.
type Sample struct {
	List int // index of the DAQ list in the layout
	// HostNS is the host receive time of the sample's first ODT: the time
	// given with its frame (ns since the start of the measurement or
	// recording).
	HostNS int64
	// SlaveNS is the slave's DAQ timestamp linearised across wrap-arounds
	// and scaled to ns since the first timestamp the decoder saw; valid if
	// HasSlave.
	SlaveNS  int64
	HasSlave bool
	// Values are the values in field order; reused by the next sample:
	// copy what you keep.
	Values []Value
}

// ListStats count what happened to one DAQ list.
type ListStats struct {
	Samples uint64 `json:"samples"`
	// Incomplete counts samples discarded because ODTs were missing or
	// out of order (MissingODT: ODTs known missing, OutOfOrder: ODTs that
	// came back in the sequence).
	Incomplete uint64 `json:"incomplete"`
	MissingODT uint64 `json:"missing_odt"`
	OutOfOrder uint64 `json:"out_of_order"`
	Overload   uint64 `json:"overload"`  // DTOs with the overload bit in the PID
	Malformed  uint64 `json:"malformed"` // DTOs too short for their ODT
}

// Lost reports the number of loss indications for the list.
func (s ListStats) Lost() uint64 { return s.Incomplete + s.Overload + s.Malformed }

// Stats are a Decoder's counters.
type Stats struct {
	Lists []ListStats `json:"lists"`
	// Unknown counts DTOs that belong to no list or ODT (and empty
	// packets); Other counts packets with PID 0xFC…0xFF (EV, SERV, ERR,
	// RES), which are no DTOs.
	Unknown uint64 `json:"unknown"`
	Other   uint64 `json:"other"`
}

// Samples returns the number of samples of all lists.
func (s Stats) Samples() uint64 {
	n := uint64(0)
	for _, l := range s.Lists {
		n += l.Samples
	}
	return n
}

type field struct {
	off   int
	typ   Type
	mask  uint64
	shift uint8
}

type listState struct {
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
	fields  []field
	vals    []Value
	stats   ListStats
}

// Decoder reassembles DTOs into samples. It is not safe for concurrent
// use; it allocates nothing per frame.
type Decoder struct {
	idf      xcp.IDField
	order    xcp.ByteOrder
	ovl      bool
	lists    []listState
	byPID    [256]int32 // absolute ODT numbers: list index<<8 | odt, -1 unknown
	byNumber []int32    // relative: list number -> index, -1 unknown
	tsSize   int
	tsMask   uint64
	psTick   uint64
	tsRef    bool
	tsRaw0   uint64
	tsHost0  int64
	unknown  uint64
	other    uint64
	sample   Sample
}

// NewDecoder returns a decoder for l; it checks l (timestamp size, PIDs,
// list numbers, ODT sizes, measurements inside their sample) and names
// what is wrong.
func NewDecoder(l *Layout) (*Decoder, error) {
	d := &Decoder{idf: l.IDField, order: l.Order, ovl: l.OverloadMSB, tsSize: l.TimestampSize, psTick: l.TickPS}
	switch l.TimestampSize {
	case 0:
	case 1, 2, 4:
		d.tsMask = 1<<(8*l.TimestampSize) - 1
		if d.psTick == 0 {
			return nil, fmt.Errorf("dto: timestamps of %d bytes without a tick duration", l.TimestampSize)
		}
	default:
		return nil, fmt.Errorf("dto: timestamp size %d is not 0, 1, 2 or 4", l.TimestampSize)
	}
	if l.IDField > xcp.IDRelODTAbsDAQWordAl {
		return nil, fmt.Errorf("dto: identification field type %d", l.IDField)
	}
	for i := range d.byPID {
		d.byPID[i] = -1
	}
	pidMax := 0xFC
	if l.OverloadMSB {
		pidMax = 0x80
	}
	d.lists = make([]listState, len(l.Lists))
	for i := range l.Lists {
		ll := &l.Lists[i]
		st := &d.lists[i]
		st.nODT = len(ll.ODTs)
		if st.nODT == 0 || st.nODT > pidMax {
			return nil, fmt.Errorf("dto: DAQ list %q (number %d) has %d ODTs (want 1..%d)", ll.Name, ll.Number, st.nODT, pidMax)
		}
		off := 0
		for o, odt := range ll.ODTs {
			if odt.Size < 0 || odt.Size > 0xFFFF {
				return nil, fmt.Errorf("dto: DAQ list %q: ODT %d has %d bytes", ll.Name, o, odt.Size)
			}
			if odt.Entries != nil && NewODT(odt.Entries...).Size != odt.Size {
				return nil, fmt.Errorf("dto: DAQ list %q: ODT %d has %d bytes but its entries %d", ll.Name, o, odt.Size, NewODT(odt.Entries...).Size)
			}
			st.odtOff = append(st.odtOff, off)
			st.odtLen = append(st.odtLen, odt.Size)
			off += odt.Size
		}
		st.buf = make([]byte, off)
		if len(ll.Offsets) != len(ll.Measurements) {
			return nil, fmt.Errorf("dto: DAQ list %q: %d offsets for %d measurements", ll.Name, len(ll.Offsets), len(ll.Measurements))
		}
		for j, m := range ll.Measurements {
			o := ll.Offsets[j]
			if !m.Type.Valid() || o < 0 || o+m.Type.Size() > off {
				return nil, fmt.Errorf("dto: DAQ list %q: measurement %q (%v at %d) lies outside the sample of %d bytes", ll.Name, m.Name, m.Type, o, off)
			}
			st.fields = append(st.fields, newField(o, m))
		}
		st.vals = make([]Value, len(ll.Measurements))
		for j, m := range ll.Measurements {
			st.vals[j].Type = m.Type
		}
		st.hasTS = ll.Timestamps && l.TimestampSize > 0
		if l.IDField == xcp.IDAbsODT {
			if int(ll.FirstPID)+st.nODT > pidMax {
				return nil, fmt.Errorf("dto: DAQ list %q: PIDs %d..%d exceed the PID range", ll.Name, ll.FirstPID, int(ll.FirstPID)+st.nODT-1)
			}
			for o := range st.nODT {
				p := int(ll.FirstPID) + o
				if d.byPID[p] >= 0 {
					return nil, fmt.Errorf("dto: DAQ list %q: PID %d is used twice", ll.Name, p)
				}
				d.byPID[p] = int32(i<<8 | o)
			}
			continue
		}
		if l.IDField == xcp.IDRelODTAbsDAQByte && ll.Number > 0xFF {
			return nil, fmt.Errorf("dto: DAQ list number %d does not fit the byte of the identification field", ll.Number)
		}
		for int(ll.Number) >= len(d.byNumber) {
			d.byNumber = append(d.byNumber, -1)
		}
		if d.byNumber[ll.Number] >= 0 {
			return nil, fmt.Errorf("dto: DAQ list number %d is used twice", ll.Number)
		}
		d.byNumber[ll.Number] = int32(i)
	}
	return d, nil
}

// newField prepares the extraction of m at offset off of a sample.
func newField(off int, m Measurement) field {
	f := field{off: off, typ: m.Type, mask: m.BitMask}
	if m.BitMask != 0 {
		f.shift = uint8(bits.TrailingZeros64(m.BitMask))
	}
	return f
}

// Decode processes one DTO received at time host (any monotonic ns
// clock) and returns the sample it completes, or nil. The sample is valid
// until the next call.
func (d *Decoder) Decode(host int64, p []byte) *Sample {
	if len(p) == 0 {
		d.unknown++
		return nil
	}
	var li, odt, hdr int
	overload := false
	if d.idf == xcp.IDAbsODT {
		pid := p[0]
		if pid >= 0xFC {
			d.other++
			return nil
		}
		if d.ovl && pid&0x80 != 0 {
			overload, pid = true, pid&0x7F
		}
		e := d.byPID[pid]
		if e < 0 {
			d.unknown++
			return nil
		}
		li, odt, hdr = int(e>>8), int(e&0xFF), 1
	} else {
		if p[0] >= 0xFC {
			d.other++
			return nil
		}
		o, num, n, ok := d.idf.ParseDTOHeader(p, xcp.Format{Order: d.order})
		if !ok {
			d.unknown++
			return nil
		}
		if d.ovl && o&0x80 != 0 {
			overload, o = true, o&0x7F
		}
		if int(num) >= len(d.byNumber) || d.byNumber[num] < 0 {
			d.unknown++
			return nil
		}
		li, odt, hdr = int(d.byNumber[num]), int(o), n
	}
	st := &d.lists[li]
	if odt >= st.nODT {
		d.unknown++
		return nil
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
				return nil
			}
			st.slave = d.slaveTime(st, d.readTS(q), host)
			q = q[d.tsSize:]
		}
		st.host = host
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
		return nil
	}
	n := st.odtLen[odt]
	if len(q) < n {
		st.stats.Malformed++
		st.stats.Incomplete++
		st.next = -1
		return nil
	}
	copy(st.buf[st.odtOff[odt]:], q[:n])
	st.next++
	if st.next < st.nODT {
		return nil
	}
	st.next = 0
	st.stats.Samples++
	d.decodeValues(st)
	s := &d.sample
	s.List, s.HostNS, s.SlaveNS, s.HasSlave, s.Values = li, st.host, st.slave, st.hasTS, st.vals
	return s
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
	return min(q, math.MaxInt64)
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
	for i := range st.fields {
		f := &st.fields[i]
		b := buf[f.off:]
		var raw uint64
		switch f.typ.Size() {
		case 1:
			raw = uint64(b[0])
		case 2:
			raw = uint64(d.order.Uint16(b))
		case 4:
			raw = uint64(d.order.Uint32(b))
		default:
			raw = d.order.Uint64(b)
		}
		st.vals[i] = f.value(raw)
	}
}

func (f *field) value(raw uint64) Value {
	if f.mask != 0 && !f.typ.Float() {
		return Value{Type: f.typ, bits: (raw & f.mask) >> f.shift}
	}
	switch f.typ {
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
	return Value{Type: f.typ, bits: raw}
}

// Stats returns the decoder's counters.
func (d *Decoder) Stats() Stats {
	s := Stats{Unknown: d.unknown, Other: d.other, Lists: make([]ListStats, len(d.lists))}
	for i := range d.lists {
		s.Lists[i] = d.lists[i].stats
	}
	return s
}

// ListStats returns the counters of list i (no allocation).
func (d *Decoder) ListStats(i int) ListStats { return d.lists[i].stats }
