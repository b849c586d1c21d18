package record

import (
	"encoding/binary"
	"iter"
	"math"
	"math/bits"
	"strconv"
)

// Value is one typed measurement value.
type Value struct {
	Type Type
	bits uint64 // integers sign- or zero-extended; floats as float64 bits
}

// Float64 returns the value as float64.
func (v Value) Float64() float64 {
	switch {
	case v.Type.IsFloat():
		return math.Float64frombits(v.bits)
	case v.Type.IsSigned():
		return float64(int64(v.bits))
	}
	return float64(v.bits)
}

// Int64 returns the value as int64 (floats are truncated, large unsigned
// values wrap).
func (v Value) Int64() int64 {
	if v.Type.IsFloat() {
		return int64(math.Float64frombits(v.bits))
	}
	return int64(v.bits)
}

// Uint64 returns the value as uint64 (floats are truncated, negative
// values wrap).
func (v Value) Uint64() uint64 {
	if v.Type.IsFloat() {
		return uint64(math.Float64frombits(v.bits))
	}
	return v.bits
}

// AppendText appends the value in its shortest exact decimal form.
func (v Value) AppendText(b []byte) []byte {
	switch {
	case v.Type == F64:
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 64)
	case v.Type.IsFloat():
		return strconv.AppendFloat(b, math.Float64frombits(v.bits), 'g', -1, 32)
	case v.Type.IsSigned():
		return strconv.AppendInt(b, int64(v.bits), 10)
	}
	return strconv.AppendUint(b, v.bits, 10)
}

// String returns AppendText as a string.
func (v Value) String() string { return string(v.AppendText(nil)) }

// IntValue and friends build Values (for tests and producers of samples).
func IntValue(t Type, v int64) Value     { return Value{Type: t, bits: uint64(v)} }
func UintValue(t Type, v uint64) Value   { return Value{Type: t, bits: v} }
func FloatValue(t Type, v float64) Value { return Value{Type: t, bits: math.Float64bits(v)} }

// Sample is one complete sample of a DAQ list.
type Sample struct {
	// List is the index of the list in Meta.DAQ.Lists.
	List int
	// HostNS is the host receive time of the sample's first ODT in
	// nanoseconds since Meta.Start.
	HostNS int64
	// SlaveNS is the slave timestamp of the sample, linearised across
	// wrap-arounds and scaled to nanoseconds, counted from the first slave
	// timestamp in the recording. Valid if HasSlave.
	SlaveNS  int64
	HasSlave bool
	// Values are the values in the order of the list's Measurements. The
	// slice is reused by the next sample.
	Values []Value
}

// ListStats are the decoder's counters for one DAQ list.
type ListStats struct {
	Samples     uint64 // complete samples
	MissingODTs uint64 // ODTs missing or out of order (the sample is dropped)
	Overloads   uint64 // DTOs with the overload bit in the PID
	Malformed   uint64 // DTOs too short for the layout
}

// DecodeStats are the decoder's counters.
type DecodeStats struct {
	Samples uint64
	Lists   []ListStats // by index in Meta.DAQ.Lists
	// Unknown counts DTOs whose identification matches no list; Other
	// counts non-DTO packets (EV, SERV, RES, ERR) in the recording.
	Unknown, Other uint64
}

type field struct {
	idx   int
	off   int
	typ   Type
	mask  uint64
	shift uint8
}

type listState struct {
	odts     [][]field
	nODT     int
	ts       bool
	next     int // expected ODT; -1 while waiting for ODT 0 after a loss
	vals     []Value
	host     int64
	slave    int64
	hasSlave bool
}

type pidKey struct {
	list int16 // -1: unknown
	odt  uint8
}

// Decoder turns frames into samples according to a Layout (ASAM XCP part
// 2: DTO identification field, timestamp in the first ODT, ODT entries).
type Decoder struct {
	r      *Reader
	order  binary.ByteOrder
	idf    string
	hdr    int
	tsSize int
	tick   float64
	ovl    bool
	lists  []listState
	byPID  [256]pidKey
	byNum  map[int]int
	tsInit bool
	tsLast uint32
	tsAcc  uint64
	sample Sample
	stats  DecodeStats
}

// NewDecoder returns a Decoder for the frames of r, using r's metadata.
func NewDecoder(r *Reader) (*Decoder, error) {
	d, err := NewFrameDecoder(r.Meta())
	if err != nil {
		return nil, err
	}
	d.r = r
	return d, nil
}

// NewFrameDecoder returns a Decoder fed with Decode, without a Reader.
func NewFrameDecoder(m *Meta) (*Decoder, error) {
	if err := m.DAQ.Validate(); err != nil {
		return nil, err
	}
	order, err := byteOrder(m.Slave.ByteOrder)
	if err != nil {
		return nil, err
	}
	hdr, _ := idHeaderSize(m.DAQ.IDField)
	d := &Decoder{
		order: order, idf: m.DAQ.IDField, hdr: hdr,
		tsSize: m.DAQ.TimestampSize, tick: m.DAQ.TimestampTickNS, ovl: m.DAQ.OverloadPIDMSB,
		lists: make([]listState, len(m.DAQ.Lists)), byNum: map[int]int{},
	}
	if d.tick == 0 {
		d.tick = 1
	}
	d.stats.Lists = make([]ListStats, len(m.DAQ.Lists))
	for i := range d.byPID {
		d.byPID[i].list = -1
	}
	for i := range m.DAQ.Lists {
		l := &m.DAQ.Lists[i]
		st := &d.lists[i]
		st.nODT, st.ts = l.ODTs, l.Timestamps && d.tsSize > 0
		st.odts = make([][]field, l.ODTs)
		st.vals = make([]Value, len(l.Measurements))
		for j, ms := range l.Measurements {
			f := field{idx: j, off: ms.Offset, typ: ms.Type, mask: ms.BitMask}
			if f.mask != 0 {
				f.shift = uint8(bits.TrailingZeros64(f.mask))
			}
			st.odts[ms.ODT] = append(st.odts[ms.ODT], f)
			st.vals[j].Type = ms.Type
		}
		d.byNum[l.Number] = i
		if d.idf == IDAbsolute {
			for o := 0; o < l.ODTs; o++ {
				d.byPID[l.FirstPID+o] = pidKey{list: int16(i), odt: uint8(o)}
			}
		}
	}
	return d, nil
}

// Next decodes frames until a sample is complete and reports whether there
// is one. Use Sample to get it; Err (of the Reader) after the end.
func (d *Decoder) Next() bool {
	for d.r.Next() {
		f := d.r.Frame()
		if d.Decode(f.Time, f.Data) {
			return true
		}
	}
	return false
}

// Err returns the Reader's error.
func (d *Decoder) Err() error {
	if d.r == nil {
		return nil
	}
	return d.r.Err()
}

// Sample returns the last completed sample; it is overwritten by the next.
func (d *Decoder) Sample() *Sample { return &d.sample }

// Stats returns the decoder's counters.
func (d *Decoder) Stats() DecodeStats {
	s := d.stats
	s.Lists = append([]ListStats(nil), s.Lists...)
	return s
}

// Decode feeds one frame received at hostNS; it reports whether it
// completed a sample (then available from Sample).
func (d *Decoder) Decode(hostNS int64, p []byte) bool {
	if len(p) == 0 {
		d.stats.Unknown++
		return false
	}
	pid := p[0]
	if pid >= 0xFC {
		d.stats.Other++
		return false
	}
	overload := false
	if d.ovl && pid&0x80 != 0 {
		overload = true
		pid &= 0x7F
	}
	li, odt := -1, int(pid)
	switch d.idf {
	case IDAbsolute:
		k := d.byPID[pid]
		li, odt = int(k.list), int(k.odt)
	case IDRelativeByte:
		if len(p) >= 2 {
			li = d.lookup(int(p[1]))
		}
	case IDRelativeWord:
		if len(p) >= 3 {
			li = d.lookup(int(d.order.Uint16(p[1:])))
		}
	case IDRelativeWordAligned:
		if len(p) >= 4 {
			li = d.lookup(int(d.order.Uint16(p[2:])))
		}
	}
	if li < 0 {
		d.stats.Unknown++
		return false
	}
	st := &d.lists[li]
	ls := &d.stats.Lists[li]
	if odt >= st.nODT {
		d.stats.Unknown++
		return false
	}
	if overload {
		ls.Overloads++
	}
	if odt == 0 {
		if st.next > 0 {
			ls.MissingODTs += uint64(st.nODT - st.next)
		}
		st.next = 0
		st.host = hostNS
		st.hasSlave = false
		if st.ts {
			if len(p) < d.hdr+d.tsSize {
				ls.Malformed++
				st.next = -1
				return false
			}
			st.slave, st.hasSlave = d.slaveTime(p[d.hdr:]), true
		}
	} else if odt != st.next {
		if st.next >= 0 {
			if odt > st.next {
				ls.MissingODTs += uint64(odt - st.next)
			} else {
				ls.MissingODTs++
			}
			st.next = -1
		}
		return false
	}
	for _, f := range st.odts[odt] {
		if f.off+f.typ.Size() > len(p) {
			ls.Malformed++
			st.next = -1
			return false
		}
		st.vals[f.idx].bits = d.extract(p[f.off:], f)
	}
	st.next = odt + 1
	if st.next < st.nODT {
		return false
	}
	st.next = 0
	ls.Samples++
	d.stats.Samples++
	d.sample = Sample{List: li, HostNS: st.host, SlaveNS: st.slave, HasSlave: st.hasSlave, Values: st.vals}
	return true
}

func (d *Decoder) lookup(num int) int {
	if i, ok := d.byNum[num]; ok {
		return i
	}
	return -1
}

// slaveTime linearises the raw timestamp at p across wrap-arounds.
func (d *Decoder) slaveTime(p []byte) int64 {
	var raw, mask uint32
	switch d.tsSize {
	case 1:
		raw, mask = uint32(p[0]), 0xFF
	case 2:
		raw, mask = uint32(d.order.Uint16(p)), 0xFFFF
	default:
		raw, mask = d.order.Uint32(p), 0xFFFFFFFF
	}
	if !d.tsInit {
		d.tsInit, d.tsLast = true, raw
	}
	d.tsAcc += uint64((raw - d.tsLast) & mask)
	d.tsLast = raw
	return int64(float64(d.tsAcc) * d.tick)
}

func (d *Decoder) extract(p []byte, f field) uint64 {
	var u uint64
	switch f.typ.Size() {
	case 1:
		u = uint64(p[0])
	case 2:
		u = uint64(d.order.Uint16(p))
	case 4:
		u = uint64(d.order.Uint32(p))
	default:
		u = d.order.Uint64(p)
	}
	if f.mask != 0 {
		u = (u & f.mask) >> f.shift
		if !f.typ.IsFloat() {
			// A masked field is an unsigned bit field unless the type is
			// signed and the top bit of the field is set.
			if f.typ.IsSigned() {
				w := uint(bits.OnesCount64(f.mask >> f.shift))
				if w > 0 && w < 64 && u&(1<<(w-1)) != 0 {
					u |= ^uint64(0) << w
				}
			}
			return u
		}
	}
	switch f.typ {
	case I8:
		return uint64(int64(int8(u)))
	case I16:
		return uint64(int64(int16(u)))
	case I32:
		return uint64(int64(int32(u)))
	case F16:
		return math.Float64bits(float64(halfToFloat32(uint16(u))))
	case BF16:
		return math.Float64bits(float64(math.Float32frombits(uint32(u) << 16)))
	case F32:
		return math.Float64bits(float64(math.Float32frombits(uint32(u))))
	}
	return u
}

// halfToFloat32 converts an IEEE 754 binary16 value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1F
	man := uint32(h) & 0x3FF
	switch {
	case exp == 0 && man == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(man) / 1024 / 16384
		if sign != 0 {
			f = -f
		}
		return f
	case exp == 0x1F:
		return math.Float32frombits(sign | 0x7F800000 | man<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
}

// All returns an iterator over the remaining samples of all DAQ lists in
// file order (the *Sample is reused: copy what you keep). Check Err after
// the loop.
func (d *Decoder) All() iter.Seq[*Sample] {
	return func(yield func(*Sample) bool) {
		for d.Next() {
			if !yield(&d.sample) {
				return
			}
		}
	}
}

// List returns an iterator over the remaining samples of the DAQ list with
// index list in Meta.DAQ.Lists; samples of other lists are decoded (and
// counted) but skipped.
func (d *Decoder) List(list int) iter.Seq[*Sample] {
	return func(yield func(*Sample) bool) {
		for d.Next() {
			if d.sample.List == list && !yield(&d.sample) {
				return
			}
		}
	}
}
