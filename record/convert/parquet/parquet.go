// Package parquet writes the samples of a goxcp recording as Apache
// Parquet files (github.com/parquet-go/parquet-go): one file per DAQ list,
// columns in layout order (host_ns, slave_ns, measurements) with their
// natural physical and logical types, Snappy compression, and the
// recording's start time, list and units as key-value metadata. Values
// are written column by column in batches, and a row group is flushed
// every RowGroupRows rows, so memory stays bounded.
package parquet

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Options tune the Sink.
type Options struct {
	// RowGroupRows is the number of rows per row group (default: 1 Mi, or
	// fewer for wide tables so that a row group holds at most about
	// 64 MB of values).
	RowGroupRows int
	// Compression codec (default Snappy).
	Compression compress.Codec
}

// maxBatchValues bounds the values queued before they are handed to the
// column writers (about 24 MB).
const maxBatchValues = 1 << 20

type table struct {
	f      *os.File
	w      *pq.GenericWriter[any]
	cols   []*pq.ColumnWriter
	vals   [][]pq.Value // per column, batch
	kinds  []convert.Column
	rows   int // rows in the current row group
	queued int // rows in the batch
	batch  int // rows per batch
	group  int // rows per row group
}

// Sink writes Parquet files. Create it with New.
type Sink struct {
	out    string
	opts   Options
	tables []*table
	paths  []string
}

// New returns a Sink writing to out by the rule of convert.PerListPaths:
// when out names a directory ("out/" or an existing directory) one
// <list>.parquet per DAQ list in it (created if needed); otherwise the one
// Parquet file out, for a recording with one DAQ list (several are an
// error at Begin, convert.ErrSeveralLists).
func New(out string, opts Options) *Sink {
	if opts.Compression == nil {
		opts.Compression = &pq.Snappy
	}
	return &Sink{out: out, opts: opts}
}

// Paths returns the files written (valid after Begin).
func (s *Sink) Paths() []string { return s.paths }

// Schema returns the Parquet schema of a table.
func Schema(t convert.Table) *pq.Schema {
	fields := make([]pq.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = field{Node: node(c), name: c.Name}
	}
	return pq.NewSchema(t.Name, group{fields: fields})
}

func node(c convert.Column) pq.Node {
	if c.Kind == convert.ColText {
		return pq.String()
	}
	if c.Kind != convert.ColValue {
		return pq.Int(64)
	}
	switch c.Type {
	case dto.U8:
		return pq.Uint(8)
	case dto.I8:
		return pq.Int(8)
	case dto.U16:
		return pq.Uint(16)
	case dto.I16:
		return pq.Int(16)
	case dto.U32:
		return pq.Uint(32)
	case dto.I32:
		return pq.Int(32)
	case dto.U64:
		return pq.Uint(64)
	case dto.I64:
		return pq.Int(64)
	case dto.F16, dto.BF16, dto.F32:
		return pq.Leaf(pq.FloatType)
	}
	return pq.Leaf(pq.DoubleType)
}

// group is a Parquet group that keeps its fields in the given order
// (parquet.Group sorts them by name).
type group struct {
	pq.Group
	fields []pq.Field
}

func (g group) Fields() []pq.Field { return g.fields }
func (g group) String() string {
	s := "group {"
	for _, f := range g.fields {
		s += " " + f.Name() + ": " + f.Type().String() + ";"
	}
	return s + " }"
}

type field struct {
	pq.Node
	name string
}

func (f field) Name() string                           { return f.name }
func (f field) Value(base reflect.Value) reflect.Value { return base.FieldByName(f.name) }

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	paths, dir, err := convert.PerListPaths(s.out, ".parquet", tables)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if dir {
		if err := os.MkdirAll(s.out, 0o755); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	s.paths = paths
	for i, t := range tables {
		f, err := os.Create(paths[i])
		if err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		l := m.DAQ.Lists[t.List]
		units := map[string]string{}
		for _, c := range t.Columns {
			if c.Unit != "" {
				units[c.Name] = c.Unit
			}
		}
		uj, _ := json.Marshal(units)
		w := pq.NewGenericWriter[any](f, Schema(t),
			pq.Compression(s.opts.Compression),
			pq.CreatedBy("goxcp", "", ""),
			pq.KeyValueMetadata("goxcp.start", m.Start.Format(time.RFC3339Nano)),
			pq.KeyValueMetadata("goxcp.list", l.Name),
			pq.KeyValueMetadata("goxcp.event", fmt.Sprint(l.Event)),
			pq.KeyValueMetadata("goxcp.units", string(uj)),
		)
		rowBytes := 0
		for _, c := range t.Columns {
			rowBytes += max(c.Type.Size(), 4)
			if c.Kind != convert.ColValue || c.Type.Size() == 8 {
				rowBytes += 4
			}
		}
		tb := &table{f: f, w: w, kinds: t.Columns, vals: make([][]pq.Value, len(t.Columns)),
			batch: min(max(maxBatchValues/len(t.Columns), 64), 8192),
			group: s.opts.RowGroupRows}
		if tb.group <= 0 {
			tb.group = min(max((64<<20)/rowBytes, 1024), 1<<20)
		}
		for j := range tb.vals {
			tb.vals[j] = make([]pq.Value, 0, tb.batch)
		}
		s.tables = append(s.tables, tb)
	}
	return nil
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *dto.Sample) error {
	t := s.tables[sm.List]
	c := 0
	t.vals[c] = append(t.vals[c], pq.Int64Value(sm.HostNS))
	c++
	if sm.HasSlave {
		t.vals[c] = append(t.vals[c], pq.Int64Value(sm.SlaveNS))
		c++
	}
	for _, v := range sm.Values {
		if k := &t.kinds[c]; k.Kind == convert.ColText {
			t.vals[c] = append(t.vals[c], pq.ByteArrayValue([]byte(k.Text(v))))
		} else {
			t.vals[c] = append(t.vals[c], value(v))
		}
		c++
	}
	t.queued++
	if t.queued == t.batch {
		return s.flushBatch(t)
	}
	return nil
}

func value(v dto.Value) pq.Value {
	switch v.Type {
	case dto.U8, dto.U16, dto.U32:
		return pq.Int32Value(int32(uint32(v.Uint64())))
	case dto.I8, dto.I16, dto.I32:
		return pq.Int32Value(int32(v.Int64()))
	case dto.U64, dto.I64:
		return pq.Int64Value(int64(v.Uint64()))
	case dto.F64:
		return pq.DoubleValue(v.Float64())
	}
	return pq.FloatValue(float32(v.Float64()))
}

func (s *Sink) flushBatch(t *table) error {
	if t.queued == 0 {
		return nil
	}
	if t.cols == nil {
		t.cols = t.w.ColumnWriters()
	}
	for j, cw := range t.cols {
		if _, err := cw.WriteRowValues(t.vals[j]); err != nil {
			return fmt.Errorf("parquet: column %s: %w", t.kinds[j].Name, err)
		}
		t.vals[j] = t.vals[j][:0]
	}
	t.rows += t.queued
	t.queued = 0
	if t.rows >= t.group {
		t.rows = 0
		if err := t.w.Flush(); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		t.cols = t.w.ColumnWriters()
	}
	return nil
}

// Close implements convert.Sink.
func (s *Sink) Close() error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = fmt.Errorf("parquet: %w", err)
		}
	}
	for _, t := range s.tables {
		keep(s.flushBatch(t))
		keep(t.w.Close())
		keep(t.f.Close())
	}
	s.tables = nil
	return first
}
