package compu

import "strings"

// Kind is the kind of a conversion: the COMPU_METHOD conversion types of
// ASAM MCD-2 MC.
type Kind uint8

// Conversion kinds.
const (
	Identical Kind = iota + 1 // IDENTICAL (and NO_COMPU_METHOD): phys = raw
	Linear                    // LINEAR: phys = a·raw + b
	RatFunc                   // RAT_FUNC: raw = (a·p² + b·p + c) / (d·p² + e·p + f)
	TabIntp                   // TAB_INTP: table with interpolation
	TabNoIntp                 // TAB_NOINTP: table without interpolation
	TabVerb                   // TAB_VERB: verbal table (texts)
	Form                      // FORM: formula
)

var kindNames = [...]string{Identical: "IDENTICAL", Linear: "LINEAR", RatFunc: "RAT_FUNC", TabIntp: "TAB_INTP",
	TabNoIntp: "TAB_NOINTP", TabVerb: "TAB_VERB", Form: "FORM"}

// String returns the kind's name as ASAM spells it ("TAB_VERB"), or "?".
func (k Kind) String() string {
	if k == 0 || int(k) >= len(kindNames) {
		return "?"
	}
	return kindNames[k]
}

// ParseKind parses a kind name in any case ("LINEAR", "tab_verb").
func ParseKind(s string) (Kind, bool) {
	for k := Identical; k <= Form; k++ {
		if strings.EqualFold(kindNames[k], s) {
			return k, true
		}
	}
	return 0, false
}
