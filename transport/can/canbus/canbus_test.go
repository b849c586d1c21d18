package canbus

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOpenByName(t *testing.T) {
	ctx := context.Background()
	ids := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102}
	vb := virtual.New("t", 0)
	user := vb.Open()
	for _, tc := range []struct {
		iface, channel string
		o              Options
		wantErr        error
		ok             bool
	}{
		{"virtual", "", Options{Virtual: vb}, nil, true},
		{"virtual", "", Options{}, ErrUnavailable, false},
		{"user", "", Options{User: user}, nil, true},
		{"user", "", Options{}, ErrUnavailable, false},
		{"udpmcast", "239.74.67.9:43219", Options{}, nil, true},
		{"UDP", "", Options{}, nil, true},
		{"slcan", "", Options{}, nil, false},
		{"socketcan", "", Options{}, nil, false},
		{"pcan", "", Options{}, nil, false},
	} {
		cfg := ids
		cfg.Interface, cfg.Channel = tc.iface, tc.channel
		c, err := Dial(ctx, cfg, tc.o)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Dial err = %v, want ok=%v", tc.iface, err, tc.ok)
		}
		if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.iface, err, tc.wantErr)
		}
		if c != nil {
			c.Close()
		}
	}
}

func TestDrivers(t *testing.T) {
	ds := Drivers()
	if len(ds) != len(Names()) {
		t.Fatalf("Drivers = %d entries, want %d", len(ds), len(Names()))
	}
	for i, d := range ds {
		if d.Name != Names()[i] || d.Detail == "" {
			t.Errorf("driver %d = %+v", i, d)
		}
		if d.Name == UDP && !d.Available {
			t.Errorf("UDP multicast on loopback should work here: %s", d.Detail)
		}
		t.Logf("%-9s %-5v %s", d.Name, d.Available, d.Detail)
	}
}
