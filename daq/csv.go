package daq

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
type CSVWriter struct {
	Dir string

	files []*os.File
	bufs  []*bufio.Writer
	line  []byte
}

// NewCSVWriter returns a CSVWriter for dir (created if needed at Begin).
func NewCSVWriter(dir string) *CSVWriter { return &CSVWriter{Dir: dir} }

// Begin implements SampleSink.
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
		b := bufio.NewWriterSize(f, 64<<10)
		w.files, w.bufs = append(w.files, f), append(w.bufs, b)
		b.WriteString("timestamp0,timestamp1")
		for _, m := range l.Measurements {
			b.WriteByte(',')
			b.WriteString(csvField(m.Name))
		}
		b.WriteByte('\n')
	}
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
	_, err := w.bufs[s.List].Write(b)
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// End implements SampleSink: it flushes and closes the files.
func (w *CSVWriter) End(Stats) error {
	var errs []error
	for _, b := range w.bufs {
		if err := b.Flush(); err != nil {
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
	for _, f := range w.files {
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	w.files, w.bufs = nil, nil
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
