package a2l

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind is the kind of a resolved object.
type Kind uint8

// Object kinds.
const (
	KindMeasurement Kind = iota + 1
	KindCharacteristic
	KindAxisPts
	KindBlob
)

// String returns the Kind's name as the specification spells it.
func (k Kind) String() string {
	switch k {
	case KindMeasurement:
		return "MEASUREMENT"
	case KindCharacteristic:
		return "CHARACTERISTIC"
	case KindAxisPts:
		return "AXIS_PTS"
	case KindBlob:
		return "BLOB"
	}
	return "?"
}

// Object is a named thing in ECU memory: a MEASUREMENT, CHARACTERISTIC,
// AXIS_PTS or BLOB, either declared directly or reached through an
// INSTANCE of a typedef ("inst.component[2].field"). Exactly one of the
// pointers is set; for objects reached through an INSTANCE it is a
// synthesised object carrying the dotted name and the computed address.
type Object struct {
	Kind           Kind
	Measurement    *Measurement
	Characteristic *Characteristic
	AxisPts        *AxisPts
	Blob           *Blob
	Instance       *Instance // the INSTANCE the object was reached through, if any
}

// Name returns the object's (dotted) name.
func (o *Object) Name() string {
	switch o.Kind {
	case KindMeasurement:
		return o.Measurement.Name
	case KindCharacteristic:
		return o.Characteristic.Name
	case KindAxisPts:
		return o.AxisPts.Name
	case KindBlob:
		return o.Blob.Name
	}
	return ""
}

// Common returns the memory attributes (address, extension, ...).
func (o *Object) Common() *Common {
	switch o.Kind {
	case KindMeasurement:
		return &o.Measurement.Common
	case KindCharacteristic:
		return &o.Characteristic.Common
	case KindAxisPts:
		return &o.AxisPts.Common
	case KindBlob:
		return &o.Blob.Common
	}
	return &Common{}
}

// ErrNotFound is returned (wrapped) when a name resolves to nothing.
var ErrNotFound = errors.New("not found")

// Resolve finds a memory object by name in O(1) for declared objects and
// O(path length) for paths through INSTANCEs of TYPEDEF_STRUCTUREs, such
// as "params.curve", "local_struct1.array_struct_field[3].word_field" or
// "points_[7].x".
func (m *Module) Resolve(name string) (*Object, error) {
	if v := m.idx.meas[name]; v != nil {
		return &Object{Kind: KindMeasurement, Measurement: v}, nil
	}
	if v := m.idx.chars[name]; v != nil {
		return &Object{Kind: KindCharacteristic, Characteristic: v}, nil
	}
	if v := m.idx.axisPts[name]; v != nil {
		return &Object{Kind: KindAxisPts, AxisPts: v}, nil
	}
	if v := m.idx.blobs[name]; v != nil {
		return &Object{Kind: KindBlob, Blob: v}, nil
	}
	// Instance prefix: the instance name ends before a '.' or '['.
	for i := 0; i < len(name); i++ {
		if name[i] != '.' && name[i] != '[' {
			continue
		}
		if in := m.idx.instances[name[:i]]; in != nil {
			return m.resolveInstance(in, name, name[i:])
		}
	}
	if in := m.idx.instances[name]; in != nil {
		return m.resolveInstance(in, name, "")
	}
	return nil, fmt.Errorf("a2l: %q: %w (no MEASUREMENT, CHARACTERISTIC, AXIS_PTS, BLOB or INSTANCE path of that name in module %s)", name, ErrNotFound, m.Name)
}

func (m *Module) resolveInstance(in *Instance, full, path string) (*Object, error) {
	addr := uint64(in.Address)
	typ := in.Typedef
	dims := in.MatrixDim
	where := in.Name
	for path != "" {
		switch path[0] {
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, fmt.Errorf("a2l: %q: missing ']' after %s", full, where)
			}
			idx, err := strconv.Atoi(path[1:end])
			if err != nil || idx < 0 {
				return nil, fmt.Errorf("a2l: %q: bad index %q after %s", full, path[1:end], where)
			}
			if len(dims) == 0 {
				return nil, fmt.Errorf("a2l: %q: %s is not an array", full, where)
			}
			if idx >= dims[0] {
				return nil, fmt.Errorf("a2l: %q: index %d out of range for %s (dimension %d)", full, idx, where, dims[0])
			}
			elem, err := m.typedefSize(typ)
			if err != nil {
				return nil, fmt.Errorf("a2l: %q: %w", full, err)
			}
			for _, d := range dims[1:] {
				elem *= uint64(d)
			}
			addr += uint64(idx) * elem
			dims = dims[1:]
			where += path[:end+1]
			path = path[end+1:]
		case '.':
			if len(dims) != 0 {
				return nil, fmt.Errorf("a2l: %q: %s is an array of %d; index it first, e.g. %s[0]", full, where, dims[0], where)
			}
			s := m.idx.tdStructs[typ]
			if s == nil {
				return nil, fmt.Errorf("a2l: %q: %s (%s) is not a structure", full, where, typ)
			}
			end := strings.IndexAny(path[1:], ".[")
			comp := path[1:]
			if end >= 0 {
				comp = path[1 : end+1]
			}
			c := s.byName[comp]
			if c == nil {
				return nil, fmt.Errorf("a2l: %q: %w: structure %s has no component %q (components: %s)", full, ErrNotFound, s.Name, comp, componentNames(s))
			}
			addr += uint64(c.Offset)
			typ, dims = c.Typedef, c.MatrixDim
			where += "." + comp
			path = path[1+len(comp):]
		default:
			return nil, fmt.Errorf("a2l: %q: unexpected %q after %s", full, path[:1], where)
		}
	}
	if addr > 0xFFFFFFFF {
		return nil, fmt.Errorf("a2l: %q: address beyond 32 bits", full)
	}
	return m.leaf(in, full, typ, uint32(addr), dims)
}

func componentNames(s *TypedefStructure) string {
	names := make([]string, len(s.Components))
	for i, c := range s.Components {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// leaf turns a typedef at an address into a synthesised object.
func (m *Module) leaf(in *Instance, name, typ string, addr uint32, dims []int) (*Object, error) {
	common := func(td Common) Common {
		c := td
		c.Address, c.HasAddress = addr, true
		c.AddrExt = in.AddrExt
		c.ReadWrite = in.ReadWrite
		c.IfData = in.IfData
		if len(dims) > 0 {
			c.MatrixDim = append(append([]int(nil), dims...), td.MatrixDim...)
		}
		if in.ByteOrder != nil && td.ByteOrder == nil {
			c.ByteOrder = in.ByteOrder
		}
		return c
	}
	if td := m.idx.tdMeas[typ]; td != nil {
		return &Object{Kind: KindMeasurement, Instance: in, Measurement: &Measurement{
			Name: name, LongID: td.LongID, Pos: td.Pos, DataType: td.DataType, Conversion: td.Conversion,
			Resolution: td.Resolution, Accuracy: td.Accuracy, Limits: td.Limits, Common: common(td.Common),
		}}, nil
	}
	if td := m.idx.tdChars[typ]; td != nil {
		c := &Characteristic{
			Name: name, LongID: td.LongID, Pos: td.Pos, Type: td.Type, Deposit: td.Deposit, MaxDiff: td.MaxDiff,
			Conversion: td.Conversion, Limits: td.Limits, Number: td.Number, Axes: td.Axes, Common: common(td.Common),
		}
		if c.Type == Value && len(c.MatrixDim) > 0 {
			c.Type = ValBlk
		}
		return &Object{Kind: KindCharacteristic, Instance: in, Characteristic: c}, nil
	}
	if td := m.idx.tdAxes[typ]; td != nil {
		return &Object{Kind: KindAxisPts, Instance: in, AxisPts: &AxisPts{
			Name: name, LongID: td.LongID, Pos: td.Pos, InputQuantity: td.InputQuantity, Deposit: td.Deposit,
			MaxDiff: td.MaxDiff, Conversion: td.Conversion, MaxAxisPoints: td.MaxAxisPoints, Limits: td.Limits,
			Common: common(td.Common),
		}}, nil
	}
	if td := m.idx.tdBlobs[typ]; td != nil {
		return &Object{Kind: KindBlob, Instance: in, Blob: &Blob{Name: name, LongID: td.LongID, Pos: td.Pos, Size: td.Size, Common: common(Common{})}}, nil
	}
	if s := m.idx.tdStructs[typ]; s != nil {
		return nil, fmt.Errorf("a2l: %q is a structure (%s); name a component: %s", name, s.Name, componentNames(s))
	}
	return nil, fmt.Errorf("a2l: %q: typedef %s: %w", name, typ, ErrNotFound)
}

func (m *Module) isTypedef(name string) bool {
	return m.idx.tdMeas[name] != nil || m.idx.tdChars[name] != nil || m.idx.tdAxes[name] != nil || m.idx.tdBlobs[name] != nil
}

// typedefSize returns the size in bytes of one element of a typedef.
func (m *Module) typedefSize(typ string) (uint64, error) {
	if s := m.idx.tdStructs[typ]; s != nil {
		return uint64(s.Size), nil
	}
	if td := m.idx.tdMeas[typ]; td != nil {
		n := uint64(td.DataType.Size())
		for _, d := range td.MatrixDim {
			n *= uint64(d)
		}
		return n, nil
	}
	if td := m.idx.tdChars[typ]; td != nil {
		if td.Type == Value || td.Type == ValBlk {
			if rl := m.idx.layouts[td.Deposit]; rl != nil && rl.FncValues != nil {
				n := uint64(rl.FncValues.DataType.Size())
				for _, d := range td.MatrixDim {
					n *= uint64(d)
				}
				return n, nil
			}
		}
		return 0, fmt.Errorf("size of %s %s is not known; index arrays of VALUE/VAL_BLK typedefs only", td.Type, typ)
	}
	if td := m.idx.tdBlobs[typ]; td != nil {
		return uint64(td.Size), nil
	}
	return 0, fmt.Errorf("typedef %s: %w", typ, ErrNotFound)
}

// Names returns the names of all memory objects of the module: declared
// MEASUREMENTs, CHARACTERISTICs, AXIS_PTS and BLOBs, and every leaf reached
// through INSTANCEs (arrays of structures expanded element by element,
// arrays of values kept whole), sorted.
func (m *Module) Names() []string {
	var out []string
	for _, v := range m.Measurements {
		out = append(out, v.Name)
	}
	for _, v := range m.Characteristics {
		out = append(out, v.Name)
	}
	for _, v := range m.AxisPts {
		out = append(out, v.Name)
	}
	for _, v := range m.Blobs {
		out = append(out, v.Name)
	}
	for _, in := range m.Instances {
		out = m.expand(out, in.Name, in.Typedef, in.MatrixDim, 0)
	}
	if len(out) > maxNames {
		out = out[:maxNames]
	}
	sort.Strings(out)
	return out
}

// maxNames bounds Names for pathological files (arrays of arrays of
// structures); Resolve still reaches every element.
const maxNames = 1 << 20

func (m *Module) expand(out []string, name, typ string, dims []int, depth int) []string {
	if len(out) > maxNames {
		return out
	}
	s := m.idx.tdStructs[typ]
	if s == nil || depth > 32 {
		if m.isTypedef(typ) {
			out = append(out, name)
		}
		return out
	}
	if len(dims) > 0 {
		for i := 0; i < dims[0]; i++ {
			out = m.expand(out, name+"["+strconv.Itoa(i)+"]", typ, dims[1:], depth+1)
		}
		return out
	}
	for _, c := range s.Components {
		out = m.expand(out, name+"."+c.Name, c.Typedef, c.MatrixDim, depth+1)
	}
	return out
}

// ResolveAxisRef finds the axis an AXIS_PTS_REF or CURVE_AXIS_REF of the
// object named from refers to. ref may name a declared AXIS_PTS or CURVE,
// an INSTANCE of a TYPEDEF_AXIS or TYPEDEF_CHARACTERISTIC, a component
// path through an INSTANCE ("calseg2.curve_axis"), or start with "THIS."
// inside a TYPEDEF_STRUCTURE: then it names a sibling component of the
// structure instance that from belongs to ("inst.curve" with
// "THIS.axis" resolves "inst.axis").
func (m *Module) ResolveAxisRef(from, ref string) (*Object, error) {
	if rest, ok := strings.CutPrefix(ref, "THIS."); ok {
		i := strings.LastIndexByte(from, '.')
		if i < 0 {
			return nil, fmt.Errorf("a2l: %s: %q refers to THIS, but %s is not a component of a structure INSTANCE", from, ref, from)
		}
		return m.Resolve(from[:i+1] + rest)
	}
	return m.Resolve(ref)
}

// axisRefKnown reports whether ref, used by an AXIS_DESCR of a typedef,
// can resolve: THIS.x needs a structure with a component x.
func (m *Module) axisRefKnown(ref string) bool {
	if rest, ok := strings.CutPrefix(ref, "THIS."); ok {
		comp, _, _ := strings.Cut(rest, ".")
		comp, _, _ = strings.Cut(comp, "[")
		for _, s := range m.TypedefStructures {
			if s.byName[comp] != nil {
				return true
			}
		}
		return false
	}
	_, err := m.Resolve(ref)
	return err == nil
}

// Pos returns where the object is defined (for an object reached through
// an INSTANCE: its typedef).
func (o *Object) Pos() Pos {
	switch o.Kind {
	case KindMeasurement:
		return o.Measurement.Pos
	case KindCharacteristic:
		return o.Characteristic.Pos
	case KindAxisPts:
		return o.AxisPts.Pos
	case KindBlob:
		return o.Blob.Pos
	}
	return Pos{}
}
