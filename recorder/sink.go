// Package recorder records a DAQ measurement into a recording file: a
// [FileSink] is the daq.FrameSink that a daq.Session (package goxcp/daq)
// hands every received frame to, and writes them with goxcp/record's crash-safe
// writer. [Meta] derives the recording's layout (lists, ODTs, where each
// value and the timestamp sit in a frame) from the measured DAQ layout;
// [Signals] carries the units and conversions of signals resolved by A2L name
// (goxcp/a2ldaq) into the file, so converters write physical values without
// the A2L.
//
// The path of a recording: transport → master (DTO packets) → daq.Session
// (frames per list) → recorder.FileSink → record.Writer (the .xlog file) →
// record.Reader / record/convert (samples, physical values, CSV, …).
package recorder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert/mf4"
)

// FileSink records the raw frames of a measurement into a recording file
// (package record): it implements daq.FrameSink.
//
// A Path ending in .mf4 (or .mdf) makes an ASAM MDF 4 file: the frames go
// to the crash-safe journal mf4.JournalPath(Path) (a goxcp recording
// beside it), which End converts into the MDF file and then removes.
// After a crash the journal stays; mf4.Finalize (`xcp convert --repair`)
// completes the MDF file from it.
type FileSink struct {
	Path    string
	Options record.Options
	// Slave describes the slave for the file header (byte order and sizes
	// are taken from the session).
	Slave record.Slave
	Tool  string
	// Signals, if set, gives the units and conversions of measurements
	// that came from an A2L; they are stored in the recording.
	Signals *Signals
	// Create, if set, opens the output instead of creating the file at
	// Path (special storage, or a writer that fails on purpose in tests);
	// an io.Closer is closed by End. Path still names the recording in
	// messages.
	Create func(path string) (io.Writer, error)

	out  io.Writer  // from Create
	mu   sync.Mutex // guards w, meta and ints for UpdateLoss and RecordInterruption
	w    *record.Writer
	meta *record.Meta
	ints []record.Interruption
}

// Begin implements daq.FrameSink: it creates the file with the layout.
func (s *FileSink) Begin(h daq.Header) error {
	meta, err := Meta(h, s.Slave)
	if err != nil {
		return err
	}
	meta.Tool = s.Tool
	s.Signals.annotate(meta, h)
	o := s.Options
	if o.Buffers == 0 {
		o.Buffers = 32 // ride out slow disk writes and CPU contention at high DTO rates
	}
	path := s.Path
	if mf4.IsPath(path) {
		path = mf4.JournalPath(path) // the MDF file is written at End
	}
	var w *record.Writer
	if s.Create != nil {
		out, err := s.Create(path)
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
		if w, err = record.NewWriter(out, meta, o); err != nil {
			if c, ok := out.(io.Closer); ok {
				c.Close()
			}
			return err
		}
		s.out = out
	} else if w, err = record.Create(path, meta, o); err != nil {
		return err
	}
	s.mu.Lock()
	s.w, s.meta = w, meta
	s.mu.Unlock()
	return nil
}

// RecordInterruption stores an interruption of the measurement in the
// recording (supervise.InterruptionRecorder): called with a zero end when
// it begins and again with the same start when it ends.
func (s *FileSink) RecordInterruption(start, end time.Time, cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return
	}
	in := record.Interruption{Start: int64(start.Sub(s.meta.Start)), Cause: cause}
	if !end.IsZero() {
		in.End = max(int64(end.Sub(s.meta.Start)), in.Start)
	}
	i := len(s.ints) - 1
	if i >= 0 && s.ints[i].Start == in.Start && s.ints[i].End == 0 {
		s.ints[i] = in
	} else {
		s.ints = append(s.ints, in)
	}
	s.w.SetInterruptions(s.ints)
}

// Frames implements daq.FrameSink. When the disk falls behind it waits
// for the writer instead of letting it drop frames: the measurement's
// receive buffers absorb the delay (and over TCP the slave is throttled).
func (s *FileSink) Frames(batch []dto.Frame) error {
	for i, f := range batch {
		if i%256 == 0 {
			s.waitDisk()
		}
		if err := s.w.Write(f.Time, f.Data); err != nil {
			st := s.w.Stats()
			return fmt.Errorf("%s: %w (the file holds %d frames in %d bytes)", s.Path, err, st.Frames-st.Unwritten, st.FileBytes)
		}
	}
	return nil
}

// waitDisk waits while (almost) every chunk buffer of the writer waits for
// the disk.
func (s *FileSink) waitDisk() {
	limit := max(1, s.w.Buffers()-2)
	for s.w.Backlog() >= limit {
		time.Sleep(200 * time.Microsecond)
	}
}

// End implements daq.FrameSink: it stores the loss counters and closes
// the file.
func (s *FileSink) End(st daq.Stats) error {
	if s.w == nil {
		return nil
	}
	s.mu.Lock()
	s.w.SetLoss(s.loss(st))
	s.w.SetBusErrors(st.ErrorFrames, st.BusOff)
	s.mu.Unlock()
	err := s.w.Close()
	if c, ok := s.out.(io.Closer); ok {
		if _, isFile := s.out.(*os.File); !isFile {
			err = errors.Join(err, c.Close())
		}
	}
	if err != nil {
		return err
	}
	if mf4.IsPath(s.Path) && s.Create == nil {
		if _, err := mf4.Finalize(context.Background(), s.Path, mf4.Options{}); err != nil {
			return fmt.Errorf("%w (the recording is kept in %s)", err, mf4.JournalPath(s.Path))
		}
	}
	return nil
}

// UpdateLoss stores the live loss counters st (Session.Stats) in the
// recording. It is cheap and may be called from any goroutine, e.g. once
// a second: the writer emits a stats block only when the counters
// changed, so a recording killed with -9 still holds them.
func (s *FileSink) UpdateLoss(st daq.Stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w != nil {
		s.w.SetLoss(s.loss(st))
		s.w.SetBusErrors(st.ErrorFrames, st.BusOff)
	}
}

// loss converts the session's counters into the recording's.
func (s *FileSink) loss(st daq.Stats) []record.Loss {
	loss := make([]record.Loss, 0, len(st.Lists))
	for i, l := range st.Lists {
		num := i
		if i < len(s.meta.DAQ.Lists) {
			num = int(s.meta.DAQ.Lists[i].Number)
		}
		loss = append(loss, record.Loss{List: num, MissingODTs: l.MissingODT + l.Malformed, Overloads: l.Overload})
	}
	if len(loss) > 0 && st.TransportLost > 0 {
		// Transport counter gaps are not attributable to a list; they are
		// stored with the first list.
		loss[0].CtrGaps = st.TransportLost
	}
	return loss
}

// Dropped implements daq.DropCounter: the frames the writer dropped
// because the disk did not keep up.
func (s *FileSink) Dropped() uint64 { return s.Stats().Dropped }

// Stats returns the writer's counters (zero before Begin).
func (s *FileSink) Stats() record.Stats {
	if s.w == nil {
		return record.Stats{}
	}
	return s.w.Stats()
}

// SlaveOf describes the slave behind a connected master for the header of
// a recording: address granularity, MAX_CTO/MAX_DTO, protocol and transport
// layer versions and the resources it offers (from CONNECT). Byte order and
// transport are filled in from the measurement by Meta.
func SlaveOf(m *master.Master) record.Slave {
	ci := m.ConnectInfo()
	f := m.Format()
	return record.Slave{AddressGranularity: f.AG.Size(), MaxCTO: f.CTO(), MaxDTO: f.DTO(),
		ProtocolVersion: int(ci.ProtocolVersion), TransportVersion: int(ci.TransportVersion),
		Properties: map[string]string{"resources": ci.Resource.String()}}
}

// Meta converts the header of a DAQ measurement into the metadata of a
// recording: the layout by record.LayoutOf, the events named by the
// slave's DAQ information, byte order and transport from the measurement.
func Meta(h daq.Header, slave record.Slave) (*record.Meta, error) {
	l := h.Layout
	for _, ll := range l.Lists {
		if len(ll.Offsets) != len(ll.Measurements) || (len(ll.Measurements) > 0 && len(ll.ODTs) == 0) {
			return nil, fmt.Errorf("recorder: DAQ list %q: %d offsets and %d ODTs for %d measurements (not a layout of daq.Allocate)", ll.Name, len(ll.Offsets), len(ll.ODTs), len(ll.Measurements))
		}
	}
	if slave.ByteOrder == "" {
		slave.ByteOrder = dto.ByteOrderName(l.Order)
	}
	if slave.Transport == "" {
		slave.Transport, slave.Address, _ = strings.Cut(h.Transport, " ")
	}
	m := &record.Meta{Version: record.MetaVersion, Start: h.Start, Slave: slave, DAQ: record.LayoutOf(l)}
	if h.Info != nil {
		for i := range m.DAQ.Lists {
			rl := &m.DAQ.Lists[i]
			for _, e := range h.Info.Events {
				if e.Number == rl.Event && rl.EventName == "" {
					rl.EventName = e.Name
				}
			}
		}
	}
	return m, nil
}

// Signals finds the A2L signal behind a measurement of the measured layout
// (whose lists may be merged and their measurement names prefixed).
type Signals struct {
	m map[sigKey]*cal.Signal
}

type sigKey struct {
	name string
	addr uint32
	ext  uint8
	typ  dto.Type
	mask uint64
}

// NewSignals indexes the signals a2ldaq.Resolve returned for lists.
func NewSignals(lists []daq.List, res []a2ldaq.Resolved) *Signals {
	s := &Signals{m: map[sigKey]*cal.Signal{}}
	for i, l := range lists {
		if i >= len(res) || res[i] == nil {
			continue
		}
		for _, ms := range l.Measurements {
			if sig := res[i][ms.Name]; sig != nil {
				s.m[sigKey{ms.Name, ms.Address, ms.Extension, ms.Type, ms.BitMask}] = sig
			}
		}
	}
	return s
}

// lookup returns the signal of measurement ms of the measured list named
// list, or nil.
func (s *Signals) lookup(list string, ms dto.Measurement) *cal.Signal {
	if s == nil {
		return nil
	}
	k := sigKey{ms.Name, ms.Address, ms.Extension, ms.Type, ms.BitMask}
	if sig := s.m[k]; sig != nil {
		return sig
	}
	for _, part := range strings.Split(list, "+") { // merged: "part.name"
		if n, ok := strings.CutPrefix(ms.Name, part+"."); ok {
			k.name = n
			if sig := s.m[k]; sig != nil {
				return sig
			}
		}
	}
	return nil
}

// annotate stores unit and conversion of every measurement of m that came
// from an A2L signal; m was made by Meta from h.
func (s *Signals) annotate(m *record.Meta, h daq.Header) {
	if s == nil {
		return
	}
	for i, ll := range h.Layout.Lists {
		for j, ms := range ll.Measurements {
			sig := s.lookup(ll.Name, ms)
			if sig == nil || i >= len(m.DAQ.Lists) || j >= len(m.DAQ.Lists[i].Measurements) {
				continue
			}
			rm := &m.DAQ.Lists[i].Measurements[j]
			rm.Unit = sig.Unit
			rm.Comment = sig.LongID
			if sig.Limits != (a2l.Limits{}) {
				rm.Limits = &record.Limits{Lower: sig.Limits.Lower, Upper: sig.Limits.Upper}
			}
			if sig.Conv != nil {
				spec := sig.Conv.Spec()
				if spec.Unit == "" {
					spec.Unit = sig.Unit
				}
				rm.Conversion = &spec
			}
		}
	}
}
