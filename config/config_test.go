package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goxcp/goxcp/transport/eth"
)

func TestParseErrorsNameFileAndKey(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"port range", "[transport.eth]\nport = 70000\n", "xcp.toml: transport.eth.port: must be 1..65535, got 70000"},
		{"port negative", "[transport.eth]\nport = -1\n", "xcp.toml: transport.eth.port: must be 1..65535, got -1"},
		{"port type", "[transport.eth]\nport = \"abc\"\n", `xcp.toml: transport.eth.port: expected an integer, got string "abc"`},
		{"protocol", "[transport.eth]\nprotocol = \"sctp\"\n", `xcp.toml: transport.eth.protocol: must be tcp or udp, got "sctp"`},
		{"ipv6 type", "[transport.eth]\nipv6 = \"yes\"\n", `xcp.toml: transport.eth.ipv6: expected true or false, got string "yes"`},
		{"unknown key typo", "[transport.eth]\nprot = 1\n", "xcp.toml: transport.eth.prot: unknown key (did you mean transport.eth.port?)"},
		{"unknown key case", "[transport]\nLAYER = \"eth\"\n", "xcp.toml: transport.LAYER: unknown key (did you mean transport.layer?)"},
		{"unknown section", "[foo]\nbar = 1\n", "xcp.toml: foo.bar: unknown key"},
		{"section as value", "transport = 5\n", "xcp.toml: transport: is a section ([transport]), not a value"},
		{"layer", "[transport]\nlayer = \"serial\"\n", `xcp.toml: transport.layer: must be one of eth, can, sxi, usb, got "serial"`},
		{"timeout string", "[transport]\ntimeout = \"3x\"\n", `xcp.toml: transport.timeout: not a duration (like "2s" or "250ms"): "3x"`},
		{"timeout negative", "[transport]\ntimeout = \"-1s\"\n", "xcp.toml: transport.timeout: must not be negative, got -1s"},
		{"t7 negative", "[general]\nt7 = -0.5\n", "xcp.toml: general.t7: must not be negative, got -500ms"},
		{"command deadline negative", "[general]\ncommand_deadline = \"-1s\"\n", "xcp.toml: general.command_deadline: must not be negative, got -1s"},
		{"retries fraction", "[general]\nmax_retries = 2.5\n", "xcp.toml: general.max_retries: expected an integer, got number 2.5"},
		{"retries huge", "[general]\nmax_retries = 100000\n", "xcp.toml: general.max_retries: must be at most 1000, got 100000"},
		{"log level", "[logging]\nlevel = \"loud\"\n", `xcp.toml: logging.level: must be one of debug, info, warn, error, off, got "loud"`},
		{"syntax", "[transport\n", "xcp.toml:1:11: toml: expected ']' to close table name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("xcp.toml", []byte(tt.toml))
			if err == nil {
				t.Fatalf("Parse accepted %q", tt.toml)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	c, err := Parse("a.toml", []byte(`
[transport]
layer = "eth"
timeout = 1.5
[transport.eth]
host = "::1"
port = 5556
protocol = "udp"
ipv6 = true
bind = "::1"
[general]
max_retries = 3
seed_n_key_command = "./key"
t1 = "250ms"
t7 = 0.01
command_deadline = "45s"
[logging]
level = "debug"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File:      "a.toml",
		Transport: Transport{Layer: "eth", Timeout: 1500 * time.Millisecond, Eth: eth.Config{Host: "::1", Port: 5556, Protocol: "udp", IPv6: true, Bind: "::1"}},
		General:   General{MaxRetries: 3, SeedNKeyCommand: "./key", T1: 250 * time.Millisecond, T7: 10 * time.Millisecond, CommandDeadline: 45 * time.Second},
		Logging:   Logging{Level: "debug"},
	}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
}

// Enumerated values are accepted in any case, as pyXCP users write them.
func TestEnumsAnyCase(t *testing.T) {
	c, err := Parse("x.toml", []byte("[transport]\nlayer = \"CAN\"\n[transport.eth]\nprotocol = \"UDP\"\n[transport.can]\ninterface = \"SocketCAN\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport.Layer != "can" || c.Transport.Eth.Protocol != "udp" || c.Transport.Can.Interface != "socketcan" {
		t.Fatalf("not normalised: %q %q %q", c.Transport.Layer, c.Transport.Eth.Protocol, c.Transport.Can.Interface)
	}
}

func TestEmptyFileIsDefault(t *testing.T) {
	c, err := Parse("e.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.File = "e.toml"
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if err := (&Config{}).Validate(); err != nil {
		t.Errorf("zero Config invalid: %v", err)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	t.Setenv("HOME", dir)
	none := func(string) string { return "" }
	if p, err := Find("", none); err != nil || p != "" {
		t.Fatalf("no file: got %q, %v", p, err)
	}
	if _, err := Find("missing.toml", none); err == nil || !strings.Contains(err.Error(), "--config") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing --config file: %v", err)
	}
	env := func(k string) string {
		if k == "XCP_CONFIG" {
			return "env.toml"
		}
		return ""
	}
	if _, err := Find("", env); err == nil || !strings.Contains(err.Error(), "XCP_CONFIG") {
		t.Fatalf("missing XCP_CONFIG file: %v", err)
	}
	for _, f := range []string{"env.toml", "flag.toml", FileName} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		explicit string
		getenv   func(string) string
		want     string
	}{{"flag.toml", env, "flag.toml"}, {"", env, "env.toml"}, {"", none, FileName}} {
		if p, err := Find(tc.explicit, tc.getenv); err != nil || p != tc.want {
			t.Errorf("Find(%q): got %q, %v; want %q", tc.explicit, p, err, tc.want)
		}
	}
	if err := os.Remove(FileName); err != nil {
		t.Fatal(err)
	}
	user, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user config dir:", err)
	}
	up := filepath.Join(user, "goxcp", FileName)
	if err := os.MkdirAll(filepath.Dir(up), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(up, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := Find("", none); err != nil || p != up {
		t.Errorf("user config: got %q, %v; want %q", p, err, up)
	}
}

func TestLoadNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(p, []byte("[transport.eth]\nport = 0x10000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.File != p || fe.Key != "transport.eth.port" {
		t.Fatalf("got %v", err)
	}
}
