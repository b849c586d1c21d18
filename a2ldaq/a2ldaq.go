// Package a2ldaq builds DAQ lists (goxcp/daq) from A2L names: the signals
// of a recording given as MEASUREMENT names (or INSTANCE paths) and the
// event as its IF_DATA XCP EVENT name, resolved with goxcp/a2l/values.
// It is the glue the recording commands use for "DAQ by name".
package a2ldaq

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
)

// Type returns the DAQ data type of an A2L data type.
func Type(t a2l.DataType) (dto.Type, error) {
	switch t {
	case a2l.UByte:
		return dto.U8, nil
	case a2l.SByte:
		return dto.I8, nil
	case a2l.UWord:
		return dto.U16, nil
	case a2l.SWord:
		return dto.I16, nil
	case a2l.ULong:
		return dto.U32, nil
	case a2l.SLong:
		return dto.I32, nil
	case a2l.UInt64:
		return dto.U64, nil
	case a2l.Int64:
		return dto.I64, nil
	case a2l.Float16:
		return dto.F16, nil
	case a2l.Float32:
		return dto.F32, nil
	case a2l.Float64:
		return dto.F64, nil
	}
	return 0, fmt.Errorf("a2ldaq: data type %v has no DAQ equivalent", t)
}

// Measurements resolves one signal name to DAQ measurements: one for a
// scalar, one per element (named name[i]) for an array.
func Measurements(m *a2l.Module, name string) ([]dto.Measurement, *cal.Signal, error) {
	s, err := cal.ResolveSignal(m, name)
	if err != nil {
		return nil, nil, err
	}
	t, err := Type(s.Type)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if s.Count == 1 {
		return []dto.Measurement{{Name: s.Name, Address: s.Address, Extension: s.Ext, Type: t, BitMask: s.BitMask}}, s, nil
	}
	out := make([]dto.Measurement, s.Count)
	for i := range out {
		out[i] = dto.Measurement{Name: s.Name + "[" + strconv.Itoa(i) + "]", Address: s.Address + uint32(i*s.Type.Size()), Extension: s.Ext, Type: t, BitMask: s.BitMask}
	}
	return out, s, nil
}

// List builds a DAQ list sampling signals on event. event is an EVENT name
// of the A2L's IF_DATA XCP or a channel number; "" takes the DAQ_EVENT of
// the first signal that declares one.
func List(m *a2l.Module, name, event string, signals []string, timestamps bool) (daq.List, error) {
	l := daq.List{Name: name, Timestamps: timestamps}
	ch := -1
	if event != "" {
		c, err := cal.ResolveEvent(m, event)
		if err != nil {
			return l, err
		}
		ch = int(c)
	}
	for _, n := range signals {
		ms, s, err := Measurements(m, n)
		if err != nil {
			return l, err
		}
		if ch < 0 && s.Event >= 0 {
			ch = s.Event
		}
		l.Measurements = append(l.Measurements, ms...)
	}
	if ch < 0 {
		return l, fmt.Errorf("a2ldaq: list %q: no event given and no signal declares a DAQ_EVENT; name one", name)
	}
	l.Event = uint16(ch)
	return l, nil
}

// Resolved describes where the measurements of a list that came from A2L
// signals got their conversion: per measurement name, the signal.
type Resolved map[string]*cal.Signal

// Resolve turns the A2L names of lists (daq.List.Signals) into
// measurements appended after the list's address-based ones, and an event
// name that the A2L's IF_DATA XCP knows into its channel (other event
// names are left for the slave's GET_DAQ_EVENT_INFO names); a list
// without an event (EventFromSignals) gets the DAQ_EVENT of its first
// signal that declares one. It returns,
// per list index, the signal of every measurement it added. m may be nil
// only if no list names signals or events the A2L has to resolve.
func Resolve(m *a2l.Module, lists []daq.List) ([]Resolved, error) {
	out := make([]Resolved, len(lists))
	for i := range lists {
		l := &lists[i]
		if m != nil && l.EventName != "" {
			if ch, err := cal.ResolveEvent(m, l.EventName); err == nil {
				l.Event, l.EventName = ch, ""
			}
		}
		if len(l.Signals) == 0 {
			continue
		}
		if m == nil {
			return nil, fmt.Errorf("DAQ list %q names signals by A2L name (%s): give --a2l FILE or --a2l-from-slave", l.Name, strings.Join(l.Signals, ", "))
		}
		out[i] = Resolved{}
		ch := -1
		var added []dto.Measurement
		for _, n := range l.Signals {
			ms, s, err := Measurements(m, n)
			if err != nil {
				return nil, fmt.Errorf("DAQ list %q: signal %q: %w%s", l.Name, n, err, Suggest(m, n))
			}
			for _, x := range ms {
				out[i][x.Name] = s
			}
			if ch < 0 && s.Event >= 0 {
				ch = s.Event
			}
			added = append(added, ms...)
		}
		if l.EventFromSignals {
			if ch < 0 {
				return nil, fmt.Errorf("DAQ list %q: no event given and no signal declares a DAQ_EVENT in the A2L; give event = \"<EVENT name>\" or a channel number", l.Name)
			}
			l.Event, l.EventName, l.EventFromSignals = uint16(ch), "", false
		}
		if l.EventName == "" { // the event is known (an unresolved name is the slave's to resolve)
			for _, n := range l.Signals {
				if err := checkFixedEvent(m, l, n); err != nil {
					return nil, err
				}
			}
		}
		l.Measurements = append(l.Measurements, added...)
		l.Signals = nil
	}
	return out, nil
}

// Needs reports whether Resolve needs the A2L module for lists: a list
// names signals, or (given: the A2L was given explicitly) an event by name.
func Needs(lists []daq.List, given bool) bool {
	for _, l := range lists {
		if len(l.Signals) > 0 || (given && l.EventName != "") {
			return true
		}
	}
	return false
}

// Suggest returns "; did you mean …?" with up to five names of the module
// close to name, or "" if none is close or name exists (cal.Suggest).
func Suggest(m *a2l.Module, name string) string { return cal.Suggest(m, name) }

// checkFixedEvent refuses a signal whose IF_DATA XCP DAQ_EVENT has a
// FIXED_EVENT_LIST without the list's event: such an object can only be
// sampled on those events (XCPlite's stack variables, for one, belong to
// one event; the slave answers ERR_DAQ_CONFIG, others would sample it at
// the wrong time).
func checkFixedEvent(m *a2l.Module, l *daq.List, name string) error {
	d, err := cal.Describe(m, name)
	if err != nil {
		return err
	}
	ev, err := ifxcp.Events(d.Obj.Common())
	if err != nil {
		return fmt.Errorf("DAQ list %q: signal %q: %w", l.Name, name, err)
	}
	if ev == nil || len(ev.Fixed) == 0 || slices.Contains(ev.Fixed, l.Event) {
		return nil
	}
	want := make([]string, len(ev.Fixed))
	for i, e := range ev.Fixed {
		want[i] = strconv.Itoa(int(e))
	}
	return fmt.Errorf("DAQ list %q: signal %q can only be measured on event %s (FIXED_EVENT_LIST in its A2L IF_DATA), the list uses event %d; set event = %s",
		l.Name, name, strings.Join(want, " or "), l.Event, want[0])
}
