package mdf4

import (
	"bytes"
	"time"
)

// This file encodes and decodes the typed blocks: fixed link and data
// layouts as the standard gives them (MDF 4.2.0, chapter 6).

// hdLinks are the links of the HD block.
type hdLinks struct{ dg, fh, ch, at, ev, md uint64 }

// Time flags of HD and FH (hd_time_flags).
const (
	timeFlagLocal   = 1 << 0 // start time is local time
	timeFlagOffsets = 1 << 1 // time zone and DST offsets valid
)

func tzOffsetMin(t time.Time) int16 {
	_, off := t.Zone()
	return int16(off / 60)
}

func hdBlock(l hdLinks, start time.Time) *block {
	var d out
	d.u64(uint64(start.UnixNano()))
	d.i16(tzOffsetMin(start))
	d.i16(0) // DST folded into the zone offset
	d.u8(timeFlagOffsets)
	d.u8(0) // time class: local PC reference time
	d.u8(0) // flags: no start angle/distance
	d.u8(0)
	d.f64(0)
	d.f64(0)
	return &block{id: idHD, links: []uint64{l.dg, l.fh, l.ch, l.at, l.ev, l.md}, data: d}
}

// decodeTime turns ns, offsets and flags into a time.Time in a fixed
// zone of the stored offset.
func decodeTime(ns uint64, tz, dst int16, flags uint8) time.Time {
	t := time.Unix(0, int64(ns))
	if flags&timeFlagLocal != 0 {
		// Local time of the recording PC without zone: keep the wall clock.
		return time.Unix(0, int64(ns)).UTC()
	}
	if flags&timeFlagOffsets != 0 {
		off := (int(tz) + int(dst)) * 60
		return t.In(time.FixedZone("", off))
	}
	return t.UTC()
}

func fhBlock(next, md uint64, t time.Time) *block {
	var d out
	d.u64(uint64(t.UnixNano()))
	d.i16(tzOffsetMin(t))
	d.i16(0)
	d.u8(timeFlagOffsets)
	d.zero(3)
	return &block{id: idFH, links: []uint64{next, md}, data: d}
}

func textBlock(id, s string) *block {
	d := make([]byte, 0, len(s)+8)
	d = append(d, s...)
	d = append(d, 0)
	for len(d)%8 != 0 {
		d = append(d, 0)
	}
	return &block{id: id, data: d}
}

// blockText returns the text of a TX or MD block (up to the first NUL).
func blockText(b *block) string {
	d := b.data
	if i := bytes.IndexByte(d, 0); i >= 0 {
		d = d[:i]
	}
	return string(d)
}

func dgBlock(next, cg, data, md uint64, recIDSize uint8) *block {
	var d out
	d.u8(recIDSize)
	d.zero(7)
	return &block{id: idDG, links: []uint64{next, cg, data, md}, data: d}
}

// cgLinks are the links of a CG block.
type cgLinks struct{ next, cn, acqName, si, sr, md uint64 }

func cgBlock(l cgLinks, g *ChannelGroup) *block {
	var d out
	d.u64(g.RecordID)
	d.u64(g.Samples)
	d.u16(g.Flags)
	d.u16(0) // path separator: none
	d.zero(4)
	d.u32(g.DataBytes)
	d.u32(g.InvalBytes)
	return &block{id: idCG, links: []uint64{l.next, l.cn, l.acqName, l.si, l.sr, l.md}, data: d}
}

// cnLinks are the fixed links of a CN block.
type cnLinks struct{ next, composition, name, si, cc, data, unit, md uint64 }

func cnBlock(l cnLinks, c *Channel) *block {
	var d out
	d.u8(uint8(c.Type))
	d.u8(uint8(c.Sync))
	d.u8(uint8(c.DataType))
	d.u8(c.BitOffset)
	d.u32(c.ByteOffset)
	d.u32(c.BitCount)
	d.u32(c.Flags)
	d.u32(c.InvalBit)
	d.u8(c.Precision)
	d.u8(0)
	d.u16(0) // attachments
	for _, r := range []*Range{c.ValueRange, c.Limits, c.ExtLimits} {
		if r == nil {
			d.f64(0)
			d.f64(0)
		} else {
			d.f64(r.Min)
			d.f64(r.Max)
		}
	}
	return &block{id: idCN, links: []uint64{l.next, l.composition, l.name, l.si, l.cc, l.data, l.unit, l.md}, data: d}
}

// CC flags.
const (
	ccFlagPrecision = 1 << 0
	ccFlagPhysRange = 1 << 1
)

func ccBlock(name, unit, md, inverse uint64, refs []uint64, c *Conversion) *block {
	var d out
	d.u8(uint8(c.Type))
	var flags uint16
	prec := c.rawPrec
	if c.Precision != nil {
		prec = *c.Precision
		flags |= ccFlagPrecision
	}
	if c.PhysRange != nil {
		flags |= ccFlagPhysRange
	}
	d.u8(prec)
	d.u16(flags)
	d.u16(uint16(len(refs)))
	d.u16(uint16(len(c.Params)))
	if c.PhysRange != nil {
		d.f64(c.PhysRange.Min)
		d.f64(c.PhysRange.Max)
	} else {
		d.f64(0)
		d.f64(0)
	}
	for _, v := range c.Params {
		d.f64(v)
	}
	links := append([]uint64{name, unit, md, inverse}, refs...)
	return &block{id: idCC, links: links, data: d}
}

func siBlock(name, path, md uint64, s *Source) *block {
	var d out
	d.u8(uint8(s.Type))
	d.u8(uint8(s.Bus))
	var flags uint8
	if s.Simulated {
		flags = 1
	}
	d.u8(flags)
	d.zero(5)
	return &block{id: idSI, links: []uint64{name, path, md}, data: d}
}

// evLinks are the links of an EV block.
type evLinks struct {
	next, parent, rng, name, md uint64
	scope                       []uint64
}

func evBlock(l evLinks, e *Event) *block {
	var d out
	d.u8(uint8(e.Type))
	d.u8(uint8(SyncTime))
	d.u8(uint8(e.Range))
	d.u8(uint8(e.Cause))
	d.u8(0) // flags
	d.zero(3)
	d.u32(uint32(len(l.scope)))
	d.u16(0) // attachments
	d.u16(0) // creator: the first FH block
	// Time = base × factor: nanoseconds with factor 1e-9 keep the time
	// exact to the nanosecond.
	d.i64(int64(e.Time * 1e9))
	d.f64(1e-9)
	links := append([]uint64{l.next, l.parent, l.rng, l.name, l.md}, l.scope...)
	return &block{id: idEV, links: links, data: d}
}

// DZ zip types.
const (
	zipDeflate    = 0
	zipTransposed = 1
)

// dzHeaderData is the size of the DZ data section before the compressed
// bytes.
const dzHeaderData = 24

func appendDZHeader(dst []byte, org string, zipType uint8, param uint32, orgLen, dataLen uint64) []byte {
	le := out(dst)
	le = append(le, idDZ...)
	le.zero(4)
	le.u64(headerSize + dzHeaderData + dataLen)
	le.u64(0)
	le = append(le, org[2:4]...)
	le.u8(zipType)
	le.u8(0)
	le.u32(param)
	le.u64(orgLen)
	le.u64(dataLen)
	return le
}

func dlBlock(next uint64, data, offsets []uint64) *block {
	var d out
	d.u8(0) // flags: offsets, not equal length
	d.zero(3)
	d.u32(uint32(len(data)))
	for _, o := range offsets {
		d.u64(o)
	}
	return &block{id: idDL, links: append([]uint64{next}, data...), data: d}
}

func hlBlock(dl uint64, zipType uint8) *block {
	var d out
	d.u16(0) // flags
	d.u8(zipType)
	d.zero(5)
	return &block{id: idHL, links: []uint64{dl}, data: d}
}
