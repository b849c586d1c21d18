package info

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/slaveinfo"
)

// daqTables renders the DAQ part of the report (nil: none).
func daqTables(d *slaveinfo.DAQ) []cmdutil.Table {
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
			t.Add(strconv.Itoa(e.Number), orDash(e.Name), e.Direction, e.Cycle, strconv.Itoa(e.MaxDaqList), strconv.Itoa(e.Priority), e.Consistency)
		}
		ts = append(ts, t)
	}
	return ts
}
