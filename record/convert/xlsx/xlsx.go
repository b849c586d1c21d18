// Package xlsx writes the samples of a recording as an Excel workbook
// (Office Open XML, with github.com/xuri/excelize/v2): one worksheet per
// DAQ list with the units in the header row, time in seconds, physical
// values as numbers (verbal conversions as text; Excel keeps 15
// significant digits of a number), and a first sheet
// "Recording" describing the source. A list longer than an Excel sheet
// holds (1,048,576 rows with the header) continues on numbered sheets
// "<list> (2)", "<list> (3)", ... and the Recording sheet says so. Rows
// are streamed: each sheet's stream writer spills to a temporary file
// beyond 16 MB, and the workbook's ZIP is written straight to the output
// file, so memory stays bounded.
package xlsx

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// MaxRows is the number of rows of an Excel worksheet.
const MaxRows = 1_048_576

// InfoSheet is the name of the sheet describing the recording.
const InfoSheet = "Recording"

// Options tune the Sink.
type Options struct {
	// MaxRows per worksheet including the header row (default MaxRows;
	// smaller values are for tests).
	MaxRows int
}

type sheet struct {
	t      convert.Table
	names  []string // sheets written, in order
	rows   []int    // data rows per sheet
	sw     *excelize.StreamWriter
	row    int // next row number on the current sheet
	first  int // index of the first value column
	header []any
	text   []*convert.Column // per value: the ColText column, else nil
	vals   []any
	cells  []excelize.Cell
	total  uint64
}

// Sink writes one .xlsx file. Create it with New.
type Sink struct {
	out    string
	opts   Options
	f      *excelize.File
	meta   *record.Meta
	sheets []*sheet
	used   map[string]bool
	timeID int
	headID int
}

// New returns a Sink writing the workbook out.
func New(out string, o Options) *Sink {
	if o.MaxRows <= 1 || o.MaxRows > MaxRows {
		o.MaxRows = MaxRows
	}
	return &Sink{out: out, opts: o}
}

// Paths returns the file written.
func (s *Sink) Paths() []string { return []string{s.out} }

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	s.meta = m
	s.f = excelize.NewFile()
	if err := s.f.SetSheetName("Sheet1", InfoSheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	s.used = map[string]bool{strings.ToLower(InfoSheet): true}
	var err error
	if s.timeID, err = s.f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.000000000")}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if s.headID, err = s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	s.sheets = make([]*sheet, len(m.DAQ.Lists))
	for _, t := range tables {
		sh := &sheet{t: t, first: 1}
		if t.HasSlave {
			sh.first = 2
		}
		for j, c := range t.Columns {
			name := c.Name
			switch c.Kind {
			case convert.ColHost:
				name = "time [s]"
			case convert.ColSlave:
				name = "ecu_time [s]"
			default:
				if c.Unit != "" {
					name += " [" + c.Unit + "]"
				}
			}
			sh.header = append(sh.header, excelize.Cell{StyleID: s.headID, Value: name})
			if j >= sh.first {
				var tc *convert.Column
				if c.Kind == convert.ColText {
					tc = &t.Columns[j]
				}
				sh.text = append(sh.text, tc)
			}
		}
		sh.cells = make([]excelize.Cell, len(t.Columns))
		sh.vals = make([]any, len(t.Columns))
		for i := range sh.cells {
			sh.vals[i] = &sh.cells[i]
		}
		if err := s.newSheet(sh); err != nil {
			return err
		}
		s.sheets[t.List] = sh
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// sheetName returns a unique valid worksheet name for base (at most 31
// characters, none of : \ / ? * [ ]).
func (s *Sink) sheetName(base string) string {
	base = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, base)
	base = strings.Trim(base, "'")
	if base == "" {
		base = "list"
	}
	cut := func(s string, n int) string {
		r := []rune(s)
		if len(r) > n {
			r = r[:n]
		}
		return string(r)
	}
	n := cut(base, 31)
	for i := 2; s.used[strings.ToLower(n)]; i++ {
		suf := " (" + strconv.Itoa(i) + ")"
		n = cut(base, 31-len(suf)) + suf
	}
	s.used[strings.ToLower(n)] = true
	return n
}

// newSheet starts the next worksheet of sh with its header row.
func (s *Sink) newSheet(sh *sheet) error {
	if sh.sw != nil {
		if err := sh.sw.Flush(); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	base := sh.t.Name
	if len(sh.names) > 0 {
		base = sh.names[0] + " (" + strconv.Itoa(len(sh.names)+1) + ")"
	}
	name := s.sheetName(base)
	if _, err := s.f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", name, err)
	}
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", name, err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetRow("A1", sh.header); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	sh.sw, sh.row = sw, 2
	sh.names = append(sh.names, name)
	sh.rows = append(sh.rows, 0)
	return nil
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *dto.Sample) error {
	sh := s.sheets[sm.List]
	if sh.row > s.opts.MaxRows {
		if err := s.newSheet(sh); err != nil {
			return err
		}
	}
	c := sh.cells
	c[0] = excelize.Cell{StyleID: s.timeID, Value: float64(sm.HostNS) / 1e9}
	if sh.first == 2 {
		c[1] = excelize.Cell{StyleID: s.timeID, Value: float64(sm.SlaveNS) / 1e9}
		if !sm.HasSlave {
			c[1] = excelize.Cell{}
		}
	}
	for j, v := range sm.Values {
		if j+sh.first >= len(c) {
			break
		}
		var x any
		switch {
		case sh.text[j] != nil:
			x = sh.text[j].Text(v)
		case v.Type.Float():
			x = v.Float64()
		case v.Type.Signed():
			x = v.Int64()
		default:
			x = v.Uint64()
		}
		c[j+sh.first] = excelize.Cell{Value: x}
	}
	if err := sh.sw.SetRow("A"+strconv.Itoa(sh.row), sh.vals); err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sh.names[len(sh.names)-1], err)
	}
	sh.row++
	sh.rows[len(sh.rows)-1]++
	sh.total++
	return nil
}

// Close implements convert.Sink: it writes the Recording sheet and saves
// the workbook.
func (s *Sink) Close() error {
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	defer f.Close()
	var first error
	for _, sh := range s.sheets {
		if sh != nil && sh.sw != nil {
			if err := sh.sw.Flush(); err != nil && first == nil {
				first = fmt.Errorf("xlsx: %w", err)
			}
		}
	}
	if first != nil {
		return first
	}
	if err := s.info(f); err != nil {
		return err
	}
	// No SetActiveSheet: it parses every worksheet, the streamed ones
	// included, into memory; the Recording sheet is the first and active.
	// excelize assembles the workbook's ZIP in a memory buffer; its ZIP
	// writer hook sends it straight to the file instead, so memory stays
	// bounded by the stream writers' chunks (the name need not end in
	// .xlsx either, as it must for SaveAs).
	out, err := os.Create(s.out)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(bw) })
	_, err = f.WriteTo(io.Discard)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("xlsx: %s: %w", s.out, err)
	}
	return nil
}

// info fills the Recording sheet.
func (s *Sink) info(f *excelize.File) error {
	m := s.meta
	rows := [][]any{
		{"source", m.Tool},
		{"start (UTC)", m.Start.UTC().Format(time.RFC3339Nano)},
		{"time", "in seconds: time [s] is the host receive time since the start (pyXCP recordings: since the list's first sample), ecu_time [s] the ECU's DAQ timestamp"},
		{},
		{"DAQ list", "event", "samples", "sheets", "note"},
	}
	for _, sh := range s.sheets {
		if sh == nil {
			continue
		}
		l := m.DAQ.Lists[sh.t.List]
		note := ""
		if len(sh.names) > 1 {
			var parts []string
			for i, n := range sh.names {
				parts = append(parts, fmt.Sprintf("%s: %d rows", n, sh.rows[i]))
			}
			note = fmt.Sprintf("more rows than an Excel sheet holds (%d with the header): split into %d sheets in order (%s)",
				s.opts.MaxRows, len(sh.names), strings.Join(parts, "; "))
		}
		ev := strconv.Itoa(int(l.Event))
		if l.EventName != "" {
			ev += " (" + l.EventName + ")"
		}
		rows = append(rows, []any{l.Name, ev, sh.total, strings.Join(sh.names, ", "), note})
	}
	for i, r := range rows {
		if err := f.SetSheetRow(InfoSheet, "A"+strconv.Itoa(i+1), &r); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := f.SetCellStyle(InfoSheet, "A5", "E5", s.headID); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return f.SetColWidth(InfoSheet, "A", "A", 18)
}
