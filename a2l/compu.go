package a2l

// This file parses conversions (COMPU_METHOD, COMPU_TAB, COMPU_VTAB, COMPU_VTAB_RANGE), UNITs, GROUPs and FUNCTIONs.

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
	var rat, lin []float64
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
			rat = make([]float64, 6)
			for i := range rat {
				rat[i] = p.float("COEFFS coefficient")
			}
		case "COEFFS_LINEAR":
			lin = []float64{p.float("COEFFS_LINEAR a"), p.float("COEFFS_LINEAR b")}
		case "COMPU_TAB_REF":
			c.tabRefPos = p.pos(kw)
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
	// A method may carry both COEFFS and COEFFS_LINEAR (tools write both
	// and let the type choose): Coeffs holds the ones its type uses.
	c.Coeffs = rat
	if c.Type == Linear || (c.Type != RatFunc && rat == nil) {
		c.Coeffs = lin
	}
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
	c.In, c.Out = make([]float64, 0, prealloc(n)), make([]float64, 0, prealloc(n))
	for range n {
		c.In = append(c.In, p.float("table input value"))
		c.Out = append(c.Out, p.float("table output value"))
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
	c.In, c.Out = make([]float64, 0, prealloc(n)), make([]string, 0, prealloc(n))
	for range n {
		c.In = append(c.In, p.float("table input value"))
		c.Out = append(c.Out, p.str("verbal value"))
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
	c.Min, c.Max, c.Out = make([]float64, 0, prealloc(n)), make([]float64, 0, prealloc(n)), make([]string, 0, prealloc(n))
	for range n {
		c.Min = append(c.Min, p.float("range minimum"))
		c.Max = append(c.Max, p.float("range maximum"))
		c.Out = append(c.Out, p.str("verbal value"))
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

// prealloc bounds the capacity reserved for a table whose entry count the
// file states: the entries still have to be read, so a bogus count in a
// short file must not reserve gigabytes up front.
func prealloc(n int) int { return min(n, 1024) }
