package cal

import (
	"fmt"
	"sort"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/compu"
)

// Desc describes where and how an object is stored: enough to read it
// (Address, Ext, Size) and to decode and encode it.
type Desc struct {
	Name    string
	Obj     *a2l.Object
	Address uint32
	Ext     uint8
	Size    int // bytes to read at Address (upper bound for dynamic layouts)

	kind     string
	order    a2l.ByteOrder
	align    a2l.Alignment
	dt       a2l.DataType // element type of the function values
	count    int          // number of function values for fixed-size objects
	dims     []int
	mask     uint64
	conv     *compu.Conv
	unit     string
	format   string
	limits   a2l.Limits
	ext      *a2l.Limits
	readOnly bool

	rl      *a2l.RecordLayout // nil for measurements
	fncDir  a2l.IndexMode
	alt     int // axis whose points alternate with the values (ALTERNATE_WITH_X: 0, _Y: 1), -1: none
	axes    []*axisSpec
	static  bool
	rescale bool // an AXIS_PTS of rescale pairs (AXIS_RESCALE_X), read by RES_AXIS curves
}

type axisSpec struct {
	d      *a2l.AxisDescr
	conv   *compu.Conv
	unit   string
	order  a2l.ByteOrder
	maxPts int
	fixed  []float64 // FIX_AXIS points (physical = raw)
	dep    *Desc     // COM_AXIS (AXIS_PTS) or CURVE_AXIS (CURVE)
	limits a2l.Limits
}

// Kind returns MEASUREMENT, AXIS_PTS, BLOB or the characteristic type.
func (d *Desc) Kind() string { return d.kind }

// Describe resolves name (see a2l.Module.Resolve) and computes its layout.
func Describe(m *a2l.Module, name string) (*Desc, error) {
	o, err := m.Resolve(name)
	if err != nil {
		return nil, err
	}
	return describe(m, o, 0)
}

func describe(m *a2l.Module, o *a2l.Object, depth int) (*Desc, error) {
	if depth > 4 {
		return nil, errorf(o.Name(), "axis references nested too deeply")
	}
	c := o.Common()
	if c.AddrExt < 0 || c.AddrExt > 0xFF {
		return nil, errorf(o.Name(), "ECU_ADDRESS_EXTENSION %d does not fit the one-byte address extension of XCP (0..255)", c.AddrExt)
	}
	d := &Desc{Name: o.Name(), Obj: o, Address: c.Address, Ext: uint8(c.AddrExt), order: m.ModCommon.ByteOrder, align: m.ModCommon.Alignment, alt: -1}
	if c.ByteOrder != nil {
		d.order = *c.ByteOrder
	}
	if l := c.More().ExtLimits; l != nil {
		d.ext = l
	}
	d.unit = c.PhysUnit
	d.format = c.More().Format
	var convName string
	switch o.Kind {
	case a2l.KindMeasurement:
		ms := o.Measurement
		d.kind, d.dt, convName, d.limits = "MEASUREMENT", ms.DataType, ms.Conversion, ms.Limits
		d.dims = dimsOf(c)
		d.count = product(d.dims)
		if c.HasBitMask {
			d.mask = c.BitMask
		}
		d.Size = mulSize(d.count, d.dt.Size())
	case a2l.KindCharacteristic:
		ch := o.Characteristic
		d.kind, convName, d.limits, d.readOnly = ch.Type.String(), ch.Conversion, ch.Limits, c.ReadOnly
		if c.HasBitMask {
			d.mask = c.BitMask
		}
		if err := d.characteristic(m, ch, depth); err != nil {
			return nil, err
		}
	case a2l.KindAxisPts:
		ap := o.AxisPts
		d.kind, convName, d.limits, d.readOnly = "AXIS_PTS", ap.Conversion, ap.Limits, c.ReadOnly
		if err := d.axisPts(m, ap); err != nil {
			return nil, err
		}
	case a2l.KindBlob:
		d.kind, d.dt, d.count, d.Size = "BLOB", a2l.UByte, int(o.Blob.Size), int(o.Blob.Size)
		d.limits = a2l.Limits{Lower: 0, Upper: 255}
	}
	if err := d.checkSize(); err != nil {
		return nil, err
	}
	if err := d.checkOrders(); err != nil {
		return nil, err
	}
	cv, err := conv.New(m, convName)
	if err != nil {
		return nil, errorf(d.Name, "%w", err)
	}
	d.conv = cv
	if d.unit == "" {
		d.unit = cv.Unit
	}
	if d.format == "" {
		d.format = cv.Format
	}
	return d, nil
}

func dimsOf(c *a2l.Common) []int {
	if len(c.MatrixDim) > 0 {
		dims := append([]int(nil), c.MatrixDim...)
		// MATRIX_DIM 8 1 1 describes a one-dimensional array.
		for len(dims) > 1 && dims[len(dims)-1] == 1 {
			dims = dims[:len(dims)-1]
		}
		if len(dims) == 1 && dims[0] == 1 {
			return nil
		}
		return dims
	}
	if n := c.More().ArraySize; n > 1 {
		return []int{n}
	}
	return nil
}

func product(dims []int) int {
	n := 1
	for _, d := range dims {
		n = mulSize(n, d)
	}
	return n
}

// maxObjectSize bounds an object's size: XCP addresses are 32 bits, so no
// object can span more than 4 GiB. Sizes are computed with mulSize and
// addSize, which saturate just above it, so dimensions from a hostile A2L
// cannot overflow into a small or negative size.
const maxObjectSize = 1 << 32

// maxFixedPoints bounds a FIX_AXIS_PAR, whose points are computed rather
// than read (real axes have at most a few thousand).
const maxFixedPoints = 1 << 20

func mulSize(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	if b != 0 && a > (maxObjectSize+1)/b {
		return maxObjectSize + 1
	}
	return min(a*b, maxObjectSize+1)
}

func addSize(a, b int) int { return min(a+b, maxObjectSize+1) }

// checkSize rejects negative or oversized objects.
func (d *Desc) checkSize() error {
	if d.Size < 0 || d.Size > maxObjectSize {
		return errorf(d.Name, "%s is larger than the 4 GiB address space (dimensions or axis point counts too large)", d.kind)
	}
	return nil
}

func (d *Desc) layoutFor(m *a2l.Module, name string) (*a2l.RecordLayout, error) {
	rl := m.RecordLayout(name)
	if rl == nil {
		return nil, errorf(d.Name, "RECORD_LAYOUT %s not found", name)
	}
	return rl, nil
}

// mergeAlign overlays the record layout's ALIGNMENT_* on MOD_COMMON's.
func mergeAlign(base, over a2l.Alignment) a2l.Alignment {
	pick := func(a, b int) int {
		if b > 0 {
			return b
		}
		return a
	}
	return a2l.Alignment{
		Byte: pick(base.Byte, over.Byte), Word: pick(base.Word, over.Word), Long: pick(base.Long, over.Long),
		Int64: pick(base.Int64, over.Int64), Float16: pick(base.Float16, over.Float16),
		Float32: pick(base.Float32, over.Float32), Float64: pick(base.Float64, over.Float64),
	}
}

func (d *Desc) characteristic(m *a2l.Module, ch *a2l.Characteristic, depth int) error {
	rl, err := d.layoutFor(m, ch.Deposit)
	if err != nil {
		return err
	}
	d.rl = rl
	d.align = mergeAlign(d.align, rl.Alignment)
	d.static = rl.StaticLayout
	if rl.FncValues == nil {
		return errorf(d.Name, "RECORD_LAYOUT %s has no FNC_VALUES", rl.Name)
	}
	d.dt, d.fncDir = rl.FncValues.DataType, rl.FncValues.IndexMode
	switch ch.Type {
	case a2l.Value:
		d.count = 1
	case a2l.ValBlk:
		d.dims = dimsOf(&ch.Common)
		if d.dims == nil && ch.Number > 0 {
			d.dims = []int{ch.Number}
		}
		d.count = product(d.dims)
	case a2l.ASCII:
		n := ch.Number
		if n == 0 && len(ch.MatrixDim) > 0 {
			n = ch.MatrixDim[0]
		}
		if n <= 0 {
			return errorf(d.Name, "ASCII without NUMBER or MATRIX_DIM")
		}
		d.count, d.dt = n, a2l.UByte
	default:
		for i, ad := range ch.Axes {
			ax, err := d.axisSpec(m, rl, i, ad, depth)
			if err != nil {
				return err
			}
			d.axes = append(d.axes, ax)
		}
		if err := d.alternating(); err != nil {
			return err
		}
	}
	size, err := d.recordSize()
	if err != nil {
		return err
	}
	d.Size = size
	return nil
}

func (d *Desc) axisSpec(m *a2l.Module, rl *a2l.RecordLayout, i int, ad *a2l.AxisDescr, depth int) (*axisSpec, error) {
	if i >= 5 {
		return nil, errorf(d.Name, "more than 5 axes")
	}
	ax := &axisSpec{d: ad, order: d.order, maxPts: ad.MaxAxisPoints, limits: ad.Limits, unit: ad.PhysUnit}
	if ad.ByteOrder != nil {
		ax.order = *ad.ByteOrder
	}
	cv, err := conv.New(m, ad.Conversion)
	if err != nil {
		return nil, errorf(d.Name, "axis %d: %w", i+1, err)
	}
	ax.conv = cv
	if ax.unit == "" {
		ax.unit = cv.Unit
	}
	switch ad.Attr {
	case a2l.StdAxis:
		if rl.AxisPts[i] == nil {
			return nil, errorf(d.Name, "STD_AXIS %d but RECORD_LAYOUT %s has no AXIS_PTS_%s", i+1, rl.Name, "XYZ45"[i:i+1])
		}
	case a2l.FixAxis:
		switch {
		case ad.FixAxisPar != nil:
			if n := ad.FixAxisPar.Numbers; n > maxFixedPoints {
				return nil, errorf(d.Name, "FIX_AXIS_PAR of %d points; at most %d are supported", n, maxFixedPoints)
			}
			ax.fixed = ad.FixAxisPar.Points()
		case len(ad.FixAxisList) > 0:
			ax.fixed = ad.FixAxisList
		default:
			return nil, errorf(d.Name, "FIX_AXIS %d without FIX_AXIS_PAR, FIX_AXIS_PAR_DIST or FIX_AXIS_PAR_LIST", i+1)
		}
		ax.maxPts = len(ax.fixed)
	case a2l.ComAxis, a2l.CurveAxis, a2l.ResAxis:
		ref := ad.AxisPtsRef
		if ad.Attr == a2l.CurveAxis {
			ref = ad.CurveAxisRef
		}
		if ref == "" {
			return nil, errorf(d.Name, "%s %d without a reference", ad.Attr, i+1)
		}
		o, err := m.ResolveAxisRef(d.Name, ref)
		if err != nil {
			return nil, errorf(d.Name, "axis %d: %w", i+1, err)
		}
		if ad.Attr != a2l.CurveAxis && o.Kind != a2l.KindAxisPts {
			return nil, errorf(d.Name, "%s %d refers to %s, which is not an AXIS_PTS", ad.Attr, i+1, ref)
		}
		if ad.Attr == a2l.CurveAxis && (o.Kind != a2l.KindCharacteristic || o.Characteristic.Type != a2l.Curve) {
			return nil, errorf(d.Name, "CURVE_AXIS %d refers to %s, which is not a CURVE", i+1, ref)
		}
		dep, err := describe(m, o, depth+1)
		if err != nil {
			return nil, err
		}
		if (ad.Attr == a2l.ResAxis) != dep.rescale {
			if dep.rescale {
				return nil, errorf(d.Name, "%s %d refers to %s, an AXIS_PTS of rescale pairs (AXIS_RESCALE_X); use RES_AXIS", ad.Attr, i+1, ref)
			}
			return nil, errorf(d.Name, "RES_AXIS %d refers to %s, whose RECORD_LAYOUT has no AXIS_RESCALE_X", i+1, ref)
		}
		ax.dep = dep
	default:
		return nil, errorf(d.Name, "%s axes are not supported", ad.Attr)
	}
	return ax, nil
}

func (d *Desc) axisPts(m *a2l.Module, ap *a2l.AxisPts) error {
	rl, err := d.layoutFor(m, ap.Deposit)
	if err != nil {
		return err
	}
	maxPts := ap.MaxAxisPoints
	switch {
	case rl.AxisPts[0] != nil:
		d.dt = rl.AxisPts[0].DataType
	case rl.AxisRescale[0] != nil:
		// Rescale pairs (X_i, Y_i): axis point and the index on the
		// rescaled axis it maps to.
		d.rescale, d.dt = true, rl.AxisRescale[0].DataType
		if n := rl.AxisRescale[0].MaxNum; n > 0 {
			maxPts = n
		}
	default:
		return errorf(d.Name, "RECORD_LAYOUT %s has neither AXIS_PTS_X nor AXIS_RESCALE_X", rl.Name)
	}
	d.rl = rl
	d.align = mergeAlign(d.align, rl.Alignment)
	d.static = rl.StaticLayout
	d.axes = []*axisSpec{{d: &a2l.AxisDescr{Attr: a2l.StdAxis, MaxAxisPoints: maxPts}, order: d.order, maxPts: maxPts, limits: ap.Limits}}
	size, err := d.recordSize()
	if err != nil {
		return err
	}
	d.Size = size
	return nil
}

// item roles in a record
const (
	roleFnc = iota
	roleAxis
	roleNoAxis
	roleSkip
)

type item struct {
	pos   int
	role  int
	axis  int
	dt    a2l.DataType
	off   int
	count int
	ptr   a2l.DataType // indirect addressing: the type of the pointer at off (0: the data is at off)
}

// pointerTypes maps PBYTE ... PLONGLONG to the pointer's size as a type.
var pointerTypes = map[string]a2l.DataType{"PBYTE": a2l.UByte, "PWORD": a2l.UWord, "PLONG": a2l.ULong, "PLONGLONG": a2l.UInt64}

// items lists the record's elements in position order.
func (d *Desc) items() []item {
	rl := d.rl
	var its []item
	add := func(li *a2l.LayoutItem, role, axis int) {
		if li != nil {
			its = append(its, item{pos: li.Position, role: role, axis: axis, dt: li.DataType, ptr: pointerTypes[li.Addressing]})
		}
	}
	if d.kind != "AXIS_PTS" {
		add(rl.FncValues, roleFnc, 0)
	}
	for i := 0; i < 5; i++ {
		std := d.kind == "AXIS_PTS" && i == 0 || i < len(d.axes) && d.axes[i].d.Attr == a2l.StdAxis
		if std && d.rescale {
			add(rl.AxisRescale[0], roleAxis, 0)
			add(rl.NoRescale[0], roleNoAxis, 0)
		} else if std {
			add(rl.AxisPts[i], roleAxis, i)
			add(rl.NoAxisPts[i], roleNoAxis, i)
		}
		for _, li := range []*a2l.LayoutItem{rl.SrcAddr[i], rl.RipAddr[i], rl.ShiftOp[i], rl.Offset[i], rl.DistOp[i]} {
			add(li, roleSkip, i)
		}
	}
	add(rl.Identification, roleSkip, 0)
	add(rl.RipAddrW, roleSkip, 0)
	for i := range rl.Reserved {
		add(&rl.Reserved[i], roleSkip, 0)
	}
	sort.SliceStable(its, func(a, b int) bool { return its[a].pos < its[b].pos })
	return its
}

// axisCount returns the number of points of axis i given the record bytes
// (nil: the maximum).
func (d *Desc) fixedCount(i int) (int, bool) {
	ax := d.axes[i]
	switch {
	case ax.fixed != nil:
		return len(ax.fixed), true
	case ax.dep != nil:
		return 0, false // known after reading the dependency
	case d.rl.FixNoAxisPts[i] > 0:
		return d.rl.FixNoAxisPts[i], true
	case d.rescale && d.rl.NoRescale[0] == nil, !d.rescale && d.rl.NoAxisPts[i] == nil:
		return ax.maxPts, true
	}
	return 0, false
}

// place computes offsets and counts. b may be nil (maximum sizes); deps
// gives the point counts of COM/CURVE axes (-1: unknown, use maximum).
func (d *Desc) place(b []byte, depCounts []int) ([]item, []int, int, error) {
	its := d.items()
	counts := make([]int, len(d.axes))
	for i := range d.axes {
		if n, ok := d.fixedCount(i); ok {
			counts[i] = n
		} else if d.axes[i].dep != nil && depCounts != nil && depCounts[i] >= 0 {
			counts[i] = depCounts[i]
		} else {
			counts[i] = -1 // from NO_AXIS_PTS or maximum
		}
	}
	maxOf := func(i int) int {
		if d.axes[i].dep != nil {
			return d.axes[i].dep.maxPoints()
		}
		return d.axes[i].maxPts
	}
	off, altOff := 0, -1
	for k := range its {
		it := &its[k]
		if it.ptr != 0 && d.alt >= 0 && (it.role == roleFnc || it.role == roleAxis && it.axis == d.alt) {
			return nil, nil, 0, errorf(d.Name, "RECORD_LAYOUT %s: %s through a pointer is not supported", d.rl.Name, d.fncDir)
		}
		al := d.align.For(it.dt)
		if it.ptr != 0 {
			al = d.align.For(it.ptr)
		}
		if r := off % al; r != 0 {
			off += al - r
		}
		it.off = off
		if d.alt >= 0 && (it.role == roleFnc || it.role == roleAxis && it.axis == d.alt) {
			// The interleaved block starts at the first of the two items.
			if altOff >= 0 {
				it.off = altOff
				continue
			}
			cs := make([]int, len(counts))
			for i, c := range counts {
				if c < 0 {
					if b != nil && d.rl.NoAxisPts[i] != nil {
						return nil, nil, 0, errorf(d.Name, "RECORD_LAYOUT %s: the values come before NO_AXIS_PTS_%s; not supported", d.rl.Name, "XYZ45"[i:i+1])
					}
					c = maxOf(i)
				}
				cs[i] = c
			}
			_, _, size := d.altLayout(cs)
			altOff = off
			off = addSize(off, size)
			continue
		}
		switch it.role {
		case roleNoAxis:
			it.count = 1
			if b != nil && off+it.dt.Size() <= len(b) {
				n, err := decodeRaw(b[off:], it.dt, d.order)
				if err != nil {
					return nil, nil, 0, err
				}
				if n < 0 || int(n) > maxOf(it.axis) {
					return nil, nil, 0, errorf(d.Name, "NO_AXIS_PTS_%s in memory is %v, outside 0..%d", "XYZ45"[it.axis:it.axis+1], n, maxOf(it.axis))
				}
				counts[it.axis] = int(n)
			}
		case roleAxis:
			n := counts[it.axis]
			if n < 0 || d.static {
				if n < 0 && b != nil {
					return nil, nil, 0, errorf(d.Name, "RECORD_LAYOUT %s: AXIS_PTS_%s comes before its NO_AXIS_PTS_%s; not supported", d.rl.Name, "XYZ45"[it.axis:it.axis+1], "XYZ45"[it.axis:it.axis+1])
				}
				it.count = maxOf(it.axis)
			} else {
				it.count = n
			}
		case roleFnc:
			it.count = d.fncCount(counts, maxOf)
		case roleSkip:
			it.count = 1
		}
		if it.ptr != 0 { // the record holds a pointer to the data
			off = addSize(off, it.ptr.Size())
			continue
		}
		off = addSize(off, mulSize(d.elems(*it), it.dt.Size()))
	}
	for i := range counts {
		if counts[i] < 0 {
			counts[i] = maxOf(i)
		}
	}
	return its, counts, off, nil
}

func (d *Desc) fncCount(counts []int, maxOf func(int) int) int {
	if len(d.axes) == 0 || d.kind == "AXIS_PTS" {
		return d.count
	}
	n := 1
	for i, c := range counts {
		if c < 0 || d.static {
			c = maxOf(i)
		}
		n = mulSize(n, c)
	}
	return n
}

func (d *Desc) maxPoints() int {
	if d.kind == "AXIS_PTS" {
		return d.axes[0].maxPts
	}
	// CURVE used as an axis: its number of values
	if len(d.axes) == 1 {
		if d.axes[0].dep != nil {
			return d.axes[0].dep.maxPoints()
		}
		return d.axes[0].maxPts
	}
	return d.count
}

func (d *Desc) recordSize() (int, error) {
	_, _, size, err := d.place(nil, nil)
	if err != nil {
		return 0, err
	}
	if size == 0 {
		return 0, fmt.Errorf("values: %s: empty record", d.Name)
	}
	return size, nil
}

// alternating checks an ALTERNATE_WITH_X / ALTERNATE_WITH_Y layout: the
// points of that axis are stored interleaved with the function values (a
// curve: x0 v0 x1 v1 ...; a map with ALTERNATE_WITH_X: x0, the values of
// column x0, x1, ...; with ALTERNATE_WITH_Y: y0, the values of row y0,
// y1, ...). ALTERNATE_CURVES (curves sharing an axis, stored value by value
// across the curves) is the x-fastest order of ROW_DIR and needs nothing
// here.
func (d *Desc) alternating() error {
	switch d.fncDir {
	case a2l.AlternateWithX:
		d.alt = 0
	case a2l.AlternateWithY:
		d.alt = 1
	default:
		return nil
	}
	switch {
	case len(d.axes) != 1 && len(d.axes) != 2:
		return errorf(d.Name, "FNC_VALUES %s is defined for curves and maps, not for a %s", d.fncDir, d.kind)
	case d.alt >= len(d.axes):
		return errorf(d.Name, "FNC_VALUES %s needs a second (Y) axis; a CURVE has one", d.fncDir)
	case d.axes[d.alt].d.Attr != a2l.StdAxis || d.rl.AxisPts[d.alt] == nil:
		return errorf(d.Name, "FNC_VALUES %s: axis %d must be a STD_AXIS with AXIS_PTS_%s in RECORD_LAYOUT %s", d.fncDir, d.alt+1, "XYZ45"[d.alt:d.alt+1], d.rl.Name)
	case d.static:
		return errorf(d.Name, "FNC_VALUES %s with STATIC_RECORD_LAYOUT is not supported", d.fncDir)
	}
	return nil
}

// altLayout returns, for an alternating layout with the given point
// counts, the byte offsets (from the start of the interleaved block) of
// the alternating axis's points and of the function values (x index
// fastest), and the size of the block. Each element is aligned as
// ALIGNMENT_* says.
func (d *Desc) altLayout(counts []int) (axOffs, fncOffs []int, size int) {
	a := d.alt
	axDT, fDT := d.rl.AxisPts[a].DataType, d.dt
	n, inner := counts[a], 1
	for i, c := range counts {
		if i != a {
			inner = mulSize(inner, c)
		}
	}
	if mulSize(n, inner+1) > maxObjectSize {
		return nil, nil, maxObjectSize + 1
	}
	axOffs, fncOffs = make([]int, n), make([]int, n*inner)
	off := 0
	align := func(dt a2l.DataType) {
		if al := d.align.For(dt); off%al != 0 {
			off += al - off%al
		}
	}
	for p := 0; p < n; p++ {
		align(axDT)
		axOffs[p] = off
		off += axDT.Size()
		for q := 0; q < inner; q++ {
			align(fDT)
			k := p + q*counts[0] // ALTERNATE_WITH_X: p is the x index
			if a == 1 {
				k = q + p*counts[0] // ALTERNATE_WITH_Y: p is the y index
			}
			fncOffs[k] = off
			off += fDT.Size()
		}
	}
	return axOffs, fncOffs, off
}

// elems returns the number of elements of a placed item (rescale axes
// hold pairs).
func (d *Desc) elems(it item) int {
	if d.rescale && it.role == roleAxis {
		return mulSize(it.count, 2)
	}
	return it.count
}

// checkOrders refuses the word-swapped byte orders of ASAP2 1.70
// (MSB_FIRST_MSW_LAST, MSB_LAST_MSW_FIRST): their values would be decoded
// wrongly.
func (d *Desc) checkOrders() error {
	bad := func(o a2l.ByteOrder) bool { return o != a2l.MSBFirst && o != a2l.MSBLast }
	if bad(d.order) {
		return errorf(d.Name, "BYTE_ORDER %s (word-swapped) is not supported", d.order)
	}
	for i, ax := range d.axes {
		if bad(ax.order) {
			return errorf(d.Name, "axis %d: BYTE_ORDER %s (word-swapped) is not supported", i+1, ax.order)
		}
	}
	return nil
}
