package cal

import (
	"fmt"
	"math/bits"
	"strconv"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/compu"
)

// Signal is a measurable object resolved for DAQ: where to sample it (an
// ODT entry of Count×Type.Size() bytes at Address/Ext) and how to turn
// the sampled bytes into physical values.
type Signal struct {
	Name      string
	Address   uint32
	Ext       uint8
	Type      a2l.DataType
	Count     int // elements (1 for scalars)
	ByteOrder a2l.ByteOrder
	BitMask   uint64 // 0 = none
	Event     int    // preferred event channel from IF_DATA XCP DAQ_EVENT, -1 if none
	Unit      string
	Conv      *compu.Conv
	// LongID is the A2L long identifier (description) of the object.
	LongID string
	// Limits are the A2L lower and upper limits (physical values).
	Limits a2l.Limits
}

// Size returns the number of bytes to sample.
func (s *Signal) Size() int { return s.Count * s.Type.Size() }

// Raw decodes element i of the sampled bytes b to its raw value.
func (s *Signal) Raw(b []byte, i int) (float64, error) {
	sz := s.Type.Size()
	if (i+1)*sz > len(b) || i < 0 {
		return 0, fmt.Errorf("values: %s: element %d needs %d bytes, have %d", s.Name, i, (i+1)*sz, len(b))
	}
	eb := b[i*sz:]
	if s.BitMask != 0 && !s.Type.Float() {
		return float64((rawBits(eb, s.Type, s.ByteOrder) & s.BitMask) >> bits.TrailingZeros64(s.BitMask)), nil
	}
	return decodeRaw(eb, s.Type, s.ByteOrder)
}

// Phys decodes element i of b to its physical value (the raw value for
// verbal conversions; use Conv.Text for the text).
func (s *Signal) Phys(b []byte, i int) (float64, error) {
	r, err := s.Raw(b, i)
	if err != nil {
		return 0, err
	}
	return s.Conv.Phys(r), nil
}

// ResolveSignal resolves a MEASUREMENT (or a VALUE/VAL_BLK CHARACTERISTIC,
// or an INSTANCE path reaching one) for DAQ.
func ResolveSignal(m *a2l.Module, name string) (*Signal, error) {
	d, err := Describe(m, name)
	if err != nil {
		return nil, err
	}
	if d.rl != nil && (len(d.axes) > 0 || d.kind == "AXIS_PTS" || d.kind == "ASCII") {
		return nil, fmt.Errorf("values: %s is a %s; DAQ samples MEASUREMENTs and VALUE/VAL_BLK characteristics", name, d.kind)
	}
	if d.rl != nil && d.Size != d.count*d.dt.Size() {
		return nil, fmt.Errorf("values: %s: RECORD_LAYOUT %s has more than the values; not measurable as one block", name, d.rl.Name)
	}
	if d.kind == "BLOB" {
		return nil, fmt.Errorf("values: %s is a BLOB; DAQ samples MEASUREMENTs", name)
	}
	s := &Signal{Name: d.Name, Address: d.Address, Ext: d.Ext, Type: d.dt, Count: d.count, ByteOrder: d.order, BitMask: d.mask, Event: -1, Unit: d.unit, Conv: d.conv, Limits: d.limits}
	switch o := d.Obj; {
	case o == nil:
	case o.Measurement != nil:
		s.LongID = o.Measurement.LongID
	case o.Characteristic != nil:
		s.LongID = o.Characteristic.LongID
	}
	ev, err := ifxcp.Events(d.Obj.Common())
	if err != nil {
		return nil, err
	}
	if ch, ok := ev.Preferred(); ok {
		s.Event = int(ch)
	}
	return s, nil
}

// ResolveEvent returns the event channel for an EVENT of the module's
// IF_DATA XCP DAQ block given by name or short name; a plain number is
// taken as the channel itself.
func ResolveEvent(m *a2l.Module, name string) (uint16, error) {
	x, err := ifxcp.Decode(m)
	if err != nil {
		return 0, err
	}
	if x != nil && x.DAQ != nil {
		if e := x.DAQ.Event(name); e != nil {
			return e.Channel, nil
		}
	}
	if n, err := strconv.ParseUint(name, 0, 16); err == nil {
		return uint16(n), nil
	}
	var names []string
	if x != nil && x.DAQ != nil {
		for _, e := range x.DAQ.Events {
			names = append(names, strconv.Quote(e.Name))
		}
	}
	return 0, fmt.Errorf("values: no DAQ EVENT %q in the A2L (events: %v)", name, names)
}
