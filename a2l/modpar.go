package a2l

// This file parses MOD_COMMON and MOD_PAR with its MEMORY_SEGMENTs.

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
