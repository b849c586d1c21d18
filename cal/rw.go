package cal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/compu"
)

// Read reads and decodes the object (and the axes it refers to).
func (d *Desc) Read(ctx context.Context, mem Memory) (*Value, error) {
	b, err := mem.Read(ctx, d.Address, d.Ext, d.Size)
	if err != nil {
		return nil, fmt.Errorf("values: read %s (0x%X ext %d, %d bytes): %w", d.Name, d.Address, d.Ext, d.Size, err)
	}
	if len(b) < d.Size {
		return nil, errorf(d.Name, "read returned %d bytes, need %d", len(b), d.Size)
	}
	deps, err := d.readDeps(ctx, mem)
	if err != nil {
		return nil, err
	}
	ind, err := d.readIndirect(ctx, mem, b, deps)
	if err != nil {
		return nil, err
	}
	return d.decode(b, deps, ind)
}

// indirect holds the data that pointers in a record (PBYTE ... PLONGLONG
// addressing) point to, by pointer value.
type indirect map[uint64][]byte

// readIndirect reads the data the record's pointers point to (nil when
// the layout has none).
func (d *Desc) readIndirect(ctx context.Context, mem Memory, b []byte, deps []*Value) (indirect, error) {
	if d.rl == nil {
		return nil, nil
	}
	its, _, size, err := d.place(b, depCounts(deps))
	if err != nil {
		return nil, err
	}
	var ind indirect
	for _, it := range its {
		if it.ptr == 0 || it.role != roleFnc && it.role != roleAxis {
			continue
		}
		if it.off+it.ptr.Size() > len(b) || size > len(b) {
			return nil, errorf(d.Name, "%d bytes, record needs %d", len(b), size)
		}
		p := rawBits(b[it.off:], it.ptr, d.order)
		if p > 0xFFFFFFFF {
			return nil, errorf(d.Name, "pointer 0x%X at record offset %d is beyond 32 bits", p, it.off)
		}
		n := mulSize(d.elems(it), it.dt.Size())
		if d.kind == "ASCII" {
			n = d.count
		}
		data, err := mem.Read(ctx, uint32(p), d.Ext, n)
		if err != nil {
			return nil, fmt.Errorf("values: read %s through the pointer at record offset %d (0x%X ext %d, %d bytes): %w", d.Name, it.off, p, d.Ext, n, err)
		}
		if len(data) < n {
			return nil, errorf(d.Name, "read through a pointer returned %d bytes, need %d", len(data), n)
		}
		if ind == nil {
			ind = indirect{}
		}
		ind[p] = data
	}
	return ind, nil
}

// at returns the bytes of a placed item: in the record, or where its
// pointer points.
func (d *Desc) at(b []byte, it item, ind indirect) ([]byte, error) {
	if it.ptr == 0 {
		return b[it.off:], nil
	}
	p := rawBits(b[it.off:], it.ptr, d.order)
	data, ok := ind[p]
	if !ok {
		return nil, errorf(d.Name, "RECORD_LAYOUT %s holds a %s pointer (0x%X) to the data: read the object from memory (Read), the record alone does not hold it", d.rl.Name, map[int]string{1: "PBYTE", 2: "PWORD", 4: "PLONG", 8: "PLONGLONG"}[it.ptr.Size()], p)
	}
	return data, nil
}

func (d *Desc) readDeps(ctx context.Context, mem Memory) ([]*Value, error) {
	deps := make([]*Value, len(d.axes))
	for i, ax := range d.axes {
		if ax.dep == nil {
			continue
		}
		v, err := ax.dep.Read(ctx, mem)
		if err != nil {
			return nil, errorf(d.Name, "axis %d: %w", i+1, err)
		}
		deps[i] = v
	}
	return deps, nil
}

func depCounts(deps []*Value) []int {
	if deps == nil {
		return nil
	}
	c := make([]int, len(deps))
	for i, v := range deps {
		c[i] = -1
		if v != nil {
			c[i] = axisPoints(v)
		}
	}
	return c
}

// Decode decodes the record bytes b; deps holds the decoded values of
// COM_AXIS/CURVE_AXIS references by axis index (nil entries otherwise).
// Records that point to their data (PBYTE ... PLONGLONG addressing) need
// Read.
func (d *Desc) Decode(b []byte, deps []*Value) (*Value, error) { return d.decode(b, deps, nil) }

func (d *Desc) decode(b []byte, deps []*Value, ind indirect) (*Value, error) {
	v := &Value{Name: d.Name, Kind: d.kind, Unit: d.unit, Limits: d.limits, Format: d.format, conv: d.conv, bits: 64}
	if d.dt == a2l.Float32 || d.dt == a2l.Float16 {
		v.bits = 32
	}
	if d.rl == nil { // measurement or blob
		if len(b) < d.Size {
			return nil, errorf(d.Name, "%d bytes, need %d", len(b), d.Size)
		}
		v.Dims = d.dims
		if err := d.decodeValues(v, b, d.count, d.dt, d.order, nil); err != nil {
			return nil, err
		}
		return v, nil
	}
	its, counts, size, err := d.place(b, depCounts(deps))
	if err != nil {
		return nil, err
	}
	if len(b) < size {
		return nil, errorf(d.Name, "%d bytes, record needs %d", len(b), size)
	}
	if d.kind == "AXIS_PTS" {
		for _, it := range its {
			if it.role != roleAxis {
				continue
			}
			data, err := d.at(b, it, ind)
			if err != nil {
				return nil, err
			}
			if d.rescale {
				if err := d.decodeValues(v, data, 2*counts[0], it.dt, d.order, nil); err != nil {
					return nil, err
				}
				for k := 1; k < len(v.Raw); k += 2 {
					v.Phys[k] = v.Raw[k] // Y_i: an index on the rescaled axis
				}
				v.Dims = []int{2, counts[0]}
				return v, nil
			}
			if err := d.decodeValues(v, data, counts[0], it.dt, d.order, nil); err != nil {
				return nil, err
			}
			if d.rl.AxisPts[0].IndexMode == a2l.IndexDecr {
				reverse(v)
			}
		}
		v.Dims = []int{len(v.Phys)}
		return v, nil
	}
	if d.alt >= 0 {
		return d.decodeAlternating(v, b, its, counts, deps)
	}
	for _, it := range its {
		if it.role != roleFnc {
			continue
		}
		data, err := d.at(b, it, ind)
		if err != nil {
			return nil, err
		}
		if d.kind == "ASCII" {
			if len(data) < d.count {
				return nil, errorf(d.Name, "%d bytes, ASCII needs %d", len(data), d.count)
			}
			raw := data[:d.count]
			if i := bytes.IndexByte(raw, 0); i >= 0 {
				raw = raw[:i]
			}
			s := string(raw)
			v.String = &s
			return v, nil
		}
		var n int
		var perm []int
		if len(d.axes) >= 2 {
			v.Dims = append([]int(nil), counts...)
			perm = d.memOrder(counts)
			n = len(perm)
		} else if len(d.axes) == 1 {
			v.Dims = []int{counts[0]}
			n = counts[0]
		} else {
			v.Dims = d.dims
			n = d.count
		}
		if err := d.decodeValues(v, data, n, it.dt, d.order, byteOffsets(perm, it.dt.Size())); err != nil {
			return nil, err
		}
	}
	return d.decodeAxes(v, b, its, counts, deps, ind, nil)
}

// decodeAlternating decodes a curve or map whose values alternate with the
// points of one axis (see altLayout).
func (d *Desc) decodeAlternating(v *Value, b []byte, its []item, counts []int, deps []*Value) (*Value, error) {
	start := -1
	for _, it := range its {
		if it.role == roleFnc {
			start = it.off
		}
	}
	axOffs, fncOffs, size := d.altLayout(counts)
	if start < 0 || start+size > len(b) {
		return nil, errorf(d.Name, "%d bytes, record needs %d", len(b), start+size)
	}
	v.Dims = append([]int(nil), counts...)
	if err := d.decodeValues(v, b[start:], len(fncOffs), d.dt, d.order, fncOffs); err != nil {
		return nil, err
	}
	return d.decodeAxes(v, b, its, counts, deps, nil, func(i int) (int, []int) {
		if i != d.alt {
			return 0, nil
		}
		return start, axOffs
	})
}

// decodeAxes decodes the axes of a curve, map, ... into v. alt, if not
// nil, gives the start and byte offsets of an axis interleaved with the
// values (nil offsets: not interleaved).
func (d *Desc) decodeAxes(v *Value, b []byte, its []item, counts []int, deps []*Value, ind indirect, alt func(int) (int, []int)) (*Value, error) {
	for i, ax := range d.axes {
		a := &Axis{Attr: ax.d.Attr.String(), Input: ax.d.InputQuantity, Unit: ax.unit}
		if alt != nil {
			if start, offs := alt(i); offs != nil {
				tmp := &Value{}
				if err := d.decodeValuesConv(tmp, b[start:], counts[i], d.rl.AxisPts[i].DataType, ax.order, ax, offs); err != nil {
					return nil, err
				}
				if d.rl.AxisPts[i].IndexMode == a2l.IndexDecr {
					reverse(tmp)
				}
				a.Raw, a.Phys, a.Text = tmp.Raw, tmp.Phys, tmp.Text
				v.Axes = append(v.Axes, a)
				continue
			}
		}
		switch {
		case ax.fixed != nil:
			a.Raw = ax.fixed
			for _, p := range ax.fixed {
				a.Phys = append(a.Phys, ax.conv.Phys(p))
			}
		case ax.dep != nil:
			dv := deps[i]
			if dv == nil {
				return nil, errorf(d.Name, "axis %d: referenced %s not read", i+1, ax.dep.Name)
			}
			a.Raw, a.Phys, a.Text = dv.Raw, dv.Phys, dv.Text
			if len(dv.Dims) == 2 && dv.Kind == "AXIS_PTS" { // rescale pairs: the axis points are the X_i
				a.Raw, a.Phys, a.Text = evens(dv.Raw), evens(dv.Phys), evens(dv.Text)
			}
			if a.Unit == "" {
				a.Unit = dv.Unit
			}
		default:
			for _, it := range its {
				if it.role == roleAxis && it.axis == i {
					tmp := &Value{}
					data, err := d.at(b, it, ind)
					if err != nil {
						return nil, err
					}
					if err := d.decodeValuesConv(tmp, data, counts[i], it.dt, ax.order, ax, nil); err != nil {
						return nil, err
					}
					if d.rl.AxisPts[i].IndexMode == a2l.IndexDecr {
						reverse(tmp)
					}
					a.Raw, a.Phys, a.Text = tmp.Raw, tmp.Phys, tmp.Text
				}
			}
		}
		v.Axes = append(v.Axes, a)
	}
	return v, nil
}

func reverse(v *Value) {
	for i, j := 0, len(v.Raw)-1; i < j; i, j = i+1, j-1 {
		v.Raw[i], v.Raw[j] = v.Raw[j], v.Raw[i]
		v.Phys[i], v.Phys[j] = v.Phys[j], v.Phys[i]
		if v.Text != nil {
			v.Text[i], v.Text[j] = v.Text[j], v.Text[i]
		}
	}
}

// fncStride returns the per-axis strides in memory (static layouts keep
// room for the maximum number of points).
func (d *Desc) fncStride(counts []int) []int {
	if len(d.axes) < 2 {
		return nil
	}
	dims := counts
	if d.static {
		dims = make([]int, len(d.axes))
		for i := range d.axes {
			dims[i] = d.axes[i].maxPts
			if d.axes[i].dep != nil {
				dims[i] = d.axes[i].dep.maxPoints()
			}
		}
	}
	return dims
}

// memOrder returns, for each value in x-fastest order, its element index
// in memory (ROW_DIR: x fastest; COLUMN_DIR: the last axis fastest).
func (d *Desc) memOrder(counts []int) []int {
	mem := d.fncStride(counts)
	n := product(counts)
	perm := make([]int, n)
	idx := make([]int, len(counts))
	for k := 0; k < n; k++ {
		// idx = coordinates of value k (x fastest)
		rem := k
		for i, c := range counts {
			idx[i] = rem % c
			rem /= c
		}
		off, stride := 0, 1
		if d.fncDir == a2l.ColumnDir {
			for i := len(mem) - 1; i >= 0; i-- {
				off += idx[i] * stride
				stride *= mem[i]
			}
		} else {
			for i := range mem {
				off += idx[i] * stride
				stride *= mem[i]
			}
		}
		perm[k] = off
	}
	return perm
}

// decodeValues decodes n values of type dt from b: value k at byte k·size,
// or at offs[k] when offs is given.
func (d *Desc) decodeValues(v *Value, b []byte, n int, dt a2l.DataType, o a2l.ByteOrder, offs []int) error {
	sz := dt.Size()
	need := n * sz
	for _, p := range offs {
		if p+sz > need {
			need = p + sz
		}
	}
	if len(b) < need {
		return errorf(d.Name, "%d bytes, need %d", len(b), need)
	}
	v.Raw = make([]float64, n)
	for k := 0; k < n; k++ {
		e := k * sz
		if offs != nil {
			e = offs[k]
		}
		eb := b[e:]
		if d.mask != 0 && !dt.Float() {
			bitsv := rawBits(eb, dt, o) & d.mask
			r := float64(bitsv >> bits.TrailingZeros64(d.mask))
			v.Raw[k] = r
			continue
		}
		r, err := decodeRaw(eb, dt, o)
		if err != nil {
			return err
		}
		v.Raw[k] = r
	}
	d.toPhys(v, d.conv.Verbal())
	return nil
}

func (d *Desc) toPhys(v *Value, verbal bool) {
	v.Phys = make([]float64, len(v.Raw))
	for k, r := range v.Raw {
		v.Phys[k] = d.conv.Phys(r)
	}
	if verbal {
		v.Text = make([]string, len(v.Raw))
		for k, r := range v.Raw {
			v.Text[k] = d.conv.Text(r)
		}
	}
}

func (d *Desc) decodeValuesConv(v *Value, b []byte, n int, dt a2l.DataType, o a2l.ByteOrder, ax *axisSpec, offs []int) error {
	sz := dt.Size()
	need := n * sz
	for _, p := range offs {
		need = max(need, p+sz)
	}
	if len(b) < need {
		return errorf(d.Name, "%d bytes, axis needs %d", len(b), need)
	}
	v.Raw, v.Phys = make([]float64, n), make([]float64, n)
	for k := 0; k < n; k++ {
		e := k * sz
		if offs != nil {
			e = offs[k]
		}
		r, err := decodeRaw(b[e:], dt, o)
		if err != nil {
			return err
		}
		v.Raw[k], v.Phys[k] = r, ax.conv.Phys(r)
	}
	if ax.conv.Verbal() {
		v.Text = make([]string, n)
		for k, r := range v.Raw {
			v.Text[k] = ax.conv.Text(r)
		}
	}
	return nil
}

// Write encodes in and writes it, reading the record first (for bit masks,
// dynamic axis counts and unchanged parts) and reading it back afterwards
// unless opt.NoVerify. It returns the value as read back.
func (d *Desc) Write(ctx context.Context, mem Memory, in Input, opt Options) (*Value, error) {
	w, err := d.Prepare(ctx, mem, in, opt)
	if err != nil {
		return nil, err
	}
	return w.Commit(ctx, mem)
}

// Pending is a checked write, ready to commit: Prepare all writes of a
// command first so that a bad value refuses the whole command.
type Pending struct {
	d           *Desc
	old, b      []byte
	deps        []*Value
	noVerify    bool
	oldInd, ind indirect // data behind the record's pointers, before and after
}

// Desc returns the object the write is for.
func (w *Pending) Desc() *Desc { return w.d }

// Prepare reads the record, converts and range-checks in, and returns the
// write without performing it.
func (d *Desc) Prepare(ctx context.Context, mem Memory, in Input, opt Options) (*Pending, error) {
	c := d.Obj.Common()
	if d.readOnly {
		return nil, fmt.Errorf("values: %s: %w (READ_ONLY)", d.Name, ErrReadOnly)
	}
	if d.kind == "MEASUREMENT" && !c.ReadWrite {
		return nil, fmt.Errorf("values: %s: %w (a MEASUREMENT without READ_WRITE)", d.Name, ErrReadOnly)
	}
	old, err := mem.Read(ctx, d.Address, d.Ext, d.Size)
	if err != nil {
		return nil, fmt.Errorf("values: read %s before writing: %w", d.Name, err)
	}
	if len(old) < d.Size {
		return nil, errorf(d.Name, "read returned %d bytes, need %d", len(old), d.Size)
	}
	deps, err := d.readDeps(ctx, mem)
	if err != nil {
		return nil, err
	}
	b := append([]byte(nil), old...)
	oldInd, err := d.readIndirect(ctx, mem, old, deps)
	if err != nil {
		return nil, err
	}
	var ind indirect // what the record points to, changed
	for p, data := range oldInd {
		if ind == nil {
			ind = indirect{}
		}
		ind[p] = append([]byte(nil), data...)
	}
	if err := d.encode(b, deps, ind, in, opt); err != nil {
		return nil, err
	}
	return &Pending{d: d, old: old, b: b, deps: deps, noVerify: opt.NoVerify, oldInd: oldInd, ind: ind}, nil
}

// Commit writes the changed bytes and, unless NoVerify, reads them back
// and compares. It returns the value as written (read back).
func (w *Pending) Commit(ctx context.Context, mem Memory) (*Value, error) {
	d, b := w.d, w.b
	if err := d.writeChanged(ctx, mem, d.Address, w.old, b); err != nil {
		return nil, err
	}
	for p, nb := range w.ind { // through the record's pointers
		if err := d.writeChanged(ctx, mem, uint32(p), w.oldInd[p], nb); err != nil {
			return nil, err
		}
	}
	if w.noVerify {
		return d.decode(b, w.deps, w.ind)
	}
	back, err := d.readBack(ctx, mem, d.Address, b)
	if err != nil {
		return nil, err
	}
	backInd := indirect{}
	for p, nb := range w.ind {
		if backInd[p], err = d.readBack(ctx, mem, uint32(p), nb); err != nil {
			return nil, err
		}
	}
	return d.decode(back, w.deps, backInd)
}

// writeChanged writes the bytes of b that differ from old, at addr.
func (d *Desc) writeChanged(ctx context.Context, mem Memory, addr uint32, old, b []byte) error {
	first, last := -1, -1
	for i := range b {
		if b[i] != old[i] {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	if err := mem.Write(ctx, addr+uint32(first), d.Ext, b[first:last+1]); err != nil {
		return fmt.Errorf("values: write %s (0x%X ext %d, %d bytes): %w", d.Name, addr+uint32(first), d.Ext, last+1-first, err)
	}
	return nil
}

// readBack reads len(want) bytes at addr and compares them with want.
func (d *Desc) readBack(ctx context.Context, mem Memory, addr uint32, want []byte) ([]byte, error) {
	back, err := mem.Read(ctx, addr, d.Ext, len(want))
	if err != nil {
		return nil, fmt.Errorf("values: read back %s: %w", d.Name, err)
	}
	if len(back) < len(want) || !bytes.Equal(back[:len(want)], want) {
		return nil, errorf(d.Name, "read-back mismatch at 0x%X: wrote % X, read % X", addr, want, back)
	}
	return back, nil
}

func (d *Desc) encode(b []byte, deps []*Value, ind indirect, in Input, opt Options) error {
	if d.rl == nil {
		if d.kind == "BLOB" {
			return d.encodeBlob(b, in)
		}
		return d.encodeList(b, in.Values, d.count, d.dt, d.order, nil, d.limits, d.ext, opt, "")
	}
	its, counts, size, err := d.place(b, depCounts(deps))
	if err != nil {
		return err
	}
	if len(b) < size {
		return errorf(d.Name, "%d bytes, record needs %d", len(b), size)
	}
	if len(in.Axes) > len(d.axes) {
		return errorf(d.Name, "%d axes given, %s has %d", len(in.Axes), d.kind, len(d.axes))
	}
	var axOffs, fncOffs []int // interleaved layout (ALTERNATE_WITH_X/Y)
	if d.alt >= 0 {
		axOffs, fncOffs, _ = d.altLayout(counts)
		for _, it := range its {
			if it.role == roleFnc {
				axOffs, fncOffs = shift(axOffs, it.off), shift(fncOffs, it.off)
			}
		}
		if d.rl.AxisPts[d.alt].IndexMode == a2l.IndexDecr {
			slices.Reverse(axOffs)
		}
	}
	for _, it := range its {
		data := b[it.off:]
		if it.ptr != 0 && (it.role == roleFnc || it.role == roleAxis) {
			var err error
			if data, err = d.at(b, it, ind); err != nil {
				return err
			}
		}
		switch {
		case d.alt >= 0 && it.role == roleFnc && in.Values != nil:
			if err := d.encodeList(b, in.Values, len(fncOffs), it.dt, d.order, fncOffs, d.limits, d.ext, opt, ""); err != nil {
				return err
			}
		case d.alt >= 0 && it.role == roleAxis && it.axis == d.alt && it.axis < len(in.Axes) && in.Axes[it.axis] != nil:
			ax := d.axes[it.axis]
			sub := &Desc{Name: d.Name, conv: ax.conv}
			var ext *a2l.Limits
			if ax.d.HasExtLimits {
				l := ax.d.ExtLimits
				ext = &l
			}
			if err := sub.encodeList(b, in.Axes[it.axis], counts[it.axis], it.dt, ax.order, axOffs, ax.limits, ext, opt, fmt.Sprintf("axis %d ", it.axis+1)); err != nil {
				return err
			}
		case d.alt >= 0 && (it.role == roleFnc || it.role == roleAxis && it.axis == d.alt):
		case it.role == roleFnc && in.Values != nil:
			if d.kind == "ASCII" {
				if len(in.Values) != 1 {
					return errorf(d.Name, "ASCII takes one string")
				}
				s := in.Values[0]
				if len(s) > d.count {
					return fmt.Errorf("values: %s: %w: string of %d bytes, room for %d", d.Name, ErrLimit, len(s), d.count)
				}
				dst := data[:d.count]
				for i := range dst {
					dst[i] = 0
				}
				copy(dst, s)
				continue
			}
			var n int
			var perm []int
			if len(d.axes) >= 2 {
				perm = d.memOrder(counts)
				n = len(perm)
			} else if len(d.axes) == 1 {
				n = counts[0]
			} else {
				n = d.count
			}
			if err := d.encodeList(data, in.Values, n, it.dt, d.order, byteOffsets(perm, it.dt.Size()), d.limits, d.ext, opt, ""); err != nil {
				return err
			}
		case it.role == roleAxis && d.kind == "AXIS_PTS" && d.rescale && in.Values != nil:
			if err := d.encodeRescale(data, in.Values, counts[0], it.dt, opt); err != nil {
				return err
			}
		case it.role == roleAxis && d.kind == "AXIS_PTS" && in.Values != nil:
			if err := d.encodeList(data, in.Values, counts[0], it.dt, d.order, byteOffsets(d.decrPerm(0, counts[0]), it.dt.Size()), d.limits, d.ext, opt, ""); err != nil {
				return err
			}
		case it.role == roleAxis && it.axis < len(in.Axes) && in.Axes[it.axis] != nil:
			ax := d.axes[it.axis]
			sub := &Desc{Name: d.Name, conv: ax.conv}
			var ext *a2l.Limits
			if ax.d.HasExtLimits {
				l := ax.d.ExtLimits
				ext = &l
			}
			what := fmt.Sprintf("axis %d ", it.axis+1)
			if err := sub.encodeList(data, in.Axes[it.axis], counts[it.axis], it.dt, ax.order, byteOffsets(d.decrPerm(it.axis, counts[it.axis]), it.dt.Size()), ax.limits, ext, opt, what); err != nil {
				return err
			}
		}
	}
	for i, a := range in.Axes {
		if a != nil && i < len(d.axes) && d.axes[i].d.Attr != a2l.StdAxis {
			if d.axes[i].dep != nil {
				return errorf(d.Name, "axis %d is a %s; write %s instead", i+1, d.axes[i].d.Attr, d.axes[i].dep.Name)
			}
			return errorf(d.Name, "axis %d is a %s and has no points in memory", i+1, d.axes[i].d.Attr)
		}
	}
	return nil
}

func (d *Desc) decrPerm(axis, n int) []int {
	if d.rl.AxisPts[axis] == nil || d.rl.AxisPts[axis].IndexMode != a2l.IndexDecr {
		return nil
	}
	p := make([]int, n)
	for i := range p {
		p[i] = n - 1 - i
	}
	return p
}

func (d *Desc) encodeBlob(b []byte, in Input) error {
	if len(in.Values) != d.count {
		return errorf(d.Name, "%d bytes given, BLOB has %d", len(in.Values), d.count)
	}
	for i, s := range in.Values {
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 8)
		if err != nil {
			return errorf(d.Name, "byte %d: %q is not a hex byte", i, s)
		}
		b[i] = byte(v)
	}
	return nil
}

// encodeList converts and range-checks the physical values in vals and
// stores them as n elements (value k at byte k·size, or at offs[k] when
// offs is given).
func (d *Desc) encodeList(b []byte, vals []string, n int, dt a2l.DataType, o a2l.ByteOrder, offs []int, lim a2l.Limits, ext *a2l.Limits, opt Options, what string) error {
	if len(vals) != n {
		if n == 1 {
			return errorf(d.Name, "%sexpects one value, got %d", what, len(vals))
		}
		return errorf(d.Name, "%sexpects %d values, got %d", what, n, len(vals))
	}
	sz := dt.Size()
	lo, hi := rawRange(dt)
	for k, s := range vals {
		raw, err := d.conv.RawFromText(s)
		if err != nil && d.conv.Type == compu.Form && errors.Is(err, compu.ErrNoInverse) {
			// FORM without FORMULA_INV: invert numerically over the raw range.
			var phys float64
			if phys, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				raw, err = d.conv.RawBisect(phys, lo, hi)
			}
		}
		if err != nil {
			return errorf(d.Name, "%svalue %d (%q): %w", what, k+1, s, err)
		}
		if !dt.Float() {
			raw = math.Round(raw)
		}
		phys := d.conv.Phys(raw)
		if d.conv.Verbal() {
			phys = raw
		}
		allowed := lim
		if opt.ExtendedLimits && ext != nil {
			allowed = *ext
		}
		if phys < allowed.Lower-tolerance(allowed.Lower) || phys > allowed.Upper+tolerance(allowed.Upper) || math.IsNaN(phys) {
			hint := ""
			if ext != nil && !opt.ExtendedLimits {
				hint = fmt.Sprintf("; EXTENDED_LIMITS %s allowed with the extended-limits option", fmtRange(*ext))
			}
			return fmt.Errorf("values: %s: %w: %svalue %d = %s is outside %s%s", d.Name, ErrLimit, what, k+1, s, fmtRange(allowed), hint)
		}
		if raw < lo || raw > hi {
			return fmt.Errorf("values: %s: %w: %svalue %d = %s needs raw %g, outside %s range [%g, %g]", d.Name, ErrLimit, what, k+1, s, raw, dt, lo, hi)
		}
		e := k * sz
		if offs != nil {
			e = offs[k]
		}
		if e+sz > len(b) {
			return errorf(d.Name, "record too short")
		}
		eb := b[e:]
		if d.mask != 0 && !dt.Float() {
			shift := bits.TrailingZeros64(d.mask)
			nv := uint64(int64(raw)) << shift
			if nv&^d.mask != 0 {
				return fmt.Errorf("values: %s: %w: %g does not fit BIT_MASK 0x%X", d.Name, ErrLimit, raw, d.mask)
			}
			putBits(eb, dt, o, rawBits(eb, dt, o)&^d.mask|nv)
			continue
		}
		encodeRaw(eb, dt, o, raw)
	}
	return nil
}

// tolerance absorbs float rounding of limits written with few digits (XCPlite
// writes 4.29497e+09 for 4294967295).
func tolerance(limit float64) float64 { return math.Abs(limit) * 1e-6 }

// byteOffsets turns element indexes into byte offsets (nil stays nil).
func byteOffsets(idx []int, size int) []int {
	if idx == nil {
		return nil
	}
	offs := make([]int, len(idx))
	for i, e := range idx {
		offs[i] = e * size
	}
	return offs
}

// shift adds off to every offset.
func shift(offs []int, off int) []int {
	out := make([]int, len(offs))
	for i, o := range offs {
		out[i] = o + off
	}
	return out
}

// axisPoints returns the number of points of a decoded axis (for rescale
// pairs: the number of pairs).
func axisPoints(v *Value) int {
	if len(v.Dims) == 2 && v.Kind == "AXIS_PTS" {
		return v.Dims[1]
	}
	return len(v.Phys)
}

// evens returns the elements at even indexes (nil stays nil).
func evens[T any](s []T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, 0, (len(s)+1)/2)
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	return out
}

// encodeRescale writes the n rescale pairs of an AXIS_RESCALE axis from
// vals = X0 Y0 X1 Y1 ...: X (the axis point) in physical units through the
// conversion, within the limits; Y (the index on the rescaled axis) raw.
func (d *Desc) encodeRescale(b []byte, vals []string, n int, dt a2l.DataType, opt Options) error {
	if len(vals) != 2*n {
		return errorf(d.Name, "expects %d rescale pairs (X0 Y0 X1 Y1 ...), got %d values", n, len(vals))
	}
	xs, ys := make([]string, n), make([]string, n)
	xOffs, yOffs := make([]int, n), make([]int, n)
	for i := range n {
		xs[i], ys[i] = vals[2*i], vals[2*i+1]
		xOffs[i], yOffs[i] = 2*i*dt.Size(), (2*i+1)*dt.Size()
	}
	if err := d.encodeList(b, xs, n, dt, d.order, xOffs, d.limits, d.ext, opt, "axis point "); err != nil {
		return err
	}
	lo, hi := rawRange(dt)
	idx := &Desc{Name: d.Name, conv: compu.Identity()}
	return idx.encodeList(b, ys, n, dt, d.order, yOffs, a2l.Limits{Lower: lo, Upper: hi}, nil, opt, "rescale index ")
}
