package mdf4

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
)

// Limits the reader applies to outside bytes.
const (
	maxMetaBlock = 16 << 20 // a metadata block (TX, MD, CN, ...)
	maxDZ        = 1 << 30  // a data block's compressed or original size
	maxBlocks    = 1 << 22  // metadata blocks visited
	maxCCDepth   = 4        // nested conversions
	maxRecord    = 16 << 20 // a record's size
)

// File is an MDF 4 file opened for reading: its metadata, and the
// records of each channel group through Records. A File is safe for
// concurrent use by several Records iterators.
type File struct {
	// Version is the format version, e.g. 410.
	Version int
	// Program is the identifier of the program that wrote the file.
	Program string
	Header  Header
	History []History
	// Groups are the channel groups in file order (data group by data
	// group); VLSD channel groups are not listed.
	Groups []*ChannelGroup
	Events []Event

	r      io.ReaderAt
	size   int64
	closer io.Closer
	seen   int
	texts  map[uint64]string
	srcs   map[uint64]*Source
	convs  map[uint64]*Conversion
}

// Open opens and reads the metadata of the MDF 4 file path.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mdf4: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("mdf4: %w", err)
	}
	f, err := Read(fd, st.Size())
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.closer = fd
	return f, nil
}

// IsMDF reports whether b (the first bytes of a file, at least 8) starts
// like an MDF file, finalised or not.
func IsMDF(b []byte) bool {
	return len(b) >= 8 && (string(b[:8]) == "MDF     " || string(b[:8]) == "UnFinMF ")
}

// Offset returns the file offset of the channel's CN block (-1 for a
// channel not read from a file).
func (c *Channel) Offset() int64 {
	if c.off == 0 {
		return -1
	}
	return c.off
}

// Close closes the file opened by Open.
func (f *File) Close() error {
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// Read reads the metadata of the MDF 4 file in r (size bytes).
func Read(r io.ReaderAt, size int64) (*File, error) {
	f := &File{r: r, size: size, texts: map[uint64]string{}, srcs: map[uint64]*Source{}, convs: map[uint64]*Conversion{}}
	var id [idBlockSize]byte
	if size < idBlockSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrNotMDF, size)
	}
	if _, err := r.ReadAt(id[:], 0); err != nil {
		return nil, fmt.Errorf("mdf4: %w", err)
	}
	fileID := string(id[:8])
	if fileID != "MDF     " && fileID != "UnFinMF " {
		return nil, fmt.Errorf("%w: file identifier %q", ErrNotMDF, fileID)
	}
	f.Version = int(binary.LittleEndian.Uint16(id[28:]))
	f.Program = strings.TrimRight(string(id[16:24]), " \x00")
	if f.Version < 400 || f.Version >= 500 {
		return nil, &Error{Offset: 28, Reason: fmt.Sprintf("MDF version %d (this reader reads 4.00 to 4.x)", f.Version), Err: ErrUnsupported}
	}
	if fileID == "UnFinMF " {
		flags := binary.LittleEndian.Uint16(id[60:])
		custom := binary.LittleEndian.Uint16(id[62:])
		reason := fmt.Sprintf("unfinalised flags %#04x, custom flags %#04x", flags, custom)
		if custom&customUnfinGoxcp != 0 && f.Program == "goxcp" {
			reason += " (written by goxcp and not closed: recover it from the .xlog recording kept beside it)"
		}
		return nil, &Error{Offset: 0, Reason: reason, Err: ErrUnfinalized}
	}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	return f, nil
}

// readBlock reads the block at off and checks its identifier against
// want (any of them; none: any).
func (f *File) readBlock(off uint64, want ...string) (*block, error) {
	f.seen++
	if f.seen > maxBlocks {
		return nil, corrupt("", int64(off), "more than %d blocks (loop?)", maxBlocks)
	}
	if off < idBlockSize || off > uint64(f.size)-headerSize || off > uint64(f.size) {
		return nil, corrupt("", int64(off), "link outside the file (%d bytes)", f.size)
	}
	var h [headerSize]byte
	if _, err := f.r.ReadAt(h[:], int64(off)); err != nil {
		return nil, corrupt("", int64(off), "reading block header: %v", err)
	}
	id, length, nlinks, err := parseHeader(h[:], int64(off))
	if err != nil {
		return nil, err
	}
	if len(want) > 0 {
		ok := false
		for _, w := range want {
			ok = ok || id == w
		}
		if !ok {
			return nil, corrupt(printable(id), int64(off), "found where %s was expected", strings.Join(want, " or "))
		}
	}
	if length > maxMetaBlock {
		return nil, unsupported(printable(id), int64(off), "block of %d bytes (limit %d)", length, maxMetaBlock)
	}
	if length > uint64(f.size)-off {
		return nil, corrupt(printable(id), int64(off), "length %d beyond the end of the file", length)
	}
	buf := make([]byte, length-headerSize)
	if _, err := f.r.ReadAt(buf, int64(off)+headerSize); err != nil {
		return nil, corrupt(printable(id), int64(off), "reading: %v", err)
	}
	b := &block{id: id, off: int64(off), links: make([]uint64, nlinks)}
	for i := range b.links {
		b.links[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	b.data = buf[8*nlinks:]
	return b, nil
}

// link returns link i of b or 0 if b has fewer links.
func (b *block) link(i int) uint64 {
	if i < len(b.links) {
		return b.links[i]
	}
	return 0
}

// mdXML is the part of an MD comment the reader extracts.
type mdXML struct {
	TX    string `xml:"TX"`
	Props []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	} `xml:"common_properties>e"`
	ToolID      string `xml:"tool_id"`
	ToolVendor  string `xml:"tool_vendor"`
	ToolVersion string `xml:"tool_version"`
	User        string `xml:"user_name"`
}

// comment reads a TX or MD block: the text (the TX element of an MD
// comment) and, for MD, the parsed XML.
func (f *File) comment(off uint64) (string, *mdXML, error) {
	if off == 0 {
		return "", nil, nil
	}
	b, err := f.readBlock(off, idTX, idMD)
	if err != nil {
		return "", nil, err
	}
	s := blockText(b)
	if b.id == idTX {
		return s, nil, nil
	}
	var m mdXML
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		return s, nil, nil // not the XML we know: keep it as text
	}
	return strings.TrimSpace(m.TX), &m, nil
}

// text reads a TX (or MD) block's text; results are cached.
func (f *File) text(off uint64) (string, error) {
	if off == 0 {
		return "", nil
	}
	if s, ok := f.texts[off]; ok {
		return s, nil
	}
	s, _, err := f.comment(off)
	if err == nil {
		f.texts[off] = s
	}
	return s, err
}

func props(m *mdXML) []Property {
	if m == nil {
		return nil
	}
	var out []Property
	for _, p := range m.Props {
		out = append(out, Property{Name: p.Name, Value: strings.TrimSpace(p.Value)})
	}
	return out
}

func (f *File) readHeader() error {
	b, err := f.readBlock(hdOffset, idHD)
	if err != nil {
		return err
	}
	if len(b.links) < 6 || len(b.data) < 32 {
		return corrupt(idHD, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
	}
	d := fields{b: b.data}
	ns, tz, dst, flags := d.u64(), d.i16(), d.i16(), d.u8()
	f.Header.Start = decodeTime(ns, tz, dst, flags)
	var m *mdXML
	if f.Header.Comment, m, err = f.comment(b.links[5]); err != nil {
		return err
	}
	f.Header.Properties = props(m)
	if err := f.readHistory(b.links[1]); err != nil {
		return err
	}
	dgs := map[uint64]*dataGroup{}
	cgs := map[uint64]int{}
	if err := f.readDataGroups(b.links[0], dgs, cgs); err != nil {
		return err
	}
	return f.readEvents(b.links[4], dgs, cgs)
}

func (f *File) readHistory(off uint64) error {
	seen := map[uint64]bool{}
	for ; off != 0; seen[off] = true {
		if seen[off] {
			return corrupt(idFH, int64(off), "FH chain loops")
		}
		b, err := f.readBlock(off, idFH)
		if err != nil {
			return err
		}
		d := fields{b: b.data}
		ns, tz, dst, flags := d.u64(), d.i16(), d.i16(), d.u8()
		h := History{Time: decodeTime(ns, tz, dst, flags)}
		var m *mdXML
		if h.Comment, m, err = f.comment(b.link(1)); err != nil {
			return err
		}
		if m != nil {
			h.Tool, h.Vendor, h.Version, h.User = m.ToolID, m.ToolVendor, m.ToolVersion, m.User
		}
		f.History = append(f.History, h)
		off = b.link(0)
	}
	return nil
}

func (f *File) readDataGroups(off uint64, dgs map[uint64]*dataGroup, cgs map[uint64]int) error {
	var all []*ChannelGroup
	for off != 0 {
		if dgs[off] != nil {
			return corrupt(idDG, int64(off), "DG chain loops")
		}
		b, err := f.readBlock(off, idDG)
		if err != nil {
			return err
		}
		if len(b.links) < 4 || len(b.data) < 1 {
			return corrupt(idDG, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
		}
		dg := &dataGroup{recIDSize: int(b.data[0]), data: b.links[2], off: b.off}
		switch dg.recIDSize {
		case 0, 1, 2, 4, 8:
		default:
			return corrupt(idDG, b.off, "record ID size %d", dg.recIDSize)
		}
		dgs[off] = dg
		seen := map[uint64]bool{}
		for cg := b.links[1]; cg != 0; {
			if seen[cg] {
				return corrupt(idCG, int64(cg), "CG chain loops")
			}
			seen[cg] = true
			g, next, err := f.readGroup(cg, dg)
			if err != nil {
				return err
			}
			dg.groups = append(dg.groups, g)
			if g.Flags&cgFlagVLSD == 0 {
				all = append(all, g)
			}
			cg = next
		}
		if len(dg.groups) > 1 && dg.recIDSize == 0 {
			return corrupt(idDG, b.off, "%d channel groups without record IDs", len(dg.groups))
		}
		off = b.links[0]
	}
	return f.joinColumns(all, cgs)
}

// joinColumns lists the channel groups in File.Groups: a group stored
// column-oriented (MDF 4.2: one channel group per column, each naming
// the group of its master channel as remote master) becomes one group
// with the master's channels first, read in lockstep.
func (f *File) joinColumns(all []*ChannelGroup, cgs map[uint64]int) error {
	byOff := map[uint64]*ChannelGroup{}
	for _, g := range all {
		byOff[uint64(g.off)] = g
	}
	for _, g := range all {
		if g.remote == 0 {
			continue
		}
		m := byOff[g.remote]
		if m == nil || m.remote != 0 {
			return unsupported(idCG, g.off, "remote master %d is not a channel group with its own master", g.remote)
		}
		if g.Samples != m.Samples {
			return corrupt(idCG, g.off, "%d records but its master group has %d", g.Samples, m.Samples)
		}
		if m.parts == nil {
			part := *m
			m.parts = []*ChannelGroup{&part}
		}
		m.parts = append(m.parts, g)
	}
	for _, g := range all {
		if g.remote != 0 {
			cgs[uint64(g.off)] = -1 // resolved below
			continue
		}
		if g.parts != nil {
			var data uint32
			g.Channels = nil
			for _, p := range g.parts {
				for _, c := range p.Channels {
					cc := *c
					cc.ByteOffset += data
					cc.prepare()
					cc.acc.inval += int(data)
					if c == p.Master {
						g.Master = &cc
					}
					g.Channels = append(g.Channels, &cc)
				}
				data += p.DataBytes + p.InvalBytes
			}
			g.DataBytes, g.InvalBytes = data, 0
		}
		cgs[uint64(g.off)] = len(f.Groups)
		f.Groups = append(f.Groups, g)
	}
	for _, g := range all {
		if g.remote != 0 {
			cgs[uint64(g.off)] = cgs[g.remote]
		}
	}
	return nil
}

// CG flags.
const (
	cgFlagVLSD         = 1 << 0
	cgFlagRemoteMaster = 1 << 3
)

func (f *File) readGroup(off uint64, dg *dataGroup) (*ChannelGroup, uint64, error) {
	b, err := f.readBlock(off, idCG)
	if err != nil {
		return nil, 0, err
	}
	if len(b.links) < 6 || len(b.data) < 32 {
		return nil, 0, corrupt(idCG, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
	}
	d := fields{b: b.data}
	g := &ChannelGroup{dg: dg, off: b.off}
	g.RecordID, g.Samples, g.Flags = d.u64(), d.u64(), d.u16()
	d.skip(6)
	g.DataBytes, g.InvalBytes = d.u32(), d.u32()
	if g.Flags&cgFlagRemoteMaster != 0 {
		if g.remote = b.link(6); g.remote == 0 {
			return nil, 0, corrupt(idCG, b.off, "remote master flag without a remote master link")
		}
	}
	if g.Flags&cgFlagVLSD != 0 {
		return g, b.links[0], nil
	}
	if uint64(g.DataBytes)+uint64(g.InvalBytes) > maxRecord {
		return nil, 0, unsupported(idCG, b.off, "records of %d bytes", g.DataBytes+g.InvalBytes)
	}
	if g.Name, err = f.text(b.links[2]); err != nil {
		return nil, 0, err
	}
	if g.Source, err = f.source(b.links[3]); err != nil {
		return nil, 0, err
	}
	if g.Comment, _, err = f.comment(b.links[5]); err != nil {
		return nil, 0, err
	}
	seen := map[uint64]bool{}
	for cn := b.links[1]; cn != 0; {
		if seen[cn] {
			return nil, 0, corrupt(idCN, int64(cn), "CN chain loops")
		}
		seen[cn] = true
		c, next, err := f.readChannel(cn)
		if err != nil {
			return nil, 0, err
		}
		c.prepare()
		c.acc.inval = int(g.DataBytes)
		g.Channels = append(g.Channels, c)
		if (c.Type == ChannelMaster || c.Type == ChannelVirtualMaster) && g.Master == nil {
			g.Master = c
		}
		if c.acc.kind != 0 && c.acc.end > int(g.DataBytes) {
			return nil, 0, corrupt(idCN, c.off, "channel %q: bytes %d…%d beyond the %d data bytes of its record",
				c.Name, c.acc.start, c.acc.end-1, g.DataBytes)
		}
		cn = next
	}
	return g, b.links[0], nil
}

func (f *File) source(off uint64) (*Source, error) {
	if off == 0 {
		return nil, nil
	}
	if s, ok := f.srcs[off]; ok {
		return s, nil
	}
	b, err := f.readBlock(off, idSI)
	if err != nil {
		return nil, err
	}
	if len(b.links) < 3 || len(b.data) < 3 {
		return nil, corrupt(idSI, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
	}
	s := &Source{Type: SourceType(b.data[0]), Bus: BusType(b.data[1]), Simulated: b.data[2]&1 != 0}
	if s.Name, err = f.text(b.links[0]); err != nil {
		return nil, err
	}
	if s.Path, err = f.text(b.links[1]); err != nil {
		return nil, err
	}
	var m *mdXML
	if s.Comment, m, err = f.comment(b.links[2]); err != nil {
		return nil, err
	}
	s.Properties = props(m)
	f.srcs[off] = s
	return s, nil
}

func (f *File) readChannel(off uint64) (*Channel, uint64, error) {
	b, err := f.readBlock(off, idCN)
	if err != nil {
		return nil, 0, err
	}
	if len(b.links) < 8 || len(b.data) < 72 {
		return nil, 0, corrupt(idCN, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
	}
	d := fields{b: b.data}
	c := &Channel{off: b.off}
	c.Type, c.Sync, c.DataType, c.BitOffset = ChannelType(d.u8()), SyncType(d.u8()), DataType(d.u8()), d.u8()
	c.ByteOffset, c.BitCount, c.Flags, c.InvalBit = d.u32(), d.u32(), d.u32(), d.u32()
	c.Precision = d.u8()
	d.skip(3)
	for _, r := range []struct {
		p    **Range
		flag uint32
	}{{&c.ValueRange, FlagValueRange}, {&c.Limits, FlagLimits}, {&c.ExtLimits, FlagExtLimits}} {
		lo, hi := d.f64(), d.f64()
		if c.Flags&r.flag != 0 {
			*r.p = &Range{lo, hi}
		}
	}
	if c.Name, err = f.text(b.links[2]); err != nil {
		return nil, 0, err
	}
	if b.links[1] != 0 {
		return nil, 0, unsupported(idCN, b.off, "channel %q: composition (structure or array) not supported", c.Name)
	}
	if c.Source, err = f.source(b.links[3]); err != nil {
		return nil, 0, err
	}
	if c.Unit, err = f.text(b.links[6]); err != nil {
		return nil, 0, err
	}
	if c.Comment, _, err = f.comment(b.links[7]); err != nil {
		return nil, 0, err
	}
	if b.links[4] != 0 {
		if c.Conversion, err = f.readConversion(b.links[4], 0); err != nil {
			return nil, 0, err
		}
	}
	return c, b.links[0], nil
}

func (f *File) readConversion(off uint64, depth int) (*Conversion, error) {
	if depth > maxCCDepth {
		return nil, unsupported(idCC, int64(off), "conversions nested deeper than %d", maxCCDepth)
	}
	if c, ok := f.convs[off]; ok {
		return c, nil
	}
	c, err := f.readConversion1(off, depth)
	if err == nil {
		f.convs[off] = c
	}
	return c, err
}

func (f *File) readConversion1(off uint64, depth int) (*Conversion, error) {
	b, err := f.readBlock(off, idCC)
	if err != nil {
		return nil, err
	}
	if len(b.links) < 4 || len(b.data) < 24 {
		return nil, corrupt(idCC, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
	}
	d := fields{b: b.data}
	c := &Conversion{Type: ConvType(d.u8()), off: b.off}
	prec := d.u8()
	flags := d.u16()
	nref, nval := int(d.u16()), int(d.u16())
	lo, hi := d.f64(), d.f64()
	if flags&ccFlagPrecision != 0 {
		c.Precision = &prec
	} else {
		c.rawPrec = prec
	}
	if flags&ccFlagPhysRange != 0 {
		c.PhysRange = &Range{lo, hi}
	}
	if nref != len(b.links)-4 {
		return nil, corrupt(idCC, b.off, "%d references but %d links", nref, len(b.links))
	}
	if len(b.data) < 24+8*nval {
		return nil, corrupt(idCC, b.off, "%d values in %d data bytes", nval, len(b.data))
	}
	c.Params = make([]float64, nval)
	for i := range c.Params {
		c.Params[i] = d.f64()
	}
	if c.Type > convTypeKnownLast {
		return nil, unsupported(idCC, b.off, "conversion type %d", c.Type)
	}
	if c.Name, err = f.text(b.links[0]); err != nil {
		return nil, err
	}
	if c.Unit, err = f.text(b.links[1]); err != nil {
		return nil, err
	}
	if c.Comment, _, err = f.comment(b.links[2]); err != nil {
		return nil, err
	}
	switch c.Type {
	case ConvAlgebraic:
		if nref < 1 {
			return nil, corrupt(idCC, b.off, "algebraic conversion without formula")
		}
		if c.Formula, err = f.text(b.links[4]); err != nil {
			return nil, err
		}
	case ConvValueText, ConvRangeText:
		c.Texts = make([]string, nref)
		for i, l := range b.links[4:] {
			if l == 0 {
				continue
			}
			rb, err := f.readBlock(l, idTX, idMD, idCC)
			if err != nil {
				return nil, err
			}
			if rb.id == idCC {
				if c.Refs == nil {
					c.Refs = make([]*Conversion, nref)
				}
				if c.Refs[i], err = f.readConversion(l, depth+1); err != nil {
					return nil, err
				}
				continue
			}
			if c.Texts[i], err = f.text(l); err != nil {
				return nil, err
			}
		}
	}
	if err := c.check(b.off); err != nil {
		return nil, err
	}
	return c, nil
}

func (f *File) readEvents(off uint64, dgs map[uint64]*dataGroup, cgs map[uint64]int) error {
	index := map[uint64]int{}
	var ranges []uint64
	for off != 0 {
		if _, ok := index[off]; ok {
			return corrupt(idEV, int64(off), "EV chain loops")
		}
		b, err := f.readBlock(off, idEV)
		if err != nil {
			return err
		}
		if len(b.links) < 5 || len(b.data) < 32 {
			return corrupt(idEV, b.off, "%d links and %d data bytes", len(b.links), len(b.data))
		}
		d := fields{b: b.data}
		e := Event{Type: EventType(d.u8()), Begin: -1}
		sync := SyncType(d.u8())
		e.Range, e.Cause = RangeType(d.u8()), EventCause(d.u8())
		d.skip(4)
		nscope := int(d.u32())
		d.skip(4)
		base, factor := d.i64(), d.f64()
		if sync == SyncTime {
			e.Time = float64(base) * factor
		}
		if nscope > len(b.links)-5 {
			return corrupt(idEV, b.off, "%d scope links but %d links", nscope, len(b.links))
		}
		for _, s := range b.links[5 : 5+nscope] {
			if gi, ok := cgs[s]; ok {
				e.Groups = append(e.Groups, gi)
			} else if dg := dgs[s]; dg != nil {
				for _, g := range dg.groups {
					if gi, ok := cgs[uint64(g.off)]; ok {
						e.Groups = append(e.Groups, gi)
					}
				}
			}
		}
		if e.Name, err = f.text(b.links[3]); err != nil {
			return err
		}
		if e.Comment, _, err = f.comment(b.links[4]); err != nil {
			return err
		}
		index[off] = len(f.Events)
		f.Events = append(f.Events, e)
		ranges = append(ranges, b.links[2])
		off = b.links[0]
	}
	for i, r := range ranges {
		if j, ok := index[r]; ok && r != 0 {
			f.Events[i].Begin = j
		}
	}
	return nil
}
