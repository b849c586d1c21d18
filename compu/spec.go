package compu

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/goxcp/goxcp/compu/formula"
)

// Spec is a conversion as plain data: everything Conv needs, without the
// A2L it came from. It marshals to JSON (goxcp recordings store it so
// that physical values can be computed without the A2L) and FromSpec
// rebuilds an equivalent Conv.
type Spec struct {
	Name   string `json:"name,omitempty"`   // COMPU_METHOD name
	Type   string `json:"type"`             // IDENTICAL LINEAR RAT_FUNC TAB_INTP TAB_NOINTP TAB_VERB FORM
	Unit   string `json:"unit,omitempty"`   // unit of the physical value
	Format string `json:"format,omitempty"` // A2L display format such as "%6.3"
	// Coeffs: LINEAR a b (phys = a·raw + b); RAT_FUNC a…f.
	Coeffs []float64 `json:"coeffs,omitempty"`
	// In/Out: the COMPU_TAB pairs of TAB_INTP/TAB_NOINTP (sorted by In);
	// TAB_VERB with a COMPU_VTAB: In with the texts in Text.
	In  []float64 `json:"in,omitempty"`
	Out []float64 `json:"out,omitempty"`
	// Min/Max: the ranges of a COMPU_VTAB_RANGE (texts in Text).
	Min  []float64 `json:"min,omitempty"`
	Max  []float64 `json:"max,omitempty"`
	Text []string  `json:"text,omitempty"`
	// Default is the numeric default of a COMPU_TAB; DefaultText that of a
	// verbal table.
	Default     *float64 `json:"default,omitempty"`
	DefaultText string   `json:"default_text,omitempty"`
	// Formula and FormulaInv are the FORM formulas in X1.
	Formula    string `json:"formula,omitempty"`
	FormulaInv string `json:"formula_inv,omitempty"`
}

// UnmarshalJSON reads a Spec in the current snake_case keys and also in
// the camelCase keys recordings written before 2026-12 used
// ("defaultText", "formulaInv"), so those files keep their conversions.
func (s *Spec) UnmarshalJSON(b []byte) error {
	type plain Spec // without the method: no recursion
	var v struct {
		plain
		OldDefaultText *string `json:"defaultText"` // old key
		OldFormulaInv  *string `json:"formulaInv"`  // old key
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Spec(v.plain)
	if v.OldDefaultText != nil && s.DefaultText == "" {
		s.DefaultText = *v.OldDefaultText
	}
	if v.OldFormulaInv != nil && s.FormulaInv == "" {
		s.FormulaInv = *v.OldFormulaInv
	}
	return nil
}

// Spec returns c as plain data.
func (c *Conv) Spec() Spec {
	s := Spec{Name: c.Name, Type: c.Type.String(), Unit: c.Unit, Format: c.Format,
		Coeffs: c.coeffs, Formula: c.fsrc, FormulaInv: c.finvSrc, Default: c.tabDef, DefaultText: c.vDef, Text: c.vOut}
	switch c.Type {
	case TabIntp, TabNoIntp:
		s.In, s.Out = c.tabIn, c.tabOut
	case TabVerb:
		s.In, s.Min, s.Max = c.vIn, c.vMin, c.vMax
	}
	return s
}

// FromSpec rebuilds the conversion s describes; it checks s as FromMethod
// checks a COMPU_METHOD, so a damaged Spec gives an error naming what is
// wrong, never a Conv that panics.
func FromSpec(s Spec) (*Conv, error) {
	c, err := build(s)
	if err != nil {
		return nil, &SpecError{Name: s.Name, Type: s.Type, Err: err}
	}
	return c, nil
}

// SpecError reports a Spec that does not describe a usable conversion.
type SpecError struct {
	Name, Type string // the Spec's name and type
	Err        error  // what is wrong (a *formula.Error for a bad formula)
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("compu: conversion %q (%s): %v", e.Name, e.Type, e.Err)
}

func (e *SpecError) Unwrap() error { return e.Err }

// build checks s and makes its Conv; errors say what is wrong with s.
func build(s Spec) (*Conv, error) {
	t, ok := ParseKind(s.Type)
	if !ok {
		return nil, errors.New("unknown conversion type (want IDENTICAL, LINEAR, RAT_FUNC, TAB_INTP, TAB_NOINTP, TAB_VERB or FORM)")
	}
	for _, v := range [][]float64{s.Coeffs, s.In, s.Out, s.Min, s.Max} {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("non-finite number %v", x)
			}
		}
	}
	c := &Conv{Name: s.Name, Type: t, Unit: s.Unit, Format: s.Format}
	switch t {
	case Identical:
	case Linear:
		if len(s.Coeffs) != 2 || s.Coeffs[0] == 0 {
			return nil, fmt.Errorf("LINEAR needs coefficients a b (COEFFS_LINEAR) with a != 0, got %v", s.Coeffs)
		}
		c.coeffs = s.Coeffs
	case RatFunc:
		if len(s.Coeffs) != 6 {
			return nil, fmt.Errorf("RAT_FUNC needs 6 coefficients (COEFFS a b c d e f), got %d", len(s.Coeffs))
		}
		c.coeffs = s.Coeffs
	case TabIntp, TabNoIntp:
		if len(s.In) == 0 || len(s.In) != len(s.Out) {
			return nil, fmt.Errorf("table needs as many in as out values (%d, %d), at least one", len(s.In), len(s.Out))
		}
		idx := make([]int, len(s.In))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return s.In[idx[a]] < s.In[idx[b]] })
		for _, i := range idx {
			c.tabIn = append(c.tabIn, s.In[i])
			c.tabOut = append(c.tabOut, s.Out[i])
		}
		c.tabDef = s.Default
	case TabVerb:
		switch {
		case len(s.Min) > 0 || len(s.Max) > 0:
			if len(s.Min) != len(s.Max) || len(s.Min) != len(s.Text) {
				return nil, fmt.Errorf("verbal range table needs as many min, max and text entries (%d, %d, %d)", len(s.Min), len(s.Max), len(s.Text))
			}
			c.vMin, c.vMax = s.Min, s.Max
		case len(s.In) != len(s.Text):
			return nil, fmt.Errorf("verbal table needs as many in values as texts (%d, %d)", len(s.In), len(s.Text))
		default:
			c.vIn = s.In
		}
		c.vOut, c.vDef = s.Text, s.DefaultText
	case Form:
		f, err := formula.Compile(s.Formula)
		if err != nil {
			return nil, fmt.Errorf("FORMULA: %w", err)
		}
		c.f, c.fsrc = f, s.Formula
		if s.FormulaInv != "" {
			fi, err := formula.Compile(s.FormulaInv)
			if err != nil {
				return nil, fmt.Errorf("FORMULA_INV: %w", err)
			}
			c.finv, c.finvSrc = fi, s.FormulaInv
		}
	}
	return c, nil
}
