package xmraw

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// Meta describes a pyXCP recording in goxcp's measurement model: the DAQ
// lists with their values laid out as pyXCP laid out the ODTs (list
// Number is the list's index, as pyXCP numbers them from its first list).
func Meta(p *Params) *record.Meta {
	m := &record.Meta{Version: record.MetaVersion, Tool: "pyXCP recorder (.xmraw)", Start: p.Start()}
	m.Slave.ByteOrder = "intel"
	if p.BigEndian {
		m.Slave.ByteOrder = "motorola"
	}
	if p.TimeZone != "" {
		m.Slave.Properties = map[string]string{"pyxcp.timezone": p.TimeZone,
			"pyxcp.utcOffset": fmt.Sprint(p.UTCOffset), "pyxcp.dstOffset": fmt.Sprint(p.DSTOffset)}
	}
	m.DAQ = record.Layout{IDField: map[int]string{1: record.IDAbsolute, 2: record.IDRelativeByte, 3: record.IDRelativeWord,
		4: record.IDRelativeWordAligned}[p.IDFieldSize], TimestampSize: p.TimestampSize, TimestampTickNS: p.TimestampScale}
	for i := range p.Lists {
		l := &p.Lists[i]
		rl := record.List{Name: l.Name, Number: i, Event: int(l.Event), Prescaler: int(l.Prescaler), Priority: int(l.Priority),
			Timestamps: p.TimestampsIn(l), ODTs: len(l.ODTs)}
		if p.IDFieldSize == 1 && i < len(p.FirstPIDs) {
			rl.FirstPID = int(p.FirstPIDs[i])
		}
		for o, odt := range l.ODTs {
			off := p.IDFieldSize
			if o == 0 && rl.Timestamps {
				off += p.TimestampSize
			}
			size := 0
			for _, e := range odt {
				rl.Measurements = append(rl.Measurements, record.Measurement{Name: e.Name, Type: e.Type, ODT: o, Offset: off,
					Address: e.Address, Extension: e.Extension})
				off += e.Type.Size()
				size += e.Type.Size()
			}
			rl.ODTBytes = append(rl.ODTBytes, size)
		}
		m.DAQ.Lists = append(m.DAQ.Lists, rl)
	}
	return m
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
