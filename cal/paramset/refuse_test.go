package paramset_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/cal/paramset"
)

// failingMemory fails the n-th write (1-based) and counts writes.
type failingMemory struct {
	cal.Memory
	failAt, writes int
}

func (f *failingMemory) Write(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	f.writes++
	if f.writes == f.failAt {
		return errors.New("injected write failure")
	}
	return f.Memory.Write(ctx, addr, ext, data)
}

func TestApplyRefusesAndSkips(t *testing.T) {
	_, m, mod := startSim(t, "tcp")
	ctx := context.Background()
	before, _, err := paramset.Save(ctx, mod, m, mustSelect(t, mod))
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		items   []*paramset.Item
		wantErr string
		skipped []string
	}{
		{"above the upper limit", []*paramset.Item{
			{Name: "mode", Kind: "VALUE", Text: []string{"ECO"}},
			{Name: "temp_limit", Kind: "VALUE", Values: []float64{170}},
		}, "temp_limit", nil},
		{"unknown verbal value", []*paramset.Item{{Name: "mode", Kind: "VALUE", Text: []string{"TURBO"}}}, "TURBO", nil},
		{"kind mismatch", []*paramset.Item{{Name: "temp_limit", Kind: "CURVE", Values: []float64{1}}}, "the set has a CURVE, the A2L a VALUE", nil},
		{"dimension mismatch", []*paramset.Item{{Name: "idle_curve", Kind: "CURVE", Dims: []int{2}, Values: []float64{900, 800},
			Axes: []*paramset.Axis{{Kind: "STD_AXIS", Values: []float64{0, 10}}}}}, "the set has 2 values, the ECU 4", nil},
		{"string too long", []*paramset.Item{{Name: "label", Kind: "ASCII", String: str(strings.Repeat("x", 40))}}, "room for 16", nil},
		{"unknown names skipped", []*paramset.Item{{Name: "no_such_thing", Kind: "VALUE", Values: []float64{1}}, {Name: "enabled", Kind: "VALUE", Values: []float64{1}}}, "", []string{"enabled", "no_such_thing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := &paramset.Set{Items: tt.items}
			set.Sort()
			rep, err := paramset.Apply(ctx, mod, m, set, paramset.ApplyOptions{})
			if tt.wantErr != "" {
				if !errors.Is(err, paramset.ErrRefused) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrRefused naming %q", err, tt.wantErr)
				}
				if rep.Written {
					t.Errorf("refused set reports written")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var skipped []string
			for _, sk := range rep.Skipped {
				skipped = append(skipped, sk.Name)
			}
			if strings.Join(skipped, ",") != strings.Join(tt.skipped, ",") {
				t.Errorf("skipped %v, want %v", rep.Skipped, tt.skipped)
			}
			after, _, err := paramset.Save(ctx, mod, m, mustSelect(t, mod))
			if err != nil {
				t.Fatal(err)
			}
			if d := paramset.Diff(before, after, paramset.DiffOptions{}); len(d) > 0 {
				t.Errorf("a refused apply changed the ECU: %+v", d)
			}
		})
	}
}

func TestApplyRestoresAfterAFailedWrite(t *testing.T) {
	_, m, mod := startSim(t, "tcp")
	ctx := context.Background()
	before, _, err := paramset.Save(ctx, mod, m, mustSelect(t, mod))
	if err != nil {
		t.Fatal(err)
	}
	set := &paramset.Set{Items: []*paramset.Item{
		{Name: "mode", Kind: "VALUE", Text: []string{"SPORT"}},
		{Name: "pid.kp", Kind: "VALUE", Values: []float64{3}},
		{Name: "temp_limit", Kind: "VALUE", Values: []float64{100}},
	}}
	mem := &failingMemory{Memory: m, failAt: 3} // mode and pid.kp written, temp_limit fails
	rep, err := paramset.Apply(ctx, mod, mem, set, paramset.ApplyOptions{})
	if !errors.Is(err, paramset.ErrRolledBack) {
		t.Fatalf("err = %v, want ErrRolledBack", err)
	}
	if !rep.Written || len(rep.Restored) != 3 {
		t.Errorf("report %+v: want written and 3 restored", rep)
	}
	after, _, err := paramset.Save(ctx, mod, m, mustSelect(t, mod))
	if err != nil {
		t.Fatal(err)
	}
	if d := paramset.Diff(before, after, paramset.DiffOptions{}); len(d) > 0 {
		t.Errorf("not restored: %+v", d)
	}
}

func mustSelect(t *testing.T, mod *a2l.Module, sel ...string) []string {
	t.Helper()
	names, err := paramset.Select(mod, sel...)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("nothing selected")
	}
	return names
}
