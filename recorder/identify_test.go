package recorder_test

import (
	"context"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
)

func TestIdentify(t *testing.T) {
	for _, tc := range []struct {
		cfg  sim.Config
		want string
	}{
		{sim.Config{Name: "ECU_A"}, "ECU_A"},
		{sim.Config{Name: "bench rig 7", IDInResponse: true}, "bench rig 7"},
		{sim.Config{}, "goxcp-sim"},
	} {
		m := connectSim(t, tc.cfg)
		if got := recorder.Identify(context.Background(), m); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// Describe names the slave, the A2L module and its EPK in the header.
func TestDescribe(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := file.Modules[0]
	m := connectSim(t, sim.Config{Name: "ECU_B"})
	d := recorder.Describe(context.Background(), m, mod)
	if d.Identifier != "ECU_B" || d.Properties["A2L module"] != mod.Name || d.Properties["EPK"] == "" || d.Properties["EPK"] != mod.ModPar.EPK || d.MaxCTO == 0 {
		t.Errorf("with the A2L: %+v", d)
	}
	if d := recorder.Describe(context.Background(), m, nil); d.Properties["A2L module"] != "" || d.Identifier != "ECU_B" {
		t.Errorf("without an A2L: %+v", d)
	}
}
