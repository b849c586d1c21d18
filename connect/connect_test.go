package connect_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/sxi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Open with the built-in simulator on every transport layer: CONNECT,
// a calibration round trip, DISCONNECT on Close, nothing left running.
func TestOpenSimulator(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(c *config.Config)
	}{
		{"eth-tcp", func(c *config.Config) {}},
		{"eth-udp", func(c *config.Config) { c.Transport.Eth.Protocol = "udp" }},
		{"eth-ipv6", func(c *config.Config) { c.Transport.Eth.IPv6 = true }},
		{"can", func(c *config.Config) { c.Transport.Layer = "can" }},
		{"sxi", func(c *config.Config) { c.Transport.Layer = "sxi" }},
		{"usb", func(c *config.Config) { c.Transport.Layer = "usb" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "sxi" {
				if p, err := sxi.OpenPTY(); err != nil {
					t.Skipf("no pseudo terminals here: %v", err)
				} else {
					p.Close()
				}
			}
			if tc.name == "eth-ipv6" {
				if l, err := net.Listen("tcp6", "[::1]:0"); err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				} else {
					l.Close()
				}
			}
			c := config.Default()
			tc.set(c)
			ctx := context.Background()
			s, err := connect.Open(ctx, c, connect.Options{Simulator: true})
			if err != nil {
				t.Fatal(err)
			}
			if s.Connect.MaxCTO == 0 {
				t.Errorf("CONNECT response not kept: %+v", s.Connect)
			}
			addr := sim.Parameters()[0].Addr // amplitude
			want := []byte{1, 2, 3, 4}
			if err := s.Write(ctx, addr, 0, want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Read(ctx, addr, 0, 4)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("read back % X, want % X", got, want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s.Connected() {
				t.Error("still connected after Close")
			}
		})
	}
}

// Open from settings against a slave on 127.0.0.1: the configured host and
// port are used, CONNECT is sent, the key function unlocks a protected
// resource, and Close sends DISCONNECT.
func TestOpenConfig(t *testing.T) {
	for _, proto := range []string{"udp", "tcp"} {
		t.Run(proto, func(t *testing.T) {
			slave, port := simtest.Serve(t, proto, sim.Config{Protect: xcp.ResCalPag})
			c := config.Default()
			c.Transport.Eth.Host, c.Transport.Eth.Port, c.Transport.Eth.Protocol = "127.0.0.1", port, proto
			ctx := context.Background()
			addr := sim.Parameters()[0].Addr

			// Without a key function the protected write is refused.
			s, err := connect.Open(ctx, c, connect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write(ctx, addr, 0, []byte{0, 0, 0x80, 0x3F}); !errors.Is(err, xcp.ErrAccessLocked) {
				t.Errorf("write without key: %v, want ErrAccessLocked", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			slave.ResetHistory()
			s, err = connect.Open(ctx, c, connect.Options{Unlock: seedkey.Func(sim.DemoKey)})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write(ctx, addr, 0, []byte{0, 0, 0x80, 0x3F}); err != nil {
				t.Fatalf("write with key: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			h := slave.History()
			if len(h) < 2 || h[0] != xcp.CmdConnect || h[len(h)-1] != xcp.CmdDisconnect ||
				!slices.Contains(h, xcp.CmdGetSeed) || !slices.Contains(h, xcp.CmdUnlock) {
				t.Errorf("commands %v: want CONNECT first, GET_SEED and UNLOCK, DISCONNECT last", h)
			}
		})
	}
}

// After PROGRAM_RESET the slave has ended the session: Close must not send
// DISCONNECT (it would wait for an answer that never comes).
func TestCloseAfterProgramReset(t *testing.T) {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProgramStart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ProgramReset(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d >= s.Timeouts().T1 {
		t.Errorf("Close took %v: it waited for a DISCONNECT answer", d)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()

	// Nobody answers on this UDP port: CONNECT times out (T1 = 100 ms).
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c := config.Default()
	c.Transport.Eth.Host, c.Transport.Eth.Port, c.Transport.Eth.Protocol = "127.0.0.1", pc.LocalAddr().(*net.UDPAddr).Port, "udp"
	c.Transport.Timeout = 100 * time.Millisecond
	c.General.MaxRetries = 0
	if _, err := connect.Open(ctx, c, connect.Options{}); !errors.Is(err, xcp.ErrTimeout) {
		t.Errorf("silent slave: %v, want a timeout", err)
	}

	for _, tc := range []struct {
		name, want string
		set        func(c *config.Config)
	}{
		{"layer", `transport "flexray"`, func(c *config.Config) { c.Transport.Layer = "flexray" }},
		{"can without interface", "transport.can", func(c *config.Config) { c.Transport.Layer = "can" }},
		{"sxi without port", "transport.sxi", func(c *config.Config) { c.Transport.Layer = "sxi" }},
		{"seed&key program", "general.seed_n_key_command", func(c *config.Config) {
			c.Transport.Eth.Host, c.Transport.Eth.Port, c.Transport.Eth.Protocol = "127.0.0.1", pc.LocalAddr().(*net.UDPAddr).Port, "udp"
			c.General.SeedNKeyCommand = "keyprog 'unterminated"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			tc.set(c)
			_, err := connect.Open(ctx, c, connect.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestDialErrorIsNilConn: a failed Dial returns a nil transport.Conn, not
// a non-nil interface holding a transport's nil pointer (which a caller
// checking conn != nil, or closing it, would trip over).
func TestDialErrorIsNilConn(t *testing.T) {
	for _, layer := range []string{"eth", "sxi"} {
		c := config.Default()
		c.Transport.Layer = layer
		c.Transport.Eth.Port = -1 // invalid: eth.Dial fails before dialling
		c.Transport.Sxi.Port = filepath.Join(t.TempDir(), "no-such-tty")
		conn, err := connect.Dial(context.Background(), c, nil)
		if err == nil {
			t.Fatalf("%s: Dial succeeded", layer)
		}
		if conn != nil {
			t.Errorf("%s: Dial returned %T (non-nil interface) with its error %v", layer, conn, err)
		}
	}
}
