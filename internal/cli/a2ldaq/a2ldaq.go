// Package a2ldaq builds DAQ lists (goxcp/daq) from A2L names: the signals
// of a recording given as MEASUREMENT names (or INSTANCE paths) and the
// event as its IF_DATA XCP EVENT name, resolved with goxcp/a2l/values.
// It is the glue the recording commands use for "DAQ by name".
package a2ldaq

import (
	"fmt"
	"strconv"

	"goxcp/a2l"
	"goxcp/a2l/values"
	"goxcp/daq"
)

// Type returns the DAQ data type of an A2L data type.
func Type(t a2l.DataType) (daq.Type, error) {
	switch t {
	case a2l.UByte:
		return daq.U8, nil
	case a2l.SByte:
		return daq.I8, nil
	case a2l.UWord:
		return daq.U16, nil
	case a2l.SWord:
		return daq.I16, nil
	case a2l.ULong:
		return daq.U32, nil
	case a2l.SLong:
		return daq.I32, nil
	case a2l.UInt64:
		return daq.U64, nil
	case a2l.Int64:
		return daq.I64, nil
	case a2l.Float16:
		return daq.F16, nil
	case a2l.Float32:
		return daq.F32, nil
	case a2l.Float64:
		return daq.F64, nil
	}
	return 0, fmt.Errorf("a2ldaq: data type %v has no DAQ equivalent", t)
}

// Measurements resolves one signal name to DAQ measurements: one for a
// scalar, one per element (named name[i]) for an array.
func Measurements(m *a2l.Module, name string) ([]daq.Measurement, *values.Signal, error) {
	s, err := values.ResolveSignal(m, name)
	if err != nil {
		return nil, nil, err
	}
	t, err := Type(s.Type)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if s.Count == 1 {
		return []daq.Measurement{{Name: s.Name, Addr: s.Address, Ext: s.Ext, Type: t, Mask: s.BitMask}}, s, nil
	}
	out := make([]daq.Measurement, s.Count)
	for i := range out {
		out[i] = daq.Measurement{Name: s.Name + "[" + strconv.Itoa(i) + "]", Addr: s.Address + uint32(i*s.Type.Size()), Ext: s.Ext, Type: t, Mask: s.BitMask}
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
		c, err := values.ResolveEvent(m, event)
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
