package dataset

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Fixed columns in front of the signals.
const (
	ColRecording = "recording"
	ColHost      = "host_ns"
	ColECU       = "ecu_ns"
	fixedCols    = 3
)

// schemaOf returns the dataset columns of a table.
func schemaOf(t convert.Table) []Column {
	cols := []Column{{Name: ColRecording, Type: TypeString}, {Name: ColHost, Type: TypeInt64, Unit: "ns"},
		{Name: ColECU, Type: TypeInt64, Unit: "ns", Nullable: true}}
	first := 1
	if t.HasSlave {
		first = 2
	}
	used := map[string]bool{ColRecording: true, ColHost: true, ColECU: true}
	for _, c := range t.Columns[first:] {
		name := c.Name
		for i := 2; used[name]; i++ {
			name = c.Name + "_" + strconv.Itoa(i)
		}
		used[name] = true
		typ := TypeDouble
		if c.Kind == convert.ColText {
			typ = TypeString
		}
		cols = append(cols, Column{Name: name, Type: typ, Unit: c.Unit})
	}
	return cols
}

func sameSchema(a, b []Column) bool { return reflect.DeepEqual(a, b) }

// parquetSchema builds the Parquet schema of a list, columns in order.
func parquetSchema(list string, cols []Column) *pq.Schema {
	fields := make([]pq.Field, len(cols))
	for i, c := range cols {
		var n pq.Node
		switch c.Type {
		case TypeString:
			n = pq.String()
			if c.Name == ColRecording {
				n = pq.Encoded(n, &pq.RLEDictionary)
			}
		case TypeInt64:
			// Times grow steadily: delta encoding stores them in a few bits.
			n = pq.Encoded(pq.Int(64), &pq.DeltaBinaryPacked)
		default:
			n = pq.Leaf(pq.DoubleType)
		}
		if c.Nullable {
			n = pq.Optional(n)
		}
		fields[i] = field{Node: n, name: c.Name}
	}
	return pq.NewSchema(list, group{fields: fields})
}

// group keeps its fields in the given order (parquet.Group sorts them).
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

// maxBatchValues bounds the values queued before they go to the column
// writers.
const maxBatchValues = 1 << 18

// part is the open file of one list.
type part struct {
	date   string
	tmp    string
	path   string // relative final path
	f      *os.File
	w      *pq.GenericWriter[any]
	cols   []*pq.ColumnWriter
	rows   uint64
	inRG   int
	queued int
}

// listWriter writes one list of one recording.
type listWriter struct {
	name   string // partition value
	table  convert.Table
	cols   []Column
	schema *pq.Schema
	vals   [][]pq.Value
	text   []*convert.Column
	batch  int
	group  int
	cur    *part
	n      int // files started
	files  []File
	units  string
}

// sink is the convert.Sink of one recording.
type sink struct {
	b      *builder
	rec    *Recording
	start  int64 // Meta.Start in ns since the epoch
	recVal []byte
	lists  []*listWriter
	ecuDir string
}

func (s *sink) Begin(m *record.Meta, tables []convert.Table) error {
	s.start = m.Start.UnixNano()
	s.recVal = []byte(s.rec.Recording)
	s.lists = make([]*listWriter, len(m.DAQ.Lists))
	for _, t := range tables {
		lw := &listWriter{name: convert.SafeName(m.DAQ.Lists[t.List].Name, "list"+strconv.Itoa(t.List)), table: t, cols: schemaOf(t)}
		if err := s.b.register(lw.name, lw.cols); err != nil {
			return err
		}
		lw.schema = parquetSchema(lw.name, lw.cols)
		units := map[string]string{}
		for _, c := range lw.cols {
			if c.Unit != "" {
				units[c.Name] = c.Unit
			}
		}
		uj, _ := json.Marshal(units)
		lw.units = string(uj)
		first := 1
		if t.HasSlave {
			first = 2
		}
		for _, c := range t.Columns[first:] {
			var tc *convert.Column
			if c.Kind == convert.ColText {
				c := c
				tc = &c
			}
			lw.text = append(lw.text, tc)
		}
		lw.batch = min(max(maxBatchValues/len(lw.cols), 64), 8192)
		lw.group = s.b.opts.RowGroupRows
		if lw.group <= 0 {
			rowBytes := 8*len(lw.cols) + 8
			lw.group = min(max((64<<20)/rowBytes, 1024), 1<<20)
		}
		lw.batch = min(lw.batch, lw.group)
		lw.vals = make([][]pq.Value, len(lw.cols))
		for j := range lw.vals {
			lw.vals[j] = make([]pq.Value, 0, lw.batch)
		}
		s.lists[t.List] = lw
	}
	return nil
}

func (s *sink) Sample(sm *dto.Sample) error {
	lw := s.lists[sm.List]
	host := s.start + sm.HostNS
	date := time.Unix(0, host).UTC().Format(time.DateOnly)
	if lw.cur == nil || lw.cur.date != date {
		if err := s.open(lw, date); err != nil {
			return err
		}
	}
	p := lw.cur
	lw.vals[0] = append(lw.vals[0], pq.ByteArrayValue(s.recVal))
	lw.vals[1] = append(lw.vals[1], pq.Int64Value(host))
	if sm.HasSlave {
		lw.vals[2] = append(lw.vals[2], pq.Int64Value(sm.SlaveNS).Level(0, 1, 2))
	} else {
		lw.vals[2] = append(lw.vals[2], pq.NullValue().Level(0, 0, 2))
	}
	for j, v := range sm.Values {
		c := fixedCols + j
		if c >= len(lw.vals) {
			break
		}
		if tc := lw.text[j]; tc != nil {
			lw.vals[c] = append(lw.vals[c], pq.ByteArrayValue([]byte(tc.Text(v))))
		} else {
			lw.vals[c] = append(lw.vals[c], pq.DoubleValue(v.Float64()))
		}
	}
	p.queued++
	if p.queued == lw.batch {
		return s.flushBatch(lw)
	}
	return nil
}

// open starts the list's next file (a new date or the first sample).
func (s *sink) open(lw *listWriter, date string) error {
	if err := s.closePart(lw); err != nil {
		return err
	}
	rel := filepath.Join("list="+lw.name, "ecu="+s.ecuDir, "date="+date)
	dir := filepath.Join(s.b.dir, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	name := s.rec.ID + "-" + strconv.Itoa(lw.n) + ".parquet"
	lw.n++
	p := &part{date: date, path: filepath.ToSlash(filepath.Join(rel, name)), tmp: filepath.Join(dir, "."+name+".tmp")}
	f, err := os.Create(p.tmp)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	p.f = f
	p.w = pq.NewGenericWriter[any](f, lw.schema,
		pq.Compression(&pq.Zstd),
		pq.CreatedBy("goxcp", "", ""),
		pq.KeyValueMetadata("goxcp.units", lw.units),
		pq.KeyValueMetadata("goxcp.list", lw.table.Name),
		pq.KeyValueMetadata("goxcp.recording", s.rec.Recording),
		pq.KeyValueMetadata("goxcp.ecu", s.rec.ECU),
		pq.KeyValueMetadata("goxcp.start", s.rec.Start.Format(time.RFC3339Nano)),
		pq.KeyValueMetadata("goxcp.time", "host_ns: host receive time, ns since 1970-01-01 UTC; ecu_ns: ECU DAQ timestamp, ns"),
	)
	lw.cur = p
	return nil
}

func (s *sink) flushBatch(lw *listWriter) error {
	p := lw.cur
	if p == nil || p.queued == 0 {
		return nil
	}
	if p.cols == nil {
		p.cols = p.w.ColumnWriters()
	}
	for j, cw := range p.cols {
		if _, err := cw.WriteRowValues(lw.vals[j]); err != nil {
			return fmt.Errorf("dataset: %s: column %s: %w", p.path, lw.cols[j].Name, err)
		}
		lw.vals[j] = lw.vals[j][:0]
	}
	p.rows += uint64(p.queued)
	p.inRG += p.queued
	p.queued = 0
	if p.inRG >= lw.group {
		p.inRG = 0
		if err := p.w.Flush(); err != nil {
			return fmt.Errorf("dataset: %s: %w", p.path, err)
		}
		p.cols = p.w.ColumnWriters()
	}
	return nil
}

// closePart finishes the list's open file and moves it to its name.
func (s *sink) closePart(lw *listWriter) error {
	p := lw.cur
	if p == nil {
		return nil
	}
	err := s.flushBatch(lw)
	lw.cur = nil
	if err == nil {
		err = p.w.Close()
	}
	if cerr := p.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.tmp, filepath.Join(s.b.dir, filepath.FromSlash(p.path)))
	}
	if err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("dataset: %s: %w", p.path, err)
	}
	lw.files = append(lw.files, File{Path: p.path, List: lw.name, ECU: s.rec.ECU, Date: p.date, Rows: p.rows})
	return nil
}

func (s *sink) Close() error {
	var first error
	for _, lw := range s.lists {
		if lw == nil {
			continue
		}
		if err := s.closePart(lw); err != nil && first == nil {
			first = err
		}
		s.rec.Files = append(s.rec.Files, lw.files...)
		for _, f := range lw.files {
			s.rec.Rows += f.Rows
		}
	}
	return first
}

// abort removes whatever the sink wrote (after a failed conversion).
func (s *sink) abort() {
	for _, f := range s.rec.Files {
		os.Remove(filepath.Join(s.b.dir, filepath.FromSlash(f.Path)))
	}
	s.rec.Files, s.rec.Rows = nil, 0
}
