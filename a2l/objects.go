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
	depth := p.level()
	d.Name = p.ident("IF_DATA name")
	lx, start := p.lx, p.tok.Off
	d.Pos = p.pos(p.tok)
	for !(p.tok.Kind == TokEnd && p.depth == depth-1) {
		if p.tok.Kind == TokEOF {
			p.fail(kw, "expected /end IF_DATA for this block, found end of file")
		}
		p.next()
	}
	if p.lx == lx {
		d.Raw = lx.src[start:p.tok.Off]
	} else {
		p.problem(kw, "IF_DATA spans an /include; its content is not kept")
	}
	p.endBlock("IF_DATA")
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
	case "MSB_FIRST_MSW_LAST", "MSB_LAST_MSW_FIRST":
		p.fail(t, "byte order %s is not supported", t.Text)
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
	var v uint64
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' && len(s) <= 18 {
		for i := 2; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | uint64(c-'0')
			case c|0x20 >= 'a' && c|0x20 <= 'f':
				v = v<<4 | uint64(c|0x20-'a'+10)
			default:
				p.fail(t, "expected unsigned integer for %s, found %q", what, s)
			}
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
		c.AddrExt = uint8(p.intRange("ECU_ADDRESS_EXTENSION", 0, 255))
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
	a := &AxisDescr{Pos: p.pos(kw)}
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
			a.AxisPtsRef = p.ident("AXIS_PTS_REF")
		case "CURVE_AXIS_REF":
			a.CurveAxisRef = p.ident("CURVE_AXIS_REF")
		case "FIX_AXIS_PAR", "FIX_AXIS_PAR_DIST":
			a.FixAxisPar = &FixAxisPar{Dist: kw.Text == "FIX_AXIS_PAR_DIST", Offset: p.float("offset"), Step: p.float("shift/distance"), Numbers: p.count("number of axis points")}
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

func (p *parser) compuMethod(kw Token) {
	c := &CompuMethod{Pos: p.pos(kw)}
	c.Name = p.ident("compu method name")
	c.LongID = p.str("long identifier")
	t := p.tok
	ct, ok := convTypeNames[p.ident("conversion type")]
	if !ok {
		p.fail(t, "expected conversion type (IDENTICAL, LINEAR, RAT_FUNC, TAB_INTP, TAB_NOINTP, TAB_VERB, FORM), found %s", t.describe())
	}
	c.Type = ct
	c.Format = p.str("format")
	c.Unit = p.str("unit")
	p.body("COMPU_METHOD", func(kw Token, block bool) bool {
		if block {
			if kw.Text != "FORMULA" {
				return false
			}
			c.Formula = p.str("formula")
			p.body("FORMULA", func(kw Token, block bool) bool {
				if block || kw.Text != "FORMULA_INV" {
					return false
				}
				c.FormulaInv = p.str("inverse formula")
				return true
			})
			return true
		}
		switch kw.Text {
		case "COEFFS":
			c.Coeffs = make([]float64, 6)
			for i := range c.Coeffs {
				c.Coeffs[i] = p.float("COEFFS coefficient")
			}
		case "COEFFS_LINEAR":
			c.Coeffs = []float64{p.float("COEFFS_LINEAR a"), p.float("COEFFS_LINEAR b")}
		case "COMPU_TAB_REF":
			c.CompuTabRef = p.ident("COMPU_TAB_REF")
		case "REF_UNIT":
			c.RefUnit = p.ident("REF_UNIT")
		case "STATUS_STRING_REF":
			c.StatusStringRef = p.ident("STATUS_STRING_REF")
		default:
			return false
		}
		return true
	})
	switch {
	case (c.Type == Linear && len(c.Coeffs) != 2) || (c.Type == RatFunc && len(c.Coeffs) != 6):
		p.problem(kw, "COMPU_METHOD %s of type %s needs %s", c.Name, c.Type, map[ConvType]string{Linear: "COEFFS_LINEAR", RatFunc: "COEFFS"}[c.Type])
	case (c.Type == TabIntp || c.Type == TabNoIntp || c.Type == TabVerb) && c.CompuTabRef == "":
		p.problem(kw, "COMPU_METHOD %s of type %s needs COMPU_TAB_REF", c.Name, c.Type)
	case c.Type == Form && c.Formula == "":
		p.problem(kw, "COMPU_METHOD %s of type FORM needs a FORMULA block", c.Name)
	}
	p.mod.CompuMethods = append(p.mod.CompuMethods, c)
}

func (p *parser) tabDefault(kw Token, def *string, num **float64) bool {
	switch kw.Text {
	case "DEFAULT_VALUE":
		*def = p.str("DEFAULT_VALUE")
	case "DEFAULT_VALUE_NUMERIC":
		if num == nil {
			return false
		}
		v := p.float("DEFAULT_VALUE_NUMERIC")
		*num = &v
	default:
		return false
	}
	return true
}

func (p *parser) compuTab(kw Token) {
	c := &CompuTab{Pos: p.pos(kw)}
	c.Name = p.ident("compu tab name")
	c.LongID = p.str("long identifier")
	t := p.tok
	ct, ok := convTypeNames[p.ident("conversion type")]
	if !ok || (ct != TabIntp && ct != TabNoIntp) {
		p.fail(t, "expected TAB_INTP or TAB_NOINTP, found %s", t.describe())
	}
	c.Type = ct
	n := p.count("number of value pairs")
	c.In, c.Out = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		c.In[i] = p.float("table input value")
		c.Out[i] = p.float("table output value")
	}
	p.body("COMPU_TAB", func(kw Token, block bool) bool {
		return !block && p.tabDefault(kw, &c.Default, &c.DefaultNumeric)
	})
	if old, ok := p.mod.idx.tabs[c.Name]; ok {
		p.duplicate("COMPU_TAB", c.Name, old.Pos, c.Pos)
		return
	}
	p.mod.idx.tabs[c.Name] = c
	p.mod.CompuTabs = append(p.mod.CompuTabs, c)
}

func (p *parser) compuVTab(kw Token) {
	c := &CompuVTab{Pos: p.pos(kw)}
	c.Name = p.ident("compu vtab name")
	c.LongID = p.str("long identifier")
	t := p.tok
	if p.ident("conversion type") != "TAB_VERB" {
		p.fail(t, "expected TAB_VERB, found %s", t.describe())
	}
	n := p.count("number of value pairs")
	c.In, c.Out = make([]float64, n), make([]string, n)
	for i := 0; i < n; i++ {
		c.In[i] = p.float("table input value")
		c.Out[i] = p.str("verbal value")
	}
	p.body("COMPU_VTAB", func(kw Token, block bool) bool {
		return !block && p.tabDefault(kw, &c.Default, nil)
	})
	if old, ok := p.mod.idx.vtabs[c.Name]; ok {
		p.duplicate("COMPU_VTAB", c.Name, old.Pos, c.Pos)
		return
	}
	p.mod.idx.vtabs[c.Name] = c
	p.mod.CompuVTabs = append(p.mod.CompuVTabs, c)
}

func (p *parser) compuVTabRange(kw Token) {
	c := &CompuVTabRange{Pos: p.pos(kw)}
	c.Name = p.ident("compu vtab range name")
	c.LongID = p.str("long identifier")
	n := p.count("number of value triples")
	c.Min, c.Max, c.Out = make([]float64, n), make([]float64, n), make([]string, n)
	for i := 0; i < n; i++ {
		c.Min[i] = p.float("range minimum")
		c.Max[i] = p.float("range maximum")
		c.Out[i] = p.str("verbal value")
	}
	p.body("COMPU_VTAB_RANGE", func(kw Token, block bool) bool {
		return !block && p.tabDefault(kw, &c.Default, nil)
	})
	if old, ok := p.mod.idx.vranges[c.Name]; ok {
		p.duplicate("COMPU_VTAB_RANGE", c.Name, old.Pos, c.Pos)
		return
	}
	p.mod.idx.vranges[c.Name] = c
	p.mod.CompuVTabRanges = append(p.mod.CompuVTabRanges, c)
}

func (p *parser) unit(kw Token) {
	u := &Unit{Pos: p.pos(kw)}
	u.Name = p.ident("unit name")
	u.LongID = p.str("long identifier")
	u.Display = p.str("display")
	u.Type = p.ident("unit type (DERIVED or EXTENDED_SI)")
	p.body("UNIT", func(kw Token, block bool) bool {
		if block {
			return false
		}
		switch kw.Text {
		case "REF_UNIT":
			u.RefUnit = p.ident("REF_UNIT")
		case "SI_EXPONENTS":
			u.SIExponents = make([]int, 7)
			for i := range u.SIExponents {
				u.SIExponents[i] = int(p.int("SI exponent"))
			}
		case "UNIT_CONVERSION":
			u.ConvGradient, u.ConvOffset = p.float("gradient"), p.float("offset")
		default:
			return false
		}
		return true
	})
	if old, ok := p.mod.idx.units[u.Name]; ok {
		p.duplicate("UNIT", u.Name, old.Pos, u.Pos)
		return
	}
	p.mod.idx.units[u.Name] = u
	p.mod.Units = append(p.mod.Units, u)
}

func (p *parser) group(kw Token) {
	g := &Group{Pos: p.pos(kw)}
	g.Name = p.ident("group name")
	g.LongID = p.str("long identifier")
	p.body("GROUP", func(kw Token, block bool) bool {
		if !block {
			if kw.Text == "ROOT" {
				g.Root = true
				return true
			}
			return false
		}
		switch kw.Text {
		case "REF_CHARACTERISTIC":
			g.RefCharacteristic = append(g.RefCharacteristic, p.idents(kw.Text)...)
		case "REF_MEASUREMENT":
			g.RefMeasurement = append(g.RefMeasurement, p.idents(kw.Text)...)
		case "SUB_GROUP":
			g.SubGroups = append(g.SubGroups, p.idents(kw.Text)...)
		case "FUNCTION_LIST":
			g.FunctionList = append(g.FunctionList, p.idents(kw.Text)...)
		case "IF_DATA":
			p.ifData(kw)
		default:
			return false
		}
		return true
	})
	if old, ok := p.mod.idx.groups[g.Name]; ok {
		p.warn(g.Pos, "GROUP %s is defined again (first at %s); the lists are merged", g.Name, old.Pos)
		old.Root = old.Root || g.Root
		old.RefCharacteristic = append(old.RefCharacteristic, g.RefCharacteristic...)
		old.RefMeasurement = append(old.RefMeasurement, g.RefMeasurement...)
		old.SubGroups = append(old.SubGroups, g.SubGroups...)
		old.FunctionList = append(old.FunctionList, g.FunctionList...)
		return
	}
	p.mod.idx.groups[g.Name] = g
	p.mod.Groups = append(p.mod.Groups, g)
}

func (p *parser) function(kw Token) {
	f := &Function{Pos: p.pos(kw)}
	f.Name = p.ident("function name")
	f.LongID = p.str("long identifier")
	p.body("FUNCTION", func(kw Token, block bool) bool {
		if !block {
			if kw.Text == "FUNCTION_VERSION" {
				f.Version = p.str("FUNCTION_VERSION")
				return true
			}
			return false
		}
		switch kw.Text {
		case "DEF_CHARACTERISTIC":
			f.DefCharacteristic = append(f.DefCharacteristic, p.idents(kw.Text)...)
		case "REF_CHARACTERISTIC":
			f.RefCharacteristic = append(f.RefCharacteristic, p.idents(kw.Text)...)
		case "IN_MEASUREMENT":
			f.InMeasurement = append(f.InMeasurement, p.idents(kw.Text)...)
		case "OUT_MEASUREMENT":
			f.OutMeasurement = append(f.OutMeasurement, p.idents(kw.Text)...)
		case "LOC_MEASUREMENT":
			f.LocMeasurement = append(f.LocMeasurement, p.idents(kw.Text)...)
		case "SUB_FUNCTION":
			f.SubFunctions = append(f.SubFunctions, p.idents(kw.Text)...)
		case "IF_DATA":
			p.ifData(kw)
		default:
			return false
		}
		return true
	})
	if old, ok := p.mod.idx.funcs[f.Name]; ok {
		p.duplicate("FUNCTION", f.Name, old.Pos, f.Pos)
		return
	}
	p.mod.idx.funcs[f.Name] = f
	p.mod.Functions = append(p.mod.Functions, f)
}

// axisIndex maps the suffix of AXIS_PTS_X etc. to 0..4.
func axisIndex(s string) int {
	switch s {
	case "X":
		return 0
	case "Y":
		return 1
	case "Z":
		return 2
	case "4":
		return 3
	case "5":
		return 4
	}
	return -1
}

func (p *parser) indexMode(what string) IndexMode {
	t := p.tok
	m, ok := indexModeNames[p.ident(what)]
	if !ok {
		p.fail(t, "expected index mode for %s, found %s", what, t.describe())
	}
	return m
}

func (p *parser) addressing() string {
	t := p.tok
	s := p.ident("addressing")
	switch s {
	case "DIRECT", "PBYTE", "PWORD", "PLONG", "PLONGLONG":
		return s
	}
	p.fail(t, "expected addressing DIRECT, PBYTE, PWORD, PLONG or PLONGLONG, found %s", t.describe())
	return ""
}

func (p *parser) recordLayout(kw Token) {
	r := &RecordLayout{Pos: p.pos(kw)}
	r.Name = p.ident("record layout name")
	posType := func(what string) *LayoutItem {
		return &LayoutItem{Position: p.count(what + " position"), DataType: p.dataType(what + " data type")}
	}
	p.body("RECORD_LAYOUT", func(kw Token, block bool) bool {
		if block {
			return false
		}
		k := kw.Text
		if i := len(k) - 2; i > 0 && k[i] == '_' {
			if ax := axisIndex(k[i+1:]); ax >= 0 {
				switch k[:i] {
				case "AXIS_PTS":
					it := posType(k)
					it.IndexMode = p.indexMode(k)
					it.Addressing = p.addressing()
					r.AxisPts[ax] = it
				case "AXIS_RESCALE":
					it := posType(k)
					it.MaxNum = p.count("maximum number of rescale pairs")
					it.IndexMode = p.indexMode(k)
					it.Addressing = p.addressing()
					r.AxisRescale[ax] = it
				case "NO_AXIS_PTS":
					r.NoAxisPts[ax] = posType(k)
				case "NO_RESCALE":
					r.NoRescale[ax] = posType(k)
				case "FIX_NO_AXIS_PTS":
					r.FixNoAxisPts[ax] = p.count(k)
				case "SRC_ADDR":
					r.SrcAddr[ax] = posType(k)
				case "RIP_ADDR":
					r.RipAddr[ax] = posType(k)
				case "SHIFT_OP":
					r.ShiftOp[ax] = posType(k)
				case "OFFSET":
					r.Offset[ax] = posType(k)
				case "DIST_OP":
					r.DistOp[ax] = posType(k)
				default:
					return p.layoutOther(r, kw, posType)
				}
				return true
			}
		}
		return p.layoutOther(r, kw, posType)
	})
	if old, ok := p.mod.idx.layouts[r.Name]; ok {
		p.duplicate("RECORD_LAYOUT", r.Name, old.Pos, r.Pos)
		return
	}
	p.mod.idx.layouts[r.Name] = r
	p.mod.RecordLayouts = append(p.mod.RecordLayouts, r)
}

func (p *parser) layoutOther(r *RecordLayout, kw Token, posType func(string) *LayoutItem) bool {
	switch kw.Text {
	case "FNC_VALUES":
		it := posType("FNC_VALUES")
		it.IndexMode = p.indexMode("FNC_VALUES")
		it.Addressing = p.addressing()
		r.FncValues = it
	case "IDENTIFICATION":
		r.Identification = posType("IDENTIFICATION")
	case "RIP_ADDR_W":
		r.RipAddrW = posType("RIP_ADDR_W")
	case "RESERVED":
		pos := p.count("RESERVED position")
		t := p.tok
		var dt DataType
		switch p.ident("RESERVED data size") {
		case "BYTE":
			dt = UByte
		case "WORD":
			dt = UWord
		case "LONG":
			dt = ULong
		case "LONGLONG":
			dt = UInt64
		default:
			p.fail(t, "expected BYTE, WORD, LONG or LONGLONG, found %s", t.describe())
		}
		r.Reserved = append(r.Reserved, LayoutItem{Position: pos, DataType: dt})
	case "STATIC_RECORD_LAYOUT":
		r.StaticLayout = true
	case "STATIC_ADDRESS_OFFSETS":
		r.StaticOffsets = true
	default:
		return p.alignment(&r.Alignment, kw)
	}
	return true
}

func (p *parser) alignment(a *Alignment, kw Token) bool {
	var dst *int
	switch kw.Text {
	case "ALIGNMENT_BYTE":
		dst = &a.Byte
	case "ALIGNMENT_WORD":
		dst = &a.Word
	case "ALIGNMENT_LONG":
		dst = &a.Long
	case "ALIGNMENT_INT64":
		dst = &a.Int64
	case "ALIGNMENT_FLOAT16_IEEE":
		dst = &a.Float16
	case "ALIGNMENT_FLOAT32_IEEE":
		dst = &a.Float32
	case "ALIGNMENT_FLOAT64_IEEE":
		dst = &a.Float64
	default:
		return false
	}
	*dst = int(p.intRange(kw.Text, 1, 1<<16))
	return true
}

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

func (p *parser) modCommon(kw Token) {
	mc := &p.mod.ModCommon
	mc.Comment = p.str("MOD_COMMON comment")
	p.body("MOD_COMMON", func(kw Token, block bool) bool {
		if block {
			return false
		}
		switch kw.Text {
		case "BYTE_ORDER":
			mc.ByteOrder = p.byteOrder()
		case "DATA_SIZE":
			mc.DataSize = p.count("DATA_SIZE")
		case "DEPOSIT":
			mc.Deposit = p.ident("DEPOSIT")
		default:
			return p.alignment(&mc.Alignment, kw)
		}
		return true
	})
}

func (p *parser) modPar(kw Token) {
	mp := &p.mod.ModPar
	mp.Comment = p.str("MOD_PAR comment")
	p.body("MOD_PAR", func(kw Token, block bool) bool {
		if block {
			if kw.Text != "MEMORY_SEGMENT" {
				return false
			}
			p.guard("MEMORY_SEGMENT", func() { mp.MemorySegments = append(mp.MemorySegments, p.memorySegment(kw)) })
			return true
		}
		switch kw.Text {
		case "EPK":
			mp.EPK = p.str("EPK")
		case "ADDR_EPK":
			mp.AddrEPK = append(mp.AddrEPK, p.uint32("ADDR_EPK"))
		case "VERSION":
			mp.Version = p.str("VERSION")
		case "SUPPLIER":
			mp.Supplier = p.str("SUPPLIER")
		case "CUSTOMER":
			mp.Customer = p.str("CUSTOMER")
		case "CUSTOMER_NO":
			mp.CustomerNo = p.str("CUSTOMER_NO")
		case "USER":
			mp.User = p.str("USER")
		case "PHONE_NO":
			mp.PhoneNo = p.str("PHONE_NO")
		case "ECU":
			mp.ECU = p.str("ECU")
		case "CPU_TYPE":
			mp.CPUType = p.str("CPU_TYPE")
		case "NO_OF_INTERFACES":
			mp.NoOfInterfaces = p.count("NO_OF_INTERFACES")
		case "SYSTEM_CONSTANT":
			if mp.SystemConstants == nil {
				mp.SystemConstants = map[string]string{}
			}
			k := p.str("SYSTEM_CONSTANT name")
			mp.SystemConstants[k] = p.str("SYSTEM_CONSTANT value")
		default:
			return false
		}
		return true
	})
}

func (p *parser) memorySegment(kw Token) *MemorySegment {
	s := &MemorySegment{Pos: p.pos(kw)}
	s.Name = p.ident("memory segment name")
	s.LongID = p.str("long identifier")
	s.PrgType = p.ident("program type")
	s.MemoryType = p.ident("memory type")
	s.Attribute = p.ident("attribute (INTERN or EXTERN)")
	s.Address = p.uint32("address")
	s.Size = p.uint32("size")
	for i := range s.Offsets {
		s.Offsets[i] = p.int("offset")
	}
	p.body("MEMORY_SEGMENT", func(kw Token, block bool) bool {
		if block && kw.Text == "IF_DATA" {
			s.IfData = append(s.IfData, p.ifData(kw))
			return true
		}
		return false
	})
	return s
}
