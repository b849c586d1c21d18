// Package csv writes the samples of a goxcp recording as CSV (RFC 4180):
// one file per DAQ list with a header row (column names, units in
// brackets) and one row per sample. Numbers are formatted by hand with
// strconv.Append* into a reused buffer, so conversion runs at millions of
// rows per second in constant memory.
package csv

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Sink writes CSV files. Create it with New.
type Sink struct {
	out   string
	files []*os.File
	ws    []*bufio.Writer
	line  []byte
	paths []string
	text  [][]*convert.Column // per list and value: the ColText column, else nil
}

// New returns a Sink writing to out: the CSV file for a recording with one
// DAQ list, a directory (created if needed) with one <list>.csv per list
// otherwise.
func New(out string) *Sink { return &Sink{out: out} }

// Paths returns the files written (valid after Begin).
func (s *Sink) Paths() []string { return s.paths }

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	paths, dir := convert.PerListPaths(s.out, ".csv", tables)
	if dir {
		if err := os.MkdirAll(s.out, 0o755); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	s.paths = paths
	s.text = make([][]*convert.Column, len(m.DAQ.Lists))
	for _, t := range tables {
		first := 1
		if t.HasSlave {
			first = 2
		}
		for j := first; j < len(t.Columns); j++ {
			if t.Columns[j].Kind == convert.ColText {
				if s.text[t.List] == nil {
					s.text[t.List] = make([]*convert.Column, len(t.Columns)-first)
				}
				s.text[t.List][j-first] = &t.Columns[j]
			}
		}
	}
	for i, t := range tables {
		f, err := os.Create(paths[i])
		if err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		s.files = append(s.files, f)
		w := bufio.NewWriterSize(f, 256<<10)
		s.ws = append(s.ws, w)
		var hdr []byte
		for j, c := range t.Columns {
			if j > 0 {
				hdr = append(hdr, ',')
			}
			name := c.Name
			if c.Unit != "" && (c.Kind == convert.ColValue || c.Kind == convert.ColText) {
				name += " [" + c.Unit + "]"
			}
			hdr = appendField(hdr, name)
		}
		hdr = append(hdr, '\n')
		if _, err := w.Write(hdr); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	return nil
}

// appendField appends a header field, quoted if needed.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	return append(append(append(b, '"'), strings.ReplaceAll(s, `"`, `""`)...), '"')
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *record.Sample) error {
	b := strconv.AppendInt(s.line[:0], sm.HostNS, 10)
	if sm.HasSlave {
		b = append(b, ',')
		b = strconv.AppendInt(b, sm.SlaveNS, 10)
	}
	text := s.text[sm.List]
	for j, v := range sm.Values {
		b = append(b, ',')
		if text != nil && text[j] != nil {
			b = appendField(b, text[j].Text(v))
			continue
		}
		b = v.AppendText(b)
	}
	b = append(b, '\n')
	s.line = b
	if _, err := s.ws[sm.List].Write(b); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// Close implements convert.Sink.
func (s *Sink) Close() error {
	var first error
	for i, f := range s.files {
		if err := s.ws[i].Flush(); err != nil && first == nil {
			first = fmt.Errorf("csv: %w", err)
		}
		if err := f.Close(); err != nil && first == nil {
			first = fmt.Errorf("csv: %w", err)
		}
	}
	s.files, s.ws = nil, nil
	return first
}
