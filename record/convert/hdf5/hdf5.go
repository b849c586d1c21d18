// Package hdf5 writes the samples of a goxcp recording as an HDF5 file
// that the HDF5 library and its tools (h5dump, h5py, MATLAB) read: one
// group per DAQ list with one 1-D dataset per column (host_ns, slave_ns,
// measurements; native little-endian integer and IEEE float types, F16 and
// BF16 widened to float32), attributes for the start time, the list's
// number and event, and units.
//
// The file is written in one streaming pass in bounded memory: the number
// of samples per list must be known in advance (Count makes a decoding
// pass over the recording), so every dataset can be laid out contiguously
// before the first value is written. The structures are the classic ones
// of the HDF5 format specification (version 0 superblock, version 1
// object headers, symbol-table groups), encoded by this package: the pure
// Go HDF5 library on the module proxy, github.com/scigolib/hdf5 v0.13.1,
// writes files that h5dump 1.10 cannot open.
package hdf5

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

type column struct {
	size    int
	typ     dto.Type
	kind    string
	name    string
	at      uint64 // data address
	written uint64
	buf     []byte
	text    *convert.Column // ColText: fixed-length strings of size bytes
}

type table struct {
	name string
	rows uint64
	seen uint64
	cols []*column
}

// Sink writes an HDF5 file. Create it with New.
type Sink struct {
	path   string
	counts []uint64
	f      *os.File
	tables []*table
	bufCap int
}

// New returns a Sink writing path (replaced if it exists) for a recording
// whose DAQ lists have counts[i] samples (see Count).
func New(path string, counts []uint64) *Sink {
	return &Sink{path: path, counts: counts}
}

// Count decodes the recording read by r and returns the number of samples
// per DAQ list, as needed by New.
func Count(ctx context.Context, r *record.Reader) ([]uint64, error) {
	d, err := record.NewDecoder(r)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %w", err)
	}
	counts := make([]uint64, len(r.Meta().DAQ.Lists))
	n := 0
	for d.Next() {
		counts[d.Sample().List]++
		if n++; n&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return counts, d.Err()
}

func columnType(c convert.Column) (dtype, int) {
	if c.Kind == convert.ColText {
		n := textWidth(c)
		return stringType(n), n
	}
	if c.Kind != convert.ColValue {
		return fixedType(8, true), 8
	}
	switch c.Type {
	case dto.F16, dto.BF16, dto.F32:
		return floatType(4), 4
	case dto.F64:
		return floatType(8), 8
	}
	return fixedType(c.Type.Size(), c.Type.Signed()), c.Type.Size()
}

// textWidth is the size of the fixed-length strings of a verbal column:
// room for its longest text (or a raw number, shown where no text
// matches) and the terminating NUL.
func textWidth(c convert.Column) int {
	sp := c.Conv.Spec()
	n := max(len(sp.DefaultText), 24)
	for _, t := range sp.Text {
		n = max(n, len(t))
	}
	return n + 1
}

func str(s string) *string { return &s }

// linkName makes a column name usable as an HDF5 link name ('/' separates
// path components, "." is the group itself), unique within the group.
func linkName(used map[string]bool, name string) string {
	name = strings.ReplaceAll(name, "/", "_")
	if name == "" || name == "." {
		name = "_"
	}
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	used[name] = true
	return name
}

// Begin implements convert.Sink: it lays out and writes all structures.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	if len(s.counts) != len(tables) {
		return fmt.Errorf("hdf5: %d sample counts for %d DAQ lists", len(s.counts), len(tables))
	}
	ncol := 0
	for _, t := range tables {
		ncol += len(t.Columns)
	}
	s.bufCap = min(max((4<<20)/max(ncol, 1), 4096), 64<<10)
	a := &alloc{end: sbSize}
	type dsInfo struct {
		col   *column
		dt    dtype
		attrs []attribute
		hdr   uint64
	}
	var dss []*dsInfo
	root := &group{attrs: []attribute{
		{name: "start", str: str(m.Start.Format(time.RFC3339Nano))},
		{name: "tool", str: str("goxcp")},
	}}
	var groups []*group
	for i, t := range tables {
		tb := &table{name: t.Name, rows: s.counts[i]}
		l := m.DAQ.Lists[t.List]
		g := &group{attrs: []attribute{
			{name: "list_name", str: str(l.Name)},
			{name: "list_number", num: int64(l.Number)},
			{name: "event", num: int64(l.Event)},
		}}
		if l.EventName != "" {
			g.attrs = append(g.attrs, attribute{name: "event_name", str: str(l.EventName)})
		}
		used := map[string]bool{}
		for _, c := range t.Columns {
			dt, size := columnType(c)
			col := &column{size: size, typ: c.Type, kind: c.Kind, name: c.Name}
			if c.Kind == convert.ColText {
				col.text = &t.Columns[len(tb.cols)]
			}
			tb.cols = append(tb.cols, col)
			var attrs []attribute
			if c.Unit != "" {
				attrs = append(attrs, attribute{name: "unit", str: str(c.Unit)})
			}
			if c.Kind == convert.ColValue || c.Kind == convert.ColText {
				attrs = append(attrs, attribute{name: "xcp_type", str: str(c.Type.String())})
			}
			if c.Conv != nil {
				attrs = append(attrs, attribute{name: "conversion", str: str(c.Conv.Name)})
			}
			ds := &dsInfo{col: col, dt: dt, attrs: attrs}
			ds.hdr = a.take(len(datasetHeader(dt, tb.rows, 0, attrs)))
			dss = append(dss, ds)
			g.children = append(g.children, child{name: linkName(used, c.Name), header: ds.hdr})
		}
		g.layout(a)
		groups = append(groups, g)
		root.children = append(root.children, child{name: t.Name, header: g.header, group: g})
		s.tables = append(s.tables, tb)
	}
	root.layout(a)
	// Data after all metadata.
	di := 0
	for _, tb := range s.tables {
		for _, c := range tb.cols {
			c.at = a.take(int(tb.rows) * c.size)
			ds := dss[di]
			di++
			ds.col = c
		}
	}
	f, err := os.Create(s.path)
	if err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	s.f = f
	write := func(at uint64, b []byte) error {
		if _, err := f.WriteAt(b, int64(at)); err != nil {
			return fmt.Errorf("hdf5: %w", err)
		}
		return nil
	}
	if err := write(0, superblock(root, a.end)); err != nil {
		return err
	}
	di = 0
	for ti, tb := range s.tables {
		for range tb.cols {
			ds := dss[di]
			di++
			if err := write(ds.hdr, datasetHeader(ds.dt, tb.rows, ds.col.at, ds.attrs)); err != nil {
				return err
			}
		}
		for _, b := range groups[ti].blobs {
			if err := write(b.at, b.data); err != nil {
				return err
			}
		}
	}
	for _, b := range root.blobs {
		if err := write(b.at, b.data); err != nil {
			return err
		}
	}
	if err := f.Truncate(int64(a.end)); err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	for _, tb := range s.tables {
		for _, c := range tb.cols {
			c.buf = make([]byte, 0, s.bufCap)
		}
	}
	return nil
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *dto.Sample) error {
	tb := s.tables[sm.List]
	if tb.seen++; tb.seen > tb.rows {
		return fmt.Errorf("hdf5: DAQ list %s has more samples than counted (%d)", tb.name, tb.rows)
	}
	ci := 0
	put := func(c *column, u uint64) error {
		switch c.size {
		case 1:
			c.buf = append(c.buf, byte(u))
		case 2:
			c.buf = le.AppendUint16(c.buf, uint16(u))
		case 4:
			c.buf = le.AppendUint32(c.buf, uint32(u))
		default:
			c.buf = le.AppendUint64(c.buf, u)
		}
		if len(c.buf)+8 > cap(c.buf) {
			return s.flush(c)
		}
		return nil
	}
	if err := put(tb.cols[ci], uint64(sm.HostNS)); err != nil {
		return err
	}
	ci++
	if sm.HasSlave {
		if err := put(tb.cols[ci], uint64(sm.SlaveNS)); err != nil {
			return err
		}
		ci++
	}
	for _, v := range sm.Values {
		c := tb.cols[ci]
		ci++
		if c.text != nil {
			t := c.text.Text(v)
			if len(t) > c.size-1 {
				t = t[:c.size-1]
			}
			c.buf = append(c.buf, t...)
			for range c.size - len(t) {
				c.buf = append(c.buf, 0)
			}
			if len(c.buf)+c.size > cap(c.buf) {
				if err := s.flush(c); err != nil {
					return err
				}
			}
			continue
		}
		var u uint64
		switch {
		case c.size == 4 && v.Type.Float():
			u = uint64(math.Float32bits(float32(v.Float64())))
		case v.Type == dto.F64:
			u = math.Float64bits(v.Float64())
		default:
			u = v.Uint64()
		}
		if err := put(c, u); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sink) flush(c *column) error {
	if len(c.buf) == 0 {
		return nil
	}
	if _, err := s.f.WriteAt(c.buf, int64(c.at+c.written)); err != nil {
		return fmt.Errorf("hdf5: dataset %s: %w", c.name, err)
	}
	c.written += uint64(len(c.buf))
	c.buf = c.buf[:0]
	return nil
}

// Close implements convert.Sink: it writes the buffered values and checks
// that every dataset got the counted number of rows.
func (s *Sink) Close() error {
	if s.f == nil {
		return nil
	}
	var first error
	for _, tb := range s.tables {
		for _, c := range tb.cols {
			if err := s.flush(c); err != nil && first == nil {
				first = err
			}
		}
		if tb.seen != tb.rows && first == nil {
			first = fmt.Errorf("hdf5: DAQ list %s has %d samples, counted %d", tb.name, tb.seen, tb.rows)
		}
	}
	if err := s.f.Close(); err != nil && first == nil {
		first = fmt.Errorf("hdf5: %w", err)
	}
	s.f = nil
	return first
}
