package recorder_test

import (
	"context"
	"testing"

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
