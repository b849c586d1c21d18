package info

import (
	"fmt"
	"strconv"
	"strings"

	"goxcp/internal/cli/cmdutil"
	"goxcp/xcp"
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

	Events []Event `json:"events,omitempty"`
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
	Cycle       string `json:"cycle"` // e.g. "10 × 1ms", or "-" if not cyclic
	Priority    int    `json:"priority"`
	Consistency string `json:"consistency"`
	Error       string `json:"error,omitempty"`
}

// rawCmd is a command that consists of its code only.
type rawCmd xcp.Command

func (c rawCmd) Append(b []byte, _ xcp.Format) []byte { return append(b, byte(c)) }

// maxEventsListed bounds the event channels queried one by one.
const maxEventsListed = 256

func (g *gatherer) daq() error {
	if g.s.ConnectInfo().Resource&xcp.ResDaq == 0 {
		g.r.DAQ = &DAQ{NotSupported: "not supported (CONNECT: no DAQ resource)"}
		return nil
	}
	var pi xcp.GetDaqProcessorInfoResponse
	ok, ns, err := g.check("GET_DAQ_PROCESSOR_INFO", do(g.ctx, g.s, rawCmd(xcp.CmdGetDaqProcessorInfo), &pi))
	if err != nil || !ok {
		if ns != "" {
			g.r.DAQ = &DAQ{NotSupported: ns}
		}
		return err
	}
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
	for _, p := range []struct {
		bit  xcp.DaqProperties
		name string
	}{
		{xcp.DaqPrescalerSupported, "PRESCALER"}, {xcp.DaqResumeSupported, "RESUME"},
		{xcp.DaqBitStimSupported, "BIT_STIM"}, {xcp.DaqTimestampSupported, "TIMESTAMP"},
		{xcp.DaqPIDOffSupported, "PID_OFF"}, {xcp.DaqOverloadMSB, "OVERLOAD_MSB"},
		{xcp.DaqOverloadEvent, "OVERLOAD_EVENT"},
	} {
		if pi.Properties&p.bit != 0 {
			d.Properties = append(d.Properties, p.name)
		}
	}
	g.r.DAQ = d

	var ri xcp.GetDaqResolutionInfoResponse
	ok, ns, err = g.check("GET_DAQ_RESOLUTION_INFO", do(g.ctx, g.s, rawCmd(xcp.CmdGetDaqResolutionInfo), &ri))
	if err != nil {
		return err
	}
	switch {
	case ok:
		d.Resolution = &Resolution{
			GranularityDaq: int(ri.GranularityDaq), MaxEntrySizeDaq: int(ri.MaxEntrySizeDaq),
			GranularitySTIM: int(ri.GranularityStim), MaxEntrySizeSTM: int(ri.MaxEntrySizeSt),
			TimestampSize: ri.TimestampMode.Size(), TimestampFixed: ri.TimestampMode.Fixed(),
			TimestampTicks: int(ri.TimestampTicks),
		}
		if ri.TimestampMode.Size() > 0 {
			d.Resolution.TimestampUnit = ri.TimestampMode.Unit().String()
		}
	case ns != "":
		d.Resolution = &Resolution{NotSupported: ns}
	}

	for ev := range min(int(pi.MaxEvent), maxEventsListed) {
		e, err := g.event(uint16(ev))
		if err != nil {
			return err
		}
		if e == nil { // GET_DAQ_EVENT_INFO not implemented
			break
		}
		d.Events = append(d.Events, *e)
	}
	if int(pi.MaxEvent) > maxEventsListed {
		g.r.Notes = append(g.r.Notes, fmt.Sprintf("DAQ: only the first %d of %d events are listed", maxEventsListed, pi.MaxEvent))
	}
	return nil
}

// event reads one event channel and its name; nil if the slave does not
// implement GET_DAQ_EVENT_INFO (noted in the report).
func (g *gatherer) event(n uint16) (*Event, error) {
	e := &Event{Number: int(n)}
	var r xcp.GetDaqEventInfoResponse
	ok, ns, err := g.check(fmt.Sprintf("GET_DAQ_EVENT_INFO %d", n), do(g.ctx, g.s, xcp.GetDaqEventInfo{Event: n}, &r))
	switch {
	case err != nil:
		return nil, err
	case ns != "":
		g.r.Notes = append(g.r.Notes, "DAQ events: "+ns)
		return nil, nil
	case !ok:
		e.Error = "GET_DAQ_EVENT_INFO failed"
		return e, nil
	}
	var dir []string
	if r.Properties&xcp.EventDAQ != 0 {
		dir = append(dir, "DAQ")
	}
	if r.Properties&xcp.EventSTIM != 0 {
		dir = append(dir, "STIM")
	}
	e.Direction = strings.Join(dir, "/")
	e.MaxDaqList, e.Priority, e.Consistency = int(r.MaxDaqList), int(r.Priority), r.Properties.Consistency()
	e.Cycle = "-"
	if r.TimeCycle != 0 {
		e.Cycle = fmt.Sprintf("%d × %s", r.TimeCycle, r.TimeUnit)
	}
	if r.NameLength > 0 {
		name, err := g.uploadMTA(int(r.NameLength))
		ok, _, err := g.check(fmt.Sprintf("UPLOAD of event %d name", n), err)
		if err != nil {
			return nil, err
		}
		if ok {
			e.Name = printable(name)
		}
	}
	return e, nil
}

func (d *DAQ) tables() []cmdutil.Table {
	if d == nil {
		return nil
	}
	if d.NotSupported != "" {
		return []cmdutil.Table{cmdutil.KV("Data acquisition (DAQ)", "DAQ", d.NotSupported)}
	}
	ts := []cmdutil.Table{cmdutil.KV("Data acquisition (DAQ)",
		"Configuration", d.ConfigType,
		"Properties", orDash(strings.Join(d.Properties, ", ")),
		"MAX_DAQ", strconv.Itoa(d.MaxDaq),
		"MIN_DAQ (predefined)", strconv.Itoa(d.MinDaq),
		"MAX_EVENT_CHANNEL", strconv.Itoa(d.MaxEvent),
		"Optimisation", d.Optimisation,
		"Address extension", d.AddressExt,
		"Identification field", fmt.Sprintf("%s (%d byte(s))", d.IdentField, d.IdentFieldSize))}
	if r := d.Resolution; r != nil {
		if r.NotSupported != "" {
			ts = append(ts, cmdutil.KV("DAQ resolution", "GET_DAQ_RESOLUTION_INFO", r.NotSupported))
		} else {
			stamp := "none"
			if r.TimestampSize > 0 {
				stamp = fmt.Sprintf("%d byte(s), %d × %s", r.TimestampSize, r.TimestampTicks, r.TimestampUnit)
				if r.TimestampFixed {
					stamp += ", fixed"
				}
			}
			ts = append(ts, cmdutil.KV("DAQ resolution",
				"ODT entry granularity DAQ/STIM", fmt.Sprintf("%d / %d", r.GranularityDaq, r.GranularitySTIM),
				"Max ODT entry size DAQ/STIM", fmt.Sprintf("%d / %d", r.MaxEntrySizeDaq, r.MaxEntrySizeSTM),
				"Timestamp", stamp))
		}
	}
	if len(d.Events) > 0 {
		t := cmdutil.Table{Title: "DAQ events", Header: []string{"#", "Name", "Direction", "Cycle", "Max lists", "Priority", "Consistency"}}
		for _, e := range d.Events {
			if e.Error != "" {
				t.Add(strconv.Itoa(e.Number), e.Error)
				continue
			}
			t.Add(strconv.Itoa(e.Number), orDash(e.Name), e.Direction, e.Cycle, strconv.Itoa(e.MaxDaqList), strconv.Itoa(e.Priority), e.Consistency)
		}
		ts = append(ts, t)
	}
	return ts
}
