// Package paramset holds calibration parameter sets: the physical values of
// an ECU's CHARACTERISTICs and AXIS_PTS by A2L name, as a calibration
// engineer saves them from an ECU (or a hex image), compares them, and
// applies them to another ECU. Sets are read and written in the formats of
// the calibration tool chain: DCM (DAMOS "KONSERVIERUNG_FORMAT 2.0"), CDFX
// (ASAM CDF 2.0) and goxcp's own JSON.
//
// Values are physical (converted with the objects' COMPU_METHODs by package
// cal), so a set saved from one software version applies to another whose
// A2L stores the same objects differently.
package paramset

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// Set is a calibration parameter set, items sorted by name.
type Set struct {
	// Source says where the values came from (an ECU, an image, a file).
	Source string `json:"source,omitempty"`
	// Items are the calibration objects, sorted by name.
	Items []*Item `json:"items"`
}

// Item is one calibration object's content in physical values.
type Item struct {
	Name string `json:"name"`
	// Kind is the A2L object type: VALUE, VAL_BLK, ASCII, CURVE, MAP,
	// CUBOID, CUBE_4, CUBE_5 or AXIS_PTS.
	Kind string `json:"kind"`
	// Comment is the A2L long identifier.
	Comment string `json:"comment,omitempty"`
	// Function names the FUNCTION that defines the object, if any.
	Function string `json:"function,omitempty"`
	Unit     string `json:"unit,omitempty"`
	// Dims are the counts per dimension (x first) for arrays, curves and
	// maps; nil for scalars and ASCII strings.
	Dims []int `json:"dims,omitempty"`
	// Values are the physical values with the x index running fastest.
	Values []float64 `json:"values,omitempty"`
	// Text holds verbal values (TAB_VERB) parallel to Values; nil when the
	// conversion is numeric.
	Text []string `json:"text,omitempty"`
	// String is the content of an ASCII characteristic.
	String *string `json:"string,omitempty"`
	// Axes are the axes of curves, maps and cuboids (x first); an AXIS_PTS
	// item has its points in Values.
	Axes []*Axis `json:"axes,omitempty"`
}

// Axis is one axis of a curve, map or cuboid.
type Axis struct {
	// Kind is the axis attribute: STD_AXIS, FIX_AXIS, COM_AXIS,
	// CURVE_AXIS or RES_AXIS.
	Kind string `json:"kind"`
	// Ref names the AXIS_PTS (COM_AXIS, RES_AXIS) or CURVE (CURVE_AXIS)
	// that holds the points.
	Ref    string    `json:"ref,omitempty"`
	Unit   string    `json:"unit,omitempty"`
	Values []float64 `json:"values"`
	Text   []string  `json:"text,omitempty"`
}

// Lookup returns the item called name, or nil.
func (s *Set) Lookup(name string) *Item {
	if s2 := sorted(s); s2 != s {
		for _, it := range s.Items {
			if it.Name == name {
				return it
			}
		}
		return nil
	}
	i := sort.Search(len(s.Items), func(i int) bool { return s.Items[i].Name >= name })
	if i < len(s.Items) && s.Items[i].Name == name {
		return s.Items[i]
	}
	return nil
}

// Sort orders the items by name; readers and Save return sorted sets.
func (s *Set) Sort() {
	sort.SliceStable(s.Items, func(i, j int) bool { return s.Items[i].Name < s.Items[j].Name })
}

// ErrNoMatch is returned (wrapped) when a name or pattern given to Select
// matches no calibration object.
var ErrNoMatch = errors.New("matches no CHARACTERISTIC, AXIS_PTS, FUNCTION or GROUP")

// Select returns the names of the calibration objects (CHARACTERISTICs,
// AXIS_PTS and characteristics reached through INSTANCEs) of m that the
// selectors choose, sorted: an object name, a glob pattern (path.Match
// syntax: *, ?, [a-z]), or the name of a FUNCTION (its DEF_ and
// REF_CHARACTERISTICs and those of its SUB_FUNCTIONs) or GROUP (its
// REF_CHARACTERISTICs and SUB_GROUPs). No selectors select every object.
func Select(m *a2l.Module, selectors ...string) ([]string, error) {
	all := Names(m)
	if len(selectors) == 0 {
		return all, nil
	}
	isCal := make(map[string]bool, len(all))
	for _, n := range all {
		isCal[n] = true
	}
	chosen := map[string]bool{}
	for _, sel := range selectors {
		n := len(chosen)
		switch {
		case isCal[sel]:
			chosen[sel] = true
		case m.Function(sel) != nil || m.Group(sel) != nil:
			for _, name := range m.Members(sel) {
				if isCal[name] || isCalName(m, name) {
					chosen[name] = true
				}
			}
		case strings.ContainsAny(sel, "*?["):
			if _, err := path.Match(sel, ""); err != nil {
				return nil, fmt.Errorf("paramset: pattern %q: %w", sel, err)
			}
			for _, name := range all {
				if ok, _ := path.Match(sel, name); ok {
					chosen[name] = true
				}
			}
		default:
			if isCalName(m, sel) { // an element or component path Names does not list
				chosen[sel] = true
			}
		}
		if len(chosen) == n && !anyChosen(m, sel, chosen) {
			return nil, fmt.Errorf("paramset: %q %w", sel, ErrNoMatch)
		}
	}
	out := make([]string, 0, len(chosen))
	for n := range chosen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// anyChosen reports whether sel (already applied) chose something: a
// FUNCTION whose members were all chosen before still counts.
func anyChosen(m *a2l.Module, sel string, chosen map[string]bool) bool {
	if chosen[sel] {
		return true
	}
	if m.Function(sel) == nil && m.Group(sel) == nil {
		return false
	}
	for _, name := range m.Members(sel) {
		if chosen[name] {
			return true
		}
	}
	return false
}

// Names returns the names of every calibration object of m: the
// CHARACTERISTICs and AXIS_PTS and the characteristics reached through
// INSTANCEs, sorted.
func Names(m *a2l.Module) []string {
	var out []string
	for _, n := range m.Names() {
		if isCalName(m, n) {
			out = append(out, n)
		}
	}
	return out
}

func isCalName(m *a2l.Module, name string) bool {
	obj, err := m.Resolve(name)
	if err != nil || obj == nil {
		return false
	}
	return obj.Kind == a2l.KindCharacteristic || obj.Kind == a2l.KindAxisPts
}

// Skip is an object a Save or Apply left out, and why.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Save reads the objects names (see Select) from mem and returns them as a
// set. Objects that cannot be read are listed in the skips with the reason
// (for example a record layout cal does not decode); a memory error ends
// the save.
func Save(ctx context.Context, m *a2l.Module, mem cal.Memory, names []string) (*Set, []Skip, error) {
	set := &Set{}
	var skips []Skip
	owner := definingFunctions(m)
	tm := &trackedMemory{Memory: mem}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		d, err := cal.Describe(m, name)
		if err != nil {
			skips = append(skips, Skip{name, err.Error()})
			continue
		}
		tm.err = nil
		v, err := d.Read(ctx, tm)
		if err != nil {
			if tm.err != nil || ctx.Err() != nil {
				return nil, nil, fmt.Errorf("paramset: save %s: %w", name, err)
			}
			skips = append(skips, Skip{name, err.Error()})
			continue
		}
		it := FromValue(m, d, v)
		it.Function = owner[name]
		set.Items = append(set.Items, it)
	}
	set.Sort()
	return set, skips, nil
}

// trackedMemory remembers the last memory error, to tell a failed memory
// access (which ends a save) from an object cal cannot decode (which only
// skips the object).
type trackedMemory struct {
	cal.Memory
	err error
}

func (t *trackedMemory) Read(ctx context.Context, addr uint32, ext uint8, n int) ([]byte, error) {
	b, err := t.Memory.Read(ctx, addr, ext, n)
	if err != nil {
		t.err = err
	}
	return b, err
}

func (t *trackedMemory) Write(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	err := t.Memory.Write(ctx, addr, ext, data)
	if err != nil {
		t.err = err
	}
	return err
}

func definingFunctions(m *a2l.Module) map[string]string {
	out := map[string]string{}
	for _, f := range m.Functions {
		for _, c := range f.DefCharacteristic {
			if _, ok := out[c]; !ok {
				out[c] = f.Name
			}
		}
	}
	return out
}

// FromValue turns a value read by package cal into an item; d gives the
// A2L object (for the comment and the axis references).
func FromValue(m *a2l.Module, d *cal.Desc, v *cal.Value) *Item {
	it := &Item{Name: v.Name, Kind: v.Kind, Unit: v.Unit, String: v.String}
	if d != nil && d.Obj != nil {
		it.Comment = longID(d.Obj)
	}
	if v.String == nil {
		it.Values = append([]float64(nil), v.Phys...)
		if hasText(v.Text) {
			it.Text = append([]string(nil), v.Text...)
		}
		if len(v.Dims) > 0 {
			it.Dims = append([]int(nil), v.Dims...)
		}
	}
	var descrs []*a2l.AxisDescr
	if d != nil && d.Obj != nil && d.Obj.Characteristic != nil {
		descrs = d.Obj.Characteristic.Axes
	}
	for i, a := range v.Axes {
		if a == nil {
			continue
		}
		ax := &Axis{Kind: a.Attr, Unit: a.Unit, Values: append([]float64(nil), a.Phys...)}
		if hasText(a.Text) {
			ax.Text = append([]string(nil), a.Text...)
		}
		if i < len(descrs) {
			ax.Ref = descrs[i].AxisPtsRef
			if ax.Ref == "" {
				ax.Ref = descrs[i].CurveAxisRef
			}
		}
		it.Axes = append(it.Axes, ax)
	}
	if it.Kind == "AXIS_PTS" {
		it.Axes = nil // the points are the values
	}
	return it
}

func longID(o *a2l.Object) string {
	switch {
	case o.Characteristic != nil:
		return o.Characteristic.LongID
	case o.AxisPts != nil:
		return o.AxisPts.LongID
	}
	return ""
}

func hasText(t []string) bool {
	for _, s := range t {
		if s != "" {
			return true
		}
	}
	return false
}
