package daqengine

import (
	"fmt"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// A2L appends the DAQ part of IF_DATA XCP (DAQ, EVENT …) to the A2L the
// slave serves.
func (e *Engine) A2L(b *strings.Builder) {
	c := &e.cfg
	kind := "DYNAMIC"
	if c.Static {
		kind = "STATIC"
	}
	ts := map[int]string{0: "NO_TIME_STAMP", 1: "SIZE_BYTE", 2: "SIZE_WORD", 4: "SIZE_DWORD"}[c.TimestampSize]
	unit := "UNIT_" + strings.ToUpper(c.TimestampUnit.String())
	ov := "OVERLOAD_INDICATION_PID"
	if c.OverloadEvent {
		ov = "OVERLOAD_INDICATION_EVENT"
	}
	idf := [...]string{"IDENTIFICATION_FIELD_TYPE_ABSOLUTE", "IDENTIFICATION_FIELD_TYPE_RELATIVE_BYTE",
		"IDENTIFICATION_FIELD_TYPE_RELATIVE_WORD", "IDENTIFICATION_FIELD_TYPE_RELATIVE_WORD_ALIGNED"}[c.IDField]
	ae := map[xcp.AddrExtRule]string{xcp.AEFree: "ADDRESS_EXTENSION_FREE", xcp.AESameODT: "ADDRESS_EXTENSION_ODT",
		xcp.AESameDaqLst: "ADDRESS_EXTENSION_DAQ"}[c.AddrExt]
	gran := map[uint8]string{1: "BYTE", 2: "WORD", 4: "DWORD", 8: "DLONG"}[c.Granularity]
	fmt.Fprintf(b, "      /begin DAQ %s 0x%04X 0x%04X 0x%02X OPTIMISATION_TYPE_DEFAULT %s %s GRANULARITY_ODT_ENTRY_SIZE_DAQ_%s 0x%02X %s\n",
		kind, c.MaxDaq, len(c.Events), len(c.Predefined), ae, idf, gran, c.MaxEntrySize, ov)
	if c.TimestampSize > 0 {
		fmt.Fprintf(b, "        /begin TIMESTAMP_SUPPORTED 0x%04X %s %s /end TIMESTAMP_SUPPORTED\n", c.TimestampTicks, ts, unit)
	}
	for i, e := range c.Events {
		cyc, u := eventCycle(e.Period)
		kind := "DAQ_STIM"
		if e.NoStim {
			kind = "DAQ"
		}
		fmt.Fprintf(b, "        /begin EVENT \"%s\" \"%s\" 0x%04X %s 0xFF %d %d 0 /end EVENT\n", e.Name, e.Name, i, kind, cyc, u)
	}
	fmt.Fprintf(b, "      /end DAQ\n")
}

// Commands lists the DAQ commands the engine implements (declared as
// OPTIONAL_CMD in the A2L).
func (e *Engine) Commands() []xcp.Command {
	cmds := []xcp.Command{xcp.CmdClearDaqList, xcp.CmdSetDaqPtr, xcp.CmdWriteDaq, xcp.CmdSetDaqListMode,
		xcp.CmdGetDaqListMode, xcp.CmdStartStopDaqList, xcp.CmdStartStopSynch, xcp.CmdGetDaqClock,
		xcp.CmdReadDaq, xcp.CmdGetDaqProcessorInfo, xcp.CmdGetDaqResolutionInfo, xcp.CmdGetDaqListInfo,
		xcp.CmdGetDaqEventInfo, xcp.CmdWriteDaqMultiple}
	if !e.cfg.Static {
		cmds = append(cmds, xcp.CmdFreeDaq, xcp.CmdAllocDaq, xcp.CmdAllocOdt, xcp.CmdAllocOdtEntry)
	}
	return cmds
}

// eventCycle expresses a period as an XCP time cycle (≤ 255) and unit.
func eventCycle(p time.Duration) (uint8, xcp.TimestampUnit) {
	if p <= 0 {
		return 0, xcp.Unit1ms
	}
	ps := uint64(p) * 1000
	for u := xcp.Unit1ns; u <= xcp.Unit1s; u++ {
		if c := ps / u.Picoseconds(); c <= 255 && c*u.Picoseconds() == ps {
			return uint8(c), u
		}
	}
	for u := xcp.Unit1ns; u <= xcp.Unit1s; u++ {
		if c := ps / u.Picoseconds(); c <= 255 {
			return uint8(max(c, 1)), u
		}
	}
	return 255, xcp.Unit1s
}
