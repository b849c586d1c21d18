package fetcha2l_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

// An A2L fetched with --sim names the embedded simulator's random port:
// fetch-a2l says so, and a later command that connects with it and fails
// names the address and the A2L it came from.
func TestSimA2LAddressNamed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	file := filepath.Join(dir, "sim.a2l")
	code, _, errOut := xcptest.Run("--sim", "fetch-a2l", "-o", file)
	if code != 0 {
		t.Fatalf("fetch-a2l: exit %d: %s", code, errOut)
	}
	m := regexp.MustCompile(`names the embedded simulator's address (127\.0\.0\.1:\d+) \(tcp\)`).FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("fetch-a2l --sim says nothing about the address:\n%s", errOut)
	}
	addr := m[1]
	if src, _ := os.ReadFile(file); !strings.Contains(string(src), `ADDRESS "127.0.0.1"`) {
		t.Fatalf("the A2L has no IF_DATA XCP_ON_TCP_IP address:\n%s", src)
	}
	// Without --sim nothing is noted.
	if code, _, errOut := xcptest.Run("--a2l", file, "a2l", "show", "amplitude"); code != 0 || strings.Contains(errOut, "simulator") {
		t.Fatalf("a2l show: exit %d: %s", code, errOut)
	}
	code, _, errOut = xcptest.Run("--a2l", file, "--timeout", "300ms", "read", "amplitude")
	if code == 0 {
		t.Skipf("something listens on %s again (port reused by another process)", addr)
	}
	for _, want := range []string{addr, "from the IF_DATA XCP of " + file, "set host/port with flags or in the configuration file"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error lacks %q:\n%s", want, errOut)
		}
	}
}
