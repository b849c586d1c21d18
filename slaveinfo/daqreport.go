package slaveinfo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// DAQSession is what ReadDAQ needs from a connected master;
// *master.Master satisfies it.
type DAQSession interface {
	daq.Exchanger
	Format() xcp.Format
}

// ReadDAQ reads the slave's DAQ information (daq.ReadInfo with opts; the
// lists are always read) and its DAQ clock (GET_DAQ_CLOCK; left out if
// the slave does not know the command) and puts it into words.
func ReadDAQ(ctx context.Context, s DAQSession, opts daq.InfoOptions) (*DAQReport, error) {
	opts.Lists = true
	info, err := daq.ReadInfo(ctx, s, s.Format(), opts)
	if err != nil {
		return nil, err
	}
	r := NewDAQReport(info)
	p, err := s.Do(ctx, []byte{byte(xcp.CmdGetDaqClock)})
	switch {
	case err == nil:
		var c xcp.GetDaqClockResponse
		if c.Decode(p, s.Format()) == nil {
			r.Clock = &c.DaqClock
		}
	case !errors.Is(err, xcp.ErrCmdUnknown):
		return nil, fmt.Errorf("GET_DAQ_CLOCK: %w", err)
	}
	return r, nil
}

// DAQReport is the DAQ part of a slave in words (what `xcp daq-info`
// shows): the processor, resolution, event channels and predefined or
// static lists, each with where it came from (the slave, or an override
// for slaves that lack the optional commands), and the DAQ clock.
type DAQReport struct {
	Processor  *DAQProcessor  `json:"processor"`
	Resolution *DAQResolution `json:"resolution"`
	Events     []DAQEvent     `json:"events"`
	Lists      []DAQListInfo  `json:"lists,omitempty"`
	Sources    DAQSources     `json:"sources"`
	Clock      *xcp.DaqClock  `json:"clock,omitempty"`
}

// DAQSources tells where each part of a DAQReport came from.
type DAQSources struct {
	Processor  daq.Source `json:"processor"`
	Resolution daq.Source `json:"resolution"`
	Events     daq.Source `json:"events"`
	Lists      daq.Source `json:"lists"`
}

// DAQProcessor is GET_DAQ_PROCESSOR_INFO in words.
type DAQProcessor struct {
	ConfigType   string   `json:"config_type"`
	MaxDaq       uint16   `json:"max_daq"`
	MinDaq       uint8    `json:"min_daq"`
	MaxEvent     uint16   `json:"max_event"`
	Properties   []string `json:"properties"`
	IDField      string   `json:"identification_field"`
	AddrExt      string   `json:"address_extension"`
	Optimisation string   `json:"optimisation"`
}

// DAQResolution is GET_DAQ_RESOLUTION_INFO in words.
type DAQResolution struct {
	GranularityDaq  uint8  `json:"granularity_odt_entry_size_daq"`
	MaxEntrySizeDaq uint8  `json:"max_odt_entry_size_daq"`
	GranularityStim uint8  `json:"granularity_odt_entry_size_stim"`
	MaxEntrySizeSt  uint8  `json:"max_odt_entry_size_stim"`
	TimestampSize   int    `json:"timestamp_size"`
	TimestampUnit   string `json:"timestamp_unit"`
	TimestampTicks  uint16 `json:"timestamp_ticks"`
	TimestampFixed  bool   `json:"timestamp_fixed"`
	TickNs          string `json:"tick"`
}

// DAQEvent is one event channel (GET_DAQ_EVENT_INFO).
type DAQEvent struct {
	Number      uint16 `json:"number"`
	Name        string `json:"name"`
	Cycle       string `json:"cycle"`
	Priority    uint8  `json:"priority"`
	MaxLists    uint8  `json:"max_daq_list"`
	Direction   string `json:"direction"`
	Consistency string `json:"consistency"`
}

// DAQListInfo is one predefined or static DAQ list (GET_DAQ_LIST_INFO).
type DAQListInfo struct {
	Number     uint16 `json:"number"`
	Predefined bool   `json:"predefined"`
	EventFixed bool   `json:"event_fixed"`
	FixedEvent uint16 `json:"fixed_event"`
	MaxODT     uint8  `json:"max_odt"`
	MaxEntries uint8  `json:"max_odt_entries"`
}

// NewDAQReport puts DAQ info (daq.ReadInfo) into words.
func NewDAQReport(info *daq.Info) *DAQReport {
	r := &DAQReport{Sources: DAQSources{info.ProcessorSource, info.ResolutionSource, info.EventsSource, info.ListsSource}}
	if info.ProcessorSource != daq.FromNone {
		p := info.Processor
		pr := &DAQProcessor{ConfigType: "static", MaxDaq: p.MaxDaq, MinDaq: p.MinDaq, MaxEvent: p.MaxEvent,
			IDField: p.Key.IDField().String(), AddrExt: p.Key.AddrExt().String(), Optimisation: p.Key.Optimisation().String()}
		if p.Properties&xcp.DaqConfigDynamic != 0 {
			pr.ConfigType = "dynamic"
		}
		pr.Properties = append([]string{}, daqProperties(p.Properties)...)
		r.Processor = pr
	}
	if info.ResolutionSource != daq.FromNone {
		x := info.Resolution
		tm := x.TimestampMode
		r.Resolution = &DAQResolution{GranularityDaq: x.GranularityDaq, MaxEntrySizeDaq: x.MaxEntrySizeDaq,
			GranularityStim: x.GranularityStim, MaxEntrySizeSt: x.MaxEntrySizeSt, TimestampSize: tm.Size(),
			TimestampUnit: tm.Unit().String(), TimestampTicks: x.TimestampTicks, TimestampFixed: tm.Fixed(),
			TickNs: tickString(tm.Unit().Picoseconds() * uint64(x.TimestampTicks))}
	}
	r.Events = []DAQEvent{}
	for _, e := range info.Events {
		dir := []string{}
		if e.Properties&xcp.EventDAQ != 0 {
			dir = append(dir, "DAQ")
		}
		if e.Properties&xcp.EventSTIM != 0 {
			dir = append(dir, "STIM")
		}
		cyc := "not cyclic"
		if e.TimeCycle != 0 {
			cyc = time.Duration(e.CycleNanos()).String()
		}
		r.Events = append(r.Events, DAQEvent{Number: e.Number, Name: e.Name, Cycle: cyc, Priority: e.Priority,
			MaxLists: e.MaxDaqList, Direction: strings.Join(dir, "/"), Consistency: e.Properties.Consistency()})
	}
	for _, l := range info.Lists {
		r.Lists = append(r.Lists, DAQListInfo{Number: l.Number, Predefined: l.Properties&xcp.ListPredefined != 0,
			EventFixed: l.Properties&xcp.ListEventFixed != 0, FixedEvent: l.FixedEvent, MaxODT: l.MaxODT, MaxEntries: l.MaxEntries})
	}
	return r
}

func tickString(ps uint64) string {
	if ps%1000 == 0 {
		return time.Duration(ps / 1000).String()
	}
	return strconv.FormatUint(ps, 10) + "ps"
}
