// Package csv writes samples as CSV (RFC 4180): one file per DAQ list with
// a header row (host_ns, slave_ns for lists with slave timestamps, then the
// measurement names, units in brackets) and one row per sample. It is the
// one CSV writer of goxcp: `xcp convert --to csv` drives it from a recording
// (package record/convert), `xcp record --csv` from the running measurement
// (goxcp/recorder.CSVSink).
//
// The files only ever hold whole rows: rows are collected in memory and
// written row-aligned, so a process killed with -9 leaves every file with
// its header and complete rows. Numbers are formatted by hand with
// strconv.Append* into reused buffers, so conversion runs at millions of
// rows per second in constant memory.
package csv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Sink writes CSV files. Create it with New or NewDir.
type Sink struct {
	out   string
	dir   bool          // always a directory with one file per list
	flush time.Duration // > 0: write pending rows at least this often (sample host time)
	last  int64         // HostNS of the last periodic flush
	files []*file
	line  []byte
	paths []string
	slave []bool              // per list: the table has a slave_ns column
	text  [][]*convert.Column // per list and value: the ColText column, else nil
}

// file is one list's file with its pending whole rows.
type file struct {
	f       *os.File
	pending []byte
}

// bufSize is how many bytes of rows a file collects before writing.
const bufSize = 256 << 10

func (f *file) write() error {
	if len(f.pending) == 0 {
		return nil
	}
	_, err := f.f.Write(f.pending)
	f.pending = f.pending[:0]
	if err != nil {
		return fmt.Errorf("csv: write %s: %w", f.f.Name(), err)
	}
	return nil
}

// New returns a Sink writing to out by the rule of convert.PerListPaths:
// when out names a directory ("out/" or an existing directory) one
// <list>.csv per DAQ list in it (created if needed); otherwise the one CSV
// file out, for a recording with one DAQ list (several are an error at
// Begin, convert.ErrSeveralLists).
func New(out string) *Sink { return &Sink{out: out} }

// NewDir returns a Sink writing one <list>.csv per DAQ list into dir
// (created if needed), also for a single list, for a measurement while it
// runs: the header rows reach the disk at Begin and the pending rows at
// least every flush of measurement time (by the samples' host time; 0 = 1 s).
func NewDir(dir string, flush time.Duration) *Sink {
	if flush <= 0 {
		flush = time.Second
	}
	return &Sink{out: dir, dir: true, flush: flush}
}

// Paths returns the files written (valid after Begin).
func (s *Sink) Paths() []string { return s.paths }

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	var (
		paths []string
		dir   = s.dir
	)
	if dir {
		for _, t := range tables {
			paths = append(paths, filepath.Join(s.out, t.Name+".csv"))
		}
	} else {
		var err error
		if paths, dir, err = convert.PerListPaths(s.out, ".csv", tables); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	if dir {
		if err := os.MkdirAll(s.out, 0o755); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	s.paths = paths
	s.text = make([][]*convert.Column, len(m.DAQ.Lists))
	s.slave = make([]bool, len(m.DAQ.Lists))
	s.last = 0
	for _, t := range tables {
		s.slave[t.List] = t.HasSlave
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
			s.Close()
			return fmt.Errorf("csv: %w", err)
		}
		w := &file{f: f, pending: make([]byte, 0, bufSize+1024)}
		s.files = append(s.files, w)
		hdr := w.pending
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
		w.pending = append(hdr, '\n')
		if s.flush > 0 {
			if err := w.write(); err != nil {
				s.Close()
				return err
			}
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
func (s *Sink) Sample(sm *dto.Sample) error {
	b := strconv.AppendInt(s.line[:0], sm.HostNS, 10)
	if s.slave[sm.List] {
		b = append(b, ',')
		if sm.HasSlave {
			b = strconv.AppendInt(b, sm.SlaveNS, 10)
		}
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
	f := s.files[sm.List]
	if len(f.pending)+len(b) > bufSize {
		if err := f.write(); err != nil {
			return err
		}
	}
	f.pending = append(f.pending, b...)
	// The sample's receive time is the clock: no time call per row.
	if s.flush > 0 && (sm.HostNS-s.last >= int64(s.flush) || sm.HostNS < s.last) {
		s.last = sm.HostNS
		for _, f := range s.files {
			if err := f.write(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close implements convert.Sink.
func (s *Sink) Close() error {
	var first error
	for _, f := range s.files {
		if err := f.write(); err != nil && first == nil {
			first = err
		}
		if err := f.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("csv: %w", err)
		}
	}
	s.files = nil
	return first
}
