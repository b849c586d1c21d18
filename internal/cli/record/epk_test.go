package record_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/sim"
)

// Recording by name with an A2L whose EPK differs from the ECU's is
// refused, naming both, unless --ignore-epk.
func TestRecordChecksEPK(t *testing.T) {
	dir := t.TempDir()
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.a2l")
	os.WriteFile(other, []byte(strings.Replace(s.A2L(), sim.EPK, "goxcp-sim EPK 2.0", 1)), 0o600)
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte("[[list]]\nname = \"named\"\nevent = \"10ms\"\nsignals = [\"counter\"]\n"), 0o600)
	out := filepath.Join(dir, "run.xlog")
	code, _, errOut := xcptest.Run("--sim", "--a2l", other, "record", "--daq", lists, "-o", out, "--duration", "100ms", "--no-status")
	if code == 0 || !strings.Contains(errOut, `the A2L declares "goxcp-sim EPK 2.0", the memory holds "goxcp-sim EPK 1.0"`) || !strings.Contains(errOut, "--ignore-epk") {
		t.Errorf("mismatch: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a recording was written despite the EPK mismatch")
	}
	code, _, errOut = xcptest.Run("--sim", "--a2l", other, "record", "--daq", lists, "-o", out, "--duration", "100ms", "--no-status", "--ignore-epk")
	if code != 0 || !strings.Contains(errOut, "EPK mismatch") {
		t.Errorf("--ignore-epk: exit %d\n%s", code, errOut)
	}
}
