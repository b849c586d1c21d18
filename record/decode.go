package record

import (
	"fmt"
	"iter"
	"math"

	"github.com/goxcp/goxcp/protocol/dto"
)

// Decoder turns the frames of a recording into samples according to its
// Layout (ASAM XCP part 2: DTO identification field, timestamp in the
// first ODT, ODT entries): a dto.Decoder, the decoder of live measurements
// too, fed from a Reader.
type Decoder struct {
	*dto.Decoder
	r      *Reader
	sample *dto.Sample
}

// NewDecoder returns a Decoder for the frames of r, using r's metadata.
func NewDecoder(r *Reader) (*Decoder, error) {
	l, err := r.Meta().DTOLayout()
	if err != nil {
		return nil, err
	}
	dd, err := dto.NewDecoder(l)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Decoder{Decoder: dd, r: r}, nil
}

// LayoutOf derives the layout a recording stores from the layout a DAQ
// measurement used (goxcp/daq's Session.Layout): per list the ODT count
// and sizes, per measurement the ODT and DTO offset where it starts (a
// value split across ODTs is stored by where it starts; ODTBytes tell the
// reader where it continues). Byte order goes to Slave.ByteOrder
// (dto.ByteOrderName); units and conversions are added by the caller.
func LayoutOf(l *dto.Layout) Layout {
	rl := Layout{IDField: l.IDField, TimestampSize: l.TimestampSize, OverloadMSB: l.OverloadMSB}
	if l.TimestampSize > 0 {
		rl.TimestampTickNS = float64(l.TickPS) / 1000
	}
	for i, ll := range l.Lists {
		x := List{Name: ll.Name, Number: ll.Number, Event: ll.Event, EventName: ll.EventName, Prescaler: max(ll.Prescaler, 1),
			Priority: ll.Priority, Timestamps: ll.Timestamps && l.TimestampSize > 0, FirstPID: ll.FirstPID, ODTs: len(ll.ODTs)}
		for _, o := range ll.ODTs {
			x.ODTBytes = append(x.ODTBytes, o.Size)
		}
		for j, ms := range ll.Measurements {
			var odt, off int
			if j < len(ll.Offsets) && len(ll.ODTs) > 0 {
				odt, off = l.Locate(i, j)
			}
			x.Measurements = append(x.Measurements, Measurement{Measurement: ms, ODT: odt, Offset: off})
		}
		rl.Lists = append(rl.Lists, x)
	}
	return rl
}

// DTOLayout returns the validated layout of the recording in goxcp/dto's
// terms, the inverse of LayoutOf: the payload of an ODT is ODTBytes or,
// without it (files written before ODT sizes were stored, other tools'
// files), ends after its last value.
func (m *Meta) DTOLayout() (*dto.Layout, error) {
	if err := m.DAQ.Validate(); err != nil {
		return nil, err
	}
	order, err := dto.ParseByteOrder(m.Slave.ByteOrder)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	idf := m.DAQ.IDField
	l := &dto.Layout{IDField: idf, Order: order, TimestampSize: m.DAQ.TimestampSize, OverloadMSB: m.DAQ.OverloadMSB}
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
		x := dto.List{Name: rl.Name, Number: rl.Number, FirstPID: rl.FirstPID, Event: rl.Event, EventName: rl.EventName,
			Prescaler: rl.Prescaler, Priority: rl.Priority, Timestamps: rl.Timestamps, ODTs: make([]dto.ODT, rl.ODTs)}
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
			x.Measurements = append(x.Measurements, ms.Measurement)
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
		if d.sample = d.Decode(f.Time, f.Data); d.sample != nil {
			return true
		}
	}
	return false
}

// Err returns the Reader's error.
func (d *Decoder) Err() error { return d.r.Err() }

// Sample returns the last completed sample; it is overwritten by the next.
func (d *Decoder) Sample() *dto.Sample { return d.sample }

// All returns an iterator over the remaining samples of all DAQ lists in
// file order (the *Sample is reused: copy what you keep). Check Err after
// the loop.
func (d *Decoder) All() iter.Seq[*dto.Sample] {
	return func(yield func(*dto.Sample) bool) {
		for d.Next() {
			if !yield(d.sample) {
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
			if d.sample.List == list && !yield(d.sample) {
				return
			}
		}
	}
}
