package sim

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// DAQConfig configures the simulator's DAQ processor. The zero value is a
// dynamic DAQ processor with absolute ODT numbers, 4-byte timestamps in
// 1 µs, overload indication in the PID's MSB, and the events of
// DefaultEvents.
type DAQConfig struct {
	// IDField selects the identification field type of DTOs.
	IDField xcp.IDField
	// TimestampSize is 1, 2 or 4 bytes; 0 means 4 and -1 no timestamps.
	TimestampSize int
	// TimestampUnit and TimestampTicks scale the timestamp (ticks 0 = 1;
	// unit zero value = 1 ns, so set it: DefaultDAQ uses 1 µs).
	TimestampUnit  xcp.TimestampUnit
	TimestampTicks uint16
	// Events are the event channels; nil means DefaultEvents().
	Events []EventConfig
	// MaxDaq is the number of DAQ lists the slave can hold (0 = 64).
	MaxDaq uint16
	// Granularity is GRANULARITY_ODT_ENTRY_SIZE_DAQ (0 = 1);
	// MaxEntrySize is MAX_ODT_ENTRY_SIZE_DAQ (0 = 255 or less as MAX_DTO allows).
	// Both count bytes; with a WORD or DWORD address granularity the
	// granularity is at least the AG (0 = the AG) and the slave announces
	// MaxEntrySize in AG elements (as WRITE_DAQ sizes count).
	Granularity  uint8
	MaxEntrySize uint8
	// AddrExt is the address extension rule announced (and enforced).
	AddrExt xcp.AddrExtRule
	// OverloadEvent indicates overload with EV_DAQ_OVERLOAD instead of the
	// PID's most significant bit.
	OverloadEvent bool
	// Static makes the DAQ configuration static: StaticLists lists of
	// StaticODTs ODTs with StaticEntries entries each (0 = 4, 8, 16),
	// filled with CLEAR_DAQ_LIST / SET_DAQ_PTR / WRITE_DAQ.
	Static                                 bool
	StaticLists, StaticODTs, StaticEntries int
	// Predefined are DAQ lists the slave holds from the start (numbers
	// 0…len-1, MIN_DAQ = len): their ODTs cannot be changed by the master.
	Predefined []PredefinedList
	// Lenient accepts a second SET_DAQ_LIST_MODE on a list without a new
	// allocation. By default the simulator rejects it with ERR_SEQUENCE,
	// because real slaves (XCPlite) misbehave on that sequence.
	Lenient bool
	// StimTimeout sends EV_STIM_TIMEOUT when the event of a running STIM
	// list occurs without STIM data (counted in StimStats either way).
	StimTimeout bool
}

// PredefinedList is a predefined DAQ list: its ODTs, each a list of
// entries (byte sizes, BitOffset 0xFF), and optionally a fixed event.
type PredefinedList struct {
	ODTs       [][]xcp.DaqElement
	FixedEvent *uint16
}

// EventConfig is one event channel. Period 0 makes a free-running event
// that samples as fast as the connection accepts DTOs.
type EventConfig struct {
	Name   string
	Period time.Duration
	// NoStim makes the event DAQ-only (by default events serve DAQ and
	// STIM lists).
	NoStim bool
	// StimODTConsistency applies received STIM ODTs one by one; by
	// default (consistency DAQ) a STIM list is written only when all its
	// ODTs arrived since the last event cycle.
	StimODTConsistency bool
}

// DefaultEvents returns the default event channels: "1ms", "10ms",
// "100ms" and the free-running "max".
func DefaultEvents() []EventConfig {
	return []EventConfig{{Name: "1ms", Period: time.Millisecond}, {Name: "10ms", Period: 10 * time.Millisecond},
		{Name: "100ms", Period: 100 * time.Millisecond}, {Name: "max"}}
}

func (c *DAQConfig) setDefaults(cfg *Config) error {
	switch c.TimestampSize {
	case 0:
		c.TimestampSize = 4
	case -1:
		c.TimestampSize = 0
	case 1, 2, 4:
	default:
		return fmt.Errorf("%w: DAQ timestamp size %d (want 1, 2, 4 or -1)", ErrConfig, c.TimestampSize)
	}
	if c.TimestampUnit == 0 && c.TimestampTicks == 0 {
		c.TimestampUnit = xcp.Unit1us
	}
	if !c.TimestampUnit.Valid() {
		return fmt.Errorf("%w: DAQ timestamp unit %d", ErrConfig, c.TimestampUnit)
	}
	if c.TimestampTicks == 0 {
		c.TimestampTicks = 1
	}
	if c.Events == nil {
		c.Events = DefaultEvents()
	}
	if len(c.Events) == 0 || len(c.Events) > 0xFFFF {
		return fmt.Errorf("%w: %d DAQ events", ErrConfig, len(c.Events))
	}
	for i, e := range c.Events {
		if e.Period < 0 || (e.Period > 0 && e.Period < 10*time.Microsecond) {
			return fmt.Errorf("%w: event %d %q: period %v (want 0 or at least 10µs)", ErrConfig, i, e.Name, e.Period)
		}
	}
	if c.MaxDaq == 0 {
		c.MaxDaq = 64
	}
	ag := cfg.AG.Size()
	if c.Granularity == 0 {
		c.Granularity = uint8(ag)
	}
	if g := c.Granularity; g != 1 && g != 2 && g != 4 && g != 8 {
		return fmt.Errorf("%w: DAQ granularity %d", ErrConfig, g)
	}
	if int(c.Granularity) < ag {
		return fmt.Errorf("%w: DAQ granularity %d is finer than the address granularity %s", ErrConfig, c.Granularity, cfg.AG)
	}
	if c.MaxEntrySize == 0 {
		c.MaxEntrySize = uint8(min(255, cfg.MaxDTO-c.IDField.Len()-c.TimestampSize))
		c.MaxEntrySize -= c.MaxEntrySize % c.Granularity
	}
	if len(c.Predefined) > 255 || len(c.Predefined) > int(c.MaxDaq) {
		return fmt.Errorf("%w: %d predefined DAQ lists (MAX_DAQ %d)", ErrConfig, len(c.Predefined), c.MaxDaq)
	}
	for i, p := range c.Predefined {
		if len(p.ODTs) == 0 {
			return fmt.Errorf("%w: predefined DAQ list %d has no ODTs", ErrConfig, i)
		}
		for j, o := range p.ODTs {
			n := c.IDField.Len() + c.TimestampSize
			for _, e := range o {
				n += int(e.Size)
			}
			if len(o) == 0 || n > cfg.MaxDTO {
				return fmt.Errorf("%w: predefined DAQ list %d ODT %d is empty or exceeds MAX_DTO", ErrConfig, i, j)
			}
		}
		if p.FixedEvent != nil && int(*p.FixedEvent) >= len(c.Events) {
			return fmt.Errorf("%w: predefined DAQ list %d: fixed event %d does not exist", ErrConfig, i, *p.FixedEvent)
		}
	}
	if c.AddrExt == xcp.AEReserved {
		return fmt.Errorf("%w: address extension rule 2 is reserved", ErrConfig)
	}
	if c.IDField > xcp.IDRelODTAbsDAQWordAl {
		return fmt.Errorf("%w: identification field type %d", ErrConfig, c.IDField)
	}
	if c.Static {
		if c.StaticLists == 0 {
			c.StaticLists = 4
		}
		if c.StaticODTs == 0 {
			c.StaticODTs = 8
		}
		if c.StaticEntries == 0 {
			c.StaticEntries = 16
		}
		if len(c.Predefined)+c.StaticLists > 0xFFFF || c.StaticODTs > 0x7C || c.StaticEntries > 255 {
			return fmt.Errorf("%w: static DAQ %d×%d×%d exceeds the limits", ErrConfig, c.StaticLists, c.StaticODTs, c.StaticEntries)
		}
		c.MaxDaq = uint16(len(c.Predefined) + c.StaticLists)
	}
	return nil
}

// simODT is one ODT on the slave.
type simODT struct {
	entries []xcp.DaqElement
}

// simList is one DAQ list on the slave.
type simList struct {
	odts      []simODT
	mode      xcp.DaqListMode // SET_DAQ_LIST_MODE bits
	modeSet   bool
	event     uint16
	prescaler uint8
	priority  uint8
	selected  bool
	running   bool
	predef    bool
	fixed     *uint16 // fixed event
	firstPID  uint8
	count     uint32 // event cycles seen (prescaler)
	stim      stimState
}

// daqSlave is the slave-wide DAQ state (guarded by Slave.mu).
type daqSlave struct {
	cfg   DAQConfig
	lists []simList
	// allocation sequence of dynamic DAQ: 0 free, 1 DAQ, 2 ODT, 3 entries
	alloc   int
	ptr     daqPtr
	runners map[uint16]*runner // running event channels

	drop                                atomic.Int64 // DTOs still to drop (fault switch)
	overload                            atomic.Int64 // DTOs still to flag as overloaded
	nDTO, nDropped, nOverload, nSamples atomic.Uint64
	stim                                StimStats
}

type daqPtr struct {
	valid      bool
	list       uint16
	odt, entry int
}

// DAQStats counts what the simulator's DAQ processor sent.
type DAQStats struct {
	DTOs       uint64 // DTOs sent
	Dropped    uint64 // DTOs dropped by the DropDTOs fault switch
	Overloaded uint64 // DTOs flagged as overloaded (or EV_DAQ_OVERLOAD sent)
	Samples    uint64 // DAQ list samples taken
}

// daqSession is the per-connection DAQ state.
type daqSession struct{}

// daqInit is called once by New (before the slave is shared).
func (s *Slave) daqInit() {
	d := &s.daq
	d.runners = map[uint16]*runner{}
	d.cfg = s.cfg.DAQ
	d.lists = d.predefinedLists()
	if d.cfg.Static {
		for range d.cfg.StaticLists {
			l := simList{odts: make([]simODT, d.cfg.StaticODTs)}
			for j := range l.odts {
				l.odts[j].entries = make([]xcp.DaqElement, d.cfg.StaticEntries)
			}
			d.lists = append(d.lists, l)
		}
	}
	s.assignPIDs()
}

// predefinedLists returns fresh copies of the predefined lists.
func (d *daqSlave) predefinedLists() []simList {
	var ls []simList
	for _, p := range d.cfg.Predefined {
		l := simList{predef: true, fixed: p.FixedEvent}
		if p.FixedEvent != nil {
			l.event = *p.FixedEvent
		}
		for _, o := range p.ODTs {
			l.odts = append(l.odts, simODT{entries: append([]xcp.DaqElement(nil), o...)})
		}
		ls = append(ls, l)
	}
	return ls
}

// minDaq is the number of predefined lists.
func (d *daqSlave) minDaq() int { return len(d.cfg.Predefined) }

// daqReset is called with s.mu held on CONNECT, DISCONNECT and when the
// connection ends: stop DAQ lists of this session.
func (ss *session) daqReset() {
	s := ss.slave
	s.stopRunners(func(*simList) bool { return true })
	for i := range s.daq.lists {
		l := &s.daq.lists[i]
		l.running, l.selected = false, false
	}
}

// daqRunning reports (with s.mu held) whether any DAQ list is running; it
// feeds GET_STATUS (DAQ_RUNNING) and makes PROGRAM_START fail with
// ERR_DAQ_ACTIVE.
func (s *Slave) daqRunning() bool {
	for i := range s.daq.lists {
		if s.daq.lists[i].running {
			return true
		}
	}
	return false
}

// daqA2L appends the DAQ part of IF_DATA XCP (DAQ, EVENT …) to the A2L
// served by GET_ID type 4 (called with s.mu held).
func (s *Slave) daqA2L(b *strings.Builder) {
	c := &s.daq.cfg
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

// daqCommands lists the DAQ commands the DAQ part implements (declared as
// OPTIONAL_CMD in the A2L).
func (s *Slave) daqCommands() []xcp.Command {
	cmds := []xcp.Command{xcp.CmdClearDaqList, xcp.CmdSetDaqPtr, xcp.CmdWriteDaq, xcp.CmdSetDaqListMode,
		xcp.CmdGetDaqListMode, xcp.CmdStartStopDaqList, xcp.CmdStartStopSynch, xcp.CmdGetDaqClock,
		xcp.CmdReadDaq, xcp.CmdGetDaqProcessorInfo, xcp.CmdGetDaqResolutionInfo, xcp.CmdGetDaqListInfo,
		xcp.CmdGetDaqEventInfo, xcp.CmdWriteDaqMultiple}
	if !s.daq.cfg.Static {
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

// DropDTOs makes the slave drop the next n DTOs it would send (a fault
// switch to test loss detection). Dropped DTOs are counted in DAQStats.
func (s *Slave) DropDTOs(n int) { s.daq.drop.Store(int64(max(0, n))) }

// OverloadDTOs makes the slave indicate an overload on the next n DTOs: by
// setting the PID's MSB, or with EV_DAQ_OVERLOAD if DAQConfig.OverloadEvent.
func (s *Slave) OverloadDTOs(n int) { s.daq.overload.Store(int64(max(0, n))) }

// DAQStats returns the DAQ counters.
func (s *Slave) DAQStats() DAQStats {
	d := &s.daq
	return DAQStats{DTOs: d.nDTO.Load(), Dropped: d.nDropped.Load(), Overloaded: d.nOverload.Load(), Samples: d.nSamples.Load()}
}
