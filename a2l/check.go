package a2l

// checkRefs reports references to objects that do not exist (conversion
// methods, record layouts, tables, typedefs, axes) and TYPEDEF_STRUCTUREs
// that contain themselves. It runs after parsing, so forward references
// are fine.
func (p *parser) checkRefs(m *Module) {
	// kind and name are only formatted when there is a problem: this runs
	// for every object of files with hundreds of thousands of them.
	conv := func(pos Pos, kind, obj, name string) {
		if name != "NO_COMPU_METHOD" && m.idx.compu[name] == nil {
			p.problemAt(pos, "%s %s refers to COMPU_METHOD %s, which is not defined", kind, obj, name)
		}
	}
	layout := func(pos Pos, kind, obj, name string) {
		if m.idx.layouts[name] == nil {
			p.problemAt(pos, "%s %s refers to RECORD_LAYOUT %s, which is not defined", kind, obj, name)
		}
	}
	axes := func(kind, obj string, axes []*AxisDescr) {
		for _, a := range axes {
			if a.Conversion != "NO_COMPU_METHOD" && m.idx.compu[a.Conversion] == nil {
				p.problemAt(a.Pos, "%s %s AXIS_DESCR refers to COMPU_METHOD %s, which is not defined", kind, obj, a.Conversion)
			}
			switch {
			case (a.Attr == ComAxis || a.Attr == ResAxis) && a.AxisPtsRef == "":
				p.problemAt(orPos(a.attrPos, a.Pos), "%s %s: %s without AXIS_PTS_REF", kind, obj, a.Attr)
			case a.Attr == CurveAxis && a.CurveAxisRef == "":
				p.problemAt(orPos(a.attrPos, a.Pos), "%s %s: CURVE_AXIS without CURVE_AXIS_REF", kind, obj)
			}
			if a.AxisPtsRef != "" && m.idx.axisPts[a.AxisPtsRef] == nil && !m.axisRefKnown(a.AxisPtsRef) {
				p.problemAt(orPos(a.refPos, a.Pos), "%s %s AXIS_PTS_REF %s is not defined (no AXIS_PTS, INSTANCE of a TYPEDEF_AXIS or component path of that name)", kind, obj, a.AxisPtsRef)
			}
			if a.CurveAxisRef != "" && m.idx.chars[a.CurveAxisRef] == nil && !m.axisRefKnown(a.CurveAxisRef) {
				p.problemAt(orPos(a.refPos, a.Pos), "%s %s CURVE_AXIS_REF %s is not defined", kind, obj, a.CurveAxisRef)
			}
		}
	}
	for _, v := range m.Measurements {
		conv(v.Pos, "MEASUREMENT", v.Name, v.Conversion)
	}
	for _, v := range m.Characteristics {
		conv(v.Pos, "CHARACTERISTIC", v.Name, v.Conversion)
		layout(v.Pos, "CHARACTERISTIC", v.Name, v.Deposit)
		axes("CHARACTERISTIC", v.Name, v.Axes)
	}
	for _, v := range m.AxisPts {
		conv(v.Pos, "AXIS_PTS", v.Name, v.Conversion)
		layout(v.Pos, "AXIS_PTS", v.Name, v.Deposit)
	}
	for _, v := range m.TypedefMeasurements {
		conv(v.Pos, "TYPEDEF_MEASUREMENT", v.Name, v.Conversion)
	}
	for _, v := range m.TypedefCharacteristics {
		conv(v.Pos, "TYPEDEF_CHARACTERISTIC", v.Name, v.Conversion)
		layout(v.Pos, "TYPEDEF_CHARACTERISTIC", v.Name, v.Deposit)
		axes("TYPEDEF_CHARACTERISTIC", v.Name, v.Axes)
	}
	for _, v := range m.TypedefAxes {
		conv(v.Pos, "TYPEDEF_AXIS", v.Name, v.Conversion)
		layout(v.Pos, "TYPEDEF_AXIS", v.Name, v.Deposit)
	}
	for _, v := range m.CompuMethods {
		switch v.Type {
		case TabIntp, TabNoIntp:
			if m.idx.tabs[v.CompuTabRef] == nil {
				p.problemAt(orPos(v.tabRefPos, v.Pos), "COMPU_METHOD %s refers to COMPU_TAB %s, which is not defined", v.Name, v.CompuTabRef)
			}
		case TabVerb:
			if m.idx.vtabs[v.CompuTabRef] == nil && m.idx.vranges[v.CompuTabRef] == nil {
				p.problemAt(orPos(v.tabRefPos, v.Pos), "COMPU_METHOD %s refers to COMPU_VTAB %s, which is not defined", v.Name, v.CompuTabRef)
			}
		}
	}
	known := func(name string) bool {
		return m.idx.tdMeas[name] != nil || m.idx.tdChars[name] != nil || m.idx.tdAxes[name] != nil ||
			m.idx.tdStructs[name] != nil || m.idx.tdBlobs[name] != nil
	}
	for _, s := range m.TypedefStructures {
		for _, c := range s.Components {
			if !known(c.Typedef) {
				p.problemAt(c.Pos, "STRUCTURE_COMPONENT %s of %s refers to typedef %s, which is not defined", c.Name, s.Name, c.Typedef)
			}
		}
	}
	for _, in := range m.Instances {
		if !known(in.Typedef) {
			p.problemAt(in.Pos, "INSTANCE %s refers to typedef %s, which is not defined", in.Name, in.Typedef)
		}
	}
	// Structures must not contain themselves (directly or indirectly).
	state := map[string]uint8{} // 1 visiting, 2 done
	var visit func(s *TypedefStructure) bool
	visit = func(s *TypedefStructure) bool {
		switch state[s.Name] {
		case 1:
			return false
		case 2:
			return true
		}
		state[s.Name] = 1
		for _, c := range s.Components {
			if sub := m.idx.tdStructs[c.Typedef]; sub != nil && !visit(sub) {
				p.problemAt(c.Pos, "TYPEDEF_STRUCTURE %s contains itself through component %s", s.Name, c.Name)
				c.Typedef = "" // break the cycle for later use
			}
		}
		state[s.Name] = 2
		return true
	}
	for _, s := range m.TypedefStructures {
		visit(s)
	}
}

// problemAt reports a non-fatal problem at a model position.
func (p *parser) problemAt(pos Pos, format string, args ...any) {
	saved := p.file
	p.file = pos.File
	defer func() { p.file = saved }()
	p.problem(Token{Line: pos.Line, Col: pos.Col, Off: int(pos.off)}, format, args...)
}

// orPos returns pos, or fallback when pos was never set.
func orPos(pos, fallback Pos) Pos {
	if pos.Line == 0 {
		return fallback
	}
	return pos
}
