// Package mf4 writes the samples of a goxcp recording as an ASAM MDF 4
// file (.mf4, with package goxcp/mdf4): one data group per DAQ list with
// the time master channel in seconds (the ECU timestamp when the list has
// one, else the host receive time), the host receive time as a second
// channel, and every measurement as its raw value with unit, comment,
// limits and its conversion as a CC block, so that MDF tools (CANape,
// INCA, asammdf) show the same physical values `xcp convert --to csv`
// prints. See docs/mdf4.md.
package mf4

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Options select the MDF file the Sink writes.
type Options struct {
	// Version is mdf4.Version410 (default) or mdf4.Version420 (transposed
	// deflate).
	Version int
	// Compression of the data blocks (default deflate).
	Compression mdf4.Compression
	// BlockSize is the raw size of a data block (default
	// mdf4.DefaultBlockSize).
	BlockSize int
	// ToolVersion is the goxcp version named in the file history; by
	// default the module version from the build information.
	ToolVersion string
	// Stats, if set, is called at Close for the recording's final
	// counters (record.Reader.Stats): interruptions become EV blocks,
	// loss counters go into the group comments and the header.
	Stats func() record.Stats
}

// Sink writes one MDF 4 file. Create it with New; it needs raw values
// (convert.Options{Raw: true}): conversions go into CC blocks.
type Sink struct {
	out   string
	o     Options
	w     *mdf4.Writer
	lists []*list
	// ECU time → host time: the offset (ns) that puts the first ECU
	// timestamp on the host receive time of its sample.
	slaveOff  int64
	haveSlave bool
	numbers   []int // DAQ list number of each list
}

// list is the output of one DAQ list.
type list struct {
	g      *mdf4.GroupWriter
	rec    []byte
	fields []field
	slave  bool
}

// field places one measurement in the record.
type field struct {
	off   int
	size  int
	be    bool
	float bool  // write as float (size 4 or 8)
	shift uint8 // bit-masked: value << shift
}

// New returns a Sink writing the MDF file out.
func New(out string, o Options) *Sink { return &Sink{out: out, o: o} }

// Paths returns the file written.
func (s *Sink) Paths() []string { return []string{s.out} }

// Version returns the goxcp version for the file history.
func toolVersion(o Options) string {
	if o.ToolVersion != "" {
		return o.ToolVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	for _, t := range tables {
		for _, c := range t.Columns {
			if c.Conv != nil {
				return fmt.Errorf("mf4: table %q: physical values given; the MDF sink needs raw values (convert.Options.Raw)", t.Name)
			}
		}
	}
	hdr, src := header(m)
	tool := m.Tool
	if tool == "" {
		tool = "unknown"
	}
	w, err := mdf4.Create(s.out, mdf4.Options{Version: s.o.Version, Compression: s.o.Compression, BlockSize: s.o.BlockSize,
		Program: "goxcp", Header: hdr, History: []mdf4.History{
			{Time: m.Start, Tool: "goxcp", Vendor: "goxcp", Version: toolVersion(s.o), Comment: "converted from a goxcp recording written by " + tool},
		}})
	if err != nil {
		return err
	}
	s.w = w
	s.lists = make([]*list, len(m.DAQ.Lists))
	for _, l := range m.DAQ.Lists {
		s.numbers = append(s.numbers, int(l.Number))
	}
	big := strings.EqualFold(m.Slave.ByteOrder, "motorola") || strings.EqualFold(m.Slave.ByteOrder, "big") || strings.EqualFold(m.Slave.ByteOrder, "big-endian")
	for _, t := range tables {
		l, g := group(&m.DAQ.Lists[t.List], t, src, big)
		gw, err := w.AddGroup(g)
		if err != nil {
			return err
		}
		l.g = gw
		s.lists[t.List] = l
	}
	return nil
}

// header returns the file header and the ECU's source information.
func header(m *record.Meta) (mdf4.Header, *mdf4.Source) {
	h := mdf4.Header{Start: m.Start, Comment: m.Comment}
	if h.Comment == "" {
		h.Comment = "XCP measurement recorded by goxcp"
	}
	add := func(n, v string) {
		if v != "" {
			h.Properties = append(h.Properties, mdf4.Property{Name: n, Value: v})
		}
	}
	sl := m.Slave
	add("ECU identification", sl.Identifier)
	add("transport", sl.Transport)
	add("address", sl.Address)
	add("byte order", sl.ByteOrder)
	if sl.ProtocolVersion != 0 {
		add("XCP protocol layer version", strconv.Itoa(sl.ProtocolVersion))
	}
	keys := make([]string, 0, len(sl.Properties))
	for k := range sl.Properties {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		add(k, sl.Properties[k])
	}
	src := &mdf4.Source{Name: sl.Identifier, Type: mdf4.SourceECU, Properties: h.Properties}
	if src.Name == "" {
		src.Name = "XCP slave"
		if p := sl.Properties["A2L module"]; p != "" {
			src.Name = p
		}
	}
	src.Path = strings.TrimSpace("XCP on " + strings.ToUpper(sl.Transport) + " " + sl.Address)
	switch strings.ToLower(sl.Transport) {
	case "tcp", "udp", "eth":
		src.Bus = mdf4.BusEthernet
	case "can", "canfd":
		src.Bus = mdf4.BusCAN
	case "usb":
		src.Bus = mdf4.BusUSB
	case "":
	default:
		src.Bus = mdf4.BusOther
	}
	return h, src
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// group lays out the record of one DAQ list: time master, host time (if
// the master is the ECU time), then the measurements.
func group(rl *record.List, t convert.Table, src *mdf4.Source, big bool) (*list, mdf4.ChannelGroup) {
	l := &list{slave: t.HasSlave}
	comment := fmt.Sprintf("DAQ list %d, event %d", rl.Number, rl.Event)
	if rl.EventName != "" {
		comment += " (" + rl.EventName + ")"
	}
	if rl.Prescaler > 1 {
		comment += fmt.Sprintf(", prescaler %d", rl.Prescaler)
	}
	g := mdf4.ChannelGroup{Name: rl.Name, Comment: comment, Source: src}
	tc := &mdf4.Channel{Name: "time", Unit: "s", Type: mdf4.ChannelMaster, Sync: mdf4.SyncTime, DataType: mdf4.FloatLE, BitCount: 64,
		Comment: "host receive time of the sample, seconds since the start time"}
	g.Channels = append(g.Channels, tc)
	off := 8
	if t.HasSlave {
		tc.Comment = "ECU timestamp of the sample (linearised), seconds since the start time (first ECU timestamp = its host receive time)"
		g.Channels = append(g.Channels, &mdf4.Channel{Name: "host_time", Unit: "s", DataType: mdf4.FloatLE, ByteOffset: 8, BitCount: 64,
			Comment: "host receive time of the sample, seconds since the start time"})
		off = 16
	}
	first := 1
	if t.HasSlave {
		first = 2
	}
	for j, ms := range rl.Measurements {
		name := ms.Name
		if first+j < len(t.Columns) {
			name = t.Columns[first+j].Name
		}
		c, f := channel(&ms, name, off, big)
		g.Channels = append(g.Channels, c)
		l.fields = append(l.fields, f)
		off += f.size
	}
	g.DataBytes = uint32(off)
	l.rec = make([]byte, off)
	return l, g
}

// channel describes measurement ms at record offset off.
func channel(ms *record.Measurement, name string, off int, big bool) (*mdf4.Channel, field) {
	size := ms.Type.Size()
	c := &mdf4.Channel{Name: name, Unit: ms.Unit, Comment: ms.Comment, ByteOffset: uint32(off), BitCount: uint32(8 * size)}
	f := field{off: off, size: size, be: big}
	switch {
	case ms.Type == dto.F16 || ms.Type == dto.BF16:
		// MDF has no bfloat16 and few readers take half floats: both are
		// stored exactly as float32.
		f.size, f.float = 4, true
		c.BitCount = 32
		c.DataType = mdf4.FloatLE
		if big {
			c.DataType = mdf4.FloatBE
		}
		c.Comment = join(c.Comment, "recorded as "+ms.Type.String()+", stored as float32")
	case ms.Type.Float():
		f.float = true
		c.DataType = mdf4.FloatLE
		if big {
			c.DataType = mdf4.FloatBE
		}
	case ms.BitMask != 0:
		// The bits as the ECU had them: the value back at the mask's
		// position; the reader takes bit count bits from bit offset.
		tz := bits.TrailingZeros64(ms.BitMask)
		width := bits.Len64(ms.BitMask >> tz)
		f.shift = uint8(tz)
		lo := tz / 8
		if big {
			hi := (tz + width - 1) / 8
			c.ByteOffset = uint32(off + size - 1 - hi)
		} else {
			c.ByteOffset = uint32(off + lo)
		}
		c.BitOffset, c.BitCount = uint8(tz-8*lo), uint32(width)
		c.DataType = mdf4.UintLE // the masked value is unsigned
		if big {
			c.DataType = mdf4.UintBE
		}
		c.Comment = join(c.Comment, fmt.Sprintf("bit mask 0x%X", ms.BitMask))
	case ms.Type.Signed():
		c.DataType = mdf4.IntLE
		if big {
			c.DataType = mdf4.IntBE
		}
	default:
		c.DataType = mdf4.UintLE
		if big {
			c.DataType = mdf4.UintBE
		}
	}
	if ms.Limits != nil {
		c.Limits = &mdf4.Range{Min: ms.Limits.Lower, Max: ms.Limits.Upper}
	}
	if ms.Conversion != nil {
		cc, why := Conversion(*ms.Conversion, !ms.Type.Float())
		if why != "" {
			c.Comment = join(c.Comment, why)
			if c.Unit != "" {
				c.Comment += " (physical unit " + c.Unit + ")"
				c.Unit = ""
			}
		}
		c.Conversion = cc
	}
	return c, f
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Conversion returns the MDF conversion of an A2L COMPU_METHOD for a
// channel of integer (or float) raw values, or nil and the reason why MDF
// cannot express it (the raw value is then stored without conversion).
// IDENTICAL gives nil and "".
func Conversion(sp compu.Spec, integer bool) (*mdf4.Conversion, string) {
	cv, err := compu.FromSpec(sp)
	if err != nil {
		return nil, fmt.Sprintf("raw value: conversion %s is damaged: %v", sp.Name, err)
	}
	c := &mdf4.Conversion{Name: sp.Name, Unit: sp.Unit}
	if p, ok := precision(sp.Format); ok {
		c.Precision = &p
	}
	switch sp.Type {
	case "IDENTICAL", "":
		return nil, ""
	case "LINEAR":
		c.Type, c.Params = mdf4.ConvLinear, []float64{sp.Coeffs[1], sp.Coeffs[0]}
	case "RAT_FUNC":
		a, b, cc, d, e, f := sp.Coeffs[0], sp.Coeffs[1], sp.Coeffs[2], sp.Coeffs[3], sp.Coeffs[4], sp.Coeffs[5]
		if a != 0 || d != 0 {
			return nil, fmt.Sprintf("raw value: RAT_FUNC %s has quadratic terms; its inverse is not an MDF rational conversion", sp.Name)
		}
		// ASAP2 gives raw = (b·p + c)/(e·p + f); MDF wants phys(raw).
		c.Type, c.Params = mdf4.ConvRational, []float64{0, -f, cc, 0, e, -b}
	case "TAB_INTP":
		c.Type, c.Params = mdf4.ConvTabInterp, pairs(sp.In, sp.Out)
	case "TAB_NOINTP":
		if sp.Default != nil {
			c.Type, c.Params = mdf4.ConvRangeValue, exactRanges(sp.In, sp.Out, *sp.Default, integer)
		} else {
			c.Type, c.Params = mdf4.ConvTab, pairs(sp.In, sp.Out)
		}
	case "TAB_VERB":
		if len(sp.Min) > 0 {
			c.Type = mdf4.ConvRangeText
			for i := range sp.Min {
				hi := sp.Max[i]
				if !integer {
					hi = math.Nextafter(hi, math.Inf(1)) // MDF float ranges are [min, max)
				}
				c.Params = append(c.Params, sp.Min[i], hi)
			}
		} else {
			c.Type, c.Params = mdf4.ConvValueText, append([]float64(nil), sp.In...)
		}
		c.Texts = append(append([]string(nil), sp.Text...), sp.DefaultText)
	case "FORM":
		f, ok := formula(sp.Formula)
		if !ok {
			return nil, fmt.Sprintf("raw value: FORMULA %q of %s uses what the MDF formula syntax cannot express", sp.Formula, sp.Name)
		}
		c.Type, c.Formula = mdf4.ConvAlgebraic, f
		if err := c.Validate(); err != nil {
			return nil, fmt.Sprintf("raw value: FORMULA %q of %s: %v", sp.Formula, sp.Name, err)
		}
		// Same numbers as the A2L formula, or no MDF formula at all.
		for _, x := range []float64{-1000, -7.5, -1, 0, 0.5, 1, 3, 42, 1000, 65535} {
			want, got := cv.Phys(x), c.Phys(x)
			if !(want == got || math.Abs(want-got) <= 1e-9*math.Max(1, math.Abs(want)) || (math.IsNaN(want) && math.IsNaN(got))) {
				return nil, fmt.Sprintf("raw value: FORMULA %q of %s does not translate to MDF exactly", sp.Formula, sp.Name)
			}
		}
	default:
		return nil, fmt.Sprintf("raw value: conversion type %s of %s has no MDF equivalent", sp.Type, sp.Name)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Sprintf("raw value: conversion %s: %v", sp.Name, err)
	}
	return c, ""
}

// exactRanges expresses "the value of an exact key, else the default" as
// MDF value ranges: each key alone, and the gaps between and around the
// keys mapped to the default, so that the ranges tile the number line
// (readers that mishandle values outside every range still get it
// right). Integer ranges are closed, float ranges half-open [min, max).
func exactRanges(in, out []float64, def float64, integer bool) []float64 {
	const huge = math.MaxFloat64
	var p []float64
	add := func(lo, hi, v float64) { p = append(p, lo, hi, v) }
	lo := -huge
	for i, k := range in {
		if integer {
			if k-1 >= lo {
				add(lo, k-1, def)
			}
			add(k, k, out[i])
			lo = k + 1
		} else {
			if k > lo {
				add(lo, k, def)
			}
			next := math.Nextafter(k, math.Inf(1))
			add(k, next, out[i])
			lo = next
		}
	}
	add(lo, huge, def)
	return append(p, def)
}

func pairs(in, out []float64) []float64 {
	p := make([]float64, 0, 2*len(in))
	for i := range in {
		p = append(p, in[i], out[i])
	}
	return p
}

// precision returns the decimals of an A2L format "%6.3".
func precision(format string) (uint8, bool) {
	_, dec, ok := strings.Cut(format, ".")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(dec))
	if err != nil || n < 0 || n > 254 {
		return 0, false
	}
	return uint8(n), true
}

// formula translates an ASAP2 formula in X1 to MDF's formula syntax in
// X: numbers, + - * /, parentheses and the functions both define alike.
// Anything else (powers, logarithms, bit and comparison operators,
// further variables) is refused.
func formula(src string) (string, bool) {
	funcs := map[string]bool{"sqrt": true, "abs": true, "sin": true, "cos": true, "tan": true, "exp": true,
		"asin": true, "acos": true, "atan": true, "sinh": true, "cosh": true, "tanh": true}
	var b strings.Builder
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case strings.IndexByte("+-*/()", c) >= 0:
			b.WriteByte(c)
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				j++
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			b.WriteString(src[i:j])
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			j := i
			for j < len(src) && (src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] == '_' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			w := src[i:j]
			switch {
			case w == "X1" || w == "X" || w == "x1" || w == "x":
				b.WriteString("X")
			case funcs[strings.ToLower(w)]:
				b.WriteString(strings.ToLower(w))
			default:
				return "", false
			}
			i = j
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *dto.Sample) error {
	l := s.lists[sm.List]
	rec := l.rec
	t := float64(sm.HostNS) / 1e9
	if l.slave {
		if sm.HasSlave && !s.haveSlave {
			s.slaveOff, s.haveSlave = sm.HostNS-sm.SlaveNS, true
		}
		putF64(rec[8:], false, t)
		t = float64(sm.SlaveNS+s.slaveOff) / 1e9
	}
	putF64(rec, false, t)
	for j, v := range sm.Values {
		if j >= len(l.fields) {
			break
		}
		f := &l.fields[j]
		b := rec[f.off : f.off+f.size]
		if f.float {
			if f.size == 4 {
				putU(b, f.be, uint64(math.Float32bits(float32(v.Float64()))))
			} else {
				putF64(b, f.be, v.Float64())
			}
			continue
		}
		putU(b, f.be, v.Uint64()<<f.shift)
	}
	return l.g.Write(rec)
}

// stats stores the recording's counters: interruptions as recording
// interrupt ranges, loss counters in the comments of the groups (DAQ
// list numbers) and the header.
func (s *Sink) stats(st record.Stats) {
	h := s.w.Header()
	prop := func(n string, v uint64) {
		h.Properties = append(h.Properties, mdf4.Property{Name: n, Value: strconv.FormatUint(v, 10)})
	}
	prop("frames recorded", st.Frames)
	prop("frames dropped by the recorder", st.Dropped)
	for _, in := range st.Interruptions {
		cmt := "measurement interrupted: " + in.Cause
		b, err := s.w.AddEvent(mdf4.Event{Name: "interruption", Comment: cmt, Type: mdf4.EventRecordingInterrupt,
			Range: mdf4.RangeBegin, Cause: mdf4.CauseError, Time: float64(in.Start) / 1e9, Begin: -1})
		if err == nil && in.End > 0 {
			s.w.AddEvent(mdf4.Event{Name: "interruption", Type: mdf4.EventRecordingInterrupt, Range: mdf4.RangeEnd,
				Cause: mdf4.CauseError, Time: float64(in.End) / 1e9, Begin: b})
		}
	}
	for _, ll := range st.Lists {
		for i, l := range s.lists {
			if l == nil || s.numbers[i] != ll.List || ll.CtrGaps+ll.MissingODTs+ll.Overloads == 0 {
				continue
			}
			l.g.SetComment(fmt.Sprintf("%s; losses while recording: %d transport counter gaps, %d missing ODTs, %d overloads",
				l.g.Comment(), ll.CtrGaps, ll.MissingODTs, ll.Overloads))
		}
	}
}

func putF64(b []byte, be bool, v float64) { putU(b[:8], be, math.Float64bits(v)) }

// putU stores the low len(b) bytes of v.
func putU(b []byte, be bool, v uint64) {
	n := len(b)
	switch {
	case n == 8 && !be:
		binary.LittleEndian.PutUint64(b, v)
		return
	case n == 4 && !be:
		binary.LittleEndian.PutUint32(b, uint32(v))
		return
	case n == 2 && !be:
		binary.LittleEndian.PutUint16(b, uint16(v))
		return
	case n == 8:
		binary.BigEndian.PutUint64(b, v)
		return
	}
	if be {
		for i := n - 1; i >= 0; i-- {
			b[i] = byte(v)
			v >>= 8
		}
		return
	}
	for i := range n {
		b[i] = byte(v)
		v >>= 8
	}
}

// Close implements convert.Sink.
func (s *Sink) Close() error {
	if s.w == nil {
		return nil
	}
	if s.o.Stats != nil {
		s.stats(s.o.Stats())
	}
	err := s.w.Close()
	s.w = nil
	return err
}
