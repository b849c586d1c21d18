package mdf4

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// expr is a compiled algebraic conversion formula (CC type 3): the
// variable X (the raw value), numbers, + - * / ^ (power), unary minus,
// parentheses and the functions in formulaFuncs.
type expr struct {
	op   byte // 'n' number, 'x' variable, 'f' function, '~' negation, or the operator
	num  float64
	fn   func(float64) float64
	name string // function name in C (ln → log)
	a, b *expr
}

// formulaFuncs are the functions of the MDF formula syntax this package
// evaluates. The writer emits only formulas with these.
var formulaFuncs = map[string]func(float64) float64{
	"abs": math.Abs, "sqrt": math.Sqrt, "exp": math.Exp, "ln": math.Log, "log": math.Log,
	"log10": math.Log10, "sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
	"asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
	"sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh,
}

func (e *expr) eval(x float64) float64 {
	switch e.op {
	case 'n':
		return e.num
	case 'x':
		return x
	case 'f':
		return e.fn(e.a.eval(x))
	case '~':
		return -e.a.eval(x)
	case '+':
		return e.a.eval(x) + e.b.eval(x)
	case '-':
		return e.a.eval(x) - e.b.eval(x)
	case '*':
		return e.a.eval(x) * e.b.eval(x)
	case '/':
		return e.a.eval(x) / e.b.eval(x)
	case '^':
		return math.Pow(e.a.eval(x), e.b.eval(x))
	}
	return math.NaN()
}

// cString renders e in C function syntax: X, + - * /, pow(a, b), and the
// functions by their C names (log natural, log10).
func (e *expr) cString(b *strings.Builder) {
	switch e.op {
	case 'n':
		b.WriteString(strconv.FormatFloat(e.num, 'g', -1, 64))
	case 'x':
		b.WriteString("X")
	case 'f':
		b.WriteString(e.name + "(")
		e.a.cString(b)
		b.WriteString(")")
	case '~':
		b.WriteString("(-")
		e.a.cString(b)
		b.WriteString(")")
	case '^':
		b.WriteString("pow(")
		e.a.cString(b)
		b.WriteString(", ")
		e.b.cString(b)
		b.WriteString(")")
	default:
		b.WriteString("(")
		e.a.cString(b)
		b.WriteString(" " + string(e.op) + " ")
		e.b.cString(b)
		b.WriteString(")")
	}
}

const maxFormulaDepth = 100

type fparser struct {
	s     string
	p     int
	depth int
}

func parseFormula(s string) (*expr, error) {
	if len(s) > 4096 {
		return nil, errors.New("formula longer than 4096 characters")
	}
	p := &fparser{s: s}
	e, err := p.sum()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.p != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.p:], p.p)
	}
	return e, nil
}

func (p *fparser) space() {
	for p.p < len(p.s) && (p.s[p.p] == ' ' || p.s[p.p] == '\t' || p.s[p.p] == '\n' || p.s[p.p] == '\r') {
		p.p++
	}
}

func (p *fparser) peek() byte {
	p.space()
	if p.p < len(p.s) {
		return p.s[p.p]
	}
	return 0
}

func (p *fparser) sum() (*expr, error) {
	a, err := p.product()
	if err != nil {
		return nil, err
	}
	for {
		c := p.peek()
		if c != '+' && c != '-' {
			return a, nil
		}
		p.p++
		b, err := p.product()
		if err != nil {
			return nil, err
		}
		a = &expr{op: c, a: a, b: b}
	}
}

func (p *fparser) product() (*expr, error) {
	a, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		c := p.peek()
		if c != '*' && c != '/' {
			return a, nil
		}
		p.p++
		b, err := p.unary()
		if err != nil {
			return nil, err
		}
		a = &expr{op: c, a: a, b: b}
	}
}

func (p *fparser) unary() (*expr, error) {
	switch p.peek() {
	case '-':
		p.p++
		a, err := p.nest(p.unary)
		if err != nil {
			return nil, err
		}
		return &expr{op: '~', a: a}, nil
	case '+':
		p.p++
		return p.nest(p.unary)
	}
	return p.power()
}

func (p *fparser) power() (*expr, error) {
	a, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.peek() == '^' {
		p.p++
		b, err := p.nest(p.unary) // right-associative
		if err != nil {
			return nil, err
		}
		return &expr{op: '^', a: a, b: b}, nil
	}
	return a, nil
}

func (p *fparser) nest(f func() (*expr, error)) (*expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFormulaDepth {
		return nil, errors.New("formula nested too deeply")
	}
	return f()
}

func (p *fparser) primary() (*expr, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.p++
		e, err := p.nest(p.sum)
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing ')' at position %d", p.p)
		}
		p.p++
		return e, nil
	case c >= '0' && c <= '9' || c == '.':
		start := p.p
		for p.p < len(p.s) && (isDigit(p.s[p.p]) || p.s[p.p] == '.') {
			p.p++
		}
		if p.p < len(p.s) && (p.s[p.p] == 'e' || p.s[p.p] == 'E') {
			q := p.p + 1
			if q < len(p.s) && (p.s[q] == '+' || p.s[q] == '-') {
				q++
			}
			if q < len(p.s) && isDigit(p.s[q]) {
				for q < len(p.s) && isDigit(p.s[q]) {
					q++
				}
				p.p = q
			}
		}
		v, err := strconv.ParseFloat(p.s[start:p.p], 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", p.s[start:p.p])
		}
		return &expr{op: 'n', num: v}, nil
	case isLetter(c):
		start := p.p
		for p.p < len(p.s) && (isLetter(p.s[p.p]) || isDigit(p.s[p.p])) {
			p.p++
		}
		name := p.s[start:p.p]
		if name == "X" || name == "x" || name == "X1" {
			return &expr{op: 'x'}, nil
		}
		fn, ok := formulaFuncs[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("unknown name %q", name)
		}
		if p.peek() != '(' {
			return nil, fmt.Errorf("function %s without '('", name)
		}
		a, err := p.nest(p.primary)
		if err != nil {
			return nil, err
		}
		cname := strings.ToLower(name)
		if cname == "ln" {
			cname = "log"
		}
		return &expr{op: 'f', fn: fn, name: cname, a: a}, nil
	case c == 0:
		return nil, errors.New("unexpected end of formula")
	}
	return nil, fmt.Errorf("unexpected %q at position %d", c, p.p)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
