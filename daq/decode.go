package daq

import (
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
)

// Header describes a measurement to a FrameSink before the first frame.
type Header struct {
	// Start is the wall-clock time that Frame.Time counts from.
	Start time.Time
	// Layout tells how to decode the frames (NewDecoder).
	Layout *Layout
	// Info is the slave's DAQ information used for the configuration.
	Info *Info
	// Transport names the connection, e.g. "tcp 127.0.0.1:5555".
	Transport string
}

// FrameSink receives the raw frames of a measurement, e.g. to record them
// to a file. Its methods are called from one goroutine (the measurement's
// consumer goroutine, never the receive path), in the order Begin, Frames…,
// End. Frames gets the frames in arrival order; the slice and the frame data
// are valid only during the call. An error from a method stops the sink
// (no further calls except End) and is reported by Measurement.Stop.
type FrameSink interface {
	Begin(h Header) error
	Frames(batch []dto.Frame) error
	// End is called once when the measurement stops, with the final
	// statistics (also after an error).
	End(st Stats) error
}

// DropCounter is implemented by a FrameSink that may drop frames it was
// given (for example a recorder whose disk is too slow); Stats.SinkDropped
// reports the count so that no loss goes unnoticed. Dropped may be called
// from any goroutine.
type DropCounter interface {
	Dropped() uint64
}

// ListStats counts what happened to one DAQ list.
type ListStats struct {
	Name    string `json:"name"`
	Samples uint64 `json:"samples"`
	// Incomplete counts samples discarded because ODTs were missing or
	// out of order; MissingODT the ODTs known missing.
	Incomplete uint64 `json:"incomplete"`
	MissingODT uint64 `json:"missing_odt"`
	OutOfOrder uint64 `json:"out_of_order"`
	// Overload counts DTOs flagged with the overload bit of the PID.
	Overload uint64 `json:"overload"`
	// Malformed counts DTOs too short for their ODT.
	Malformed uint64 `json:"malformed"`
	// SlowConsumer counts samples a Go consumer (channel) was too slow to
	// take; they were recorded nevertheless.
	SlowConsumer uint64 `json:"slow_consumer"`
}

// Lost reports the number of loss indications for the list.
func (s ListStats) Lost() uint64 { return s.Incomplete + s.Overload + s.Malformed }

// Stats are the counters of a measurement.
type Stats struct {
	Frames uint64 `json:"frames"`
	Bytes  uint64 `json:"bytes"`
	// TransportLost is the frames the transport's counter shows missing
	// (XCP on Ethernet: a 16-bit CTR sizes a gap only modulo 65536; see
	// goxcp/transport/eth).
	TransportLost uint64 `json:"transport_lost"`
	// Dropped counts frames the receive path had to drop because every
	// buffer stayed full (the consumer or the sink did not keep up).
	Dropped uint64 `json:"dropped"`
	// Stalls counts how often the receive path waited for a buffer (not a
	// loss: over TCP the slave is throttled meanwhile).
	Stalls uint64 `json:"stalls"`
	// UnknownPID counts DTOs that belong to no configured ODT.
	UnknownPID uint64 `json:"unknown_pid"`
	// OverloadEvents counts EV_DAQ_OVERLOAD events from the slave.
	OverloadEvents uint64 `json:"overload_events"`
	// StimTimeouts counts EV_STIM_TIMEOUT events: a STIM list's event
	// passed without stimulation data (not a loss of measured data).
	StimTimeouts uint64 `json:"stim_timeouts,omitempty"`
	// SinkDropped counts frames the FrameSink itself dropped (a recorder
	// whose disk did not keep up), if it reports them (DropCounter).
	SinkDropped uint64 `json:"sink_dropped"`
	// ErrorFrames counts error frames the bus reported during the
	// measurement (CAN: bus errors and controller state changes), BusOff
	// how often the controller went bus-off; see transport.Stats. They are
	// not losses themselves: what went missing shows in the list counters.
	ErrorFrames uint64 `json:"error_frames,omitempty"`
	BusOff      uint64 `json:"bus_off,omitempty"`
	// SinkError is the first error of the FrameSink, if any.
	SinkError string      `json:"sink_error,omitempty"`
	Lists     []ListStats `json:"lists"`
}

// Lost is the total of all loss indications.
func (s Stats) Lost() uint64 {
	n := s.TransportLost + s.Dropped + s.SinkDropped + s.UnknownPID + s.OverloadEvents
	for _, l := range s.Lists {
		n += l.Lost()
	}
	return n
}

// Decoder reassembles DTOs into samples (with goxcp/dto, the decoder
// recordings use too). It is not safe for concurrent use; it allocates
// nothing per frame.
type Decoder struct {
	lay     *Layout
	dec     *dto.Decoder
	names   []string
	slow    []uint64
	host0   int64
	started bool
}

// NewDecoder returns a decoder for the layout.
func NewDecoder(l *Layout) (*Decoder, error) {
	dl, err := l.dto()
	if err != nil {
		return nil, err
	}
	dd, err := dto.NewDecoder(dl)
	if err != nil {
		return nil, fmt.Errorf("daq: %w", err)
	}
	d := &Decoder{lay: l, dec: dd, slow: make([]uint64, len(l.Lists))}
	for _, ll := range l.Lists {
		d.names = append(d.names, ll.Name)
	}
	return d, nil
}

// dto returns the layout in goxcp/dto's terms.
func (l *Layout) dto() (*dto.Layout, error) {
	dl := &dto.Layout{IDField: l.IDField, Order: l.Order, TimestampSize: l.TimestampSize, OverloadMSB: l.OverloadMSB}
	switch l.TimestampSize {
	case 0, 1, 2, 4:
	default:
		return nil, fmt.Errorf("daq: timestamp size %d is not 0, 1, 2 or 4", l.TimestampSize)
	}
	if l.TimestampSize > 0 {
		dl.TickPS = l.TimestampUnit.Picoseconds() * uint64(max(l.TimestampTick, 1))
		if dl.TickPS == 0 {
			return nil, fmt.Errorf("daq: timestamp unit %d is undefined", l.TimestampUnit)
		}
	}
	for i := range l.Lists {
		ll := &l.Lists[i]
		if len(ll.ODTs) == 0 {
			return nil, fmt.Errorf("daq: DAQ list %q has no ODTs", ll.Name)
		}
		if len(ll.Offsets) != len(ll.Measurements) {
			return nil, fmt.Errorf("daq: DAQ list %q: %d offsets for %d measurements", ll.Name, len(ll.Offsets), len(ll.Measurements))
		}
		x := dto.List{Number: ll.Number, FirstPID: ll.FirstPID, Timestamps: ll.Timestamps}
		size := 0
		for _, o := range ll.ODTs {
			x.ODTs = append(x.ODTs, o.Payload())
			size += o.Payload()
		}
		for j, m := range ll.Measurements {
			if !m.Type.Valid() || ll.Offsets[j] < 0 || ll.Offsets[j]+m.Type.Size() > size {
				return nil, fmt.Errorf("daq: DAQ list %q: measurement %q lies outside the sample (%d bytes)", ll.Name, m.Name, size)
			}
			x.Fields = append(x.Fields, dto.Field{Offset: ll.Offsets[j], Type: m.Type, Mask: m.BitMask})
		}
		dl.Lists = append(dl.Lists, x)
	}
	return dl, nil
}

// Layout returns the decoder's layout.
func (d *Decoder) Layout() *Layout { return d.lay }

// HostStart returns the Frame.Time of the first frame decoded (the host
// time origin of Record.Host).
func (d *Decoder) HostStart() int64 { return d.host0 }

// Decode processes one frame and calls emit for a sample it completes. The
// sample is valid only during emit.
func (d *Decoder) Decode(f dto.Frame, emit func(*dto.Sample)) {
	if len(f.Data) == 0 {
		return
	}
	if !d.started {
		d.started, d.host0 = true, f.Time
	}
	x := d.dec.Decode(f.Time, f.Data)
	if x == nil || emit == nil {
		return
	}
	emit(x)
}

// Stats returns the decoder's counters (UnknownPID and Lists).
func (d *Decoder) Stats() Stats {
	ds := d.dec.Stats()
	s := Stats{UnknownPID: ds.Unknown + ds.Other, Lists: make([]ListStats, len(ds.Lists))}
	for i, l := range ds.Lists {
		s.Lists[i] = ListStats{Name: d.names[i], Samples: l.Samples, Incomplete: l.Incomplete, MissingODT: l.MissingODT,
			OutOfOrder: l.OutOfOrder, Overload: l.Overload, Malformed: l.Malformed, SlowConsumer: d.slow[i]}
	}
	return s
}

// addSlow counts a sample a consumer could not take.
func (d *Decoder) addSlow(list int) { d.slow[list]++ }
