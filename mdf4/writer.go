package mdf4

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zlib"
)

// Compression selects how the writer stores data blocks.
type Compression int

// Compressions.
const (
	// Deflate writes DZ blocks (deflate; with Version 420 transposed
	// deflate, which packs column-wise data much better).
	Deflate Compression = iota
	// NoCompression writes plain DT blocks.
	NoCompression
)

// Versions the writer can write.
const (
	Version410 = 410
	Version420 = 420
)

// DefaultBlockSize is the default size of a data block before compression.
const DefaultBlockSize = 1 << 20

// Options configure a Writer. The zero value writes MDF 4.10 with deflate.
type Options struct {
	// Version is 410 (default) or 420.
	Version int
	// Compression of the data blocks.
	Compression Compression
	// BlockSize is the raw size of a data block (rounded down to whole
	// records; default DefaultBlockSize). Each group buffers one block.
	BlockSize int
	// Program is the 8-character program identifier of the ID block.
	Program string
	// Header is written to the HD block (Start defaults to the time of
	// NewWriter).
	Header Header
	// History are the file history entries (at least one is written:
	// the writer's own, naming Program).
	History []History
}

// Writer writes an MDF 4 file: create it with Create or NewWriter, add
// groups with AddGroup, write records with GroupWriter.Write, then Close.
// A Writer is not safe for concurrent use.
type Writer struct {
	w      io.WriteSeeker
	file   *os.File // closed by Close if Create opened it
	pos    int64
	o      Options
	groups []*GroupWriter
	events []Event
	err    error
	closed bool

	zbuf bytes.Buffer
	zw   *zlib.Writer
	tbuf []byte
	hdr  []byte

	// The block writer goroutine (started by the first full block).
	jobs   chan dataJob
	done   chan struct{}
	mu     sync.Mutex // guards err
	hasErr atomic.Bool
}

// GroupWriter writes the records of one channel group (one sorted data
// group).
type GroupWriter struct {
	w       *Writer
	g       ChannelGroup
	index   int
	recSize int
	buf     []byte
	cap     int
	blocks  []uint64 // file offsets of the data blocks
	starts  []uint64 // offset of each block in the group's record stream
	written uint64   // record stream bytes in written blocks
	spare   chan []byte
}

// Create creates the file path and returns a Writer for it; Close closes
// the file.
func Create(path string, o Options) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("mdf4: %w", err)
	}
	w, err := NewWriter(f, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// NewWriter starts an MDF file on w at its current position 0: it writes
// the identification block (marked unfinalised until Close) and room for
// the header.
func NewWriter(w io.WriteSeeker, o Options) (*Writer, error) {
	switch o.Version {
	case 0:
		o.Version = Version410
	case Version410, Version420:
	default:
		return nil, fmt.Errorf("mdf4: cannot write version %d (want 410 or 420)", o.Version)
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.Program == "" {
		o.Program = "goxcp"
	}
	if o.Header.Start.IsZero() {
		o.Header.Start = time.Now()
	}
	wr := &Writer{w: w, o: o}
	b := appendID(nil, o.Version, o.Program, false)
	b = appendBlock(b, hdBlock(hdLinks{}, o.Header.Start))
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("mdf4: %w", err)
	}
	wr.pos = int64(len(b))
	return wr, nil
}

// Unfinalised flags set until Close (id_unfin_flags): cycle counters, the
// last DT block's length and the last DL block need updating.
const (
	unfinFlags       = 0x0001 | 0x0004 | 0x0010
	customUnfinGoxcp = 0x0001 // goxcp: metadata blocks are written at close
)

func appendID(b []byte, version int, program string, final bool) []byte {
	if final {
		b = append(b, "MDF     "...)
	} else {
		b = append(b, "UnFinMF "...)
	}
	b = append(b, fmt.Sprintf("%-8s", fmt.Sprintf("%d.%02d", version/100, version%100))...)
	p := []byte(program + "        ")[:8]
	b = append(b, p...)
	b = append(b, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(version))
	b = append(b, make([]byte, 30)...)
	if final {
		b = append(b, 0, 0, 0, 0)
	} else {
		b = binary.LittleEndian.AppendUint16(b, unfinFlags)
		b = binary.LittleEndian.AppendUint16(b, customUnfinGoxcp)
	}
	return b
}

// AddGroup adds a channel group (in a data group of its own) and returns
// its record writer. g's Channels describe the record layout: each
// record is DataBytes bytes followed by InvalBytes invalidation bytes.
// Groups may be added until Close; each may have its own Source (the ECU
// it came from).
func (w *Writer) AddGroup(g ChannelGroup) (*GroupWriter, error) {
	if w.closed {
		return nil, errors.New("mdf4: AddGroup after Close")
	}
	if err := checkGroup(&g); err != nil {
		return nil, err
	}
	g.RecordID, g.Samples, g.Flags = 0, 0, 0
	gw := &GroupWriter{w: w, g: g, index: len(w.groups), recSize: int(g.DataBytes + g.InvalBytes), spare: make(chan []byte, 1)}
	gw.cap = max(w.o.BlockSize/gw.recSize, 1) * gw.recSize
	w.groups = append(w.groups, gw)
	return gw, nil
}

// checkGroup validates the record layout of g and sets the flags of its
// channels' optional fields.
func checkGroup(g *ChannelGroup) error {
	if g.DataBytes+g.InvalBytes == 0 || g.DataBytes > 1<<24 || g.InvalBytes > 1<<16 {
		return fmt.Errorf("mdf4: group %q: record of %d data and %d invalidation bytes", g.Name, g.DataBytes, g.InvalBytes)
	}
	g.Master = nil
	for _, c := range g.Channels {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("mdf4: group %q: channel %q: %s", g.Name, c.Name, fmt.Sprintf(format, args...))
		}
		switch c.Type {
		case ChannelFixed:
		case ChannelMaster:
			if g.Master != nil {
				return bad("second master channel")
			}
			g.Master = c
		default:
			return bad("the writer writes fixed-length and master channels only (type %d)", c.Type)
		}
		switch {
		case c.DataType == FloatLE || c.DataType == FloatBE:
			if c.BitOffset != 0 || (c.BitCount != 16 && c.BitCount != 32 && c.BitCount != 64) {
				return bad("float of %d bits at bit %d", c.BitCount, c.BitOffset)
			}
		case c.DataType <= IntBE:
			if c.BitCount < 1 || c.BitCount > 64 || c.BitOffset > 7 {
				return bad("integer of %d bits at bit %d", c.BitCount, c.BitOffset)
			}
		case c.DataType <= ByteArray:
			if c.BitOffset != 0 || c.BitCount%8 != 0 || c.BitCount == 0 {
				return bad("%d-bit string or byte array", c.BitCount)
			}
		default:
			return bad("data type %d not supported by the writer", c.DataType)
		}
		if uint64(c.ByteOffset)+uint64(c.BitOffset+7)/8+uint64(c.BitCount+7)/8 > uint64(g.DataBytes)+1 ||
			uint64(c.ByteOffset)*8+uint64(c.BitOffset)+uint64(c.BitCount) > uint64(g.DataBytes)*8 {
			return bad("bits %d…%d beyond the %d data bytes", uint64(c.ByteOffset)*8+uint64(c.BitOffset),
				uint64(c.ByteOffset)*8+uint64(c.BitOffset)+uint64(c.BitCount)-1, g.DataBytes)
		}
		c.Flags &^= FlagValueRange | FlagLimits | FlagExtLimits
		for _, r := range []struct {
			r    *Range
			flag uint32
		}{{c.ValueRange, FlagValueRange}, {c.Limits, FlagLimits}, {c.ExtLimits, FlagExtLimits}} {
			if r.r != nil {
				if math.IsNaN(r.r.Min) || math.IsNaN(r.r.Max) {
					return bad("NaN in a range")
				}
				c.Flags |= r.flag
			}
		}
		if c.Flags&FlagInvalBit != 0 && c.InvalBit >= g.InvalBytes*8 {
			return bad("invalidation bit %d beyond %d invalidation bytes", c.InvalBit, g.InvalBytes)
		}
		if c.Conversion != nil {
			if err := c.Conversion.check(-1); err != nil {
				return bad("conversion: %v", err)
			}
			for _, r := range c.Conversion.Refs {
				if r != nil {
					if err := r.check(-1); err != nil {
						return bad("conversion: %v", err)
					}
				}
			}
		}
	}
	return nil
}

// SetComment replaces the group's comment (written at Close), e.g. to
// add the loss counters known only at the end.
func (g *GroupWriter) SetComment(s string) { g.g.Comment = s }

// Comment returns the group's comment.
func (g *GroupWriter) Comment() string { return g.g.Comment }

// Header returns the file header, which may be changed until Close (it
// is written then), e.g. to add properties known only at the end.
func (w *Writer) Header() *Header { return &w.o.Header }

// Name returns the group's acquisition name.
func (g *GroupWriter) Name() string { return g.g.Name }

// Samples returns the number of records written so far.
func (g *GroupWriter) Samples() uint64 { return g.g.Samples }

// Write appends one record (DataBytes + InvalBytes bytes). A full data
// block is compressed and written to the file.
func (g *GroupWriter) Write(rec []byte) error {
	if err := g.w.failed(); err != nil {
		return err
	}
	if g.w.closed {
		return errors.New("mdf4: Write after Close")
	}
	if len(rec) != g.recSize {
		return fmt.Errorf("mdf4: group %q: record of %d bytes, want %d", g.g.Name, len(rec), g.recSize)
	}
	if g.buf == nil {
		g.buf = make([]byte, 0, g.cap)
	}
	g.buf = append(g.buf, rec...)
	g.g.Samples++
	if len(g.buf) >= g.cap {
		return g.flush()
	}
	return nil
}

// flush hands the buffered records to the block writer goroutine (which
// compresses and writes them while the caller fills the next block) and
// takes a free buffer.
func (g *GroupWriter) flush() error {
	if len(g.buf) == 0 {
		return nil
	}
	w := g.w
	if w.jobs == nil {
		w.jobs = make(chan dataJob, 2)
		w.done = make(chan struct{})
		go w.blockWriter()
	}
	w.jobs <- dataJob{g: g, buf: g.buf}
	select {
	case b := <-g.spare:
		g.buf = b[:0]
	default:
		g.buf = make([]byte, 0, g.cap)
	}
	return w.failed()
}

// dataJob is one full data block of a group.
type dataJob struct {
	g   *GroupWriter
	buf []byte
}

// blockWriter compresses and writes the data blocks in the order they
// were flushed; it owns w.pos and the groups' block lists until Close.
func (w *Writer) blockWriter() {
	defer close(w.done)
	for j := range w.jobs {
		if w.failed() != nil {
			continue
		}
		g := j.g
		off, err := w.writeData(j.buf, g.recSize)
		if err != nil {
			w.fail(err)
			continue
		}
		g.blocks = append(g.blocks, uint64(off))
		g.starts = append(g.starts, g.written)
		g.written += uint64(len(j.buf))
		select {
		case g.spare <- j.buf:
		default:
		}
	}
}

// wait stops the block writer after the flushed blocks are written.
func (w *Writer) wait() {
	if w.jobs != nil {
		close(w.jobs)
		<-w.done
		w.jobs = nil
	}
}

func (w *Writer) failed() error {
	if !w.hasErr.Load() { // the common case, without the lock
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *Writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		w.hasErr.Store(true)
	}
}

// writeData writes raw as a DT or DZ block and returns its offset.
func (w *Writer) writeData(raw []byte, recSize int) (int64, error) {
	off := w.pos
	var b []byte
	if w.o.Compression == NoCompression {
		b = w.dtHeader(len(raw))
		if _, err := w.w.Write(b); err != nil {
			return 0, fmt.Errorf("mdf4: %w", err)
		}
		if _, err := w.w.Write(raw); err != nil {
			return 0, fmt.Errorf("mdf4: %w", err)
		}
		n := int64(len(b) + len(raw))
		if pad := (8 - n%8) % 8; pad > 0 {
			if _, err := w.w.Write(make([]byte, pad)); err != nil {
				return 0, fmt.Errorf("mdf4: %w", err)
			}
			n += pad
		}
		w.pos += n
		return off, nil
	}
	src, zipType, param := raw, uint8(zipDeflate), uint32(0)
	if w.o.Version >= Version420 && recSize > 1 && len(raw) >= 2*recSize {
		w.tbuf = transpose(w.tbuf[:0], raw, recSize)
		src, zipType, param = w.tbuf, zipTransposed, uint32(recSize)
	}
	w.zbuf.Reset()
	w.zbuf.Write(make([]byte, headerSize+dzHeaderData)) // room for the header
	if w.zw == nil {
		var err error
		if w.zw, err = zlib.NewWriterLevel(&w.zbuf, zlib.BestSpeed); err != nil {
			return 0, fmt.Errorf("mdf4: %w", err)
		}
	} else {
		w.zw.Reset(&w.zbuf)
	}
	w.zw.Write(src)
	if err := w.zw.Close(); err != nil {
		return 0, fmt.Errorf("mdf4: deflate: %w", err)
	}
	b = w.zbuf.Bytes()
	dataLen := len(b) - headerSize - dzHeaderData
	appendDZHeader(b[:0], idDT, zipType, param, uint64(len(raw)), uint64(dataLen))
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	if _, err := w.w.Write(b); err != nil {
		return 0, fmt.Errorf("mdf4: %w", err)
	}
	w.pos += int64(len(b))
	return off, nil
}

func (w *Writer) dtHeader(n int) []byte {
	w.hdr = append(w.hdr[:0], idDT...)
	w.hdr = append(w.hdr, 0, 0, 0, 0)
	w.hdr = binary.LittleEndian.AppendUint64(w.hdr, uint64(headerSize+n))
	w.hdr = binary.LittleEndian.AppendUint64(w.hdr, 0)
	return w.hdr
}

// transpose writes the records of raw (rows of cols bytes) column by
// column: byte j of record i goes to j·rows + i (MDF 4.2 transposition).
func transpose(dst, raw []byte, cols int) []byte {
	rows := len(raw) / cols
	n := rows * cols
	dst = append(dst, make([]byte, len(raw))...)
	for j := range cols {
		col := dst[j*rows : (j+1)*rows]
		for i := range col {
			col[i] = raw[i*cols+j]
		}
	}
	copy(dst[n:], raw[n:])
	return dst
}

// AddEvent adds an event (EV block), e.g. an acquisition interrupt where
// data was lost, and returns its index (the Begin of a later RangeEnd
// event). Events are written at Close.
func (w *Writer) AddEvent(e Event) (int, error) {
	if w.closed {
		return 0, errors.New("mdf4: AddEvent after Close")
	}
	for _, g := range e.Groups {
		if g < 0 || g >= len(w.groups) {
			return 0, fmt.Errorf("mdf4: event %q: no group %d", e.Name, g)
		}
	}
	if e.Range == RangeEnd && (e.Begin < 0 || e.Begin >= len(w.events) || w.events[e.Begin].Range != RangeBegin) {
		return 0, fmt.Errorf("mdf4: event %q: end of range without its begin event", e.Name)
	}
	if math.IsNaN(e.Time) || math.IsInf(e.Time, 0) {
		return 0, fmt.Errorf("mdf4: event %q: time %v", e.Name, e.Time)
	}
	w.events = append(w.events, e)
	return len(w.events) - 1, nil
}

// Close writes the remaining data, the metadata blocks and the final
// identification block. The Writer cannot be used afterwards.
func (w *Writer) Close() error {
	if w.closed {
		return w.failed()
	}
	w.closed = true
	err := w.finish()
	w.wait()
	if w.file != nil {
		if cerr := w.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("mdf4: %w", cerr)
		}
	}
	if err != nil {
		w.fail(err)
	}
	return err
}

func (w *Writer) finish() error {
	for _, g := range w.groups {
		if err := g.flush(); err != nil {
			w.wait()
			return err
		}
	}
	w.wait()
	if err := w.failed(); err != nil {
		return err
	}
	m := &metaWriter{base: w.pos, texts: map[string]uint64{}, si: map[*Source]uint64{}}
	var hd hdLinks
	// Data groups, written last to first so that each links the next.
	var next uint64
	dgs := make([]uint64, len(w.groups))
	cgs := make([]uint64, len(w.groups))
	for i := len(w.groups) - 1; i >= 0; i-- {
		g := w.groups[i]
		data := g.dataLink(m, w.o.Compression == Deflate, w.o.Version >= Version420)
		cg := m.group(&g.g)
		cgs[i] = cg
		next = m.put(dgBlock(next, cg, data, 0, 0))
		dgs[i] = next
	}
	hd.dg = next
	// Events, last to first.
	evs := make([]uint64, len(w.events))
	next = 0
	for i := len(w.events) - 1; i >= 0; i-- {
		e := &w.events[i]
		l := evLinks{next: next, name: m.text(e.Name), md: m.text(e.Comment)}
		for _, gi := range e.Groups {
			l.scope = append(l.scope, cgs[gi])
		}
		if e.Range == RangeEnd {
			// The begin event comes before: its offset is not known yet
			// when writing backwards; patched below.
			l.rng = 0
		}
		next = m.put(evBlock(l, e))
		evs[i] = next
	}
	for i := range w.events {
		if e := &w.events[i]; e.Range == RangeEnd {
			// ev_ev_range is the third link: header + 2 links.
			m.patch(evs[i]+headerSize+16, evs[e.Begin])
		}
	}
	if len(evs) > 0 {
		hd.ev = evs[0]
	}
	// File history: the caller's, or one naming Program.
	hist := w.o.History
	if len(hist) == 0 {
		hist = []History{{Time: time.Now(), Tool: w.o.Program, Vendor: w.o.Program, Comment: "created"}}
	}
	next = 0
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		next = m.put(fhBlock(next, m.put(textBlock(idMD, fhXML(&h))), h.Time))
	}
	hd.fh = next
	hd.md = m.put(textBlock(idMD, hdXML(&w.o.Header)))
	if _, err := w.w.Write(m.buf); err != nil {
		return fmt.Errorf("mdf4: %w", err)
	}
	w.pos += int64(len(m.buf))
	// Header and identification block last: the file is valid from here.
	if _, err := w.w.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("mdf4: %w", err)
	}
	b := appendID(nil, w.o.Version, w.o.Program, true)
	b = appendBlock(b, hdBlock(hd, w.o.Header.Start))
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("mdf4: %w", err)
	}
	if _, err := w.w.Seek(w.pos, io.SeekStart); err != nil {
		return fmt.Errorf("mdf4: %w", err)
	}
	return nil
}

// dataLink writes the data list of g (if it needs one) and returns the
// link for dg_data: 0 without records, the data block itself if there is
// one uncompressed block, else an HL (compressed) or DL chain.
func (g *GroupWriter) dataLink(m *metaWriter, compressed, v420 bool) uint64 {
	if len(g.blocks) == 0 {
		return 0
	}
	if len(g.blocks) == 1 && !compressed {
		return g.blocks[0]
	}
	const perDL = 1024
	var next uint64
	for start := (len(g.blocks) - 1) / perDL * perDL; start >= 0; start -= perDL {
		end := min(start+perDL, len(g.blocks))
		next = m.put(dlBlock(next, g.blocks[start:end], g.starts[start:end]))
	}
	if !compressed {
		return next
	}
	zt := uint8(zipDeflate)
	if v420 {
		zt = zipTransposed
	}
	return m.put(hlBlock(next, zt))
}

// metaWriter collects the metadata blocks written at Close.
type metaWriter struct {
	base  int64
	buf   []byte
	texts map[string]uint64
	si    map[*Source]uint64
}

func (m *metaWriter) put(b *block) uint64 {
	off := uint64(m.base) + uint64(len(m.buf))
	m.buf = appendBlock(m.buf, b)
	return off
}

func (m *metaWriter) patch(at, v uint64) {
	binary.LittleEndian.PutUint64(m.buf[at-uint64(m.base):], v)
}

// text writes s as a TX block once and returns its offset (0 for "").
func (m *metaWriter) text(s string) uint64 {
	if s == "" {
		return 0
	}
	if off, ok := m.texts[s]; ok {
		return off
	}
	off := m.put(textBlock(idTX, s))
	m.texts[s] = off
	return off
}

func (m *metaWriter) source(s *Source) uint64 {
	if s == nil {
		return 0
	}
	if off, ok := m.si[s]; ok {
		return off
	}
	var md uint64
	if len(s.Properties) > 0 {
		md = m.put(textBlock(idMD, commentXML("SIcomment", s.Comment, s.Properties)))
	} else {
		md = m.text(s.Comment)
	}
	off := m.put(siBlock(m.text(s.Name), m.text(s.Path), md, s))
	m.si[s] = off
	return off
}

func (m *metaWriter) conversion(c *Conversion) uint64 {
	if c == nil {
		return 0
	}
	var refs []uint64
	switch c.Type {
	case ConvAlgebraic:
		refs = []uint64{m.text(c.Formula)}
	case ConvValueText, ConvRangeText:
		for i, t := range c.Texts {
			if i < len(c.Refs) && c.Refs[i] != nil {
				refs = append(refs, m.conversion(c.Refs[i]))
			} else {
				refs = append(refs, m.text(t))
			}
		}
	}
	return m.put(ccBlock(m.text(c.Name), m.text(c.Unit), m.text(c.Comment), m.conversion(c.Inverse), refs, c))
}

// group writes the CN chain, SI and CG blocks of g; it returns the CG.
func (m *metaWriter) group(g *ChannelGroup) uint64 {
	var next uint64
	for i := len(g.Channels) - 1; i >= 0; i-- {
		c := g.Channels[i]
		l := cnLinks{next: next, name: m.text(c.Name), si: m.source(c.Source), cc: m.conversion(c.Conversion),
			unit: m.text(c.Unit), md: m.text(c.Comment)}
		next = m.put(cnBlock(l, c))
	}
	return m.put(cgBlock(cgLinks{cn: next, acqName: m.text(g.Name), si: m.source(g.Source), md: m.text(g.Comment)}, g))
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func commentXML(root, text string, props []Property) string {
	var b strings.Builder
	b.WriteString("<" + root + " xmlns=\"http://www.asam.net/mdf/v4\"><TX>" + xmlText(text) + "</TX>")
	writeProps(&b, props)
	b.WriteString("</" + root + ">")
	return b.String()
}

func writeProps(b *strings.Builder, props []Property) {
	if len(props) == 0 {
		return
	}
	b.WriteString("<common_properties>")
	for _, p := range props {
		b.WriteString("<e name=\"" + xmlText(p.Name) + "\">" + xmlText(p.Value) + "</e>")
	}
	b.WriteString("</common_properties>")
}

func hdXML(h *Header) string { return commentXML("HDcomment", h.Comment, h.Properties) }

func fhXML(h *History) string {
	var b strings.Builder
	b.WriteString("<FHcomment xmlns=\"http://www.asam.net/mdf/v4\"><TX>" + xmlText(h.Comment) + "</TX>")
	b.WriteString("<tool_id>" + xmlText(h.Tool) + "</tool_id>")
	b.WriteString("<tool_vendor>" + xmlText(h.Vendor) + "</tool_vendor>")
	b.WriteString("<tool_version>" + xmlText(h.Version) + "</tool_version>")
	if h.User != "" {
		b.WriteString("<user_name>" + xmlText(h.User) + "</user_name>")
	}
	b.WriteString("</FHcomment>")
	return b.String()
}
