package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/sim"
)

// TestA2LAddressDoesNotOverrideConfig: host and port that the
// configuration file sets explicitly — even to the default values — win
// over the A2L's IF_DATA XCP_ON_TCP_IP; without them the A2L's are used.
func TestA2LAddressDoesNotOverrideConfig(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	src := s.A2L()
	i := strings.LastIndex(src, "/end IF_DATA")
	if i < 0 {
		t.Fatal("no IF_DATA in the simulator's A2L")
	}
	src = src[:i] + "/begin XCP_ON_TCP_IP 0x0104 6123 ADDRESS \"127.0.0.2\" /end XCP_ON_TCP_IP\n" + src[i:]
	a2lFile := filepath.Join(dir, "ecu.a2l")
	os.WriteFile(a2lFile, []byte(src), 0o644)
	cfgFile := filepath.Join(dir, "bench.toml")
	os.WriteFile(cfgFile, []byte("[transport.eth]\nhost = \"localhost\"\nport = 5555\n"), 0o644)
	for _, c := range []struct {
		config string
		host   string
		port   int
	}{
		{cfgFile, "localhost", 5555},
		{"", "127.0.0.2", 6123},
	} {
		ios, _, _, _ := Test()
		f := New(ios)
		f.Getenv = func(string) string { return "" }
		f.Global.ConfigFile, f.Global.A2L.File = c.config, a2lFile
		cfg, err := f.Config()
		if err != nil {
			t.Fatal(err)
		}
		if e := cfg.Transport.Eth; e.Host != c.host || e.Port != c.port {
			t.Errorf("config %q: %s:%d, want %s:%d", c.config, e.Host, e.Port, c.host, c.port)
		}
	}
}
