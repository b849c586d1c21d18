package daq

import (
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
)

// Header describes a measurement to a FrameSink before the first frame.
type Header struct {
	// Start is the wall-clock time that Frame.Time counts from.
	Start time.Time
	// Layout tells how to decode the frames (dto.NewDecoder).
	Layout *dto.Layout
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

// ListStats counts what happened to one DAQ list: the decoder's counters
// (samples, incomplete samples, missing and out-of-order ODTs, overload
// flags, malformed DTOs) with the list's name and the samples a slow Go
// consumer missed.
type ListStats struct {
	Name string `json:"name"`
	dto.ListStats
	// SlowConsumer counts samples a Go consumer (channel) was too slow to
	// take; they were recorded nevertheless.
	SlowConsumer uint64 `json:"slow_consumer"`
}

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
