package a2l

// This file parses RECORD_LAYOUTs.

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
