package mf4

import (
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// Source yields the records of an MDF 4 file as samples for
// convert.RunSource: one DAQ list per channel group, one measurement per
// numeric channel (its raw value, unit, comment, limits, and its CC block
// as a conversion so that converters write physical values). The time
// master channel becomes host_ns; in files goxcp wrote, a group with a
// host_time channel has the ECU time as master: host_time becomes host_ns
// and the master slave_ns. Groups are read one after the other.
type Source struct {
	f       *mdf4.File
	meta    *record.Meta
	groups  []*srcGroup
	gi      int
	recs    *mdf4.Records
	sample  dto.Sample
	skipped []string
	invalid uint64
	err     error
}

type srcGroup struct {
	g      *mdf4.ChannelGroup
	master *mdf4.Channel
	host   *mdf4.Channel // host_time of a goxcp file, else nil
	chans  []*mdf4.Channel
	types  []dto.Type
	n      uint64
}

// NewSource returns a Source for f. Channels the converters cannot hold
// (strings, byte arrays, variable-length data) are left out and listed by
// Skipped; a conversion with no ASAP2 equivalent is an error naming the
// CC block and its offset.
func NewSource(f *mdf4.File) (*Source, error) {
	s := &Source{f: f}
	m := &record.Meta{Version: record.MetaVersion, Start: f.Header.Start, Comment: f.Header.Comment,
		Tool: fmt.Sprintf("%s (MDF %d.%02d)", f.Program, f.Version/100, f.Version%100)}
	m.Slave.ByteOrder = "intel"
	m.DAQ.IDField = xcp.IDAbsODT
	for _, p := range f.Header.Properties {
		if m.Slave.Properties == nil {
			m.Slave.Properties = map[string]string{}
		}
		m.Slave.Properties[p.Name] = p.Value
	}
	if len(f.Groups) > 0x10000 {
		return nil, fmt.Errorf("mf4: %d data groups; a recording holds at most 65536 lists", len(f.Groups))
	}
	for gi, g := range f.Groups {
		sg := &srcGroup{g: g, master: g.Master}
		l := record.List{Name: g.Name, Number: uint16(gi), ODTs: 1}
		if l.Name == "" {
			l.Name = g.Comment
		}
		if l.Name == "" {
			l.Name = fmt.Sprintf("group%d", gi)
		}
		for _, c := range g.Channels {
			if c.Name == "host_time" && c.Unit == "s" && f.Program == "goxcp" && g.Master != nil && c != g.Master {
				sg.host = c
			}
		}
		if sg.host != nil {
			l.Timestamps = true
			m.DAQ.TimestampSize = 4
		}
		for _, c := range g.Channels {
			if c == sg.master || c == sg.host {
				continue
			}
			if !c.Numeric() {
				s.skipped = append(s.skipped, fmt.Sprintf("group %q: channel %q (CN at offset %d): not a number (data type %d)", l.Name, c.Name, c.Offset(), c.DataType))
				continue
			}
			ms := record.Measurement{Measurement: dto.Measurement{Name: c.Name, Type: typeOf(c)}, Unit: c.Unit, Comment: c.Comment}
			if c.Limits != nil {
				ms.Limits = &record.Limits{Lower: c.Limits.Min, Upper: c.Limits.Max}
			}
			if c.Conversion != nil {
				sp, err := Spec(c.Conversion)
				if err != nil {
					return nil, fmt.Errorf("mf4: group %q: channel %q: %w", l.Name, c.Name, err)
				}
				if sp != nil {
					if sp.Unit == "" {
						sp.Unit = c.Unit
					}
					ms.Conversion = sp
				}
			}
			sg.chans = append(sg.chans, c)
			sg.types = append(sg.types, ms.Type)
			l.Measurements = append(l.Measurements, ms)
		}
		m.DAQ.Lists = append(m.DAQ.Lists, l)
		s.groups = append(s.groups, sg)
	}
	s.meta = m
	return s, nil
}

// typeOf is the recording type that holds channel c's raw values: the
// smallest integer of its bit count, the float of its size; a channel
// with invalidation bits becomes f64 (invalid values are NaN).
func typeOf(c *mdf4.Channel) dto.Type {
	if c.Flags&(mdf4.FlagInvalBit|mdf4.FlagAllInvalid) != 0 {
		return dto.F64
	}
	if c.IsFloat() {
		if c.BitCount == 64 {
			return dto.F64
		}
		return dto.F32
	}
	signed := c.Signed()
	switch {
	case c.BitCount <= 8:
		return map[bool]dto.Type{false: dto.U8, true: dto.I8}[signed]
	case c.BitCount <= 16:
		return map[bool]dto.Type{false: dto.U16, true: dto.I16}[signed]
	case c.BitCount <= 32:
		return map[bool]dto.Type{false: dto.U32, true: dto.I32}[signed]
	}
	return map[bool]dto.Type{false: dto.U64, true: dto.I64}[signed]
}

// Spec returns the ASAP2 equivalent of an MDF conversion (nil for the
// identity), or an error naming the CC block when there is none.
func Spec(c *mdf4.Conversion) (*compu.Spec, error) {
	sp := &compu.Spec{Name: c.Name, Unit: c.Unit}
	if c.Precision != nil {
		sp.Format = fmt.Sprintf("%%.%d", *c.Precision)
	}
	p := c.Params
	unsupported := func(why string) (*compu.Spec, error) {
		return nil, fmt.Errorf("%w: CC block at offset %d: %v conversion %s", mdf4.ErrUnsupported, c.Offset(), c.Type, why)
	}
	for _, r := range c.Refs {
		if r != nil {
			return unsupported("with a nested conversion")
		}
	}
	switch c.Type {
	case mdf4.ConvIdentity:
		return nil, nil
	case mdf4.ConvLinear:
		sp.Type, sp.Coeffs = "LINEAR", []float64{p[1], p[0]}
	case mdf4.ConvRational:
		if p[0] == 0 && p[3] == 0 {
			// phys = (P2 x + P3)/(P5 x + P6)  ⇔  raw = (−P6 p + P3)/(P5 p − P2)
			sp.Type, sp.Coeffs = "RAT_FUNC", []float64{0, -p[5], p[2], 0, p[4], -p[1]}
		} else {
			sp.Type = "FORM"
			sp.Formula = fmt.Sprintf("(%v*X1*X1 + %v*X1 + %v) / (%v*X1*X1 + %v*X1 + %v)", p[0], p[1], p[2], p[3], p[4], p[5])
		}
	case mdf4.ConvAlgebraic:
		f, err := c.CFormula()
		if err != nil {
			return unsupported(err.Error())
		}
		sp.Type, sp.Formula = "FORM", f
	case mdf4.ConvTabInterp, mdf4.ConvTab:
		sp.Type = "TAB_INTP"
		if c.Type == mdf4.ConvTab {
			sp.Type = "TAB_NOINTP"
		}
		for i := 0; i+1 < len(p); i += 2 {
			sp.In, sp.Out = append(sp.In, p[i]), append(sp.Out, p[i+1])
		}
	case mdf4.ConvRangeValue:
		// Exact keys (closed [k, k] or half-open [k, next float)) with
		// the default elsewhere: what goxcp writes for TAB_NOINTP with a
		// default value.
		def := p[len(p)-1]
		n := (len(p) - 1) / 3
		for i := range n {
			lo, hi, v := p[3*i], p[3*i+1], p[3*i+2]
			switch {
			case lo == hi || hi == math.Nextafter(lo, math.Inf(1)):
				sp.In, sp.Out = append(sp.In, lo), append(sp.Out, v)
			case v == def:
			default:
				return unsupported("with ranges (ASAP2 has no range-to-value table)")
			}
		}
		sp.Type, sp.Default = "TAB_NOINTP", &def
	case mdf4.ConvValueText:
		sp.Type, sp.In = "TAB_VERB", append([]float64(nil), p...)
		sp.Text, sp.DefaultText = c.Texts[:len(c.Texts)-1], c.Texts[len(c.Texts)-1]
	case mdf4.ConvRangeText:
		sp.Type = "TAB_VERB"
		for i := 0; i+1 < len(p); i += 2 {
			sp.Min, sp.Max = append(sp.Min, p[i]), append(sp.Max, p[i+1])
		}
		sp.Text, sp.DefaultText = c.Texts[:len(c.Texts)-1], c.Texts[len(c.Texts)-1]
	default:
		return unsupported("")
	}
	if _, err := compu.FromSpec(*sp); err != nil {
		return unsupported(err.Error())
	}
	return sp, nil
}

// Meta implements convert.Source.
func (s *Source) Meta() *record.Meta { return s.meta }

// Skipped lists the channels left out, with the reason.
func (s *Source) Skipped() []string { return s.skipped }

// Invalid returns the number of values read as NaN because their
// invalidation bit was set.
func (s *Source) Invalid() uint64 { return s.invalid }

// Samples returns the records read per group.
func (s *Source) Samples() []uint64 {
	out := make([]uint64, len(s.groups))
	for i, g := range s.groups {
		out[i] = g.n
	}
	return out
}

// Next implements convert.Source.
func (s *Source) Next() bool {
	for s.err == nil && s.gi < len(s.groups) {
		sg := s.groups[s.gi]
		if s.recs == nil {
			s.recs = s.f.Records(sg.g)
		}
		if !s.recs.Next() {
			s.err = s.recs.Err()
			s.recs = nil
			s.gi++
			continue
		}
		rec := s.recs.Record()
		sm := &s.sample
		sm.List, sm.HasSlave = s.gi, false
		t := float64(sg.n)
		if sg.master != nil {
			t = sg.master.Conversion.Phys(sg.master.Float(rec))
		}
		sm.HostNS = int64(math.Round(t * 1e9))
		if sg.host != nil {
			sm.SlaveNS, sm.HasSlave = sm.HostNS, true
			sm.HostNS = int64(math.Round(sg.host.Float(rec) * 1e9))
		}
		sm.Values = sm.Values[:0]
		for i, c := range sg.chans {
			var v dto.Value
			switch t := sg.types[i]; {
			case t == dto.F64 || t == dto.F32:
				x := c.Float(rec)
				if c.Invalid(rec) {
					x = math.NaN()
					s.invalid++
				}
				v = dto.FloatValue(t, x)
			case t.Signed():
				v = dto.IntValue(t, c.Int(rec))
			default:
				v = dto.UintValue(t, c.Uint(rec))
			}
			sm.Values = append(sm.Values, v)
		}
		sg.n++
		return true
	}
	return false
}

// Sample implements convert.Source.
func (s *Source) Sample() *dto.Sample { return &s.sample }

// Err implements convert.Source.
func (s *Source) Err() error { return s.err }
