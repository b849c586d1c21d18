package record

import (
	"fmt"
	"iter"
	"math"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// DecodeStats are the decoder's counters.
type DecodeStats struct {
	Samples uint64
	Lists   []dto.ListStats // by index in Meta.DAQ.Lists (the live decoder's counters)
	// Unknown counts DTOs whose identification matches no list; Other
	// counts non-DTO packets (EV, SERV, RES, ERR) in the recording.
	Unknown, Other uint64
}

// Decoder turns frames into samples according to a Layout (ASAM XCP part
// 2: DTO identification field, timestamp in the first ODT, ODT entries),
// with goxcp/dto, the decoder of live measurements too.
type Decoder struct {
	r      *Reader
	dec    *dto.Decoder
	sample dto.Sample
	n      uint64
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
	l, err := m.dto()
	if err != nil {
		return nil, err
	}
	dd, err := dto.NewDecoder(l)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Decoder{dec: dd}, nil
}

// dto returns the validated layout of m in goxcp/dto's terms. The
// recording stores each value by ODT and offset in its packet; the
// payload of an ODT is ODTBytes or, without it, ends after its last value.
func (m *Meta) dto() (*dto.Layout, error) {
	order, err := byteOrder(m.Slave.ByteOrder)
	if err != nil {
		return nil, err
	}
	idf := map[string]xcp.IDField{IDAbsolute: xcp.IDAbsODT, IDRelativeByte: xcp.IDRelODTAbsDAQByte,
		IDRelativeWord: xcp.IDRelODTAbsDAQWord, IDRelativeWordAligned: xcp.IDRelODTAbsDAQWordAl}[m.DAQ.IDField]
	l := &dto.Layout{IDField: idf, Order: order, TimestampSize: m.DAQ.TimestampSize, OverloadMSB: m.DAQ.OverloadPIDMSB}
	if l.TimestampSize > 0 {
		l.TickPS = uint64(math.Round(m.DAQ.TimestampTickNS * 1000))
		if l.TickPS == 0 {
			l.TickPS = 1000 // no tick given: 1 ns
		}
	}
	hdr := idf.Len()
	for _, rl := range m.DAQ.Lists {
		ts := rl.Timestamps && m.DAQ.TimestampSize > 0
		start := func(odt int) int { // where the data of an ODT's packet starts
			if odt == 0 && ts {
				return hdr + m.DAQ.TimestampSize
			}
			return hdr
		}
		x := dto.List{Name: rl.Name, Number: uint16(rl.Number), FirstPID: uint8(rl.FirstPID), Event: uint16(rl.Event), EventName: rl.EventName,
			Prescaler: uint8(rl.Prescaler), Priority: uint8(rl.Priority), Timestamps: rl.Timestamps, ODTs: make([]dto.ODT, rl.ODTs)}
		if len(rl.ODTBytes) > 0 {
			if len(rl.ODTBytes) != rl.ODTs {
				return nil, fmt.Errorf("record: list %q: %d ODT sizes for %d ODTs", rl.Name, len(rl.ODTBytes), rl.ODTs)
			}
			for o, n := range rl.ODTBytes {
				x.ODTs[o].Size = n
			}
		} else {
			for _, ms := range rl.Measurements {
				x.ODTs[ms.ODT].Size = max(x.ODTs[ms.ODT].Size, ms.Offset-start(ms.ODT)+ms.Type.Size())
			}
		}
		off := make([]int, rl.ODTs)
		for o := 1; o < rl.ODTs; o++ {
			off[o] = off[o-1] + x.ODTs[o-1].Size
		}
		for _, ms := range rl.Measurements {
			x.Measurements = append(x.Measurements, dto.Measurement{Name: ms.Name, Address: ms.Address, Extension: ms.Extension, Type: ms.Type, BitMask: ms.BitMask})
			x.Offsets = append(x.Offsets, off[ms.ODT]+ms.Offset-start(ms.ODT))
		}
		l.Lists = append(l.Lists, x)
	}
	return l, nil
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
func (d *Decoder) Sample() *dto.Sample { return &d.sample }

// Stats returns the decoder's counters.
func (d *Decoder) Stats() DecodeStats {
	ds := d.dec.Stats()
	return DecodeStats{Samples: d.n, Unknown: ds.Unknown, Other: ds.Other, Lists: ds.Lists}
}

// Decode feeds one frame received at hostNS; it reports whether it
// completed a sample (then available from Sample).
func (d *Decoder) Decode(hostNS int64, p []byte) bool {
	x := d.dec.Decode(hostNS, p)
	if x == nil {
		return false
	}
	d.n++
	d.sample = dto.Sample{List: x.List, HostNS: x.HostNS, SlaveNS: x.SlaveNS, HasSlave: x.HasSlave, Values: x.Values}
	return true
}

// All returns an iterator over the remaining samples of all DAQ lists in
// file order (the *Sample is reused: copy what you keep). Check Err after
// the loop.
func (d *Decoder) All() iter.Seq[*dto.Sample] {
	return func(yield func(*dto.Sample) bool) {
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
func (d *Decoder) List(list int) iter.Seq[*dto.Sample] {
	return func(yield func(*dto.Sample) bool) {
		for d.Next() {
			if d.sample.List == list && !yield(&d.sample) {
				return
			}
		}
	}
}
