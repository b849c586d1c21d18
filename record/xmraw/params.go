package xmraw

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
)

// Params are the measurement parameters pyXCP stores in a recording: what
// its decoder needs to turn DTOs into values.
type Params struct {
	// BigEndian is true for a Motorola (big-endian) slave.
	BigEndian bool
	// IDFieldSize is the size of the DTO identification field: 1 (absolute
	// ODT number), 2, 3 or 4 (relative ODT and DAQ list number).
	IDFieldSize          int
	TimestampsSupported  bool
	TimestampFixed       bool
	PrescalerSupported   bool
	SelectableTimestamps bool
	// TimestampScale is nanoseconds per timestamp tick.
	TimestampScale float64
	// TimestampSize is the size of the DTO timestamp (0, 1, 2 or 4).
	TimestampSize int
	MinDAQ        int
	// StartNS is the wall-clock start of the measurement, ns since the Unix
	// epoch; TimeZone, UTCOffset and DSTOffset as pyXCP recorded them.
	StartNS   uint64
	TimeZone  string
	UTCOffset int16
	DSTOffset int16
	// EventCycleNS is the event cycle pyXCP recorded (packed mode).
	EventCycleNS uint64
	Lists        []List
	// FirstPIDs are the first absolute ODT numbers of each list (IDFieldSize 1).
	FirstPIDs []uint16
}

// Start returns StartNS as a time.
func (p *Params) Start() time.Time { return time.Unix(0, int64(p.StartNS)).UTC() }

// TimestampsIn reports whether the first ODT of list l carries a timestamp
// (pyXCP's rule: supported, and fixed or selected for the list).
func (p *Params) TimestampsIn(l *List) bool {
	return p.TimestampsSupported && (p.TimestampFixed || (p.SelectableTimestamps && l.Timestamps))
}

// List is one DAQ list of a recording.
type List struct {
	Name       string
	Event      uint16
	Stim       bool
	Timestamps bool // timestamps enabled for the list
	Priority   uint8
	Prescaler  uint8
	// PackedMode (0: not packed) with PackedTSMode and PackedSamples.
	PackedMode    uint8
	PackedTSMode  uint8
	PackedSamples uint16
	// Predefined is true for a predefined (static) list.
	Predefined bool
	// ODTs are the ODTs as pyXCP laid them out, each a list of entries in
	// DTO order (pyXCP orders a dynamic list's entries by size): one
	// measurement per entry (no bit masks).
	ODTs [][]dto.Measurement
	// Headers are the column names pyXCP gives the values.
	Headers []string
}

// Entries returns the number of values in a sample of l.
func (l *List) Entries() int {
	n := 0
	for _, o := range l.ODTs {
		n += len(o)
	}
	return n
}

// Metadata bounds: a recording describing more than this is not one pyXCP
// wrote.
const (
	maxNesting = 4
	maxItems   = 1 << 20
)

// ParseParams decodes pyXCP's serialized measurement parameters (the
// metadata block of a .xmraw file, without its length prefix).
func ParseParams(b []byte) (*Params, error) {
	c := &cursor{b: b}
	p := &Params{}
	p.BigEndian = c.u8() == 1
	p.IDFieldSize = int(c.u8())
	p.TimestampsSupported = c.bool()
	p.TimestampFixed = c.bool()
	p.PrescalerSupported = c.bool()
	p.SelectableTimestamps = c.bool()
	p.TimestampScale = math.Float64frombits(c.u64())
	p.TimestampSize = int(c.u8())
	p.MinDAQ = int(c.u16())
	nl := c.count("DAQ list count", 2)
	p.StartNS = c.u64()
	p.TimeZone = c.str()
	p.UTCOffset = int16(c.u16())
	p.DSTOffset = int16(c.u16())
	p.EventCycleNS = c.u64()
	for i := 0; i < nl && c.err == nil; i++ {
		l, err := c.list()
		if err != nil {
			return nil, fmt.Errorf("DAQ list %d: %w", i, err)
		}
		p.Lists = append(p.Lists, l)
	}
	nf := c.count("first PID count", 2)
	for i := 0; i < nf && c.err == nil; i++ {
		p.FirstPIDs = append(p.FirstPIDs, c.u16())
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.off != len(b) {
		return nil, fmt.Errorf("%d bytes after the parameters", len(b)-c.off)
	}
	return p, p.validate()
}

func (p *Params) validate() error {
	switch p.IDFieldSize {
	case 1, 2, 3, 4:
	default:
		return fmt.Errorf("identification field size %d (want 1..4)", p.IDFieldSize)
	}
	switch p.TimestampSize {
	case 0, 1, 2, 4:
	default:
		return fmt.Errorf("timestamp size %d (want 0, 1, 2 or 4)", p.TimestampSize)
	}
	if math.IsNaN(p.TimestampScale) || math.IsInf(p.TimestampScale, 0) || p.TimestampScale < 0 {
		return fmt.Errorf("timestamp scale %v", p.TimestampScale)
	}
	if p.IDFieldSize == 1 && len(p.FirstPIDs) < len(p.Lists) {
		return fmt.Errorf("%d first PIDs for %d DAQ lists with absolute ODT numbers", len(p.FirstPIDs), len(p.Lists))
	}
	for i := range p.Lists {
		l := &p.Lists[i]
		if len(l.ODTs) == 0 {
			return fmt.Errorf("DAQ list %q has no ODTs", l.Name)
		}
		if len(l.ODTs) > 256 {
			return fmt.Errorf("DAQ list %q has %d ODTs (at most 256)", l.Name, len(l.ODTs))
		}
		if p.IDFieldSize == 1 && int(p.FirstPIDs[i])+len(l.ODTs) > 0x100 {
			return fmt.Errorf("DAQ list %q: absolute ODT numbers %d..%d exceed 255", l.Name, p.FirstPIDs[i], int(p.FirstPIDs[i])+len(l.ODTs)-1)
		}
		if len(p.Lists) > 0x10000 {
			return fmt.Errorf("%d DAQ lists (at most 65536)", len(p.Lists))
		}
	}
	return nil
}

// cursor reads pyXCP's binary serialization (little-endian, strings with
// a 64-bit length); the first error sticks.
type cursor struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("metadata ends early")

func (c *cursor) take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || len(c.b)-c.off < n {
		c.err = fmt.Errorf("%w (at byte %d, %d more needed)", errShort, c.off, n)
		return nil
	}
	s := c.b[c.off : c.off+n]
	c.off += n
	return s
}

func (c *cursor) u8() uint8 {
	if s := c.take(1); s != nil {
		return s[0]
	}
	return 0
}

func (c *cursor) bool() bool { return c.u8() != 0 }

func (c *cursor) u16() uint16 {
	if s := c.take(2); s != nil {
		return binary.LittleEndian.Uint16(s)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if s := c.take(4); s != nil {
		return binary.LittleEndian.Uint32(s)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if s := c.take(8); s != nil {
		return binary.LittleEndian.Uint64(s)
	}
	return 0
}

// count reads a 64-bit element count; each element needs at least min
// bytes, so a count the rest of the data cannot hold is an error.
func (c *cursor) count(what string, min int) int {
	n := c.u64()
	if c.err == nil && (n > maxItems || n*uint64(min) > uint64(len(c.b)-c.off)) {
		c.err = fmt.Errorf("%s %d does not fit the %d bytes left (at byte %d)", what, n, len(c.b)-c.off, c.off-8)
		return 0
	}
	return int(n)
}

func (c *cursor) str() string { return string(c.take(c.count("string length", 1))) }

func (c *cursor) list() (List, error) {
	var l List
	switch d := c.u8(); d {
	case 1:
	case 2:
		l.Predefined = true
	default:
		if c.err == nil {
			return l, fmt.Errorf("unknown list kind %d at byte %d", d, c.off-1)
		}
	}
	l.Name = c.str()
	l.Event = c.u16()
	l.Stim = c.bool()
	l.Timestamps = c.bool()
	l.Priority = c.u8()
	l.Prescaler = c.u8()
	l.PackedMode = c.u8()
	l.PackedTSMode = c.u8()
	l.PackedSamples = c.u16()
	c.u16() // ODT count, entries and length: derived from the ODTs
	c.u16()
	c.u16()
	if !l.Predefined {
		// The requested measurements; the ODTs below are what counts.
		n := c.count("measurement count", 8)
		for i := 0; i < n && c.err == nil; i++ {
			if _, err := c.object(0); err != nil {
				return l, err
			}
		}
	}
	n := c.count("ODT count", 12)
	for i := 0; i < n && c.err == nil; i++ {
		c.u16() // size, residual capacity
		c.u16()
		ne := c.count("ODT entry count", 8)
		var odt []dto.Measurement
		for j := 0; j < ne && c.err == nil; j++ {
			o, err := c.object(0)
			if err != nil {
				return l, err
			}
			if len(o.components) == 0 {
				e, err := o.entry()
				if err != nil {
					return l, fmt.Errorf("%q: ODT %d: %w", l.Name, i, err)
				}
				odt = append(odt, e)
			}
			for _, cp := range o.components {
				e, err := cp.entry()
				if err != nil {
					return l, fmt.Errorf("%q: ODT %d: %w", l.Name, i, err)
				}
				odt = append(odt, e)
			}
		}
		l.ODTs = append(l.ODTs, odt)
	}
	nh := c.count("header count", 8)
	for i := 0; i < nh && c.err == nil; i++ {
		l.Headers = append(l.Headers, c.str())
	}
	return l, c.err
}

// object is a serialized pyXCP McObject.
type object struct {
	name       string
	address    uint32
	ext        uint8
	dataType   string
	components []object
}

func (c *cursor) object(depth int) (object, error) {
	if depth > maxNesting {
		return object{}, fmt.Errorf("measurement objects nested deeper than %d (at byte %d)", maxNesting, c.off)
	}
	var o object
	o.name = c.str()
	o.address = c.u32()
	o.ext = c.u8()
	c.u16() // length: follows from the data type
	o.dataType = c.str()
	c.u16() // type index: follows from the data type
	n := c.count("component count", 8)
	for i := 0; i < n && c.err == nil; i++ {
		cp, err := c.object(depth + 1)
		if err != nil {
			return o, err
		}
		o.components = append(o.components, cp)
	}
	return o, c.err
}

// pyXCP's data type names.
var types = map[string]dto.Type{"U8": dto.U8, "I8": dto.I8, "U16": dto.U16, "I16": dto.I16, "U32": dto.U32, "I32": dto.I32,
	"U64": dto.U64, "I64": dto.I64, "F32": dto.F32, "F64": dto.F64, "F16": dto.F16, "BF16": dto.BF16}

func (o *object) entry() (dto.Measurement, error) {
	t, ok := types[strings.ToUpper(o.dataType)]
	if !ok {
		return dto.Measurement{}, fmt.Errorf("entry %q: unknown data type %q", o.name, o.dataType)
	}
	return dto.Measurement{Name: o.name, Address: o.address, Extension: o.ext, Type: t}, nil
}
