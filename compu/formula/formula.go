// Package formula evaluates the formula language of ASAM MCD-2 MC (ASAP2)
// COMPU_METHODs of type FORM: FORMULA and FORMULA_INV.
//
// Supported: numbers (decimal, 0x hexadecimal, exponent), the variables X
// and X1..X9 (X is X1), parentheses, arithmetic + - * / %, comparison
// < <= > >= == !=, logical && || !, the bit operators & | ^ ~ << >> (on the
// operands rounded to 64-bit integers), and the standard functions abs,
// acos, asin, atan, ceil, cos, cosh, exp, floor, log, log10, pow, sin,
// sinh, sqrt, tan, tanh (plus min and max of two or more values, fmod,
// round, trunc, sign, ln, hypot, atan2 and the arcsin/arccos/arctan
// spellings CANape accepts).
//
// System constants (sysc(name), ASAP2 1.6) are resolved against MOD_PAR's
// SYSTEM_CONSTANTs with ExpandSystemConstants before compiling. Functions
// of CANape's formula editor that need the measurement's run time (time,
// phy, raw, sample, delay, diff, derivative, integral, ...) compile, but
// such a formula cannot be evaluated from a single raw value: RuntimeFunc
// names the function, and Eval returns ErrRuntimeContext.
package formula

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Expr is a compiled formula, safe for concurrent use.
type Expr struct {
	src     string
	root    node
	vars    int    // highest variable index used (1-based)
	runtime string // first function used that needs run-time context
}

// ErrRuntimeContext is returned (wrapped) by Eval for a formula that uses
// a function needing the measurement's run-time context (see RuntimeFunc).
var ErrRuntimeContext = errors.New("needs run-time context")

// RuntimeFunc returns the name of the first function the formula uses that
// needs the measurement's run-time context (such as CANape's time() or
// phy()), or "" if the formula is evaluable from its inputs alone.
func (e *Expr) RuntimeFunc() string { return e.runtime }

// Error is a formula syntax error at a byte offset (0-based).
type Error struct {
	Formula string
	Offset  int
	Msg     string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("formula %q at offset %d: %s", e.Formula, e.Offset, e.Msg)
}

// Compile parses a formula.
func Compile(src string) (*Expr, error) {
	p := &fparser{src: src}
	p.next()
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.kind != tEOF {
		return nil, p.errf("unexpected %q", p.text)
	}
	return &Expr{src: src, root: root, vars: p.maxVar, runtime: p.runtime}, nil
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Vars returns the number of input variables the formula uses (X1..Xn).
func (e *Expr) Vars() int { return e.vars }

// Eval evaluates the formula with X1 = x[0], X2 = x[1], ... Missing
// variables are an error.
func (e *Expr) Eval(x ...float64) (float64, error) {
	if len(x) < e.vars {
		return 0, fmt.Errorf("formula %q uses X%d but %d value(s) were given", e.src, e.vars, len(x))
	}
	if e.runtime != "" {
		return math.NaN(), fmt.Errorf("formula %q uses %s(), which %w (a measurement's time stamp or other signals)", e.src, e.runtime, ErrRuntimeContext)
	}
	return e.root.eval(x), nil
}

type node interface{ eval(x []float64) float64 }

type num float64

func (n num) eval([]float64) float64 { return float64(n) }

type variable int

func (v variable) eval(x []float64) float64 { return x[v] }

type unary struct {
	op string
	a  node
}

func (u *unary) eval(x []float64) float64 {
	a := u.a.eval(x)
	switch u.op {
	case "-":
		return -a
	case "!":
		return b2f(a == 0)
	case "~":
		return float64(^toInt(a))
	}
	return a
}

type binary struct {
	op   string
	a, b node
}

func toInt(f float64) int64 { return int64(math.Round(f)) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (o *binary) eval(x []float64) float64 {
	a, b := o.a.eval(x), o.b.eval(x)
	switch o.op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "%":
		return math.Mod(a, b)
	case "&":
		return float64(toInt(a) & toInt(b))
	case "|":
		return float64(toInt(a) | toInt(b))
	case "^":
		return float64(toInt(a) ^ toInt(b))
	case "<<":
		return float64(toInt(a) << uint64(toInt(b)&63))
	case ">>":
		return float64(toInt(a) >> uint64(toInt(b)&63))
	case "<":
		return b2f(a < b)
	case "<=":
		return b2f(a <= b)
	case ">":
		return b2f(a > b)
	case ">=":
		return b2f(a >= b)
	case "==":
		return b2f(a == b)
	case "!=":
		return b2f(a != b)
	case "&&":
		return b2f(a != 0 && b != 0)
	case "||":
		return b2f(a != 0 || b != 0)
	}
	return math.NaN()
}

type call struct {
	fn   func(a []float64) float64
	args []node
}

func (c *call) eval(x []float64) float64 {
	var buf [4]float64
	a := buf[:0]
	for _, n := range c.args {
		a = append(a, n.eval(x))
	}
	return c.fn(a)
}

func f1(f func(float64) float64) func([]float64) float64 {
	return func(a []float64) float64 { return f(a[0]) }
}

func f2(f func(float64, float64) float64) func([]float64) float64 {
	return func(a []float64) float64 { return f(a[0], a[1]) }
}

type fdef struct {
	arity int
	fn    func([]float64) float64
}

var funcs = map[string]fdef{
	"abs": {1, f1(math.Abs)}, "acos": {1, f1(math.Acos)}, "asin": {1, f1(math.Asin)},
	"atan": {1, f1(math.Atan)}, "ceil": {1, f1(math.Ceil)}, "cos": {1, f1(math.Cos)},
	"cosh": {1, f1(math.Cosh)}, "exp": {1, f1(math.Exp)}, "floor": {1, f1(math.Floor)},
	"log": {1, f1(math.Log)}, "log10": {1, f1(math.Log10)}, "sin": {1, f1(math.Sin)},
	"sinh": {1, f1(math.Sinh)}, "sqrt": {1, f1(math.Sqrt)}, "tan": {1, f1(math.Tan)},
	"tanh": {1, f1(math.Tanh)}, "round": {1, f1(math.Round)},
	"pow": {2, f2(math.Pow)}, "fmod": {2, f2(math.Mod)}, "atan2": {2, f2(math.Atan2)},
	"min": {-2, fold(math.Min)}, "max": {-2, fold(math.Max)},
	// spellings of CANape's formula editor
	"ln": {1, f1(math.Log)}, "arcsin": {1, f1(math.Asin)}, "arccos": {1, f1(math.Acos)},
	"arctan": {1, f1(math.Atan)}, "trunc": {1, f1(math.Trunc)}, "hypot": {2, f2(math.Hypot)},
	"sign": {1, f1(sign)}, "sgn": {1, f1(sign)},
}

// runtimeFuncs are functions of CANape's formula editor that read the
// measurement's run time (time stamps, other signals, history): a formula
// using one compiles but cannot be evaluated from a raw value alone.
var runtimeFuncs = map[string]bool{
	"time": true, "phy": true, "phys": true, "raw": true, "sample": true, "delay": true,
	"diff": true, "derivative": true, "integral": true, "prev": true, "getsignal": true,
}

// fold makes a function of two or more arguments from a binary one.
func fold(f func(float64, float64) float64) func([]float64) float64 {
	return func(a []float64) float64 {
		v := a[0]
		for _, b := range a[1:] {
			v = f(v, b)
		}
		return v
	}
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return v
}

// runtimeCall stands for a function needing run-time context.
type runtimeCall struct{}

func (runtimeCall) eval([]float64) float64 { return math.NaN() }

// precedence of binary operators (higher binds tighter)
var prec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6,
	"<": 7, "<=": 7, ">": 7, ">=": 7, "<<": 8, ">>": 8,
	"+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

type tkind uint8

const (
	tEOF tkind = iota
	tNum
	tIdent
	tOp
	tBad
)

type fparser struct {
	src     string
	pos     int
	start   int
	kind    tkind
	text    string
	maxVar  int
	depth   int
	runtime string
}

const maxDepth = 200

func (p *fparser) errf(format string, args ...any) error {
	return &Error{Formula: p.src, Offset: p.start, Msg: fmt.Sprintf(format, args...)}
}

func (p *fparser) next() {
	s := p.src
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n' || s[p.pos] == '\r') {
		p.pos++
	}
	p.start = p.pos
	if p.pos >= len(s) {
		p.kind, p.text = tEOF, ""
		return
	}
	c := s[p.pos]
	switch {
	case c >= '0' && c <= '9' || c == '.':
		i := p.pos
		if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
			i += 2
			for i < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[i]) >= 0 {
				i++
			}
		} else {
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
				i++
			}
			if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
				j := i + 1
				if j < len(s) && (s[j] == '+' || s[j] == '-') {
					j++
				}
				if j < len(s) && s[j] >= '0' && s[j] <= '9' {
					for j < len(s) && s[j] >= '0' && s[j] <= '9' {
						j++
					}
					i = j
				}
			}
		}
		p.kind, p.text, p.pos = tNum, s[p.pos:i], i
	case c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z':
		i := p.pos
		for i < len(s) && (s[i] == '_' || s[i]|0x20 >= 'a' && s[i]|0x20 <= 'z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		p.kind, p.text, p.pos = tIdent, s[p.pos:i], i
	default:
		for _, op := range []string{"<<", ">>", "<=", ">=", "==", "!=", "&&", "||"} {
			if strings.HasPrefix(s[p.pos:], op) {
				p.kind, p.text = tOp, op
				p.pos += 2
				return
			}
		}
		if strings.IndexByte("+-*/%&|^~!<>(),", c) >= 0 {
			p.kind, p.text = tOp, s[p.pos:p.pos+1]
			p.pos++
			return
		}
		p.kind, p.text = tBad, s[p.pos:p.pos+1]
		p.pos++
	}
}

func (p *fparser) expr(minPrec int) (node, error) {
	left, err := p.unaryExpr()
	if err != nil {
		return nil, err
	}
	for p.kind == tOp {
		pr, ok := prec[p.text]
		if !ok || pr <= minPrec {
			break
		}
		op := p.text
		p.next()
		right, err := p.expr(pr)
		if err != nil {
			return nil, err
		}
		left = &binary{op: op, a: left, b: right}
	}
	return left, nil
}

func (p *fparser) unaryExpr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errf("formula nested deeper than %d levels", maxDepth)
	}
	if p.kind == tOp && (p.text == "-" || p.text == "+" || p.text == "!" || p.text == "~") {
		op := p.text
		p.next()
		a, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		return &unary{op: op, a: a}, nil
	}
	return p.primary()
}

func (p *fparser) primary() (node, error) {
	switch p.kind {
	case tNum:
		var v float64
		var err error
		if strings.HasPrefix(p.text, "0x") || strings.HasPrefix(p.text, "0X") {
			var u uint64
			u, err = strconv.ParseUint(p.text[2:], 16, 64)
			v = float64(u)
		} else {
			v, err = strconv.ParseFloat(p.text, 64)
		}
		if err != nil {
			return nil, p.errf("invalid number %q", p.text)
		}
		p.next()
		return num(v), nil
	case tIdent:
		name := p.text
		lower := strings.ToLower(name)
		p.next()
		if idx, ok := varIndex(name); ok {
			if idx > p.maxVar {
				p.maxVar = idx
			}
			return variable(idx - 1), nil
		}
		f, ok := funcs[lower]
		if !ok && runtimeFuncs[lower] && p.kind == tOp && p.text == "(" {
			return p.runtimeCall(lower)
		}
		if !ok {
			return nil, p.errf("unknown name %q (expected X, X1..X9 or a function such as sin, pow)", name)
		}
		if p.kind != tOp || p.text != "(" {
			return nil, p.errf("expected '(' after %s", name)
		}
		p.next()
		var args []node
		for {
			a, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.kind == tOp && p.text == "," {
				p.next()
				continue
			}
			break
		}
		if p.kind != tOp || p.text != ")" {
			return nil, p.errf("expected ')' to close %s(", name)
		}
		p.next()
		if f.arity < 0 && len(args) < -f.arity {
			return nil, p.errf("%s takes at least %d arguments, got %d", lower, -f.arity, len(args))
		}
		if f.arity >= 0 && len(args) != f.arity {
			return nil, p.errf("%s takes %d argument(s), got %d", lower, f.arity, len(args))
		}
		return &call{fn: f.fn, args: args}, nil
	case tOp:
		if p.text == "(" {
			p.next()
			e, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if p.kind != tOp || p.text != ")" {
				return nil, p.errf("expected ')'")
			}
			p.next()
			return e, nil
		}
	case tEOF:
		return nil, p.errf("unexpected end of formula")
	}
	return nil, p.errf("unexpected %q", p.text)
}

// varIndex recognises X (= X1) and X1..X9 (case-insensitive).
func varIndex(s string) (int, bool) {
	if len(s) == 0 || s[0]|0x20 != 'x' {
		return 0, false
	}
	if len(s) == 1 {
		return 1, true
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 1 || n > 9 {
		return 0, false
	}
	return n, true
}

// runtimeCall parses the arguments of a run-time function (the '(' is the
// current token): any expressions, checked for syntax only.
func (p *fparser) runtimeCall(name string) (node, error) {
	p.next()
	for !(p.kind == tOp && p.text == ")") {
		if _, err := p.expr(0); err != nil {
			return nil, err
		}
		if p.kind == tOp && p.text == "," {
			p.next()
			continue
		}
		if p.kind != tOp || p.text != ")" {
			return nil, p.errf("expected ')' to close %s(", name)
		}
	}
	p.next()
	if p.runtime == "" {
		p.runtime = name
	}
	return runtimeCall{}, nil
}

// ExpandSystemConstants replaces every sysc(name) or sysc("name") in a
// formula by the numeric value of the SYSTEM_CONSTANT of that name
// (MOD_PAR, ASAP2 1.6). A constant that is missing or not a number is an
// error naming it.
func ExpandSystemConstants(src string, constants map[string]string) (string, error) {
	lower := strings.ToLower(src)
	var b strings.Builder
	last := 0
	for i := 0; i < len(src); {
		j := strings.Index(lower[i:], "sysc")
		if j < 0 {
			break
		}
		j += i
		if j > 0 && isWord(src[j-1]) || j+4 < len(src) && isWord(src[j+4]) {
			i = j + 4
			continue
		}
		k := j + 4
		for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
			k++
		}
		if k >= len(src) || src[k] != '(' {
			return "", &Error{Formula: src, Offset: j, Msg: "expected '(' after sysc"}
		}
		end := strings.IndexByte(src[k:], ')')
		if end < 0 {
			return "", &Error{Formula: src, Offset: k, Msg: "expected ')' to close sysc("}
		}
		name := strings.Trim(strings.TrimSpace(src[k+1:k+end]), `"`)
		val, ok := constants[name]
		if !ok {
			return "", &Error{Formula: src, Offset: j, Msg: fmt.Sprintf("sysc(%s): no SYSTEM_CONSTANT %q in MOD_PAR", name, name)}
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return "", &Error{Formula: src, Offset: j, Msg: fmt.Sprintf("sysc(%s): SYSTEM_CONSTANT value %q is not a number", name, val)}
		}
		b.WriteString(src[last:j])
		b.WriteString("(" + strconv.FormatFloat(v, 'g', -1, 64) + ")")
		i = k + end + 1
		last = i
	}
	if last == 0 {
		return src, nil
	}
	b.WriteString(src[last:])
	return b.String(), nil
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}
