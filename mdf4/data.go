package mdf4

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"
)

// Records iterates over the records of one channel group.
type Records struct {
	f   *File
	g   *ChannelGroup
	br  *bufio.Reader
	ds  *dataStream
	rec []byte
	id  []byte
	n   uint64
	err error
	// unsorted data groups: record size by record ID (-1: VLSD)
	sizes map[uint64]int
	// column-oriented groups: one iterator per part
	subs []*Records
	inv  *bufio.Reader // invalidation bytes of list data (LD)
}

// Records returns an iterator over the records of g (a group of f).
// Each record is DataBytes+InvalBytes bytes without the record ID; pass
// it to the group's Channel methods.
func (f *File) Records(g *ChannelGroup) *Records {
	if g.parts != nil {
		r := &Records{f: f, g: g, rec: make([]byte, g.DataBytes)}
		for _, p := range g.parts {
			r.subs = append(r.subs, f.Records(p))
		}
		return r
	}
	r := &Records{f: f, g: g, rec: make([]byte, g.DataBytes+g.InvalBytes), id: make([]byte, g.dg.recIDSize)}
	if g.dg.recIDSize > 0 {
		r.sizes = map[uint64]int{}
		for _, o := range g.dg.groups {
			if o.Flags&cgFlagVLSD != 0 {
				r.sizes[o.RecordID] = -1
			} else {
				r.sizes[o.RecordID] = int(o.DataBytes + o.InvalBytes)
			}
		}
	}
	ds, inval, err := f.newDataStream(g.dg.data)
	if err != nil {
		r.err = err
		return r
	}
	r.ds = ds
	r.br = bufio.NewReaderSize(ds, f.bufSize(64<<10))
	if inval != nil {
		if g.dg.recIDSize != 0 {
			r.err = corrupt(idDG, g.dg.off, "list data (LD) with record IDs")
			return r
		}
		r.inv = bufio.NewReaderSize(inval, f.bufSize(16<<10))
	}
	return r
}

// bufSize is a read buffer size of at most limit bytes, smaller for a
// small file (whose uncompressed data rarely fills the limit): opening
// many small files, or one file many times, does not allocate buffers
// far larger than the file.
func (f *File) bufSize(limit int) int {
	return int(max(4<<10, min(int64(limit), f.size)))
}

// Next advances to the next record; it returns false at the end or on an
// error (see Err).
func (r *Records) Next() bool {
	if r.subs != nil {
		return r.nextColumns()
	}
	if r.err != nil || r.br == nil {
		return false
	}
	if r.g.dg.recIDSize == 0 {
		if r.n >= r.g.Samples {
			return false
		}
		if r.inv != nil {
			// Column storage (LD): values and invalidation bytes in
			// separate blocks.
			if err := r.read(r.rec[:r.g.DataBytes]); err != nil {
				return false
			}
			if _, err := io.ReadFull(r.inv, r.rec[r.g.DataBytes:]); err != nil {
				r.fail(err)
				return false
			}
		} else if err := r.read(r.rec); err != nil {
			return false
		}
		r.n++
		return true
	}
	for {
		if _, err := io.ReadFull(r.br, r.id); err != nil {
			if err != io.EOF {
				r.fail(err)
			}
			return false
		}
		var id uint64
		switch len(r.id) {
		case 1:
			id = uint64(r.id[0])
		case 2:
			id = uint64(binary.LittleEndian.Uint16(r.id))
		case 4:
			id = uint64(binary.LittleEndian.Uint32(r.id))
		case 8:
			id = binary.LittleEndian.Uint64(r.id)
		}
		size, ok := r.sizes[id]
		if !ok {
			r.err = corrupt(idDG, r.g.dg.off, "record ID %d of no channel group (after %d records of group %q)", id, r.n, r.g.Name)
			return false
		}
		if size < 0 { // VLSD record: length, then the bytes
			var l [4]byte
			if err := r.read(l[:]); err != nil {
				return false
			}
			if _, err := r.br.Discard(int(binary.LittleEndian.Uint32(l[:]))); err != nil {
				r.fail(err)
				return false
			}
			continue
		}
		if id != r.g.RecordID {
			if _, err := r.br.Discard(size); err != nil {
				r.fail(err)
				return false
			}
			continue
		}
		if err := r.read(r.rec); err != nil {
			return false
		}
		r.n++
		return true
	}
}

func (r *Records) nextColumns() bool {
	if r.err != nil {
		return false
	}
	off := 0
	for _, s := range r.subs {
		if !s.Next() {
			r.err = s.Err()
			return false
		}
		off += copy(r.rec[off:], s.Record())
	}
	r.n++
	return true
}

func (r *Records) read(b []byte) error {
	if _, err := io.ReadFull(r.br, b); err != nil {
		r.fail(err)
		return r.err
	}
	return nil
}

func (r *Records) fail(err error) {
	var me *Error
	switch {
	case errors.As(err, &me):
		r.err = err
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if r.g.dg.recIDSize == 0 {
			r.err = corrupt(idCG, r.g.off, "group %q: data ends after %d of %d records", r.g.Name, r.n, r.g.Samples)
		} else {
			r.err = corrupt(idDG, r.g.dg.off, "data ends inside a record (after %d records of group %q)", r.n, r.g.Name)
		}
	default:
		r.err = fmt.Errorf("mdf4: reading data of group %q: %w", r.g.Name, err)
	}
}

// Record returns the current record; it is overwritten by Next.
func (r *Records) Record() []byte { return r.rec }

// Err returns the error that ended the iteration, if any.
func (r *Records) Err() error { return r.err }

// dataStream reads the concatenated data of a data group's blocks.
type dataStream struct {
	f      *File
	blocks []uint64 // DT or DZ blocks in order
	i      int
	cur    io.Reader
	raw    []byte
	z      io.ReadCloser
	zbuf   []byte
	tbuf   []byte
	zeros  bool // an endless stream of zeros
}

// newDataStream lists the data blocks behind link (DT, DZ, DL chain,
// HL, or LD with its invalidation blocks in inval).
func (f *File) newDataStream(link uint64) (ds, inval *dataStream, err error) {
	ds = &dataStream{f: f}
	if link == 0 {
		return ds, nil, nil
	}
	b, err := f.readBlockHeader(link)
	if err != nil {
		return nil, nil, err
	}
	switch b {
	case idDT, idDZ, idDV:
		ds.blocks = []uint64{link}
		return ds, nil, nil
	case idHL:
		hl, err := f.readBlock(link, idHL)
		if err != nil {
			return nil, nil, err
		}
		if len(hl.links) < 1 {
			return nil, nil, corrupt(idHL, hl.off, "no links")
		}
		link = hl.links[0]
		if b, err = f.readBlockHeader(link); err != nil {
			return nil, nil, err
		}
		if b == idLD {
			return f.listData(link)
		}
	case idLD:
		return f.listData(link)
	case idDL:
	default:
		return nil, nil, unsupported(printable(b), int64(link), "data block type (want DT, DZ, DL, HL or LD)")
	}
	seen, listed := map[uint64]bool{}, map[uint64]bool{}
	for link != 0 {
		if seen[link] {
			return nil, nil, corrupt(idDL, int64(link), "DL chain loops")
		}
		seen[link] = true
		dl, err := f.readBlock(link, idDL)
		if err != nil {
			return nil, nil, err
		}
		if len(dl.links) < 1 || len(dl.data) < 8 {
			return nil, nil, corrupt(idDL, dl.off, "%d links and %d data bytes", len(dl.links), len(dl.data))
		}
		n := int(binary.LittleEndian.Uint32(dl.data[4:]))
		if n != len(dl.links)-1 {
			return nil, nil, corrupt(idDL, dl.off, "count %d but %d data links", n, len(dl.links)-1)
		}
		for _, d := range dl.links[1:] {
			if d == 0 {
				continue
			}
			if listed[d] {
				return nil, nil, corrupt(idDL, dl.off, "data block %d listed twice", d)
			}
			listed[d] = true
			ds.blocks = append(ds.blocks, d)
		}
		link = dl.links[0]
	}
	return ds, nil, nil
}

// LD flags.
const ldFlagInval = 1 << 31

// listData lists the DV (and DI) blocks of an LD chain (MDF 4.2 column
// storage).
func (f *File) listData(link uint64) (ds, inval *dataStream, err error) {
	ds = &dataStream{f: f}
	seen, listed := map[uint64]bool{}, map[uint64]bool{}
	for link != 0 {
		if seen[link] {
			return nil, nil, corrupt(idLD, int64(link), "LD chain loops")
		}
		seen[link] = true
		ld, err := f.readBlock(link, idLD)
		if err != nil {
			return nil, nil, err
		}
		if len(ld.links) < 1 || len(ld.data) < 8 {
			return nil, nil, corrupt(idLD, ld.off, "%d links and %d data bytes", len(ld.links), len(ld.data))
		}
		flags := binary.LittleEndian.Uint32(ld.data)
		n := int(binary.LittleEndian.Uint32(ld.data[4:]))
		want := n
		if flags&ldFlagInval != 0 {
			want = 2 * n
		}
		if want != len(ld.links)-1 {
			return nil, nil, corrupt(idLD, ld.off, "count %d but %d data links", n, len(ld.links)-1)
		}
		for _, d := range ld.links[1 : 1+n] {
			if d == 0 {
				continue
			}
			if listed[d] {
				return nil, nil, corrupt(idLD, ld.off, "data block %d listed twice", d)
			}
			listed[d] = true
			ds.blocks = append(ds.blocks, d)
		}
		if flags&ldFlagInval != 0 {
			if inval == nil {
				inval = &dataStream{f: f}
			}
			for _, d := range ld.links[1+n:] {
				if d != 0 {
					inval.blocks = append(inval.blocks, d)
				}
			}
		}
		link = ld.links[0]
	}
	if inval == nil {
		inval = &dataStream{f: f, zeros: true} // no invalidation data: all valid
	}
	return ds, inval, nil
}

func (f *File) readBlockHeader(off uint64) (string, error) {
	if off < idBlockSize || off > uint64(f.size)-headerSize || off > uint64(f.size) {
		return "", corrupt("", int64(off), "data link outside the file (%d bytes)", f.size)
	}
	var h [headerSize]byte
	if _, err := f.r.ReadAt(h[:], int64(off)); err != nil {
		return "", corrupt("", int64(off), "reading block header: %v", err)
	}
	id, _, _, err := parseHeader(h[:], int64(off))
	return id, err
}

func (ds *dataStream) Read(p []byte) (int, error) {
	if ds.zeros {
		clear(p)
		return len(p), nil
	}
	for {
		if ds.cur != nil {
			n, err := ds.cur.Read(p)
			if n > 0 || (err != nil && err != io.EOF) {
				return n, err
			}
			ds.cur = nil
		}
		if ds.i >= len(ds.blocks) {
			return 0, io.EOF
		}
		if err := ds.open(ds.blocks[ds.i]); err != nil {
			return 0, err
		}
		ds.i++
	}
}

// open makes block off the current reader.
func (ds *dataStream) open(off uint64) error {
	f := ds.f
	if off < idBlockSize || off > uint64(f.size)-headerSize || off > uint64(f.size) {
		return corrupt("", int64(off), "data link outside the file (%d bytes)", f.size)
	}
	var h [headerSize + dzHeaderData]byte
	n, err := f.r.ReadAt(h[:], int64(off))
	if n < headerSize {
		return corrupt("", int64(off), "reading data block header: %v", err)
	}
	id, length, nlinks, err := parseHeader(h[:], int64(off))
	if err != nil {
		return err
	}
	if length > uint64(f.size)-off {
		return corrupt(printable(id), int64(off), "length %d beyond the end of the file", length)
	}
	switch id {
	case idDT, idDV, idDI:
		start := int64(off) + headerSize + 8*int64(nlinks)
		ds.cur = io.NewSectionReader(f.r, start, int64(off)+int64(length)-start)
		return nil
	case idDZ:
		if n < len(h) || nlinks != 0 || length < headerSize+dzHeaderData {
			return corrupt(idDZ, int64(off), "truncated DZ header")
		}
		d := fields{b: h[headerSize:]}
		org := string(d.bytes(2))
		zip, _ := d.u8(), d.u8()
		param := d.u32()
		orgLen, dataLen := d.u64(), d.u64()
		switch {
		case org != "DT" && org != "DV" && org != "DI":
			return unsupported(idDZ, int64(off), "compressed %q block in record data", org)
		case zip != zipDeflate && zip != zipTransposed:
			return unsupported(idDZ, int64(off), "zip type %d (want 0 deflate or 1 transposition + deflate)", zip)
		case orgLen > maxDZ || dataLen > maxDZ:
			return unsupported(idDZ, int64(off), "block of %d/%d bytes (limit %d)", dataLen, orgLen, maxDZ)
		case orgLen > 1100*dataLen+1024:
			return corrupt(idDZ, int64(off), "%d bytes cannot inflate to %d", dataLen, orgLen)
		case dataLen > length-headerSize-dzHeaderData:
			return corrupt(idDZ, int64(off), "%d compressed bytes in a block of %d", dataLen, length)
		case zip == zipTransposed && param == 0:
			return corrupt(idDZ, int64(off), "transposition with 0 columns")
		}
		if cap(ds.zbuf) < int(dataLen) {
			ds.zbuf = make([]byte, dataLen)
		}
		zb := ds.zbuf[:dataLen]
		if _, err := f.r.ReadAt(zb, int64(off)+headerSize+dzHeaderData); err != nil {
			return corrupt(idDZ, int64(off), "reading: %v", err)
		}
		if ds.z == nil {
			if ds.z, err = zlib.NewReader(bytes.NewReader(zb)); err != nil {
				return corrupt(idDZ, int64(off), "deflate: %v", err)
			}
		} else if err := ds.z.(zlib.Resetter).Reset(bytes.NewReader(zb), nil); err != nil {
			return corrupt(idDZ, int64(off), "deflate: %v", err)
		}
		if cap(ds.raw) < int(orgLen) {
			ds.raw = make([]byte, orgLen)
		}
		raw := ds.raw[:orgLen]
		if _, err := io.ReadFull(ds.z, raw); err != nil {
			return corrupt(idDZ, int64(off), "deflate: %v (want %d bytes)", err, orgLen)
		}
		var extra [1]byte
		if k, _ := ds.z.Read(extra[:]); k > 0 {
			return corrupt(idDZ, int64(off), "more than the %d bytes announced", orgLen)
		}
		if zip == zipTransposed {
			raw = ds.untranspose(raw, int(param))
		}
		ds.cur = bytes.NewReader(raw)
		return nil
	}
	return unsupported(printable(id), int64(off), "block in a data list (want DT or DZ)")
}

// untranspose reverses transpose: cols columns of rows = len/cols bytes,
// the remainder untransposed.
func (ds *dataStream) untranspose(src []byte, cols int) []byte {
	rows := len(src) / cols
	if rows == 0 {
		return src
	}
	n := rows * cols
	if cap(ds.tbuf) < len(src) {
		ds.tbuf = make([]byte, len(src))
	}
	dst := ds.tbuf[:len(src)]
	for j := range cols {
		col := src[j*rows : (j+1)*rows]
		for i, b := range col {
			dst[i*cols+j] = b
		}
	}
	copy(dst[n:], src[n:])
	return dst
}
