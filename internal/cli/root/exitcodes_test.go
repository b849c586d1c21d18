package root_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

// TestExitCodeTable: the same kind of mistake gets the same exit code
// whichever way it is made (the table in the README).
func TestExitCodeTable(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	syntax := write("syntax.toml", "[transport\n")
	semantic := write("semantic.toml", "[transport]\nlayer = \"pigeon\"\n")
	badEvent := write("event.toml", "[[list]]\nname = \"l\"\nevent = \"no_such_event\"\nsignals = [\"counter\"]\n")
	badSignal := write("signal.toml", "[[list]]\nname = \"l\"\nevent = \"1ms\"\nsignals = [\"no_such_signal\"]\n")
	out := filepath.Join(dir, "r.xlog")
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"TOML syntax error", []string{"--config", syntax, "info"}, cmdutil.ExitUsage},
		{"config value error", []string{"--config", semantic, "info"}, cmdutil.ExitUsage},
		{"missing --a2l file", []string{"--sim", "--a2l", filepath.Join(dir, "none.a2l"), "read", "counter"}, cmdutil.ExitUsage},
		{"missing --daq file", []string{"--sim", "record", "--daq", filepath.Join(dir, "none.toml"), "-o", out}, cmdutil.ExitUsage},
		{"unknown event name", []string{"--sim", "record", "--daq", badEvent, "-o", out, "--duration", "100ms"}, cmdutil.ExitUsage},
		{"unknown signal name", []string{"--sim", "record", "--daq", badSignal, "-o", out, "--duration", "100ms"}, cmdutil.ExitUsage},
		{"unknown object to read", []string{"--sim", "read", "no_such_object"}, cmdutil.ExitUsage},
	} {
		code, _, stderr := xcptest.Run(c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (%s)", c.name, code, c.code, strings.TrimSpace(stderr))
		}
	}
}
