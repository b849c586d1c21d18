package a2l

import "slices"

// Members returns the names of the objects a FUNCTION or GROUP (name)
// refers to, recursively through SUB_FUNCTIONs, SUB_GROUPs and a GROUP's
// FUNCTION_LIST: DEF_ and REF_CHARACTERISTICs, IN_, OUT_ and
// LOC_MEASUREMENTs of functions; REF_CHARACTERISTICs and REF_MEASUREMENTs
// of groups. Names may repeat; an unknown name has none.
func (m *Module) Members(name string) []string {
	return m.members(name, map[string]bool{})
}

func (m *Module) members(name string, seen map[string]bool) []string {
	if seen[name] {
		return nil
	}
	seen[name] = true
	var out []string
	if f := m.Function(name); f != nil {
		out = slices.Concat(f.DefCharacteristic, f.RefCharacteristic, f.InMeasurement, f.OutMeasurement, f.LocMeasurement)
		for _, sub := range f.SubFunctions {
			out = append(out, m.members(sub, seen)...)
		}
	}
	if g := m.Group(name); g != nil {
		out = append(out, slices.Concat(g.RefCharacteristic, g.RefMeasurement)...)
		for _, sub := range g.SubGroups {
			out = append(out, m.members(sub, seen)...)
		}
		for _, fn := range g.FunctionList {
			out = append(out, m.members(fn, seen)...)
		}
	}
	return out
}
