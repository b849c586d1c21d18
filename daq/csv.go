package daq

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CSVWriter is a SampleSink that writes one CSV file per DAQ list into a
// directory while the measurement runs (pyXCP's DaqToCsv). Each file is
// named after its list and starts with the header
//
//	timestamp0,timestamp1,<measurement names…>
//
// timestamp0 is the host receive time in ns since Header.Start (the
// same origin as a recording's frames and `xcp convert`'s host_ns, so
// both give the same numbers for a sample) and timestamp1 the slave time
// in ns since the first slave timestamp (empty without slave timestamps).
//
// The files hold whole rows only: rows are collected in memory and written
// row-aligned, at least every FlushInterval, so a process killed with -9
// leaves every file with its header and complete rows. A write error (disk
// full) is returned at once, naming the file.
type CSVWriter struct {
	Dir string
	// FlushInterval bounds how long rows wait in memory (0 = 1 s).
	FlushInterval time.Duration

	files []*csvFile
	line  []byte
	last  int64 // Sample.HostNS of the last flush
}

// csvFile is one list's file with its pending whole rows.
type csvFile struct {
	f       *os.File
	pending []byte
}

// csvBuffer is how many bytes of rows a file collects before writing.
const csvBuffer = 64 << 10

func (c *csvFile) flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	_, err := c.f.Write(c.pending)
	c.pending = c.pending[:0]
	if err != nil {
		return fmt.Errorf("csv: write %s: %w", c.f.Name(), err)
	}
	return nil
}

// NewCSVWriter returns a CSVWriter for dir (created if needed at Begin).
func NewCSVWriter(dir string) *CSVWriter { return &CSVWriter{Dir: dir} }

// Begin implements SampleSink: it creates the files and writes their
// headers.
func (w *CSVWriter) Begin(h Header) error {
	if err := os.MkdirAll(w.Dir, 0o755); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	seen := map[string]bool{}
	for _, l := range h.Layout.Lists {
		name := fileName(l.Name)
		if seen[name] {
			name = fmt.Sprintf("%s_%d", name, l.Number)
		}
		seen[name] = true
		f, err := os.Create(filepath.Join(w.Dir, name+".csv"))
		if err != nil {
			w.closeAll()
			return fmt.Errorf("csv: %w", err)
		}
		c := &csvFile{f: f, pending: make([]byte, 0, csvBuffer+1024)}
		w.files = append(w.files, c)
		c.pending = append(c.pending, "timestamp0,timestamp1"...)
		for _, m := range l.Measurements {
			c.pending = append(c.pending, ',')
			c.pending = append(c.pending, csvField(m.Name)...)
		}
		c.pending = append(c.pending, '\n')
		if err := c.flush(); err != nil {
			w.closeAll()
			return err
		}
	}
	w.last = 0
	return nil
}

// Sample implements SampleSink.
func (w *CSVWriter) Sample(s *Sample) error {
	b := w.line[:0]
	b = strconv.AppendInt(b, s.HostNS, 10)
	b = append(b, ',')
	if s.HasSlave {
		b = strconv.AppendInt(b, s.Slave, 10)
	}
	for _, v := range s.Values {
		b = append(b, ',')
		b = v.AppendText(b)
	}
	b = append(b, '\n')
	w.line = b
	c := w.files[s.List]
	if len(c.pending)+len(b) > csvBuffer {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.pending = append(c.pending, b...)
	iv := w.FlushInterval
	if iv <= 0 {
		iv = time.Second
	}
	// The sample's receive time is the clock: no time call per row.
	if s.HostNS-w.last >= int64(iv) || s.HostNS < w.last {
		w.last = s.HostNS
		for _, c := range w.files {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// End implements SampleSink: it writes the pending rows and closes the
// files.
func (w *CSVWriter) End(Stats) error {
	var errs []error
	for _, c := range w.files {
		if err := c.flush(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, w.closeAll())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

func (w *CSVWriter) closeAll() error {
	var errs []error
	for _, c := range w.files {
		if err := c.f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	w.files = nil
	return errors.Join(errs...)
}

// fileName makes a list name safe as a file name.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		s = "list"
	}
	return s
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
