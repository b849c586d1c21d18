package daqengine

import (
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrConfig is matched (errors.Is) by errors reporting a bad Config.
var ErrConfig = errors.New("invalid DAQ configuration")

// Config configures the DAQ engine. The zero value is a
// dynamic DAQ processor with absolute ODT numbers, 4-byte timestamps in
// 1 µs, overload indication in the PID's MSB, and the events of
// DefaultEvents.
type Config struct {
	// IDField selects the identification field type of DTOs. With an
	// address granularity of WORD or DWORD the default (absolute ODT
	// number, 1 byte) is replaced by one that keeps DTO data aligned
	// (relative ODT and absolute DAQ byte, or word aligned).
	IDField xcp.IDField
	// Misaligned keeps an identification field that misaligns DTO data
	// under the address granularity (a faulty slave, for tests of the
	// master's checks).
	Misaligned bool
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

// PredefinedList is a predefined list: its ODTs, each a list of
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

// setDefaults fills in the defaults for a slave with packet format f
// (byte order, AG, MAX_DTO) and checks the configuration.
func (c *Config) setDefaults(f xcp.Format) error {
	switch c.TimestampSize {
	case 0:
		c.TimestampSize = 4
	case -1:
		c.TimestampSize = 0
	case 1, 2, 4:
	default:
		return fmt.Errorf("%w: timestamp size %d (want 1, 2, 4 or -1)", ErrConfig, c.TimestampSize)
	}
	if c.TimestampUnit == 0 && c.TimestampTicks == 0 {
		c.TimestampUnit = xcp.Unit1us
	}
	if !c.TimestampUnit.Valid() {
		return fmt.Errorf("%w: timestamp unit %d", ErrConfig, c.TimestampUnit)
	}
	if c.TimestampTicks == 0 {
		c.TimestampTicks = 1
	}
	if c.Events == nil {
		c.Events = DefaultEvents()
	}
	if len(c.Events) == 0 || len(c.Events) > 0xFFFF {
		return fmt.Errorf("%w: %d events", ErrConfig, len(c.Events))
	}
	for i, e := range c.Events {
		if e.Period < 0 || (e.Period > 0 && e.Period < 10*time.Microsecond) {
			return fmt.Errorf("%w: event %d %q: period %v (want 0 or at least 10µs)", ErrConfig, i, e.Name, e.Period)
		}
	}
	if c.MaxDaq == 0 {
		c.MaxDaq = 64
	}
	ag := f.AG.Size()
	if n := c.IDField.Len(); n%ag != 0 && c.IDField == xcp.IDAbsODT && !c.Misaligned {
		// DTO data must start on an element boundary (XCP part 2, the
		// identification field types): the default absolute ODT number
		// gives way to one the address granularity allows.
		c.IDField = xcp.IDRelODTAbsDAQWordAl
		if ag == 2 && c.MaxDaq <= 256 {
			c.IDField = xcp.IDRelODTAbsDAQByte
		}
	}
	if c.Granularity == 0 {
		c.Granularity = uint8(ag)
	}
	if g := c.Granularity; g != 1 && g != 2 && g != 4 && g != 8 {
		return fmt.Errorf("%w: granularity %d", ErrConfig, g)
	}
	if int(c.Granularity) < ag {
		return fmt.Errorf("%w: granularity %d is finer than the address granularity %s", ErrConfig, c.Granularity, f.AG)
	}
	if c.MaxEntrySize == 0 {
		c.MaxEntrySize = uint8(min(255, f.MaxDTO-c.IDField.Len()-c.TimestampSize))
		c.MaxEntrySize -= c.MaxEntrySize % c.Granularity
	}
	if len(c.Predefined) > 255 || len(c.Predefined) > int(c.MaxDaq) {
		return fmt.Errorf("%w: %d predefined lists (MAX_DAQ %d)", ErrConfig, len(c.Predefined), c.MaxDaq)
	}
	for i, p := range c.Predefined {
		if len(p.ODTs) == 0 {
			return fmt.Errorf("%w: predefined list %d has no ODTs", ErrConfig, i)
		}
		for j, o := range p.ODTs {
			n := c.IDField.Len() + c.TimestampSize
			for _, e := range o {
				n += int(e.Size)
			}
			if len(o) == 0 || n > f.MaxDTO {
				return fmt.Errorf("%w: predefined list %d ODT %d is empty or exceeds MAX_DTO", ErrConfig, i, j)
			}
		}
		if p.FixedEvent != nil && int(*p.FixedEvent) >= len(c.Events) {
			return fmt.Errorf("%w: predefined list %d: fixed event %d does not exist", ErrConfig, i, *p.FixedEvent)
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
			return fmt.Errorf("%w: static %d×%d×%d exceeds the limits", ErrConfig, c.StaticLists, c.StaticODTs, c.StaticEntries)
		}
		c.MaxDaq = uint16(len(c.Predefined) + c.StaticLists)
	}
	return nil
}
