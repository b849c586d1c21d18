package xmraw

import (
	"encoding/binary"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
)

// Sample is one complete sample of a DAQ list, as pyXCP's converters give
// it: unlike dto.Sample (what Source yields), its times are those of the
// sample's last ODT relative to the list's first sample, as in pyXCP's
// CSV files.
type Sample struct {
	// List is the index of the list in Params.Lists.
	List int
	// Timestamp0 is the host receive time of the sample's last ODT in ns,
	// relative to the list's first sample.
	Timestamp0 uint64
	// Timestamp1 is the ECU timestamp in ns (ticks × scale), relative to
	// the list's first sample and continued across wrap-arounds; 0 for a
	// list without timestamps.
	Timestamp1 uint64
	// Host is the recorded host time of the sample's last ODT (pyXCP's
	// clock, ns since the Unix epoch unless the file has
	// OptRelativeTimestamps); Timestamp0 is Host minus the list's first.
	Host uint64
	// Values in ODT entry order; reused by the next sample.
	Values []dto.Value
}

type field struct {
	dto.Measurement
	size int
}

type listState struct {
	odts      [][]field
	ts        bool // first ODT carries a timestamp
	collect   bool
	next      int
	idx       int
	vals      []dto.Value
	ts0, ts1  uint64
	stats     dto.ListStats
	based     bool
	base0     uint64
	base1     uint64
	prev1     uint64
	overflows uint64
}

// Decoder turns DAQ frames into samples with pyXCP's rules: an ODT 0
// starts a sample, ODTs must follow in order, the last completes it.
// Unlike pyXCP it drops (and counts) samples whose DTOs are too short
// instead of aborting, and counts DTOs of unknown absolute ODT numbers
// instead of taking them for list 0.
type Decoder struct {
	p        *Params
	order    binary.ByteOrder
	lists    []listState
	abs      map[uint8][2]int // absolute ODT number → list, ODT
	overflow uint64
	sample   Sample
	unknown  uint64
	other    uint64
}

// NewDecoder returns a Decoder for the lists of p. Packed DAQ lists are
// not supported (pyXCP's file decoder ignores packing as well).
func NewDecoder(p *Params) (*Decoder, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	d := &Decoder{p: p, order: binary.LittleEndian}
	if p.BigEndian {
		d.order = binary.BigEndian
	}
	if p.TimestampSize > 0 {
		d.overflow = uint64(float64(uint64(1)<<(8*p.TimestampSize)) * p.TimestampScale)
	}
	for i := range p.Lists {
		l := &p.Lists[i]
		if l.PackedMode != 0 {
			return nil, fmt.Errorf("%w: DAQ list %q uses packed mode %d", ErrUnsupported, l.Name, l.PackedMode)
		}
		st := listState{ts: p.TimestampsIn(l), vals: make([]dto.Value, l.Entries())}
		for _, o := range l.ODTs {
			fs := make([]field, len(o))
			for j, e := range o {
				fs[j] = field{Measurement: dto.Measurement{Name: e.Name, Type: e.Type}, size: e.Type.Size()}
			}
			st.odts = append(st.odts, fs)
		}
		d.lists = append(d.lists, st)
	}
	if p.IDFieldSize == 1 {
		d.abs = map[uint8][2]int{}
		for i, l := range p.Lists {
			for o := range l.ODTs {
				pid := int(p.FirstPIDs[i]) + o
				if pid > 0xFF {
					return nil, fmt.Errorf("%w: DAQ list %q: absolute ODT number %d", ErrCorrupt, l.Name, pid)
				}
				d.abs[uint8(pid)] = [2]int{i, o}
			}
		}
	}
	return d, nil
}

// Decode feeds one frame; it reports whether it completed a sample (then
// available from Sample until the next Decode).
func (d *Decoder) Decode(f *Frame) bool {
	if f.Category != CatDAQ {
		d.other++
		return false
	}
	p := f.Data
	li, odt, ok := d.id(p)
	if !ok {
		d.unknown++
		return false
	}
	st := &d.lists[li]
	// pyXCP's state machine: ODT 0 starts (or with one ODT completes) a
	// sample; an ODT out of sequence drops it; ODTs outside a sample are
	// ignored.
	last := odt == len(st.odts)-1
	switch {
	case odt == 0:
		if st.collect {
			st.stats.Incomplete++ // the previous sample misses ODTs
		}
		st.collect, st.next, st.idx = !last, 1, 0
	case !st.collect:
		return false
	case odt != st.next:
		st.collect = false
		st.stats.Incomplete++
		return false
	default:
		st.next++
		if last {
			st.collect = false
		}
	}
	st.ts0 = f.Timestamp
	if !d.parse(st, odt, p) {
		st.collect = false
		st.stats.Malformed++
		return false
	}
	if !last {
		return false
	}
	st.stats.Samples++
	// Times relative to the list's first sample, the ECU time continued
	// across wrap-arounds (unsigned arithmetic, as pyXCP does).
	if st.prev1 > st.ts1 {
		st.overflows++
	}
	st.prev1 = st.ts1
	if !st.based {
		st.base0, st.base1, st.based = st.ts0, st.ts1, true
	}
	d.sample = Sample{List: li, Host: st.ts0, Timestamp0: st.ts0 - st.base0, Timestamp1: st.ts1 - st.base1 + d.overflow*st.overflows, Values: st.vals}
	return true
}

// id returns the list index and ODT number of a DTO.
func (d *Decoder) id(p []byte) (list, odt int, ok bool) {
	n := d.p.IDFieldSize
	if len(p) < n {
		return 0, 0, false
	}
	switch n {
	case 1:
		x, found := d.abs[p[0]]
		return x[0], x[1], found
	case 2:
		list = int(p[1])
	case 3:
		list = int(d.order.Uint16(p[1:]))
	case 4:
		list = int(d.order.Uint16(p[2:]))
	}
	odt = int(p[0])
	if list >= len(d.lists) || odt >= len(d.lists[list].odts) {
		return 0, 0, false
	}
	return list, odt, true
}

// parse reads the timestamp (ODT 0) and the values of one ODT.
func (d *Decoder) parse(st *listState, odt int, p []byte) bool {
	off := d.p.IDFieldSize
	if odt == 0 {
		st.ts1 = 0
		if st.ts {
			n := d.p.TimestampSize
			if len(p) < off+n {
				return false
			}
			st.ts1 = uint64(float64(d.raw(p[off:], n)) * d.p.TimestampScale)
			off += n
		}
	}
	for _, f := range st.odts[odt] {
		if len(p) < off+f.size {
			return false
		}
		st.vals[st.idx] = f.FromRaw(d.raw(p[off:], f.size))
		st.idx++
		off += f.size
	}
	return true
}

// raw reads an n-byte unsigned integer in the slave's byte order.
func (d *Decoder) raw(p []byte, n int) uint64 {
	switch n {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(d.order.Uint16(p))
	case 4:
		return uint64(d.order.Uint32(p))
	case 8:
		return d.order.Uint64(p)
	}
	return 0
}

// Sample returns the last completed sample.
func (d *Decoder) Sample() *Sample { return &d.sample }

// Stats returns the decoder's counters: per list the samples, the samples
// dropped because ODTs were missing or out of sequence (Incomplete) and
// DTOs too short for their ODT (Malformed); Unknown counts DTOs naming no
// list of the recording, Other frames that are not DAQ frames (pyXCP's
// recorder keeps only DAQ).
func (d *Decoder) Stats() dto.Stats {
	s := dto.Stats{Unknown: d.unknown, Other: d.other, Lists: make([]dto.ListStats, len(d.lists))}
	for i := range d.lists {
		s.Lists[i] = d.lists[i].stats
	}
	return s
}
