// Package conv builds the conversions of an A2L file: an ASAM MCD-2 MC
// COMPU_METHOD (with its COMPU_TAB, COMPU_VTAB or COMPU_VTAB_RANGE and
// unit) becomes a goxcp/compu converter. The conversion model itself —
// kinds, tables, formulas, inverses — is package compu, which does not
// depend on the A2L parser.
package conv

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/compu/formula"
)

// New builds the conversion named name in module m. "NO_COMPU_METHOD" and
// "" give the identity.
func New(m *a2l.Module, name string) (*compu.Conv, error) {
	if name == "" || name == "NO_COMPU_METHOD" {
		return compu.Identity(), nil
	}
	cm := m.CompuMethod(name)
	if cm == nil {
		return nil, fmt.Errorf("conv: COMPU_METHOD %s not found", name)
	}
	return FromMethod(m, cm)
}

// Spec returns the conversion of cm as plain data; m supplies referenced
// tables and the unit. Errors name the COMPU_METHOD and its position.
func Spec(m *a2l.Module, cm *a2l.CompuMethod) (compu.Spec, error) {
	sp := compu.Spec{Name: cm.Name, Type: cm.Type.String(), Unit: cm.Unit, Format: cm.Format,
		Coeffs: cm.Coeffs, Formula: cm.Formula, FormulaInv: cm.FormulaInv}
	if cm.RefUnit != "" && sp.Unit == "" {
		if u := m.Unit(cm.RefUnit); u != nil {
			sp.Unit = u.Display
		}
	}
	if cm.Type == a2l.Form {
		// sysc(name) takes a SYSTEM_CONSTANT of MOD_PAR.
		var err error
		if sp.Formula, err = formula.ExpandSystemConstants(sp.Formula, m.ModPar.SystemConstants); err != nil {
			return sp, bad(cm, err)
		}
		if sp.FormulaInv, err = formula.ExpandSystemConstants(sp.FormulaInv, m.ModPar.SystemConstants); err != nil {
			return sp, bad(cm, err)
		}
	}
	switch cm.Type {
	case a2l.TabIntp, a2l.TabNoIntp:
		t := m.CompuTab(cm.CompuTabRef)
		if t == nil {
			return sp, bad(cm, fmt.Errorf("COMPU_TAB %s not found", cm.CompuTabRef))
		}
		sp.In, sp.Out, sp.Default = t.In, t.Out, t.DefaultNumeric
	case a2l.TabVerb:
		if t := m.CompuVTab(cm.CompuTabRef); t != nil {
			sp.In, sp.Text, sp.DefaultText = t.In, t.Out, t.Default
		} else if r := m.CompuVTabRange(cm.CompuTabRef); r != nil {
			sp.Min, sp.Max, sp.Text, sp.DefaultText = r.Min, r.Max, r.Out, r.Default
		} else {
			return sp, bad(cm, fmt.Errorf("COMPU_VTAB or COMPU_VTAB_RANGE %s not found", cm.CompuTabRef))
		}
	}
	return sp, nil
}

// FromMethod builds the conversion of cm; m supplies referenced tables
// and the unit. Errors name the COMPU_METHOD and its position.
func FromMethod(m *a2l.Module, cm *a2l.CompuMethod) (*compu.Conv, error) {
	sp, err := Spec(m, cm)
	if err != nil {
		return nil, err
	}
	c, err := compu.FromSpec(sp)
	if se := (*compu.SpecError)(nil); errors.As(err, &se) {
		return nil, bad(cm, se.Err)
	} else if err != nil {
		return nil, bad(cm, err)
	}
	return c, nil
}

func bad(cm *a2l.CompuMethod, err error) error {
	return fmt.Errorf("conv: COMPU_METHOD %s (%s): %w", cm.Name, cm.Pos, err)
}
