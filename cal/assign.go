package cal

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Assignment is one value to write by name, as text: the object's values
// (Axis 0; a list "1, 2, 3" for arrays, curves and maps, the whole text for
// an ASCII string) or the points of its axis Axis (1 = x … 5).
type Assignment struct {
	Name  string
	Axis  int
	Value string
}

// ErrAssignment matches every malformed or conflicting Assignment.
var ErrAssignment = errors.New("cal: bad assignment")

// ParseAssignment parses NAME=VALUE or NAME:AXIS=VALUE (AXIS x, y, z, 4 or
// 5, any case); VALUE is everything after the first "=".
func ParseAssignment(s string) (Assignment, error) {
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return Assignment{}, fmt.Errorf("%w: %q: want NAME=VALUE", ErrAssignment, s)
	}
	a := Assignment{Name: s[:i], Value: s[i+1:]}
	if j := strings.IndexByte(a.Name, ':'); j >= 0 {
		ax := map[string]int{"x": 1, "y": 2, "z": 3, "4": 4, "5": 5}[strings.ToLower(a.Name[j+1:])]
		if ax == 0 {
			return Assignment{}, fmt.Errorf("%w: %q: axis %q: want x, y, z, 4 or 5", ErrAssignment, s, a.Name[j+1:])
		}
		a.Name, a.Axis = a.Name[:j], ax
	}
	if a.Name == "" {
		return Assignment{}, fmt.Errorf("%w: %q: empty NAME", ErrAssignment, s)
	}
	return a, nil
}

// Merge groups assignments by object in the order the names first appear:
// one Input per name with its values (as one unsplit text in Values[0],
// split by WriteAll once the object's kind is known) and axes (split). A
// name or axis assigned twice is an error matching ErrAssignment.
func Merge(as []Assignment) (names []string, inputs []Input, err error) {
	index := map[string]int{}
	for _, a := range as {
		i, ok := index[a.Name]
		if !ok {
			i = len(names)
			index[a.Name] = i
			names = append(names, a.Name)
			inputs = append(inputs, Input{})
		}
		in := &inputs[i]
		if a.Axis == 0 {
			if in.Values != nil {
				return nil, nil, fmt.Errorf("%w: %s is assigned twice", ErrAssignment, a.Name)
			}
			in.Values = []string{a.Value}
			continue
		}
		if a.Axis < 0 || a.Axis > 5 {
			return nil, nil, fmt.Errorf("%w: %s axis %d: want 1 to 5", ErrAssignment, a.Name, a.Axis)
		}
		for len(in.Axes) < a.Axis {
			in.Axes = append(in.Axes, nil)
		}
		if in.Axes[a.Axis-1] != nil {
			return nil, nil, fmt.Errorf("%w: %s axis %d is assigned twice", ErrAssignment, a.Name, a.Axis)
		}
		in.Axes[a.Axis-1] = SplitList(a.Value, false)
	}
	return names, inputs, nil
}

// WriteAll writes the objects ds (described with Describe, in the order
// of the names Merge returned) with their merged inputs, all or nothing:
// every object is converted, limit-checked and its old bytes read (Prepare)
// before any is written, then CommitAll writes them and, if one write
// fails, puts back those written before (a *CommitError). It returns the
// values as written.
func WriteAll(ctx context.Context, mem Memory, ds []*Desc, inputs []Input, opt Options) ([]*Value, error) {
	if len(ds) != len(inputs) {
		return nil, fmt.Errorf("cal: WriteAll: %d objects but %d inputs", len(ds), len(inputs))
	}
	pending := make([]*Pending, len(ds))
	for i, d := range ds {
		in := inputs[i]
		if in.Values != nil {
			in.Values = SplitList(in.Values[0], d.Kind() == "ASCII")
		}
		var err error
		if pending[i], err = d.Prepare(ctx, mem, in, opt); err != nil {
			return nil, err
		}
	}
	return CommitAll(ctx, mem, pending)
}
