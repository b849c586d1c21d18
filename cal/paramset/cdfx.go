package paramset

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ASAM CDF 2.0 (CDFX): an MSRSW document whose SW-INSTANCE-TREE lists one
// SW-INSTANCE per object: SHORT-NAME, LONG-NAME, CATEGORY (VALUE, BOOLEAN,
// ASCII, VAL_BLK, CURVE, MAP, CUBOID, CUBE_4, CUBE_5, COM_AXIS, CURVE_AXIS,
// RES_AXIS), SW-FEATURE-REF (the function), SW-VALUE-CONT (UNIT-DISPLAY-NAME,
// SW-ARRAYSIZE, SW-VALUES-PHYS with V, VT and nested VG groups — a MAP has
// one VG per x point holding the values along y) and SW-AXIS-CONTS.

const cdfDoctype = `MSRSW PUBLIC "-//ASAM//DTD CALIBRATION DATA FORMAT:V2.0.0:LAI:IAI:XML:CDF200.XSD//EN" "cdf_v2.0.0.sl.dtd"`

type cdfDoc struct {
	XMLName   xml.Name    `xml:"MSRSW"`
	ShortName string      `xml:"SHORT-NAME"`
	Category  string      `xml:"CATEGORY"`
	Systems   []cdfSystem `xml:"SW-SYSTEMS>SW-SYSTEM"`
}

type cdfSystem struct {
	ShortName string    `xml:"SHORT-NAME"`
	Trees     []cdfTree `xml:"SW-INSTANCE-SPEC>SW-INSTANCE-TREE"`
}

type cdfTree struct {
	ShortName string        `xml:"SHORT-NAME"`
	Category  string        `xml:"CATEGORY"`
	Instances []cdfInstance `xml:"SW-INSTANCE"`
}

type cdfInstance struct {
	ShortName  string        `xml:"SHORT-NAME"`
	LongName   string        `xml:"LONG-NAME,omitempty"`
	Category   string        `xml:"CATEGORY"`
	FeatureRef string        `xml:"SW-FEATURE-REF,omitempty"`
	Value      *cdfValueCont `xml:"SW-VALUE-CONT"`
	Axes       []cdfAxisCont `xml:"SW-AXIS-CONTS>SW-AXIS-CONT"`
}

type cdfValueCont struct {
	Unit      string     `xml:"UNIT-DISPLAY-NAME,omitempty"`
	ArraySize *cdfValues `xml:"SW-ARRAYSIZE"`
	Phys      *cdfValues `xml:"SW-VALUES-PHYS"`
}

type cdfAxisCont struct {
	Category    string     `xml:"CATEGORY"`
	Unit        string     `xml:"UNIT-DISPLAY-NAME,omitempty"`
	InstanceRef string     `xml:"SW-INSTANCE-REF,omitempty"`
	ArraySize   *cdfValues `xml:"SW-ARRAYSIZE"`
	Phys        *cdfValues `xml:"SW-VALUES-PHYS"`
}

// cdfValues holds V, VT and VG elements in document order.
type cdfValues struct {
	Items []cdfV `xml:",any"`
}

// cdfV is a V (number), VT (text) or VG (group: LABEL and more values).
type cdfV struct {
	XMLName xml.Name
	Label   string `xml:"LABEL,omitempty"`
	Text    string `xml:",chardata"`
	Items   []cdfV `xml:",any"`
}

func readCDFX(data []byte) (*Set, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "windows-1252", "cp1252":
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			return bytes.NewReader(latin1ToUTF8(b)), nil
		}
		return nil, fmt.Errorf("character set %q not supported (UTF-8 and ISO-8859-1 are)", label)
	}
	var doc cdfDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("paramset: cdfx: %w", err)
	}
	s := &Set{Source: doc.ShortName}
	for _, sys := range doc.Systems {
		for _, tree := range sys.Trees {
			for _, in := range tree.Instances {
				it, err := cdfItem(in)
				if err != nil {
					return nil, fmt.Errorf("paramset: cdfx: SW-INSTANCE %s: %w", in.ShortName, err)
				}
				s.Items = append(s.Items, it)
			}
		}
	}
	return s, nil
}

func cdfItem(in cdfInstance) (*Item, error) {
	if in.ShortName == "" {
		return nil, fmt.Errorf("no SHORT-NAME")
	}
	it := &Item{Name: strings.TrimSpace(in.ShortName), Comment: strings.TrimSpace(in.LongName), Function: strings.TrimSpace(in.FeatureRef)}
	cat := strings.TrimSpace(in.Category)
	switch cat {
	case "VALUE", "BOOLEAN", "DEPENDENT_VALUE":
		it.Kind = "VALUE"
	case "ASCII", "VAL_BLK", "CURVE", "MAP", "CUBOID", "CUBE_4", "CUBE_5":
		it.Kind = cat
	case "COM_AXIS", "CURVE_AXIS", "RES_AXIS":
		it.Kind = "AXIS_PTS"
	case "VALUE_ARRAY":
		it.Kind = "VAL_BLK"
	default:
		return nil, fmt.Errorf("CATEGORY %q not supported", cat)
	}
	var vc cdfValueCont
	if in.Value != nil {
		vc = *in.Value
	}
	it.Unit = strings.TrimSpace(vc.Unit)
	if it.Kind == "AXIS_PTS" && vc.Phys == nil && len(in.Axes) == 1 {
		// Axis points may also be given as the instance's one axis.
		a := in.Axes[0]
		vc = cdfValueCont{Unit: a.Unit, ArraySize: a.ArraySize, Phys: a.Phys}
		it.Unit = strings.TrimSpace(a.Unit)
		in.Axes = nil
	}
	if vc.Phys == nil {
		return nil, fmt.Errorf("no SW-VALUES-PHYS")
	}
	var err error
	if it.Kind == "ASCII" {
		vals, texts, _, err := flatten(vc.Phys.Items)
		if err != nil {
			return nil, err
		}
		if len(vals) != 1 && len(texts) != 1 {
			return nil, fmt.Errorf("an ASCII instance needs one VT")
		}
		str := texts[0]
		it.String = &str
		return it, nil
	}
	var shape []int
	it.Values, it.Text, shape, err = flatten(vc.Phys.Items)
	if err != nil {
		return nil, err
	}
	if vc.ArraySize != nil {
		sz, _, _, err := flatten(vc.ArraySize.Items)
		if err != nil {
			return nil, fmt.Errorf("SW-ARRAYSIZE: %w", err)
		}
		for _, v := range sz {
			if v != float64(int(v)) || v < 1 || v > 1<<24 {
				return nil, fmt.Errorf("SW-ARRAYSIZE %v is not a count", v)
			}
			it.Dims = append(it.Dims, int(v))
		}
	} else if len(shape) > 1 || it.Kind != "VALUE" && len(shape) == 1 {
		it.Dims = shape
	}
	if it.Kind == "VALUE" {
		it.Dims = nil
	}
	if it.Kind == "AXIS_PTS" || (it.Kind == "VAL_BLK" || it.Kind == "CURVE") && len(it.Dims) == 0 {
		it.Dims = []int{max(len(it.Values), len(it.Text))}
	}
	for _, a := range in.Axes {
		ax := &Axis{Kind: strings.TrimSpace(a.Category), Unit: strings.TrimSpace(a.Unit), Ref: strings.TrimSpace(a.InstanceRef)}
		if a.Phys != nil && len(a.Phys.Items) > 0 {
			if ax.Values, ax.Text, _, err = flatten(a.Phys.Items); err != nil {
				return nil, fmt.Errorf("axis %s: %w", ax.Kind, err)
			}
		}
		it.Axes = append(it.Axes, ax)
	}
	if len(it.Text) > 0 && len(it.Values) > 0 {
		return nil, fmt.Errorf("both V and VT values")
	}
	return it, nil
}

// flatten reads V/VT elements, and VG groups nested by axis (the outer
// group the first axis), into values with the first index running
// fastest; shape gives the counts per level (outermost first, as the
// axes).
func flatten(items []cdfV) (vals []float64, texts []string, shape []int, err error) {
	type leaf struct {
		idx  []int
		v    float64
		t    string
		text bool
	}
	var leaves []leaf
	var walk func(items []cdfV, idx []int, depth int) error
	walk = func(items []cdfV, idx []int, depth int) error {
		if depth > 5 {
			return fmt.Errorf("VG nested deeper than 5 levels")
		}
		if len(shape) <= depth {
			shape = append(shape, 0)
		}
		n := 0
		for _, x := range items {
			switch x.XMLName.Local {
			case "V":
				v, err := strconv.ParseFloat(strings.TrimSpace(x.Text), 64)
				if err != nil {
					return fmt.Errorf("value %q of a V element is not a number", strings.TrimSpace(x.Text))
				}
				leaves = append(leaves, leaf{idx: append(append([]int(nil), idx...), n), v: v})
			case "VT":
				leaves = append(leaves, leaf{idx: append(append([]int(nil), idx...), n), t: x.Text, text: true})
			case "VG":
				if err := walk(x.Items, append(append([]int(nil), idx...), n), depth+1); err != nil {
					return err
				}
			case "LABEL":
				continue
			default:
				return fmt.Errorf("unexpected element %s in values", x.XMLName.Local)
			}
			n++
		}
		if shape[depth] != 0 && shape[depth] != n && n != 0 {
			return fmt.Errorf("value groups of different lengths (%d and %d)", shape[depth], n)
		}
		if n > shape[depth] {
			shape[depth] = n
		}
		return nil
	}
	if err := walk(items, nil, 0); err != nil {
		return nil, nil, nil, err
	}
	for len(shape) > 0 && shape[len(shape)-1] == 0 {
		shape = shape[:len(shape)-1]
	}
	if len(leaves) == 0 {
		return nil, nil, nil, fmt.Errorf("no values")
	}
	depth := len(leaves[0].idx)
	total := 1
	for _, l := range leaves {
		if len(l.idx) != depth {
			return nil, nil, nil, fmt.Errorf("values at different group depths")
		}
	}
	for _, n := range shape[:depth] {
		total *= n
	}
	if total != len(leaves) {
		return nil, nil, nil, fmt.Errorf("%d values do not fill %v groups", len(leaves), shape[:depth])
	}
	shape = shape[:depth]
	isText := leaves[0].text
	vals = make([]float64, total)
	if isText {
		texts = make([]string, total)
	}
	for _, l := range leaves {
		if l.text != isText {
			return nil, nil, nil, fmt.Errorf("both V and VT values")
		}
		// idx[0] is the first axis (x): it runs fastest.
		pos, stride := 0, 1
		for k, i := range l.idx {
			pos += i * stride
			stride *= shape[k]
		}
		vals[pos] = l.v
		if isText {
			texts[pos] = l.t
		}
	}
	if isText {
		vals = nil
	}
	return vals, texts, shape, nil
}

func writeCDFX(w io.Writer, s *Set) ([]Skip, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<!DOCTYPE " + cdfDoctype + ">\n")
	name := "goxcp"
	if s.Source != "" {
		name = s.Source
	}
	doc := cdfDoc{ShortName: name, Category: "CDF20"}
	tree := cdfTree{ShortName: name, Category: "NO_VCD"}
	var skips []Skip
	for _, it := range s.Items {
		in, reason := cdfInstanceOf(it)
		if reason != "" {
			skips = append(skips, Skip{it.Name, reason})
			continue
		}
		tree.Instances = append(tree.Instances, in)
	}
	doc.Systems = []cdfSystem{{ShortName: "ECU", Trees: []cdfTree{tree}}}
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("paramset: cdfx: %w", err)
	}
	buf.WriteString("\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("paramset: cdfx: %w", err)
	}
	return skips, nil
}

func cdfInstanceOf(it *Item) (cdfInstance, string) {
	if !utf8.ValidString(it.Name) || strings.ContainsAny(it.Name, " \t\n") {
		return cdfInstance{}, "the name is not a CDF SHORT-NAME"
	}
	in := cdfInstance{ShortName: it.Name, LongName: it.Comment, Category: it.Kind, FeatureRef: it.Function}
	vc := &cdfValueCont{Unit: it.Unit}
	switch it.Kind {
	case "ASCII":
		if it.String == nil {
			return in, "no string"
		}
		vc.Phys = &cdfValues{Items: []cdfV{{XMLName: xml.Name{Local: "VT"}, Text: *it.String}}}
		in.Value = vc
		return in, ""
	case "AXIS_PTS":
		in.Category = "COM_AXIS"
	case "VALUE", "VAL_BLK", "CURVE", "MAP", "CUBOID", "CUBE_4", "CUBE_5":
	default:
		return in, "a " + it.Kind + ", which CDF cannot hold"
	}
	d := dims(it)
	if it.Kind == "VALUE" {
		d = nil
	}
	vc.Phys = &cdfValues{Items: group(it.Values, it.Text, d, labels(it))}
	if len(d) > 1 {
		vc.ArraySize = &cdfValues{}
		for _, n := range d {
			vc.ArraySize.Items = append(vc.ArraySize.Items, cdfV{XMLName: xml.Name{Local: "V"}, Text: strconv.Itoa(n)})
		}
	}
	in.Value = vc
	for _, a := range it.Axes {
		ac := cdfAxisCont{Category: a.Kind, Unit: a.Unit}
		if a.Kind == "COM_AXIS" || a.Kind == "CURVE_AXIS" || a.Kind == "RES_AXIS" {
			ac.InstanceRef = a.Ref
		}
		if len(a.Values)+len(a.Text) > 0 {
			ac.Phys = &cdfValues{Items: group(a.Values, a.Text, nil, nil)}
		}
		in.Axes = append(in.Axes, ac)
	}
	return in, ""
}

// labels returns the x axis points as VG labels of a map.
func labels(it *Item) []string {
	if len(it.Axes) == 0 {
		return nil
	}
	a := it.Axes[0]
	return texts(a.Values, a.Text)
}

// group writes values with x fastest as V/VT elements, grouped in VGs by
// the outer dimensions: for a map one VG per x point with the values
// along y (labelled with the x point).
func group(v []float64, t []string, d []int, label []string) []cdfV {
	n := max(len(v), len(t))
	elem := func(i int) cdfV {
		if s := textAt(t, i); s != "" || len(t) > 0 {
			return cdfV{XMLName: xml.Name{Local: "VT"}, Text: s}
		}
		return cdfV{XMLName: xml.Name{Local: "V"}, Text: FormatValue(v[i])}
	}
	if len(d) < 2 {
		out := make([]cdfV, n)
		for i := range out {
			out[i] = elem(i)
		}
		return out
	}
	// Recursive: index tuple (i0, i1, ...) with i0 outermost in the XML
	// and fastest in memory.
	var build func(level int, base, stride int) []cdfV
	build = func(level int, base, stride int) []cdfV {
		if level == len(d)-1 {
			out := make([]cdfV, d[level])
			for i := range out {
				out[i] = elem(base + i*stride)
			}
			return out
		}
		out := make([]cdfV, d[level])
		for i := range out {
			g := cdfV{XMLName: xml.Name{Local: "VG"}}
			if level == 0 && i < len(label) {
				g.Label = label[i]
			}
			g.Items = build(level+1, base+i*stride, stride*d[level])
			out[i] = g
		}
		return out
	}
	return build(0, 0, 1)
}
