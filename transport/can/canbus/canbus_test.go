package canbus

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOpenByName(t *testing.T) {
	ctx := context.Background()
	ids := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102}
	vb := virtual.New(virtual.Config{Name: "t"})
	for _, tc := range []struct {
		iface, channel string
		bus            can.Bus
		wantErr        error
		ok             bool
	}{
		{"virtual", "", vb.Open(), nil, true},
		{"virtual", "", nil, ErrUnavailable, false},
		{"user", "", vb.Open(), nil, true},
		{"user", "", nil, ErrUnavailable, false},
		{"udpmcast", "239.74.67.9:43219", nil, nil, true},
		{"UDP", "", nil, nil, true},
		{"slcan", "", nil, nil, false},
		{"socketcan", "", nil, nil, false},
		{"pcan", "", nil, nil, false},
	} {
		cfg := ids
		cfg.Interface, cfg.Channel, cfg.Bus = tc.iface, tc.channel, tc.bus
		c, err := Dial(ctx, cfg)
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

// SocketCAN leaves bit timing to the kernel: configured rates and timing
// are reported, not silently dropped.
func TestSocketCANSaysKernelOwnsBitTiming(t *testing.T) {
	var logs bytes.Buffer
	cfg := can.Config{Interface: "socketcan", Channel: "nosuchcan0", CanIDMaster: 1, CanIDSlave: 2, Bitrate: 500000,
		Timing: can.Timing{SamplePoint: 87.5}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if b, err := Open(context.Background(), cfg); err == nil {
		b.Close()
		t.Fatal("nosuchcan0 opened")
	}
	if !strings.Contains(logs.String(), "kernel owns bit rate and bit timing") || !strings.Contains(logs.String(), "ip link set nosuchcan0 type can bitrate") {
		t.Fatalf("no warning about bit timing:\n%s", logs.String())
	}
}
