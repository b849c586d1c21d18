package compu

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/compu/formula"
)

// Conv converts one COMPU_METHOD. The zero value is not usable; use
// FromSpec, Identity or (from an A2L file) goxcp/a2l/conv. A Conv is safe
// for concurrent use.
type Conv struct {
	Name   string // COMPU_METHOD name ("NO_COMPU_METHOD" for identity)
	Type   Kind
	Unit   string // unit of the physical value
	Format string // A2L format such as "%6.3"

	coeffs []float64
	tabIn  []float64
	tabOut []float64
	tabDef *float64
	vIn    []float64
	vMin   []float64
	vMax   []float64
	vOut   []string
	vDef   string
	f      *formula.Expr
	finv   *formula.Expr
	// formula sources, kept for Spec
	fsrc, finvSrc string
}

// ErrNoInverse reports that a physical value cannot be turned into a raw one.
var ErrNoInverse = errors.New("no raw value for this physical value")

// Identity returns the identity conversion (NO_COMPU_METHOD).
func Identity() *Conv { return &Conv{Name: "NO_COMPU_METHOD", Type: Identical} }

// RuntimeFunc names the function of a FORM formula that needs the
// measurement's run-time context (CANape's time(), phy(), ...), or "" if
// the conversion needs only the raw value. Phys returns NaN for such a
// conversion.
func (c *Conv) RuntimeFunc() string {
	if c.f == nil {
		return ""
	}
	return c.f.RuntimeFunc()
}

// Verbal reports whether physical values are strings (TAB_VERB).
func (c *Conv) Verbal() bool { return c.Type == TabVerb }

// Phys converts a raw value to a physical number. For TAB_VERB it returns
// the raw value (use Text for the string).
func (c *Conv) Phys(raw float64) float64 {
	switch c.Type {
	case Linear:
		return c.coeffs[0]*raw + c.coeffs[1]
	case RatFunc:
		return c.ratPhys(raw)
	case TabIntp:
		return interp(c.tabIn, c.tabOut, raw)
	case TabNoIntp:
		return c.noIntp(raw)
	case Form:
		v, _ := c.f.Eval(raw)
		return v
	}
	return raw
}

// Text returns the physical value as text: the verbal table entry for
// TAB_VERB (the default text or the raw number if none matches), else the
// number formatted per the COMPU_METHOD format.
func (c *Conv) Text(raw float64) string {
	if c.Type == TabVerb {
		if s, ok := c.verbal(raw); ok {
			return s
		}
		if c.vDef != "" {
			return c.vDef
		}
		return strconv.FormatFloat(raw, 'g', -1, 64)
	}
	return FormatValue(c.Phys(raw), c.Format)
}

func (c *Conv) verbal(raw float64) (string, bool) {
	for i, v := range c.vIn {
		if v == raw {
			return c.vOut[i], true
		}
	}
	for i := range c.vMin {
		if raw >= c.vMin[i] && raw <= c.vMax[i] {
			return c.vOut[i], true
		}
	}
	return "", false
}

// Raw converts a physical number to the raw value (not yet rounded or
// range-checked for the data type).
func (c *Conv) Raw(phys float64) (float64, error) {
	switch c.Type {
	case Identical, TabVerb:
		return phys, nil
	case Linear:
		return (phys - c.coeffs[1]) / c.coeffs[0], nil
	case RatFunc:
		a, b, cc, d, e, f := c.coeffs[0], c.coeffs[1], c.coeffs[2], c.coeffs[3], c.coeffs[4], c.coeffs[5]
		den := d*phys*phys + e*phys + f
		if den == 0 {
			return 0, fmt.Errorf("%w: RAT_FUNC %s has a pole at %g", ErrNoInverse, c.Name, phys)
		}
		return (a*phys*phys + b*phys + cc) / den, nil
	case TabIntp:
		return interpInverse(c.tabIn, c.tabOut, phys, c.Name)
	case TabNoIntp:
		for i, o := range c.tabOut {
			if o == phys {
				return c.tabIn[i], nil
			}
		}
		return 0, fmt.Errorf("%w: %g is not in table %s (values: %s)", ErrNoInverse, phys, c.Name, joinFloats(c.tabOut))
	case Form:
		if c.finv != nil {
			return c.finv.Eval(phys)
		}
		return 0, fmt.Errorf("%w: FORM %s has no FORMULA_INV", ErrNoInverse, c.Name)
	}
	return 0, fmt.Errorf("%w: conversion %s", ErrNoInverse, c.Name)
}

// RawBisect inverts a monotonic conversion numerically on [lo, hi] (the
// raw range of the data type); used for FORM methods without FORMULA_INV.
func (c *Conv) RawBisect(phys, lo, hi float64) (float64, error) {
	flo, fhi := c.Phys(lo)-phys, c.Phys(hi)-phys
	if flo == 0 {
		return lo, nil
	}
	if fhi == 0 {
		return hi, nil
	}
	if math.Signbit(flo) == math.Signbit(fhi) || math.IsNaN(flo) || math.IsNaN(fhi) {
		return 0, fmt.Errorf("%w: %g is outside %s's range [%g, %g] over raw [%g, %g]", ErrNoInverse, phys, c.Name, math.Min(c.Phys(lo), c.Phys(hi)), math.Max(c.Phys(lo), c.Phys(hi)), lo, hi)
	}
	for i := 0; i < 200 && hi-lo > 1e-12*math.Max(1, math.Abs(lo)); i++ {
		mid := lo + (hi-lo)/2
		fm := c.Phys(mid) - phys
		if fm == 0 {
			return mid, nil
		}
		if math.Signbit(fm) == math.Signbit(flo) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2, nil
}

// RawFromText parses a physical value given as text: a verbal table entry
// for TAB_VERB (or a plain number), otherwise a number.
func (c *Conv) RawFromText(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if c.Type == TabVerb {
		for i, o := range c.vOut {
			if o == s {
				if c.vIn != nil {
					return c.vIn[i], nil
				}
				return c.vMin[i], nil
			}
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v, nil
		}
		return 0, fmt.Errorf("%w: %q is not one of %s's values (%s)", ErrNoInverse, s, c.Name, strings.Join(c.vOut, ", "))
	}
	v, err := parseNumber(s)
	if err != nil {
		return 0, fmt.Errorf("compu: %q is not a number", s)
	}
	return c.Raw(v)
}

func parseNumber(s string) (float64, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		return float64(u), err
	}
	switch strings.ToLower(s) {
	case "true":
		return 1, nil
	case "false":
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

func (c *Conv) ratPhys(raw float64) float64 {
	// raw = (a p² + b p + c) / (d p² + e p + f)  →  solve for p.
	a, b, cc, d, e, f := c.coeffs[0], c.coeffs[1], c.coeffs[2], c.coeffs[3], c.coeffs[4], c.coeffs[5]
	qa, qb, qc := a-raw*d, b-raw*e, cc-raw*f
	if math.Abs(qa) < 1e-300 {
		if qb == 0 {
			return math.NaN()
		}
		return -qc / qb
	}
	disc := qb*qb - 4*qa*qc
	if disc < 0 {
		return math.NaN()
	}
	r := math.Sqrt(disc)
	p1, p2 := (-qb+r)/(2*qa), (-qb-r)/(2*qa)
	if math.Abs(p1) <= math.Abs(p2) {
		return p1
	}
	return p2
}

func (c *Conv) noIntp(raw float64) float64 {
	for i, v := range c.tabIn {
		if v == raw {
			return c.tabOut[i]
		}
	}
	if c.tabDef != nil {
		return *c.tabDef
	}
	// nearest entry
	best := 0
	for i, v := range c.tabIn {
		if math.Abs(v-raw) < math.Abs(c.tabIn[best]-raw) {
			best = i
		}
	}
	return c.tabOut[best]
}

// interp interpolates linearly in a table sorted by in, clamping at the ends.
func interp(in, out []float64, x float64) float64 {
	n := len(in)
	if math.IsNaN(x) {
		return x // no table entry brackets NaN (a float raw value may be one)
	}
	if x <= in[0] {
		return out[0]
	}
	if x >= in[n-1] {
		return out[n-1]
	}
	i := sort.SearchFloat64s(in, x)
	if in[i] == x {
		return out[i]
	}
	x0, x1, y0, y1 := in[i-1], in[i], out[i-1], out[i]
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}

func interpInverse(in, out []float64, y float64, name string) (float64, error) {
	for i := 0; i+1 < len(out); i++ {
		y0, y1 := out[i], out[i+1]
		if (y >= y0 && y <= y1) || (y <= y0 && y >= y1) {
			if y0 == y1 {
				return in[i], nil
			}
			return in[i] + (in[i+1]-in[i])*(y-y0)/(y1-y0), nil
		}
	}
	if len(out) == 1 && out[0] == y {
		return in[0], nil
	}
	return 0, fmt.Errorf("%w: %g is outside table %s (values: %s)", ErrNoInverse, y, name, joinFloats(out))
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strings.Join(s, ", ")
}

// FormatValue formats v with an A2L display format "%Length.Layout"
// (e.g. "%8.3" gives 3 decimals; C-style "%.6g" or "%.2e" are accepted
// too). Without a usable format it gives the shortest exact representation.
func FormatValue(v float64, format string) string {
	return FormatValueBits(v, format, 64)
}

// FormatValueBits is FormatValue for a value that came from a float of
// bitSize bits (32 prints float32 values without float64 noise).
func FormatValueBits(v float64, format string, bitSize int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if i := strings.IndexByte(format, '.'); i >= 0 {
		spec := strings.TrimSpace(format[i+1:])
		verb := byte('f')
		if n := len(spec); n > 0 && (spec[n-1]|0x20 == 'f' || spec[n-1]|0x20 == 'e' || spec[n-1]|0x20 == 'g') {
			verb, spec = spec[n-1]|0x20, spec[:n-1]
		}
		if n, err := strconv.Atoi(spec); err == nil && n >= 0 && n <= 17 {
			return strconv.FormatFloat(v, verb, n, 64)
		}
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e18 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	if bitSize == 32 {
		return strconv.FormatFloat(v, 'g', -1, 32)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
