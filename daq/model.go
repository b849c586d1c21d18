// Package daq is XCP data acquisition on top of goxcp/master (ASAM MCD-1 XCP
// 1.5 part 2, "data acquisition"): requests for DAQ lists (List, of
// goxcp/protocol/dto Measurements; files of lists are read by
// daq/listfile), the DAQ information of a slave with user overrides, the
// allocation of measurements to ODTs (a dto.Layout), configuring and
// starting DAQ on the slave, and receiving: reassembling ODTs into samples
// with host and slave timestamps, counting every loss, and handing raw
// frames to a FrameSink (the recorder) and decoded samples to Go consumers.
package daq

import (
	"fmt"
	"math"
	"strings"

	"github.com/goxcp/goxcp/protocol/dto"
)

// List asks for one DAQ list: measurements sampled together on one event,
// given by address or still by A2L name (Signals), to be configured
// (Allocate, Session.Setup) or found among the slave's predefined lists.
// The configured list, with its ODTs and the place of every measurement,
// is a dto.List in the session's dto.Layout.
type List struct {
	Name  string `json:"name"`
	Event uint16 `json:"event"`
	// EventName, if set, selects the event by the name the slave gives it
	// (GET_DAQ_EVENT_INFO); Setup resolves it into Event.
	EventName string `json:"event_name,omitempty"`
	Prescaler uint8  `json:"prescaler"` // 0 and 1 both mean every event cycle
	Priority  uint8  `json:"priority"`
	// Timestamps asks the slave for a timestamp in the first ODT.
	Timestamps   bool              `json:"timestamps"`
	Measurements []dto.Measurement `json:"measurements"`
	// Predefined uses the slave's predefined DAQ list Number instead of
	// configuring one: its ODTs are read back (READ_DAQ) and every
	// measurement must lie in one of its entries.
	Predefined bool   `json:"predefined,omitempty"`
	Number     uint16 `json:"number,omitempty"`
	// Signals are measurements given by A2L name (MEASUREMENT names or
	// INSTANCE paths) that the caller resolves into Measurements before
	// Setup (xcp record does it with --a2l); Setup refuses unresolved ones.
	Signals []string `json:"signals,omitempty"`
	// EventFromSignals is set by the list file parser for a list with
	// Signals but no event: the resolver takes the event the A2L declares
	// for the signals (IF_DATA XCP DAQ_EVENT).
	EventFromSignals bool `json:"-"`
	// Stim makes the list a STIM list (XCP 1.5 part 2, "stimulation"):
	// the master sends its DTOs (Stimulator) and the slave writes them into
	// its memory when the list's event occurs.
	Stim bool `json:"stim,omitempty"`
}

// placed returns the list as configured, without ODTs yet.
func (l *List) placed() *dto.List {
	return &dto.List{Name: l.Name, Number: l.Number, Event: l.Event, EventName: l.EventName, Prescaler: l.Prescaler,
		Priority: l.Priority, Timestamps: l.Timestamps, Stim: l.Stim, Predefined: l.Predefined,
		Measurements: append([]dto.Measurement(nil), l.Measurements...), Offsets: make([]int, len(l.Measurements))}
}

// Validate checks the list for errors a slave could not catch: names,
// types, masks and sizes. Errors name the list and the measurement.
func (l *List) Validate() error { return l.validate(false) }

// validate checks the list; with signals, A2L names still to be resolved
// count as measurements (a freshly loaded file).
func (l *List) validate(signals bool) error {
	if !signals && len(l.Signals) > 0 {
		return fmt.Errorf("DAQ list %q names signals %s by A2L name: resolve them first (xcp record --a2l FILE or --a2l-from-slave)", l.Name, strings.Join(l.Signals, ", "))
	}
	if l.Name == "" {
		return fmt.Errorf("DAQ list without a name")
	}
	if len(l.Measurements) == 0 && len(l.Signals) == 0 {
		return fmt.Errorf("DAQ list %q has no measurements", l.Name)
	}
	seen := map[string]bool{}
	for i, m := range l.Measurements {
		where := fmt.Sprintf("DAQ list %q: measurement %q (#%d)", l.Name, m.Name, i+1)
		if m.Name == "" {
			return fmt.Errorf("DAQ list %q: measurement #%d has no name", l.Name, i+1)
		}
		if seen[m.Name] {
			return fmt.Errorf("%s: name used twice in the list", where)
		}
		seen[m.Name] = true
		if !m.Type.Valid() {
			return fmt.Errorf("%s: no valid data type", where)
		}
		if m.BitMask != 0 {
			if m.Type.Float() {
				return fmt.Errorf("%s: a bit mask needs an integer type, not %s", where, m.Type)
			}
			if bits := 8 * m.Type.Size(); bits < 64 && m.BitMask>>bits != 0 {
				return fmt.Errorf("%s: mask 0x%X is wider than %s", where, m.BitMask, m.Type)
			}
		}
		if uint64(m.Address)+uint64(m.Type.Size()) > math.MaxUint32+1 {
			return fmt.Errorf("%s: address 0x%X + %d bytes passes the end of the 32-bit address space", where, m.Address, m.Type.Size())
		}
	}
	return nil
}

// ValidateLists checks every list and that list names are unique.
func ValidateLists(lists []List) error { return validateLists(lists, false) }

// ValidateUnresolved is ValidateLists for lists that may still name
// signals by A2L name (List.Signals), as a list file gives them before
// goxcp/a2ldaq resolves them.
func ValidateUnresolved(lists []List) error { return validateLists(lists, true) }

func validateLists(lists []List, signals bool) error {
	if len(lists) == 0 {
		return fmt.Errorf("no DAQ lists")
	}
	seen := map[string]bool{}
	for i := range lists {
		if err := lists[i].validate(signals); err != nil {
			return err
		}
		if seen[lists[i].Name] {
			return fmt.Errorf("DAQ list name %q used twice", lists[i].Name)
		}
		seen[lists[i].Name] = true
	}
	return nil
}
