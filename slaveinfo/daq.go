package slaveinfo

import (
	"fmt"
	"strings"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// DAQ is the data acquisition summary.
type DAQ struct {
	NotSupported string `json:"not_supported,omitempty"`

	// GET_DAQ_PROCESSOR_INFO
	ConfigType     string   `json:"config_type"` // static, dynamic
	Properties     []string `json:"properties"`
	MaxDaq         int      `json:"max_daq"`
	MaxEvent       int      `json:"max_event"`
	MinDaq         int      `json:"min_daq"`
	Optimisation   string   `json:"optimisation"`
	AddressExt     string   `json:"address_extension"`
	IdentField     string   `json:"identification_field"`
	IdentFieldSize int      `json:"identification_field_size"`

	// GET_DAQ_RESOLUTION_INFO
	Resolution *Resolution `json:"resolution,omitempty"`

	Events []Event `json:"events,omitempty"` // GET_DAQ_EVENT_INFO
}

// Resolution is the GET_DAQ_RESOLUTION_INFO response.
type Resolution struct {
	NotSupported    string `json:"not_supported,omitempty"`
	GranularityDaq  int    `json:"granularity_odt_entry_size_daq"`
	MaxEntrySizeDaq int    `json:"max_odt_entry_size_daq"`
	GranularitySTIM int    `json:"granularity_odt_entry_size_stim"`
	MaxEntrySizeSTM int    `json:"max_odt_entry_size_stim"`
	TimestampSize   int    `json:"timestamp_size"`
	TimestampFixed  bool   `json:"timestamp_fixed"`
	TimestampUnit   string `json:"timestamp_unit,omitempty"`
	TimestampTicks  int    `json:"timestamp_ticks"`
}

// Event is one event channel (GET_DAQ_EVENT_INFO).
type Event struct {
	Number      int    `json:"number"`
	Name        string `json:"name"`
	Direction   string `json:"direction"` // DAQ, STIM, DAQ/STIM
	MaxDaqList  int    `json:"max_daq_list"`
	Cycle       string `json:"cycle"` // e.g. "10ms", or "-" if not cyclic
	Priority    int    `json:"priority"`
	Consistency string `json:"consistency"`
}

func (g *gatherer) daq() error {
	if g.s.ConnectInfo().Resource&xcp.ResDaq == 0 {
		g.r.DAQ = &DAQ{NotSupported: "not supported (CONNECT: no DAQ resource)"}
		return nil
	}
	info, err := daq.ReadInfo(g.ctx, g.s, g.s.Format(), daq.InfoOptions{Events: true})
	if ok, _, err := g.check("DAQ info", err); !ok {
		return err
	}
	if info.ProcessorSource == daq.FromNone {
		g.r.DAQ = &DAQ{NotSupported: "not supported (GET_DAQ_PROCESSOR_INFO answered ERR_CMD_UNKNOWN)"}
		return nil
	}
	pi := info.Processor
	d := &DAQ{
		ConfigType:     "static",
		MaxDaq:         int(pi.MaxDaq),
		MaxEvent:       int(pi.MaxEvent),
		MinDaq:         int(pi.MinDaq),
		Optimisation:   pi.Key.Optimisation().String(),
		AddressExt:     pi.Key.AddrExt().String(),
		IdentField:     pi.Key.IDField().String(),
		IdentFieldSize: pi.Key.IDField().Len(),
	}
	if pi.Properties&xcp.DaqConfigDynamic != 0 {
		d.ConfigType = "dynamic"
	}
	d.Properties = daqProperties(pi.Properties)
	g.r.DAQ = d

	if info.ResolutionSource == daq.FromNone {
		d.Resolution = &Resolution{NotSupported: "not supported (GET_DAQ_RESOLUTION_INFO answered ERR_CMD_UNKNOWN)"}
	} else {
		ri := info.Resolution
		d.Resolution = &Resolution{
			GranularityDaq: int(ri.GranularityDaq), MaxEntrySizeDaq: int(ri.MaxEntrySizeDaq),
			GranularitySTIM: int(ri.GranularityStim), MaxEntrySizeSTM: int(ri.MaxEntrySizeSt),
			TimestampSize: ri.TimestampMode.Size(), TimestampFixed: ri.TimestampMode.Fixed(),
			TimestampTicks: int(ri.TimestampTicks),
		}
		if ri.TimestampMode.Size() > 0 {
			d.Resolution.TimestampUnit = ri.TimestampMode.Unit().String()
		}
	}
	if info.EventsSource == daq.FromNone && pi.MaxEvent > 0 {
		g.r.Notes = append(g.r.Notes, "DAQ events: not supported (GET_DAQ_EVENT_INFO answered ERR_CMD_UNKNOWN)")
	}
	for _, ev := range info.Events {
		e := Event{Number: int(ev.Number), Name: printable([]byte(ev.Name)), MaxDaqList: int(ev.MaxDaqList),
			Priority: int(ev.Priority), Consistency: ev.Properties.Consistency(), Cycle: cycle(ev.TimeCycle, ev.TimeUnit)}
		var dir []string
		if ev.Properties&xcp.EventDAQ != 0 {
			dir = append(dir, "DAQ")
		}
		if ev.Properties&xcp.EventSTIM != 0 {
			dir = append(dir, "STIM")
		}
		e.Direction = strings.Join(dir, "/")
		d.Events = append(d.Events, e)
	}
	return nil
}

// cycle formats an event cycle of n units ("10ms"), "-" if not cyclic.
func cycle(n uint8, unit xcp.TimestampUnit) string {
	if n == 0 {
		return "-"
	}
	ps := uint64(n) * unit.Picoseconds()
	if ps == 0 {
		return fmt.Sprintf("%d × %s", n, unit)
	}
	if ps%1000 == 0 {
		return time.Duration(ps / 1000).String()
	}
	return fmt.Sprintf("%dps", ps)
}

// daqProperties names the bits of DAQ_PROPERTIES other than the
// configuration type.
func daqProperties(p xcp.DaqProperties) []string {
	var names []string
	for _, n := range []struct {
		bit  xcp.DaqProperties
		name string
	}{
		{xcp.DaqPrescalerSupported, "PRESCALER"}, {xcp.DaqResumeSupported, "RESUME"},
		{xcp.DaqBitStimSupported, "BIT_STIM"}, {xcp.DaqTimestampSupported, "TIMESTAMP"},
		{xcp.DaqPIDOffSupported, "PID_OFF"}, {xcp.DaqOverloadMSB, "OVERLOAD_MSB"},
		{xcp.DaqOverloadEvent, "OVERLOAD_EVENT"},
	} {
		if p&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return names
}
