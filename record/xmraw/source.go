package xmraw

import (
	"fmt"
	"math"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
)

// Meta describes a pyXCP recording in goxcp's measurement model: the DAQ
// lists with their values laid out as pyXCP laid out the ODTs (list
// Number is the list's index, as pyXCP numbers them from its first list).
func Meta(p *Params) *record.Meta {
	m := &record.Meta{Version: record.MetaVersion, Tool: "pyXCP recorder (.xmraw)", Start: p.Start()}
	m.Slave.ByteOrder = dto.ByteOrderName(p.Layout().Order)
	if p.TimeZone != "" {
		m.Slave.Properties = map[string]string{"pyxcp.timezone": p.TimeZone,
			"pyxcp.utcOffset": fmt.Sprint(p.UTCOffset), "pyxcp.dstOffset": fmt.Sprint(p.DSTOffset)}
	}
	m.DAQ = record.LayoutOf(p.Layout())
	return m
}

// Layout returns the DTO layout of the recording's lists: ODTs and
// entries as pyXCP laid them out, the values in entry order (list Number
// is the list's index, as pyXCP numbers them from its first list).
func (p *Params) Layout() *dto.Layout {
	l := &dto.Layout{Order: xcp.Intel, IDField: xcp.IDField(max(p.IDFieldSize, 1) - 1), TimestampSize: p.TimestampSize,
		TickPS: uint64(math.Round(p.TimestampScale * 1000))}
	if p.BigEndian {
		l.Order = xcp.Motorola
	}
	for i := range p.Lists {
		pl := &p.Lists[i]
		x := dto.List{Name: pl.Name, Number: uint16(i), Event: pl.Event, Prescaler: pl.Prescaler, Priority: pl.Priority,
			Timestamps: p.TimestampsIn(pl), Stim: pl.Stim, Predefined: pl.Predefined}
		if p.IDFieldSize == 1 && i < len(p.FirstPIDs) {
			x.FirstPID = uint8(p.FirstPIDs[i])
		}
		off := 0
		for _, odt := range pl.ODTs {
			var o dto.ODT
			for _, e := range odt {
				o.Entries = append(o.Entries, dto.Entry{Address: e.Address, Extension: e.Extension, Size: uint8(e.Type.Size())})
				x.Measurements = append(x.Measurements, e)
				x.Offsets = append(x.Offsets, off+o.Size)
				o.Size += e.Type.Size()
			}
			off += o.Size
			x.ODTs = append(x.ODTs, o)
		}
		l.Lists = append(l.Lists, x)
	}
	return l
}

// Source yields the samples of a pyXCP recording as goxcp samples (for
// record/convert.RunSource): HostNS is pyXCP's timestamp0, SlaveNS its
// timestamp1, both in ns relative to the list's first sample.
type Source struct {
	r    *Reader
	d    *Decoder
	meta *record.Meta
	s    dto.Sample
	// sinceStart: HostNS counts from Meta.Start (the recording's start
	// time) instead of from the list's first sample.
	sinceStart bool
	start      uint64
}

// SourceOptions tune a Source.
type SourceOptions struct {
	// HostSinceStart makes HostNS count from Meta.Start, as in goxcp's own
	// recordings, so that Meta.Start plus HostNS is the sample's wall-clock
	// time (datasets need that); by default HostNS is pyXCP's timestamp0.
	// Ignored for files with relative host timestamps.
	HostSinceStart bool
}

// NewSource returns a Source reading r with pyXCP's timestamps.
func NewSource(r *Reader) (*Source, error) { return NewSourceWith(r, SourceOptions{}) }

// NewSourceWith returns a Source reading r.
func NewSourceWith(r *Reader, o SourceOptions) (*Source, error) {
	d, err := NewDecoder(r.Params())
	if err != nil {
		return nil, err
	}
	s := &Source{r: r, d: d, meta: Meta(r.Params()), start: r.Params().StartNS}
	s.sinceStart = o.HostSinceStart && r.Header().Options&OptRelativeTimestamps == 0
	return s, nil
}

// Meta returns the recording's description.
func (s *Source) Meta() *record.Meta { return s.meta }

// Next decodes frames until a sample is complete.
func (s *Source) Next() bool {
	for s.r.Next() {
		if s.d.Decode(s.r.Frame()) {
			x := s.d.Sample()
			host := int64(x.Timestamp0)
			if s.sinceStart {
				host = int64(x.Host - s.start)
			}
			s.s = dto.Sample{List: x.List, HostNS: host, SlaveNS: int64(x.Timestamp1),
				HasSlave: s.meta.DAQ.Lists[x.List].Timestamps, Values: x.Values}
			return true
		}
	}
	return false
}

// Sample returns the current sample (reused by Next).
func (s *Source) Sample() *dto.Sample { return &s.s }

// Err returns why reading stopped early (see Reader.Err).
func (s *Source) Err() error { return s.r.Err() }

// Reader returns the underlying Reader (for Damage and Stats).
func (s *Source) Reader() *Reader { return s.r }

// Decoder returns the decoder (for its Stats).
func (s *Source) Decoder() *Decoder { return s.d }
