package supervise

import (
	"fmt"
	"reflect"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
)

// frameSink makes the segments of a supervised measurement one
// measurement for the FrameSink inside: Begin once (later Begins check
// that the layout is the same), frame times shifted onto the first
// segment's time axis, End left to Run.
type frameSink struct {
	inner daq.FrameSink
	begun bool
	first daq.Header
	off   int64 // ns from the first segment's start to this one's
	buf   []dto.Frame
	base  uint64 // inner's Dropped at the segment's Begin
}

func (s *frameSink) Begin(h daq.Header) error {
	if !s.begun {
		if err := s.inner.Begin(h); err != nil {
			return err
		}
		s.begun, s.first = true, h
		return nil
	}
	if err := sameLayout(s.first.Layout, h.Layout); err != nil {
		return err
	}
	s.off = int64(h.Start.Sub(s.first.Start))
	if dc, ok := s.inner.(daq.DropCounter); ok {
		s.base = dc.Dropped()
	}
	return nil
}

func (s *frameSink) Frames(batch []dto.Frame) error {
	if s.off == 0 {
		return s.inner.Frames(batch)
	}
	s.buf = append(s.buf[:0], batch...)
	for i := range s.buf {
		s.buf[i].Time += s.off
	}
	return s.inner.Frames(s.buf)
}

// End is left to Run, which ends the inner sink with the totals.
func (s *frameSink) End(daq.Stats) error { return nil }

// Dropped implements daq.DropCounter: the inner sink's drops during this
// segment (Run adds the segments).
func (s *frameSink) Dropped() uint64 {
	dc, ok := s.inner.(daq.DropCounter)
	if !ok {
		return 0
	}
	return dc.Dropped() - s.base
}

// sampleSink is frameSink for a daq.SampleSink: sample times continue on
// the first segment's axis.
type sampleSink struct {
	inner daq.SampleSink
	begun bool
	ended bool // the session ended it after an error
	first daq.Header
	off   int64
}

func (s *sampleSink) Begin(h daq.Header) error {
	if !s.begun {
		if err := s.inner.Begin(h); err != nil {
			return err
		}
		s.begun, s.first = true, h
		return nil
	}
	if s.ended {
		return nil
	}
	if err := sameLayout(s.first.Layout, h.Layout); err != nil {
		return err
	}
	s.off = int64(h.Start.Sub(s.first.Start))
	return nil
}

func (s *sampleSink) Sample(x *dto.Sample) error {
	if s.ended {
		return nil
	}
	if s.off != 0 {
		y := *x
		y.HostNS += s.off
		return s.inner.Sample(&y)
	}
	return s.inner.Sample(x)
}

// End is called by the session only after a Sample error (the sink is
// then done for good); the regular End is left to Run.
func (s *sampleSink) End(st daq.Stats) error {
	if s.ended {
		return nil
	}
	s.ended = true
	return s.inner.End(st)
}

// sameLayout checks that a segment measures what the first one did: the
// recording's decoding depends on it.
func sameLayout(a, b *dto.Layout) error {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	if len(a.Lists) != len(b.Lists) {
		return fmt.Errorf("%w: the slave has %d DAQ lists, the recording %d", ErrLayoutChanged, len(b.Lists), len(a.Lists))
	}
	for i := range a.Lists {
		x, y := a.Lists[i], b.Lists[i]
		if x.Number != y.Number || x.FirstPID != y.FirstPID || len(x.ODTs) != len(y.ODTs) {
			return fmt.Errorf("%w: DAQ list %q is list %d with first PID %d and %d ODTs, the recording has list %d, PID %d, %d ODTs",
				ErrLayoutChanged, x.Name, y.Number, y.FirstPID, len(y.ODTs), x.Number, x.FirstPID, len(x.ODTs))
		}
	}
	return fmt.Errorf("%w (identification field, timestamps or ODTs)", ErrLayoutChanged)
}

// addStats adds the counters of b to a.
func addStats(a, b daq.Stats) daq.Stats {
	a.Frames += b.Frames
	a.Bytes += b.Bytes
	a.TransportLost += b.TransportLost
	a.Dropped += b.Dropped
	a.Stalls += b.Stalls
	a.UnknownPID += b.UnknownPID
	a.OverloadEvents += b.OverloadEvents
	a.StimTimeouts += b.StimTimeouts
	a.SinkDropped += b.SinkDropped
	a.ErrorFrames += b.ErrorFrames
	a.BusOff += b.BusOff
	if a.SinkError == "" {
		a.SinkError = b.SinkError
	}
	lists := make([]daq.ListStats, max(len(a.Lists), len(b.Lists)))
	copy(lists, a.Lists)
	for i, l := range b.Lists {
		lists[i] = addList(lists[i], l)
	}
	a.Lists = lists
	return a
}

func addList(a, b daq.ListStats) daq.ListStats {
	if a.Name == "" {
		a.Name = b.Name
	}
	a.Samples += b.Samples
	a.Incomplete += b.Incomplete
	a.MissingODT += b.MissingODT
	a.OutOfOrder += b.OutOfOrder
	a.Overload += b.Overload
	a.Malformed += b.Malformed
	a.SlowConsumer += b.SlowConsumer
	return a
}
