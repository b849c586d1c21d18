package cmdutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPyXCPConfigDetected: a pyXCP traitlets configuration passed to
// --config is recognised (by name or content) and the error says how to
// convert it, instead of a TOML syntax error.
func TestPyXCPConfigDetected(t *testing.T) {
	dir := t.TempDir()
	py := "c = get_config()  # noqa\nc.Transport.layer = \"ETH\"\nc.Transport.Eth.port = 5555\n"
	for _, name := range []string{"pyxcp_conf.py", "legacy.cfg"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(py), 0o644)
		ios, _, _, _ := Test()
		f := New(ios)
		f.Getenv = func(string) string { return "" }
		f.Global.ConfigFile = p
		_, err := f.Config()
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "xcp config convert") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
