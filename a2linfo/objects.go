package a2linfo

import (
	"fmt"
	"path"
	"slices"
	"strings"

	asap2 "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/cal"
)

// Entry summarises one object of a module (what `xcp a2l list` shows):
// its kind, data type, address, size in bytes and unit, or the problem that
// makes it unusable.
type Entry struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Type    string `json:"type"`
	Address uint32 `json:"address"`
	Ext     int16  `json:"ext"`
	Size    int    `json:"size"`
	Unit    string `json:"unit,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Kinds are the object kinds List takes, as Entry.Kind names them.
var kinds = []string{"MEASUREMENT", "CHARACTERISTIC", "AXIS_PTS", "BLOB"}

// CheckFilter reports whether pattern and kind are valid arguments of List.
func CheckFilter(pattern, kind string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if k := strings.ToUpper(kind); k != "" && !slices.Contains(kinds, k) {
		return fmt.Errorf("unknown kind %q: want measurement, characteristic, axis_pts or blob", kind)
	}
	return nil
}

// List returns the Entry of every object of m whose name matches pattern
// (path.Match syntax: "params.*"; "" or "*" for all) and, unless kind is
// "", whose kind is kind (MEASUREMENT, CHARACTERISTIC, AXIS_PTS or BLOB,
// any case), in the order of Module.Names. A malformed pattern or an
// unknown kind is an error (CheckFilter).
func List(m *asap2.Module, pattern, kind string) ([]Entry, error) {
	if pattern == "" {
		pattern = "*"
	}
	if err := CheckFilter(pattern, kind); err != nil {
		return nil, err
	}
	kind = strings.ToUpper(kind)
	var entries []Entry
	for _, n := range m.Names() {
		if ok, _ := path.Match(pattern, n); !ok {
			continue
		}
		e := Summarize(m, n)
		if kind != "" && e.Kind != kind {
			continue
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// Summarize returns the Entry of the object called name (a measurement,
// characteristic, axis, blob or instance member); an object that cannot be
// resolved or laid out has only Name and Error (and Kind if it resolved).
func Summarize(m *asap2.Module, name string) Entry {
	e := Entry{Name: name}
	o, err := m.Resolve(name)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Kind = o.Kind.String()
	c := o.Common()
	e.Address, e.Ext = c.Address, c.AddrExt
	switch o.Kind {
	case asap2.KindMeasurement:
		e.Type = o.Measurement.DataType.String()
		if len(c.MatrixDim) > 0 {
			e.Type += fmt.Sprint(c.MatrixDim)
		}
	case asap2.KindCharacteristic:
		e.Type = o.Characteristic.Type.String()
	case asap2.KindAxisPts:
		e.Type = "AXIS_PTS"
	case asap2.KindBlob:
		e.Type = "BLOB"
	}
	d, err := cal.Describe(m, name)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Size = d.Size
	e.Unit = unitOf(m, o)
	return e
}

func unitOf(m *asap2.Module, o *asap2.Object) string {
	if u := o.Common().PhysUnit; u != "" {
		return u
	}
	var cname string
	switch o.Kind {
	case asap2.KindMeasurement:
		cname = o.Measurement.Conversion
	case asap2.KindCharacteristic:
		cname = o.Characteristic.Conversion
	case asap2.KindAxisPts:
		cname = o.AxisPts.Conversion
	}
	if cm := m.CompuMethod(cname); cm != nil {
		return cm.Unit
	}
	return ""
}

// Detail is everything the A2L says about one object (what `xcp a2l show`
// shows): conversion with its coefficients or formula, limits, record
// layout, byte order, access, DAQ events, axes and where it is defined.
type Detail struct {
	Entry
	LongID     string        `json:"long_id"`
	Conversion string        `json:"conversion"`
	ConvType   string        `json:"conversion_type"`
	Limits     asap2.Limits  `json:"limits"`
	ExtLimits  *asap2.Limits `json:"extended_limits,omitempty"`
	Layout     string        `json:"record_layout,omitempty"`
	MatrixDim  []int         `json:"matrix_dim,omitempty"`
	BitMask    string        `json:"bit_mask,omitempty"`
	ByteOrder  string        `json:"byte_order"`
	Access     string        `json:"access"`
	Events     []uint16      `json:"events,omitempty"`
	Axes       []string      `json:"axes,omitempty"`
	Defined    string        `json:"defined_at"`
	Instance   string        `json:"instance,omitempty"`
	Verbal     []string      `json:"verbal,omitempty"`
}

// Describe returns the Detail of the object called name; an unknown name
// or an object that cannot be laid out is an error saying why.
func Describe(m *asap2.Module, name string) (*Detail, error) {
	e := Summarize(m, name)
	if e.Kind == "" {
		return nil, fmt.Errorf("%s", e.Error)
	}
	o, _ := m.Resolve(name)
	c := o.Common()
	d := &Detail{Entry: e, MatrixDim: c.MatrixDim, ExtLimits: c.More().ExtLimits}
	bo := m.ModCommon.ByteOrder
	if c.ByteOrder != nil {
		bo = *c.ByteOrder
	}
	d.ByteOrder = bo.String()
	if c.HasBitMask {
		d.BitMask = fmt.Sprintf("0x%X", c.BitMask)
	}
	switch o.Kind {
	case asap2.KindMeasurement:
		d.LongID, d.Conversion, d.Limits, d.Defined = o.Measurement.LongID, o.Measurement.Conversion, o.Measurement.Limits, o.Measurement.Pos.String()
		d.Access = "read"
		if c.ReadWrite {
			d.Access = "read/write"
		}
	case asap2.KindCharacteristic:
		ch := o.Characteristic
		d.LongID, d.Conversion, d.Limits, d.Layout, d.Defined = ch.LongID, ch.Conversion, ch.Limits, ch.Deposit, ch.Pos.String()
		d.Access = "read/write"
		if c.ReadOnly {
			d.Access = "read"
		}
		for _, a := range ch.Axes {
			s := fmt.Sprintf("%s input %s, conversion %s, max %d points, limits [%g, %g]", a.Attr, a.InputQuantity, a.Conversion, a.MaxAxisPoints, a.Limits.Lower, a.Limits.Upper)
			switch {
			case a.AxisPtsRef != "":
				s += ", AXIS_PTS " + a.AxisPtsRef
			case a.CurveAxisRef != "":
				s += ", CURVE " + a.CurveAxisRef
			case a.FixAxisPar != nil:
				s += fmt.Sprintf(", points %v", a.FixAxisPar.Points())
			case a.FixAxisList != nil:
				s += fmt.Sprintf(", points %v", a.FixAxisList)
			}
			d.Axes = append(d.Axes, s)
		}
	case asap2.KindAxisPts:
		ap := o.AxisPts
		d.LongID, d.Conversion, d.Limits, d.Layout, d.Defined = ap.LongID, ap.Conversion, ap.Limits, ap.Deposit, ap.Pos.String()
		d.Access = "read/write"
	case asap2.KindBlob:
		d.LongID, d.Defined, d.Access, d.Conversion = o.Blob.LongID, o.Blob.Pos.String(), "read/write", "NO_COMPU_METHOD"
	}
	if o.Instance != nil {
		d.Instance = o.Instance.Typedef + " (INSTANCE " + o.Instance.Name + " at " + o.Instance.Pos.String() + ")"
	}
	cv, err := conv.New(m, d.Conversion)
	if err != nil {
		return nil, err
	}
	d.ConvType = cv.Type.String()
	if cm := m.CompuMethod(d.Conversion); cm != nil {
		switch cm.Type {
		case asap2.Linear, asap2.RatFunc:
			d.ConvType += fmt.Sprintf(" %v", cm.Coeffs)
		case asap2.Form:
			d.ConvType += fmt.Sprintf(" %q", cm.Formula)
			if cm.FormulaInv != "" {
				d.ConvType += fmt.Sprintf(" inverse %q", cm.FormulaInv)
			}
			if f := cv.RuntimeFunc(); f != "" {
				d.ConvType += fmt.Sprintf(" (uses %s(): needs the measurement's run-time context)", f)
			}
		case asap2.TabVerb:
			if t := m.CompuVTab(cm.CompuTabRef); t != nil {
				for i := range t.In {
					d.Verbal = append(d.Verbal, fmt.Sprintf("%g=%s", t.In[i], t.Out[i]))
				}
			} else if r := m.CompuVTabRange(cm.CompuTabRef); r != nil {
				for i := range r.Min {
					d.Verbal = append(d.Verbal, fmt.Sprintf("%g..%g=%s", r.Min[i], r.Max[i], r.Out[i]))
				}
			}
		}
	}
	if ev, err := ifxcp.Events(c); err == nil && ev != nil {
		d.Events = append(append([]uint16{}, ev.Fixed...), ev.Default...)
	}
	return d, nil
}
