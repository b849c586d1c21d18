package a2l

import "strings"

func (x *index) ensure() {
	if x.meas != nil {
		return
	}
	x.meas = map[string]*Measurement{}
	x.chars = map[string]*Characteristic{}
	x.axisPts = map[string]*AxisPts{}
	x.blobs = map[string]*Blob{}
	x.compu = map[string]*CompuMethod{}
	x.tabs = map[string]*CompuTab{}
	x.vtabs = map[string]*CompuVTab{}
	x.vranges = map[string]*CompuVTabRange{}
	x.units = map[string]*Unit{}
	x.groups = map[string]*Group{}
	x.funcs = map[string]*Function{}
	x.layouts = map[string]*RecordLayout{}
	x.tdMeas = map[string]*TypedefMeasurement{}
	x.tdChars = map[string]*TypedefCharacteristic{}
	x.tdAxes = map[string]*TypedefAxis{}
	x.tdStructs = map[string]*TypedefStructure{}
	x.tdBlobs = map[string]*TypedefBlob{}
	x.instances = map[string]*Instance{}
}

// buildIndex indexes the measurements, characteristics, axes, conversions
// and instances of m, the kinds files hold by the ten thousand: collected during parsing, they get
// maps of exactly the right size (one hash per object, no rehashing while
// the map grows). Repeated names keep the first definition (see duplicate).
func (p *parser) buildIndex(m *Module) {
	if m.idx.built {
		return
	}
	m.idx.built = true
	m.idx.meas, m.Measurements = indexByName(p, "MEASUREMENT", m.Measurements,
		func(v *Measurement) string { return v.Name }, func(v *Measurement) Pos { return v.Pos })
	m.idx.chars, m.Characteristics = indexByName(p, "CHARACTERISTIC", m.Characteristics,
		func(v *Characteristic) string { return v.Name }, func(v *Characteristic) Pos { return v.Pos })
	m.idx.axisPts, m.AxisPts = indexByName(p, "AXIS_PTS", m.AxisPts,
		func(v *AxisPts) string { return v.Name }, func(v *AxisPts) Pos { return v.Pos })
	m.idx.compu, m.CompuMethods = indexByName(p, "COMPU_METHOD", m.CompuMethods,
		func(v *CompuMethod) string { return v.Name }, func(v *CompuMethod) Pos { return v.Pos })
	m.idx.instances, m.Instances = indexByName(p, "INSTANCE", m.Instances,
		func(v *Instance) string { return v.Name }, func(v *Instance) Pos { return v.Pos })
}

func indexByName[T any](p *parser, kind string, list []*T, name func(*T) string, pos func(*T) Pos) (map[string]*T, []*T) {
	idx := make(map[string]*T, len(list))
	for _, v := range list {
		idx[name(v)] = v
	}
	if len(idx) == len(list) {
		return idx, list
	}
	// Some names repeat: index again keeping the first definitions.
	clear(idx)
	keep := list[:0]
	for _, v := range list {
		if old, ok := idx[name(v)]; ok {
			p.duplicate(kind, name(v), pos(old), pos(v))
			continue
		}
		idx[name(v)] = v
		keep = append(keep, v)
	}
	return idx, keep
}

// duplicate handles a second definition of name. ASAP2 requires unique
// names, but real generators (XCPlite among them) repeat typedefs and
// groups, identically or not, so a repeat is a warning, never a strict
// failure: the first definition is kept (GROUP lists are merged).
func (p *parser) duplicate(kind, name string, old, cur Pos) {
	if a, b := p.blockText(old), p.blockText(cur); a != "" && a == b {
		p.warn(cur, "%s %s repeats the identical definition at %s", kind, name, old)
		return
	}
	p.warn(cur, "%s %s is defined again, differently (first definition at %s is used)", kind, name, old)
}

// blockText returns the source from a block's keyword to its /end, with
// white space normalised, or "" if it cannot be found.
func (p *parser) blockText(pos Pos) string {
	src, ok := p.srcs[pos.File]
	if !ok || pos.off < 0 || int(pos.off) >= len(src) {
		return ""
	}
	lx := &Lexer{src: src, pos: int(pos.off), line: 1}
	var b strings.Builder
	depth := 1
	for {
		t := lx.Next()
		switch t.Kind {
		case TokEOF, TokInvalid:
			return ""
		case TokBegin:
			depth++
		case TokEnd:
			depth--
			if depth == 0 {
				return b.String()
			}
		}
		b.WriteString(t.Text)
		b.WriteByte(' ')
	}
}

// Measurement returns the MEASUREMENT with the given name, or nil.
func (m *Module) Measurement(name string) *Measurement { return m.idx.meas[name] }

// Characteristic returns the CHARACTERISTIC with the given name, or nil.
func (m *Module) Characteristic(name string) *Characteristic { return m.idx.chars[name] }

// AxisPtsByName returns the AXIS_PTS with the given name, or nil.
func (m *Module) AxisPtsByName(name string) *AxisPts { return m.idx.axisPts[name] }

// Blob returns the BLOB with the given name, or nil.
func (m *Module) Blob(name string) *Blob { return m.idx.blobs[name] }

// CompuMethod returns the COMPU_METHOD with the given name, or nil.
func (m *Module) CompuMethod(name string) *CompuMethod { return m.idx.compu[name] }

// CompuTab returns the COMPU_TAB with the given name, or nil.
func (m *Module) CompuTab(name string) *CompuTab { return m.idx.tabs[name] }

// CompuVTab returns the COMPU_VTAB with the given name, or nil.
func (m *Module) CompuVTab(name string) *CompuVTab { return m.idx.vtabs[name] }

// CompuVTabRange returns the COMPU_VTAB_RANGE with the given name, or nil.
func (m *Module) CompuVTabRange(name string) *CompuVTabRange { return m.idx.vranges[name] }

// Unit returns the UNIT with the given name, or nil.
func (m *Module) Unit(name string) *Unit { return m.idx.units[name] }

// Group returns the GROUP with the given name, or nil.
func (m *Module) Group(name string) *Group { return m.idx.groups[name] }

// Function returns the FUNCTION with the given name, or nil.
func (m *Module) Function(name string) *Function { return m.idx.funcs[name] }

// RecordLayout returns the RECORD_LAYOUT with the given name, or nil.
func (m *Module) RecordLayout(name string) *RecordLayout { return m.idx.layouts[name] }

// TypedefMeasurement returns the TYPEDEF_MEASUREMENT with the given name, or nil.
func (m *Module) TypedefMeasurement(name string) *TypedefMeasurement { return m.idx.tdMeas[name] }

// TypedefCharacteristic returns the TYPEDEF_CHARACTERISTIC with the given name, or nil.
func (m *Module) TypedefCharacteristic(name string) *TypedefCharacteristic {
	return m.idx.tdChars[name]
}

// TypedefAxis returns the TYPEDEF_AXIS with the given name, or nil.
func (m *Module) TypedefAxis(name string) *TypedefAxis { return m.idx.tdAxes[name] }

// TypedefStructure returns the TYPEDEF_STRUCTURE with the given name, or nil.
func (m *Module) TypedefStructure(name string) *TypedefStructure { return m.idx.tdStructs[name] }

// TypedefBlob returns the TYPEDEF_BLOB with the given name, or nil.
func (m *Module) TypedefBlob(name string) *TypedefBlob { return m.idx.tdBlobs[name] }

// Instance returns the INSTANCE with the given name, or nil.
func (m *Module) Instance(name string) *Instance { return m.idx.instances[name] }
