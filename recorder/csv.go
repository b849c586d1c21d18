package recorder

import (
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
)

// CSVSink writes the samples of a running measurement as CSV files, one
// <list>.csv per DAQ list in a directory: a daq.SampleSink (pyXCP's
// DaqToCsv) built on goxcp's one CSV writer (record/convert/csv), so the
// files have the columns `xcp convert --to csv` writes for a recording of
// the same measurement — host_ns (the host receive time in ns since
// daq.Header.Start, the origin of a recording's frames too), slave_ns (for
// lists with slave timestamps) and the raw values — and give the same
// numbers for each sample. The files hold whole rows only; pending rows
// reach the disk at least every FlushInterval of measurement time.
type CSVSink struct {
	Dir string
	// FlushInterval bounds how long rows wait in memory (0 = 1 s).
	FlushInterval time.Duration

	w  *csv.Sink
	rs dto.Sample
}

// NewCSVSink returns a CSVSink writing into dir (created at Begin if
// needed).
func NewCSVSink(dir string) *CSVSink { return &CSVSink{Dir: dir} }

// Begin implements daq.SampleSink: it creates the files with their header
// rows.
func (s *CSVSink) Begin(h daq.Header) error {
	meta, err := Meta(h, record.Slave{})
	if err != nil {
		return err
	}
	tables, err := convert.Layout(meta, convert.Options{Raw: true})
	if err != nil {
		return err
	}
	s.w = csv.NewDir(s.Dir, s.FlushInterval)
	return s.w.Begin(meta, tables)
}

// Sample implements daq.SampleSink.
func (s *CSVSink) Sample(sm *dto.Sample) error {
	r := &s.rs
	r.List, r.HostNS, r.SlaveNS, r.HasSlave, r.Values = sm.List, sm.HostNS, sm.SlaveNS, sm.HasSlave, sm.Values
	return s.w.Sample(r)
}

// End implements daq.SampleSink: it writes the pending rows and closes the
// files.
func (s *CSVSink) End(daq.Stats) error {
	if s.w == nil {
		return nil
	}
	return s.w.Close()
}
