package daq

import (
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Source tells where a part of Info came from.
type Source uint8

// Sources of DAQ information.
const (
	FromNone     Source = iota // not known: the slave lacks the command and no override was given
	FromSlave                  // answered by the slave
	FromOverride               // taken from the user's override file
)

func (s Source) String() string {
	return [...]string{"none", "slave", "override"}[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Source) UnmarshalText(b []byte) error {
	for i, n := range [...]string{"none", "slave", "override"} {
		if string(b) == n {
			*s = Source(i)
			return nil
		}
	}
	return fmt.Errorf("daq: unknown source %q (want none, slave or override)", b)
}

// EventInfo describes one event channel.
type EventInfo struct {
	Number uint16 `json:"number"`
	Name   string `json:"name"`
	xcp.GetDaqEventInfoResponse
}

// ListInfo describes one DAQ list known to the slave (GET_DAQ_LIST_INFO).
type ListInfo struct {
	Number uint16 `json:"number"`
	xcp.GetDaqListInfoResponse
}

// Info is what the master knows about the slave's DAQ processor, with the
// source of every part (seed 000 §5.6.1: slaves may lack optional
// commands; a user override fills the gaps).
type Info struct {
	Processor        xcp.GetDaqProcessorInfoResponse
	ProcessorSource  Source
	Resolution       xcp.GetDaqResolutionInfoResponse
	ResolutionSource Source
	Events           []EventInfo
	EventsSource     Source
	Lists            []ListInfo // predefined and static lists (GET_DAQ_LIST_INFO)
	ListsSource      Source
}

// Override is user-supplied DAQ information for slaves that lack the
// optional info commands. Nil parts are not overridden.
type Override struct {
	Processor  *xcp.GetDaqProcessorInfoResponse
	Resolution *xcp.GetDaqResolutionInfoResponse
	Events     []EventInfo // nil: no override
}

// Apply fills the parts of info that the slave did not provide (or all
// overridden parts if force is set) and marks them FromOverride.
func (o *Override) Apply(info *Info, force bool) {
	if o == nil {
		return
	}
	if o.Processor != nil && (force || info.ProcessorSource != FromSlave) {
		info.Processor, info.ProcessorSource = *o.Processor, FromOverride
	}
	if o.Resolution != nil && (force || info.ResolutionSource != FromSlave) {
		info.Resolution, info.ResolutionSource = *o.Resolution, FromOverride
	}
	if o.Events != nil && (force || info.EventsSource != FromSlave) {
		info.Events, info.EventsSource = append([]EventInfo(nil), o.Events...), FromOverride
	}
}

// Complete reports an error naming what is missing for configuring DAQ.
func (info *Info) Complete() error {
	var miss []string
	if info.ProcessorSource == FromNone {
		miss = append(miss, "processor (GET_DAQ_PROCESSOR_INFO)")
	}
	if info.ResolutionSource == FromNone {
		miss = append(miss, "resolution (GET_DAQ_RESOLUTION_INFO)")
	}
	if len(miss) > 0 {
		return fmt.Errorf("daq: the slave did not provide DAQ %s; supply them in an override file", strings.Join(miss, " and "))
	}
	return nil
}
