package mdf4

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ConvType is cc_type of a CC block.
type ConvType uint8

// Conversion types.
const (
	ConvIdentity      ConvType = 0  // phys = raw
	ConvLinear        ConvType = 1  // Params: offset, factor
	ConvRational      ConvType = 2  // Params P1…P6: (P1x²+P2x+P3)/(P4x²+P5x+P6)
	ConvAlgebraic     ConvType = 3  // Formula in X
	ConvTabInterp     ConvType = 4  // Params: key, value pairs (sorted), interpolated
	ConvTab           ConvType = 5  // Params: key, value pairs, nearest key
	ConvRangeValue    ConvType = 6  // Params: min, max, value triples, then the default
	ConvValueText     ConvType = 7  // Params: keys; Texts: one per key, then the default
	ConvRangeText     ConvType = 8  // Params: min, max pairs; Texts: one per range, then the default
	ConvTextValue     ConvType = 9  // string channels
	ConvTextText      ConvType = 10 // string channels
	ConvBitfieldText  ConvType = 11 // MDF 4.2
	convTypeKnownLast          = ConvBitfieldText
)

var convNames = [...]string{"identity", "linear", "rational", "algebraic", "table with interpolation",
	"table without interpolation", "value range to value", "value to text", "value range to text",
	"text to value", "text to text", "bitfield text table"}

func (t ConvType) String() string {
	if int(t) < len(convNames) {
		return convNames[t]
	}
	return "type " + strconv.Itoa(int(t))
}

// Conversion is a CC block: how a channel's raw value becomes its
// physical value.
type Conversion struct {
	Type    ConvType
	Name    string
	Unit    string
	Comment string
	// Params are cc_val (see the ConvType constants).
	Params []float64
	// Texts are the text references of ConvValueText and ConvRangeText:
	// one per key or range, then the default ("" for none). A reference
	// that is itself a CC block is in Refs at the same index (its text is
	// then "").
	Texts []string
	Refs  []*Conversion
	// Formula is the ConvAlgebraic formula in X.
	Formula string
	// PhysRange is the physical value range, if known.
	PhysRange *Range
	Precision *uint8
	// Inverse is the inverse conversion (cc_cc_inverse), if given.
	Inverse *Conversion

	expr    *expr // compiled Formula
	rawPrec uint8 // cc_precision as read when Precision is not flagged valid
	off     int64 // file offset (reading)
}

// CFormula returns the algebraic formula in C function syntax (variable
// X, pow(a, b) for powers, log for the natural logarithm), for tools
// whose formula language is C-like (such as ASAP2's).
func (c *Conversion) CFormula() (string, error) {
	if c.Type != ConvAlgebraic {
		return "", fmt.Errorf("mdf4: %v conversion has no formula", c.Type)
	}
	e := c.expr
	if e == nil {
		var err error
		if e, err = parseFormula(c.Formula); err != nil {
			return "", fmt.Errorf("mdf4: formula %q: %w", c.Formula, err)
		}
	}
	var b strings.Builder
	e.cString(&b)
	return b.String(), nil
}

// Offset returns the file offset of the CC block (read conversions; -1
// otherwise).
func (c *Conversion) Offset() int64 {
	if c.off == 0 {
		return -1
	}
	return c.off
}

// Text reports whether physical values are (or may be) texts.
func (c *Conversion) Text() bool {
	return c != nil && (c.Type == ConvValueText || c.Type == ConvRangeText || c.Type == ConvBitfieldText)
}

// Validate checks c as the writer and reader do: parameter and text
// counts of its type, sorted table keys, a formula this package can
// evaluate (compiled for Phys).
func (c *Conversion) Validate() error {
	if err := c.check(-1); err != nil {
		return err
	}
	for _, r := range c.Refs {
		if r != nil {
			if err := r.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// check validates the parameter counts of c; off names the block in
// errors. It compiles an algebraic formula.
func (c *Conversion) check(off int64) error {
	n := len(c.Params)
	bad := func(format string, args ...any) error { return corrupt(idCC, off, format, args...) }
	switch c.Type {
	case ConvIdentity:
	case ConvLinear:
		if n < 2 {
			return bad("linear conversion with %d parameters", n)
		}
	case ConvRational:
		if n < 6 {
			return bad("rational conversion with %d parameters", n)
		}
	case ConvAlgebraic:
		e, err := parseFormula(c.Formula)
		if err != nil {
			return &Error{Block: idCC, Offset: off, Reason: fmt.Sprintf("formula %q: %v", c.Formula, err), Err: ErrUnsupported}
		}
		c.expr = e
	case ConvTabInterp, ConvTab:
		if n < 2 || n%2 != 0 {
			return bad("%v with %d parameters", c.Type, n)
		}
		for i := 2; i < n; i += 2 {
			if c.Params[i] < c.Params[i-2] {
				return bad("%v keys not sorted", c.Type)
			}
		}
	case ConvRangeValue:
		if n < 1 || (n-1)%3 != 0 {
			return bad("value range to value conversion with %d parameters", n)
		}
	case ConvValueText:
		if len(c.Texts) != n+1 {
			return bad("value to text conversion with %d keys and %d references", n, len(c.Texts))
		}
	case ConvRangeText:
		if n%2 != 0 || len(c.Texts) != n/2+1 {
			return bad("range to text conversion with %d parameters and %d references", n, len(c.Texts))
		}
	default:
		return unsupported(idCC, off, "conversion %v", c.Type)
	}
	for i := range c.Refs {
		if r := c.Refs[i]; r != nil && r.Text() {
			return unsupported(idCC, off, "nested text conversion in a %v", c.Type)
		}
	}
	return nil
}

// Phys returns the physical value of raw x for the numeric conversion
// types; for the text types it returns x (use Apply).
//
// Value ranges (ConvRangeValue, ConvRangeText) are closed [min, max], as
// the standard has them for integer raw values; for the raw values of a
// float channel use PhysFloat and ApplyFloat ([min, max)).
func (c *Conversion) Phys(x float64) float64 { return c.phys(x, false) }

// PhysFloat is Phys for the raw value of a float channel.
func (c *Conversion) PhysFloat(x float64) float64 { return c.phys(x, true) }

// inRange reports min ≤ x ≤ max (integers) or min ≤ x < max (floats).
func inRange(x, lo, hi float64, float bool) bool {
	if float {
		return x >= lo && x < hi
	}
	return x >= lo && x <= hi
}

func (c *Conversion) phys(x float64, float bool) float64 {
	if c == nil {
		return x
	}
	p := c.Params
	switch c.Type {
	case ConvLinear:
		return p[1]*x + p[0]
	case ConvRational:
		return (p[0]*x*x + p[1]*x + p[2]) / (p[3]*x*x + p[4]*x + p[5])
	case ConvAlgebraic:
		if c.expr == nil {
			return math.NaN()
		}
		return c.expr.eval(x)
	case ConvTabInterp:
		return tabInterp(p, x)
	case ConvTab:
		return tabNearest(p, x)
	case ConvRangeValue:
		n := (len(p) - 1) / 3
		for i := range n {
			if inRange(x, p[3*i], p[3*i+1], float) {
				return p[3*i+2]
			}
		}
		return p[len(p)-1]
	}
	return x
}

// Apply returns the physical value of raw x: a number, or for a text
// conversion the text (isText true). A text table entry that is a nested
// numeric conversion yields that conversion's number.
func (c *Conversion) Apply(x float64) (v float64, text string, isText bool) { return c.apply(x, false) }

// ApplyFloat is Apply for the raw value of a float channel.
func (c *Conversion) ApplyFloat(x float64) (v float64, text string, isText bool) {
	return c.apply(x, true)
}

func (c *Conversion) apply(x float64, float bool) (v float64, text string, isText bool) {
	if !c.Text() {
		return c.phys(x, float), "", false
	}
	i := c.textIndex(x, float)
	if i < len(c.Refs) && c.Refs[i] != nil {
		return c.Refs[i].phys(x, float), "", false
	}
	if i == len(c.Texts)-1 && c.Texts[i] == "" {
		return x, "", false // no default: the raw value
	}
	return x, c.Texts[i], true
}

// textIndex returns the index in Texts for x (the last one: default).
func (c *Conversion) textIndex(x float64, float bool) int {
	p := c.Params
	switch c.Type {
	case ConvValueText:
		for i, k := range p {
			if k == x {
				return i
			}
		}
	case ConvRangeText:
		for i := 0; i+1 < len(p); i += 2 {
			if inRange(x, p[i], p[i+1], float) {
				return i / 2
			}
		}
	}
	return len(c.Texts) - 1
}

func tabInterp(p []float64, x float64) float64 {
	n := len(p) / 2
	if math.IsNaN(x) {
		return x
	}
	if x <= p[0] {
		return p[1]
	}
	if x >= p[2*(n-1)] {
		return p[2*(n-1)+1]
	}
	i := sort.Search(n, func(i int) bool { return p[2*i] >= x })
	x0, y0, x1, y1 := p[2*(i-1)], p[2*(i-1)+1], p[2*i], p[2*i+1]
	if x1 == x0 {
		return y1
	}
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}

func tabNearest(p []float64, x float64) float64 {
	n := len(p) / 2
	if x <= p[0] || math.IsNaN(x) {
		return p[1]
	}
	if x >= p[2*(n-1)] {
		return p[2*(n-1)+1]
	}
	i := sort.Search(n, func(i int) bool { return p[2*i] >= x })
	if p[2*i] == x {
		return p[2*i+1]
	}
	if x-p[2*(i-1)] <= p[2*i]-x {
		return p[2*(i-1)+1]
	}
	return p[2*i+1]
}
