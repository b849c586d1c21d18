package paramset_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/sim"
)

// startSim serves the simulator on 127.0.0.1 and returns it, a connected
// master and the simulator's A2L module.
func startSim(t *testing.T, network string) (*sim.Slave, *master.Master, *a2l.Module) {
	t.Helper()
	s, m := simtest.Start(t, network, sim.Config{}, master.Config{})
	f, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, m, f.Modules[0]
}

var formats = []paramset.Format{paramset.JSON, paramset.DCM, paramset.CDFX}

// TestRoundTripECUFileECU saves every calibration object of the
// simulator, writes and reads the set in every format, changes one value
// of every object kind, applies it and saves again.
func TestRoundTripECUFileECU(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m, mod := startSim(t, network)
			ctx := context.Background()
			names, err := paramset.Select(mod)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"idle_curve", "ign_map", "load_axis", "mode", "temp_limit", "label", "pid.kp"} {
				if !slices.Contains(names, want) {
					t.Fatalf("Select() = %v, lacks %s", names, want)
				}
			}
			if slices.Contains(names, "enabled") {
				t.Errorf("Select() lists the MEASUREMENT enabled")
			}
			set, skips, err := paramset.Save(ctx, mod, m, names)
			if err != nil {
				t.Fatal(err)
			}
			if len(skips) > 0 {
				t.Errorf("skipped: %v", skips)
			}
			kinds := map[string]bool{}
			for _, it := range set.Items {
				kinds[it.Kind] = true
			}
			for _, k := range []string{"VALUE", "ASCII", "CURVE", "MAP", "AXIS_PTS"} {
				if !kinds[k] {
					t.Errorf("no %s saved (kinds %v)", k, kinds)
				}
			}
			for _, f := range formats {
				var buf bytes.Buffer
				fskips, err := paramset.Write(&buf, f, set)
				if err != nil {
					t.Fatalf("%v: %v", f, err)
				}
				if len(fskips) > 0 {
					t.Errorf("%v skipped %v", f, fskips)
				}
				back, err := paramset.Read(bytes.NewReader(buf.Bytes()), f)
				if err != nil {
					t.Fatalf("%v: read back: %v\n%s", f, err, buf.String())
				}
				if d := paramset.Diff(set, back, paramset.DiffOptions{}); len(d) > 0 {
					t.Errorf("%v round trip differs: %+v", f, d)
				}
				// Applying the unchanged set changes nothing.
				rep, err := paramset.Apply(ctx, mod, m, back, paramset.ApplyOptions{})
				if err != nil {
					t.Fatalf("%v: apply unchanged: %v", f, err)
				}
				if len(rep.Changed) > 0 || rep.Written {
					t.Errorf("%v: applying the saved set changed %v", f, rep.Changed)
				}
			}

			// Change one value of each kind and apply through DCM.
			edit := func(name string, fn func(*paramset.Item)) {
				it := set.Lookup(name)
				if it == nil {
					t.Fatalf("%s not saved", name)
				}
				fn(it)
			}
			edit("temp_limit", func(it *paramset.Item) { it.Values[0] = 95.5 })
			edit("mode", func(it *paramset.Item) { it.Text[0] = "SPORT" })
			edit("label", func(it *paramset.Item) { s := "calibrated"; it.String = &s })
			edit("idle_curve", func(it *paramset.Item) { it.Values[1] = 870; it.Axes[0].Values[3] = 65 })
			edit("ign_map", func(it *paramset.Item) { it.Values[5] = 12.5; it.Axes[1].Values[2] = 85 }) // its COM_AXIS is load_axis
			edit("load_axis", func(it *paramset.Item) { it.Values[2] = 85 })
			edit("pid.kp", func(it *paramset.Item) { it.Values[0] = 2.25 })
			var buf bytes.Buffer
			if _, err := paramset.Write(&buf, paramset.DCM, set); err != nil {
				t.Fatal(err)
			}
			fromFile, err := paramset.Read(&buf, paramset.DCM)
			if err != nil {
				t.Fatal(err)
			}
			dry, err := paramset.Apply(ctx, mod, m, fromFile, paramset.ApplyOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(dry.Changed) != 7 || dry.Written {
				t.Fatalf("dry run: %d changed, written %v: %+v", len(dry.Changed), dry.Written, dry.Changed)
			}
			if got := readTemp(t, s); got != 1200 {
				t.Fatalf("dry run wrote temp_limit: raw %d", got)
			}
			rep, err := paramset.Apply(ctx, mod, m, fromFile, paramset.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Changed) != 7 || !rep.Written {
				t.Fatalf("apply: %+v", rep)
			}
			// The simulator's memory holds the new raw values: FORM
			// X1/10-40 makes 95.5 °C the raw 1355.
			if got := readTemp(t, s); got != 1355 {
				t.Errorf("temp_limit raw %d, want 1355", got)
			}
			again, _, err := paramset.Save(ctx, mod, m, names)
			if err != nil {
				t.Fatal(err)
			}
			if d := paramset.Diff(set, again, paramset.DiffOptions{}); len(d) > 0 {
				t.Errorf("after apply the ECU differs from the set: %+v", d)
			}
		})
	}
}

func readTemp(t *testing.T, s *sim.Slave) int {
	t.Helper()
	b, err := s.ReadMemory(sim.CalBase+0x13A, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Config().Order.String() == "MOTOROLA" {
		return int(b[0])<<8 | int(b[1])
	}
	return int(b[1])<<8 | int(b[0])
}
