package a2l

// This file parses the objects of a MODULE.

func (p *parser) module(kw Token) {
	m := &Module{Pos: p.pos(kw)}
	m.idx.ensure()
	p.mod = m
	m.Name = p.ident("module name")
	m.LongID = p.str("module long identifier")
	p.f.Modules = append(p.f.Modules, m)
	p.body("MODULE", func(kw Token, block bool) bool {
		if !block {
			return false
		}
		if kw.Text == "A2ML" {
			p.a2ml(kw)
			return true
		}
		if kw.Text == "IF_DATA" {
			m.IfData = append(m.IfData, p.ifData(kw))
			return true
		}
		fn := moduleBlock(kw.Text)
		if fn == nil {
			return false
		}
		p.guard(kw.Text, func() { fn(p, kw) })
		return true
	})
}

// moduleBlock returns the parser of a MODULE block (a switch: faster than
// a map on the hot path).
func moduleBlock(kw string) func(*parser, Token) {
	switch kw {
	case "MEASUREMENT":
		return (*parser).measurement
	case "CHARACTERISTIC":
		return (*parser).characteristic
	case "AXIS_PTS":
		return (*parser).axisPts
	case "BLOB":
		return (*parser).blob
	case "COMPU_METHOD":
		return (*parser).compuMethod
	case "COMPU_TAB":
		return (*parser).compuTab
	case "COMPU_VTAB":
		return (*parser).compuVTab
	case "COMPU_VTAB_RANGE":
		return (*parser).compuVTabRange
	case "UNIT":
		return (*parser).unit
	case "GROUP":
		return (*parser).group
	case "FUNCTION":
		return (*parser).function
	case "RECORD_LAYOUT":
		return (*parser).recordLayout
	case "TYPEDEF_MEASUREMENT":
		return (*parser).typedefMeasurement
	case "TYPEDEF_CHARACTERISTIC":
		return (*parser).typedefCharacteristic
	case "TYPEDEF_AXIS":
		return (*parser).typedefAxis
	case "TYPEDEF_STRUCTURE":
		return (*parser).typedefStructure
	case "TYPEDEF_BLOB":
		return (*parser).typedefBlob
	case "INSTANCE":
		return (*parser).instance
	case "MOD_COMMON":
		return (*parser).modCommon
	case "MOD_PAR":
		return (*parser).modPar
	}
	return nil
}

func (p *parser) a2ml(kw Token) {
	// The lexer has already read one token past "A2ML"; restart the raw
	// scan at that token so it is part of the content.
	p.lx.pos, p.lx.line, p.lx.lineStart = p.tok.Off, p.tok.Line, p.tok.Off-int(p.tok.Col-1)
	raw, ok := p.lx.skipRawBlock("A2ML")
	if !ok {
		p.fail(kw, "expected /end A2ML for this block, found end of file")
	}
	p.depth--
	p.mod.A2ML = raw
	p.next()
}

// ifData keeps an IF_DATA block as raw text (decoded on demand, see
// IfData.Parse). The /begin IF_DATA has been consumed.
func (p *parser) ifData(kw Token) *IfData {
	d := p.newIfData()
	d.Name = p.strOrIdent("IF_DATA name") // some tools quote it
	d.Pos = p.pos(p.tok)
	// The content follows the interface's A2ML, not the A2L grammar: scan
	// it raw (honouring strings and comments) from the current token to
	// "/end IF_DATA", which is faster than tokenising it.
	switch p.tok.Kind {
	case TokBegin:
		p.depth--
	case TokEnd:
		p.depth++
	}
	lx := p.lx
	lx.pos, lx.line, lx.lineStart = p.tok.Off, p.tok.Line, p.tok.Off-int(p.tok.Col-1)
	raw, ok := lx.skipRawBlock("IF_DATA")
	if !ok {
		p.fail(kw, "expected /end IF_DATA for this block, found end of file")
	}
	p.depth-- // the /begin IF_DATA is closed
	d.Raw = raw
	p.next()
	return d
}

// Objects that files hold by the hundred thousand are allocated in slabs:
// fewer allocations and no size-class rounding.
const slabSize = 256

func (p *parser) newIfData() *IfData {
	if len(p.slab.ifd) == cap(p.slab.ifd) {
		p.slab.ifd = make([]IfData, 0, slabSize)
	}
	p.slab.ifd = p.slab.ifd[:len(p.slab.ifd)+1]
	return &p.slab.ifd[len(p.slab.ifd)-1]
}

func (p *parser) newMeasurement() *Measurement {
	if len(p.slab.meas) == cap(p.slab.meas) {
		p.slab.meas = make([]Measurement, 0, slabSize)
	}
	p.slab.meas = p.slab.meas[:len(p.slab.meas)+1]
	return &p.slab.meas[len(p.slab.meas)-1]
}

func (p *parser) newCharacteristic() *Characteristic {
	if len(p.slab.chars) == cap(p.slab.chars) {
		p.slab.chars = make([]Characteristic, 0, slabSize)
	}
	p.slab.chars = p.slab.chars[:len(p.slab.chars)+1]
	return &p.slab.chars[len(p.slab.chars)-1]
}

// appendIfData appends d to list; a first element goes into a slab of
// one-element slices (appending more copies it out).
func (p *parser) appendIfData(list []*IfData, d *IfData) []*IfData {
	if list != nil {
		return append(list, d)
	}
	if len(p.slab.ifp) == cap(p.slab.ifp) {
		p.slab.ifp = make([]*IfData, 0, slabSize)
	}
	i := len(p.slab.ifp)
	p.slab.ifp = append(p.slab.ifp, d)
	return p.slab.ifp[i : i+1 : i+1]
}

func (p *parser) byteOrder() ByteOrder {
	t := p.tok
	switch p.ident("byte order") {
	case "MSB_LAST", "LITTLE_ENDIAN":
		return MSBLast
	case "MSB_FIRST", "BIG_ENDIAN":
		return MSBFirst
	case "MSB_FIRST_MSW_LAST":
		return MSBFirstMSWLast
	case "MSB_LAST_MSW_FIRST":
		return MSBLastMSWFirst
	}
	p.fail(t, "expected byte order MSB_FIRST or MSB_LAST, found %s", t.describe())
	return 0
}

func (p *parser) dataType(what string) DataType {
	t := p.tok
	s := p.ident(what)
	dt, ok := ParseDataType(s)
	if !ok {
		p.fail(t, "expected data type (UBYTE, SBYTE, UWORD, SWORD, ULONG, SLONG, A_UINT64, A_INT64, FLOAT16_IEEE, FLOAT32_IEEE, FLOAT64_IEEE) for %s, found %s", what, t.describe())
	}
	return dt
}

func (p *parser) numbers() []int {
	var out []int
	for p.isNumber() {
		out = append(out, p.count("dimension"))
	}
	return out
}

func (p *parser) uint64v(what string) uint64 {
	t := p.expect(TokNumber, what)
	s := t.Text
	if hasHexPrefix(s) {
		v, ok := parseHex(s)
		if !ok {
			p.fail(t, "expected unsigned integer for %s, found %q", what, s)
		}
		return v
	}
	i, ok := parseInt(s)
	if !ok || i < 0 {
		p.fail(t, "expected unsigned integer for %s, found %q", what, s)
	}
	return uint64(i)
}

// common parses the optional keywords shared by memory objects.
func (p *parser) common(c *Common, kw Token, block bool) bool {
	if block {
		if kw.Text == "IF_DATA" {
			c.IfData = p.appendIfData(c.IfData, p.ifData(kw))
			return true
		}
		return false
	}
	switch kw.Text {
	case "ECU_ADDRESS":
		c.Address, c.HasAddress = p.uint32("ECU_ADDRESS"), true
	case "ECU_ADDRESS_EXTENSION":
		c.AddrExt = p.int16("ECU_ADDRESS_EXTENSION")
	case "ARRAY_SIZE":
		c.extra().ArraySize = p.count("ARRAY_SIZE")
	case "MATRIX_DIM":
		t := p.tok
		c.MatrixDim = p.numbers()
		if len(c.MatrixDim) == 0 {
			p.fail(t, "expected at least one dimension after MATRIX_DIM, found %s", t.describe())
		}
	case "BIT_MASK":
		c.BitMask, c.HasBitMask = p.uint64v("BIT_MASK"), true
	case "BYTE_ORDER":
		bo := p.byteOrder()
		c.ByteOrder = &bo
	case "PHYS_UNIT":
		c.PhysUnit = p.str("PHYS_UNIT")
	case "FORMAT":
		c.extra().Format = p.str("FORMAT")
	case "DISPLAY_IDENTIFIER":
		c.extra().Display = p.ident("DISPLAY_IDENTIFIER")
	case "READ_WRITE":
		c.ReadWrite = true
	case "READ_ONLY":
		c.ReadOnly = true
	case "DISCRETE":
		c.Discrete = true
	case "LAYOUT":
		c.extra().Layout = p.ident("LAYOUT (ROW_DIR or COLUMN_DIR)")
	case "SYMBOL_LINK":
		c.extra().SymbolLink = p.str("SYMBOL_LINK symbol name")
		p.int("SYMBOL_LINK offset")
	case "MAX_REFRESH":
		c.extra().MaxRefresh = [2]int64{p.int("MAX_REFRESH scaling unit"), p.int("MAX_REFRESH rate")}
	case "EXTENDED_LIMITS":
		c.extra().ExtLimits = &Limits{p.float("EXTENDED_LIMITS lower"), p.float("EXTENDED_LIMITS upper")}
	case "STEP_SIZE":
		c.extra().StepSize = p.float("STEP_SIZE")
	default:
		return false
	}
	return true
}

func (p *parser) measurement(kw Token) {
	m := p.newMeasurement()
	m.Pos = p.pos(kw)
	m.Name = p.ident("measurement name")
	m.LongID = p.str("long identifier")
	m.DataType = p.dataType("measurement data type")
	m.Conversion = p.ident("conversion method")
	m.Resolution = int(p.int("resolution"))
	m.Accuracy = p.float("accuracy")
	m.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("MEASUREMENT", func(kw Token, block bool) bool { return p.common(&m.Common, kw, block) })
	p.mod.Measurements = append(p.mod.Measurements, m)
}

func (p *parser) charType() CharType {
	t := p.tok
	ct, ok := charTypeNames[p.ident("characteristic type")]
	if !ok {
		p.fail(t, "expected characteristic type (VALUE, VAL_BLK, ASCII, CURVE, MAP, CUBOID, CUBE_4, CUBE_5), found %s", t.describe())
	}
	return ct
}

// charOptional handles the optional keywords of (typedef) characteristics.
func (p *parser) charOptional(c *Common, number *int, axes *[]*AxisDescr, kw Token, block bool) bool {
	if block && kw.Text == "AXIS_DESCR" {
		*axes = append(*axes, p.axisDescr(kw))
		return true
	}
	if !block && kw.Text == "NUMBER" {
		*number = p.count("NUMBER")
		return true
	}
	return p.common(c, kw, block)
}

func (p *parser) characteristic(kw Token) {
	c := p.newCharacteristic()
	c.Pos = p.pos(kw)
	c.Name = p.ident("characteristic name")
	c.LongID = p.str("long identifier")
	c.Type = p.charType()
	c.Address, c.HasAddress = p.uint32("address"), true
	c.Deposit = p.ident("record layout (deposit)")
	c.MaxDiff = p.float("maximum difference")
	c.Conversion = p.ident("conversion method")
	c.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("CHARACTERISTIC", func(kw Token, block bool) bool {
		return p.charOptional(&c.Common, &c.Number, &c.Axes, kw, block)
	})
	if n := c.Type.Axes(); n != len(c.Axes) {
		p.problem(kw, "%s %s has %d AXIS_DESCR, expected %d", c.Type, c.Name, len(c.Axes), n)
	}
	p.mod.Characteristics = append(p.mod.Characteristics, c)
}

func (p *parser) axisDescr(kw Token) *AxisDescr {
	a := &AxisDescr{Pos: p.pos(kw), attrPos: p.pos(p.tok)}
	t := p.tok
	attr, ok := axisAttrNames[p.ident("axis attribute")]
	if !ok {
		p.fail(t, "expected axis attribute (STD_AXIS, FIX_AXIS, COM_AXIS, RES_AXIS, CURVE_AXIS), found %s", t.describe())
	}
	a.Attr = attr
	a.InputQuantity = p.ident("input quantity")
	a.Conversion = p.ident("conversion method")
	a.MaxAxisPoints = p.count("maximum number of axis points")
	a.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("AXIS_DESCR", func(kw Token, block bool) bool {
		if block {
			if kw.Text == "FIX_AXIS_PAR_LIST" {
				for p.isNumber() {
					a.FixAxisList = append(a.FixAxisList, p.float("axis point"))
				}
				p.endBlock("FIX_AXIS_PAR_LIST")
				return true
			}
			return false
		}
		switch kw.Text {
		case "AXIS_PTS_REF":
			a.refPos = p.pos(kw)
			a.AxisPtsRef = p.ident("AXIS_PTS_REF")
		case "CURVE_AXIS_REF":
			a.refPos = p.pos(kw)
			a.CurveAxisRef = p.ident("CURVE_AXIS_REF")
		case "FIX_AXIS_PAR", "FIX_AXIS_PAR_DIST":
			a.FixAxisPar = &FixAxisPar{Dist: kw.Text == "FIX_AXIS_PAR_DIST", Offset: p.float("offset"), Step: p.float("shift/distance"), Numbers: p.count("number of axis points")}
			if a.FixAxisPar.Numbers > a.MaxAxisPoints {
				p.problem(kw, "%s has %d axis points, more than the axis maximum %d", kw.Text, a.FixAxisPar.Numbers, a.MaxAxisPoints)
				a.FixAxisPar.Numbers = a.MaxAxisPoints
			}
		case "DEPOSIT":
			a.Deposit = p.ident("DEPOSIT")
		case "BYTE_ORDER":
			bo := p.byteOrder()
			a.ByteOrder = &bo
		case "PHYS_UNIT":
			a.PhysUnit = p.str("PHYS_UNIT")
		case "FORMAT":
			a.Format = p.str("FORMAT")
		case "EXTENDED_LIMITS":
			a.HasExtLimits, a.ExtLimits = true, Limits{p.float("EXTENDED_LIMITS lower"), p.float("EXTENDED_LIMITS upper")}
		case "MONOTONY":
			a.Monotony = p.ident("MONOTONY")
		case "READ_ONLY":
		case "STEP_SIZE", "MAX_GRAD":
			p.float(kw.Text)
		default:
			return false
		}
		return true
	})
	return a
}

func (p *parser) axisPts(kw Token) {
	a := &AxisPts{Pos: p.pos(kw)}
	a.Name = p.ident("axis points name")
	a.LongID = p.str("long identifier")
	a.Address, a.HasAddress = p.uint32("address"), true
	a.InputQuantity = p.ident("input quantity")
	a.Deposit = p.ident("record layout (deposit)")
	a.MaxDiff = p.float("maximum difference")
	a.Conversion = p.ident("conversion method")
	a.MaxAxisPoints = p.count("maximum number of axis points")
	a.Limits = Limits{p.float("lower limit"), p.float("upper limit")}
	p.body("AXIS_PTS", func(kw Token, block bool) bool {
		if !block && kw.Text == "DEPOSIT" {
			a.DepositMode = p.ident("DEPOSIT")
			return true
		}
		return p.common(&a.Common, kw, block)
	})
	p.mod.AxisPts = append(p.mod.AxisPts, a)
}

func (p *parser) blob(kw Token) {
	b := &Blob{Pos: p.pos(kw)}
	b.Name = p.ident("blob name")
	b.LongID = p.str("long identifier")
	b.Address, b.HasAddress = p.uint32("address"), true
	b.Size = p.uint32("size")
	p.body("BLOB", func(kw Token, block bool) bool { return p.common(&b.Common, kw, block) })
	if old, ok := p.mod.idx.blobs[b.Name]; ok {
		p.duplicate("BLOB", b.Name, old.Pos, b.Pos)
		return
	}
	p.mod.idx.blobs[b.Name] = b
	p.mod.Blobs = append(p.mod.Blobs, b)
}

// int16 reads a signed 16-bit value; a hexadecimal one up to 0xFFFF is its
// two's-complement bit pattern (0xFFFF is -1), as tools write them.
func (p *parser) int16(what string) int16 {
	t := p.tok
	if t.Kind == TokNumber && hasHexPrefix(t.Text) {
		if v, ok := parseHex(t.Text); ok && v <= 0xFFFF {
			p.next()
			return int16(uint16(v))
		}
	}
	return int16(p.intRange(what, -32768, 32767))
}
