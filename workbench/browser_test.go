package workbench_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowser drives the workbench in headless Chromium with Playwright
// (testdata/browser.mjs): open the page with the token, find a signal, see
// its live plot update, write a calibration value, and check that requests
// without the token or from a foreign origin are refused. The simulator's
// memory is checked here afterwards. It needs node, Debian's chromium and
// playwright-core (.ci/run installs them into ~/.cache/goxcp-ci/playwright);
// without them it is skipped, saying so. With GOXCP_SCREENSHOTS=DIR the
// screenshots of the main views are written there (docs/ in the README).
func TestBrowser(t *testing.T) {
	chromium := firstExisting(os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser")
	node, err := exec.LookPath("node")
	home, _ := os.UserHomeDir()
	modules := firstExisting(os.Getenv("PLAYWRIGHT_NODE_MODULES"), filepath.Join(home, ".cache", "goxcp-ci", "playwright", "node_modules"))
	if chromium == "" || err != nil || modules == "" {
		t.Skip("browser test skipped: needs node, chromium (Debian package) and playwright-core in ~/.cache/goxcp-ci/playwright (.ci/run installs them)")
	}
	e := serve(t, false)
	shots := os.Getenv("GOXCP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if shots, err = filepath.Abs(shots); err != nil {
		t.Fatal(err)
	}
	// The script imports playwright-core from a node_modules beside it.
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join("testdata", "browser.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "browser.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "browser.mjs"))
	cmd.Env = append(os.Environ(), "XCP_URL="+e.base+"/?token="+token, "XCP_BASE="+e.base, "XCP_TOKEN="+token, "CHROMIUM="+chromium, "SHOTS="+shots)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("browser test: %v\n%s", err, out)
	}
	// The write from the page reached the simulator.
	code, body := e.do(t, "GET", "/api/object?name=amplitude", "", "X-XCP-Token", token)
	if code != 200 || !strings.Contains(body, `"phys":[42]`) {
		t.Errorf("amplitude after the page wrote it: %d %s", code, body)
	}
	for _, f := range []string{"workbench-live.png", "workbench-calibration.png"} {
		if st, err := os.Stat(filepath.Join(shots, f)); err != nil || st.Size() < 10000 {
			t.Errorf("screenshot %s: %v", f, err)
		}
	}
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
