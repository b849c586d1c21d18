package paramset

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// ApplyOptions control Apply.
type ApplyOptions struct {
	// DryRun checks and converts every value and reports what would
	// change, writing nothing.
	DryRun bool
	// ExtendedLimits allows values up to EXTENDED_LIMITS.
	ExtendedLimits bool
	// NoVerify skips reading each object back after writing it.
	NoVerify bool
}

// Change is one object Apply changes (or, in a dry run, would change).
type Change struct {
	Name string `json:"name"`
	Old  *Item  `json:"old"`
	New  *Item  `json:"new"`
	// Details list the changed elements, old -> new.
	Details []string `json:"details"`
}

// Report is what Apply did.
type Report struct {
	Changed   []Change `json:"changed"`
	Unchanged []string `json:"unchanged"`
	// Skipped are the items Apply left out: names the A2L does not have,
	// read-only objects, measurements.
	Skipped []Skip `json:"skipped"`
	// Warnings note what was applied but may not mean what the set meant,
	// such as curve values whose fixed or shared axis differs.
	Warnings []string `json:"warnings,omitempty"`
	// Written reports whether memory was changed (and, after a failure,
	// Restored whether it was put back as it was).
	Written  bool     `json:"written"`
	Restored []string `json:"restored,omitempty"`
	DryRun   bool     `json:"dry_run,omitempty"`
}

// ErrRefused is returned (wrapped, joined with the reasons) when Apply
// writes nothing because a value of the set cannot be applied: it is out
// of its limits, cannot be converted, or does not fit the object.
var ErrRefused = errors.New("parameter set refused, nothing written")

// ErrRolledBack is returned (wrapped) when a write failed part way and the
// objects already written were restored.
var ErrRolledBack = errors.New("write failed; the objects already written were restored")

// planned is one checked write.
type planned struct {
	d        *cal.Desc
	pending  *cal.Pending
	snapshot []byte // the record before, to restore on failure
}

// Apply writes the set's values to mem, all or nothing: every item is
// converted with its COMPU_METHOD and checked against its limits before
// anything is written; when a write fails, the objects already written are
// restored from the bytes read before. Each object is read back and
// compared unless opt.NoVerify. Items whose name the A2L lacks, read-only
// objects and measurements are skipped and listed in the report.
func Apply(ctx context.Context, m *a2l.Module, mem cal.Memory, set *Set, opt ApplyOptions) (*Report, error) {
	rep := &Report{DryRun: opt.DryRun}
	inSet := map[string]bool{}
	for _, it := range set.Items {
		inSet[it.Name] = true
	}
	var plan []planned
	var refused []error
	for _, it := range set.Items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		d, err := cal.Describe(m, it.Name)
		if errors.Is(err, a2l.ErrNotFound) {
			rep.Skipped = append(rep.Skipped, Skip{it.Name, "not in the A2L"})
			continue
		}
		if err != nil {
			refused = append(refused, err)
			continue
		}
		switch k := d.Kind(); {
		case k == "MEASUREMENT" || k == "BLOB":
			rep.Skipped = append(rep.Skipped, Skip{it.Name, "a " + k + ", not a calibration object"})
			continue
		case d.Obj.Common().ReadOnly:
			rep.Skipped = append(rep.Skipped, Skip{it.Name, "READ_ONLY in the A2L"})
			continue
		case it.Kind != "" && !sameKind(k, it.Kind):
			refused = append(refused, fmt.Errorf("%s: the set has a %s, the A2L a %s", it.Name, it.Kind, k))
			continue
		}
		curVal, err := d.Read(ctx, mem)
		if err != nil {
			return rep, fmt.Errorf("paramset: apply: %w", err)
		}
		cur := FromValue(m, d, curVal)
		details := CompareItems(cur, it, 0)
		if len(details) == 0 {
			rep.Unchanged = append(rep.Unchanged, it.Name)
			continue
		}
		in, warn, err := input(d, cur, it, inSet)
		if err != nil {
			refused = append(refused, err)
			continue
		}
		rep.Warnings = append(rep.Warnings, warn...)
		snap, err := mem.Read(ctx, d.Address, d.Ext, d.Size)
		if err != nil {
			return rep, fmt.Errorf("paramset: apply: read %s: %w", it.Name, err)
		}
		p, err := d.Prepare(ctx, mem, in, cal.Options{ExtendedLimits: opt.ExtendedLimits, NoVerify: opt.NoVerify})
		if err != nil {
			refused = append(refused, err)
			continue
		}
		rep.Changed = append(rep.Changed, Change{Name: it.Name, Old: cur, New: it, Details: details})
		plan = append(plan, planned{d: d, pending: p, snapshot: snap})
	}
	if len(refused) > 0 {
		return rep, fmt.Errorf("paramset: %w: %w", ErrRefused, errors.Join(refused...))
	}
	if opt.DryRun {
		return rep, nil
	}
	for i, p := range plan {
		rep.Written = true
		if _, err := p.pending.Commit(ctx, mem); err != nil {
			restoreErr := restore(ctx, mem, plan[:i+1], rep)
			if restoreErr != nil {
				return rep, fmt.Errorf("paramset: write %s: %w; restoring the objects written before failed: %w", p.d.Name, err, restoreErr)
			}
			return rep, fmt.Errorf("paramset: write %s: %w (%w)", p.d.Name, err, ErrRolledBack)
		}
	}
	return rep, nil
}

// restore writes the snapshots back, last first, with a context of its own
// so that a cancelled apply still puts memory back.
func restore(ctx context.Context, mem cal.Memory, done []planned, rep *Report) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		p := done[i]
		if err := mem.Write(ctx, p.d.Address, p.d.Ext, p.snapshot); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.d.Name, err))
			continue
		}
		rep.Restored = append(rep.Restored, p.d.Name)
	}
	return errors.Join(errs...)
}

// sameKind reports whether the set's kind of an object fits the A2L's:
// formats name a few kinds differently (a CDF BOOLEAN is a VALUE).
func sameKind(a2lKind, setKind string) bool {
	norm := func(k string) string {
		switch k {
		case "BOOLEAN", "DEPENDENT_VALUE":
			return "VALUE"
		case "COM_AXIS", "CURVE_AXIS", "RES_AXIS", "FIX_AXIS", "STD_AXIS":
			return "AXIS_PTS"
		case "VALUE_ARRAY":
			return "VAL_BLK"
		}
		return k
	}
	return norm(a2lKind) == norm(setKind)
}

// input turns an item into what cal writes: the function values, and the
// points of the axes stored with the object.
func input(d *cal.Desc, cur, it *Item, inSet map[string]bool) (cal.Input, []string, error) {
	var in cal.Input
	var warn []string
	if cur.String != nil {
		if it.String == nil {
			return in, nil, fmt.Errorf("%s: the set has no string for this ASCII object", it.Name)
		}
		in.Values = []string{*it.String}
		return in, nil, nil
	}
	if !slices.Equal(dims(cur), dims(it)) {
		return in, nil, fmt.Errorf("%s: the set has %s values, the ECU %s", it.Name, dimString(it), dimString(cur))
	}
	in.Values = texts(it.Values, it.Text)
	if len(in.Values) == 0 {
		return in, nil, fmt.Errorf("%s: the set has no values", it.Name)
	}
	var descrs []*a2l.AxisDescr
	if d.Obj.Characteristic != nil {
		descrs = d.Obj.Characteristic.Axes
	}
	for k, ax := range it.Axes {
		if k >= len(cur.Axes) || ax == nil {
			continue
		}
		if len(CompareItems(&Item{Values: cur.Axes[k].Values, Text: cur.Axes[k].Text}, &Item{Values: ax.Values, Text: ax.Text}, 0)) == 0 {
			continue
		}
		switch {
		case k < len(descrs) && descrs[k].Attr == a2l.StdAxis:
			for len(in.Axes) <= k {
				in.Axes = append(in.Axes, nil)
			}
			in.Axes[k] = texts(ax.Values, ax.Text)
		case cur.Axes[k].Kind != "" && inSet[ref(descrs, k)]:
			// The shared axis is in the set too and is written with it.
		default:
			warn = append(warn, fmt.Sprintf("%s: axis %s is a %s whose points differ from the set's (%s); values applied by index",
				it.Name, axisName(k), cur.Axes[k].Kind, summary(ax.Values)))
		}
	}
	return in, warn, nil
}

func ref(descrs []*a2l.AxisDescr, k int) string {
	if k >= len(descrs) {
		return ""
	}
	if descrs[k].AxisPtsRef != "" {
		return descrs[k].AxisPtsRef
	}
	return descrs[k].CurveAxisRef
}

func summary(v []float64) string {
	if len(v) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d points %s..%s", len(v), FormatValue(v[0]), FormatValue(v[len(v)-1]))
}

func texts(v []float64, t []string) []string {
	n := max(len(v), len(t))
	out := make([]string, n)
	for i := range out {
		if s := textAt(t, i); s != "" {
			out[i] = s
		} else if i < len(v) {
			out[i] = FormatValue(v[i])
		}
	}
	return out
}
