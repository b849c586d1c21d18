package write_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/sim"
)

// simA2L writes the simulator's A2L to dir, with its EPK replaced by epk.
func simA2L(t *testing.T, dir, epk string) string {
	t.Helper()
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	text := s.A2L()
	if !strings.Contains(text, `EPK "`+sim.EPK+`"`) {
		t.Fatalf("the simulator's A2L does not declare EPK %q", sim.EPK)
	}
	path := filepath.Join(dir, "ecu.a2l")
	if err := os.WriteFile(path, []byte(strings.Replace(text, sim.EPK, epk, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A write by name with an A2L whose EPK differs from the ECU's is refused,
// naming both EPKs, unless --ignore-epk; the matching A2L writes.
func TestWriteChecksEPK(t *testing.T) {
	dir := t.TempDir()
	other := simA2L(t, dir, "goxcp-sim EPK 2.0")
	code, _, errOut := xcp(t, "--sim", "--a2l", other, "write", "amplitude=2.5")
	if code == 0 || !strings.Contains(errOut, `EPK mismatch at 0x10000: the A2L declares "goxcp-sim EPK 2.0", the memory holds "goxcp-sim EPK 1.0"`) ||
		!strings.Contains(errOut, "--ignore-epk") || strings.Contains(errOut, "wrote") {
		t.Errorf("mismatch: exit %d\n%s", code, errOut)
	}
	code, _, errOut = xcp(t, "--sim", "--a2l", other, "write", "--ignore-epk", "amplitude=2.5")
	if code != 0 || !strings.Contains(errOut, "EPK mismatch") || !strings.Contains(errOut, "wrote 1 object(s)") {
		t.Errorf("--ignore-epk: exit %d\n%s", code, errOut)
	}
	same := simA2L(t, t.TempDir(), sim.EPK)
	code, _, errOut = xcp(t, "--sim", "--a2l", same, "write", "amplitude=2.5")
	if code != 0 || strings.Contains(errOut, "EPK") {
		t.Errorf("matching EPK: exit %d\n%s", code, errOut)
	}
}
