package a2l

// This file parses the ASAP2 1.7 TYPEDEF_* blocks and INSTANCEs.

func (p *parser) typedefMeasurement(kw Token) {
	m := &TypedefMeasurement{Pos: p.pos(kw)}
	m.Name = p.ident("typedef name")
	m.LongID = p.str("long identifier")
	m.DataType = p.dataType("measurement data type")
	m.Conversion = p.ident("conversion method")
	m.Resolution = int(p.int("resolution"))
	m.Accuracy = p.float("accuracy")
	m.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("TYPEDEF_MEASUREMENT", func(kw Token, block bool) bool { return p.common(&m.Common, kw, block) })
	if old, ok := p.mod.idx.tdMeas[m.Name]; ok {
		p.duplicate("TYPEDEF_MEASUREMENT", m.Name, old.Pos, m.Pos)
		return
	}
	p.mod.idx.tdMeas[m.Name] = m
	p.mod.TypedefMeasurements = append(p.mod.TypedefMeasurements, m)
}

func (p *parser) typedefCharacteristic(kw Token) {
	c := &TypedefCharacteristic{Pos: p.pos(kw)}
	c.Name = p.ident("typedef name")
	c.LongID = p.str("long identifier")
	c.Type = p.charType()
	c.Deposit = p.ident("record layout (deposit)")
	c.MaxDiff = p.float("maximum difference")
	c.Conversion = p.ident("conversion method")
	c.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("TYPEDEF_CHARACTERISTIC", func(kw Token, block bool) bool {
		return p.charOptional(&c.Common, &c.Number, &c.Axes, kw, block)
	})
	if n := c.Type.Axes(); n != len(c.Axes) {
		p.problem(kw, "%s %s has %d AXIS_DESCR, expected %d", c.Type, c.Name, len(c.Axes), n)
	}
	if old, ok := p.mod.idx.tdChars[c.Name]; ok {
		p.duplicate("TYPEDEF_CHARACTERISTIC", c.Name, old.Pos, c.Pos)
		return
	}
	p.mod.idx.tdChars[c.Name] = c
	p.mod.TypedefCharacteristics = append(p.mod.TypedefCharacteristics, c)
}

func (p *parser) typedefAxis(kw Token) {
	a := &TypedefAxis{Pos: p.pos(kw)}
	a.Name = p.ident("typedef name")
	a.LongID = p.str("long identifier")
	a.InputQuantity = p.ident("input quantity")
	a.Deposit = p.ident("record layout (deposit)")
	a.MaxDiff = p.float("maximum difference")
	a.Conversion = p.ident("conversion method")
	a.MaxAxisPoints = p.count("maximum number of axis points")
	a.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("TYPEDEF_AXIS", func(kw Token, block bool) bool { return p.common(&a.Common, kw, block) })
	if old, ok := p.mod.idx.tdAxes[a.Name]; ok {
		p.duplicate("TYPEDEF_AXIS", a.Name, old.Pos, a.Pos)
		return
	}
	p.mod.idx.tdAxes[a.Name] = a
	p.mod.TypedefAxes = append(p.mod.TypedefAxes, a)
}

func (p *parser) typedefBlob(kw Token) {
	b := &TypedefBlob{Pos: p.pos(kw)}
	b.Name = p.ident("typedef name")
	b.LongID = p.str("long identifier")
	b.Size = p.uint32("size")
	p.body("TYPEDEF_BLOB", func(kw Token, block bool) bool { return false })
	if old, ok := p.mod.idx.tdBlobs[b.Name]; ok {
		p.duplicate("TYPEDEF_BLOB", b.Name, old.Pos, b.Pos)
		return
	}
	p.mod.idx.tdBlobs[b.Name] = b
	p.mod.TypedefBlobs = append(p.mod.TypedefBlobs, b)
}

func (p *parser) typedefStructure(kw Token) {
	s := &TypedefStructure{Pos: p.pos(kw), byName: map[string]*StructureComponent{}}
	s.Name = p.ident("typedef name")
	s.LongID = p.str("long identifier")
	s.Size = p.uint32("structure size")
	p.body("TYPEDEF_STRUCTURE", func(kw Token, block bool) bool {
		if !block || kw.Text != "STRUCTURE_COMPONENT" {
			return false
		}
		c := &StructureComponent{Pos: p.pos(kw)}
		c.Name = p.ident("component name")
		c.Typedef = p.ident("component typedef name")
		c.Offset = p.uint32("component address offset")
		p.body("STRUCTURE_COMPONENT", func(kw Token, block bool) bool {
			if block {
				return false
			}
			switch kw.Text {
			case "MATRIX_DIM":
				t := p.tok
				c.MatrixDim = p.numbers()
				if len(c.MatrixDim) == 0 {
					p.fail(t, "expected at least one dimension after MATRIX_DIM, found %s", t.describe())
				}
			case "LAYOUT":
				c.Layout = p.ident("LAYOUT")
			default:
				return false
			}
			return true
		})
		if _, dup := s.byName[c.Name]; dup {
			p.problem(kw, "duplicate STRUCTURE_COMPONENT %s in %s", c.Name, s.Name)
		}
		s.byName[c.Name] = c
		s.Components = append(s.Components, c)
		return true
	})
	if old, ok := p.mod.idx.tdStructs[s.Name]; ok {
		p.duplicate("TYPEDEF_STRUCTURE", s.Name, old.Pos, s.Pos)
		return
	}
	p.mod.idx.tdStructs[s.Name] = s
	p.mod.TypedefStructures = append(p.mod.TypedefStructures, s)
}

func (p *parser) instance(kw Token) {
	in := &Instance{Pos: p.pos(kw)}
	in.Name = p.ident("instance name")
	in.LongID = p.str("long identifier")
	in.Typedef = p.ident("typedef name")
	in.Address, in.HasAddress = p.uint32("address"), true
	p.body("INSTANCE", func(kw Token, block bool) bool { return p.common(&in.Common, kw, block) })
	p.mod.Instances = append(p.mod.Instances, in)
}
