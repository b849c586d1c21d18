package monitor_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/cli/root"
)

// The test binary doubles as the xcp binary for the terminal test: run with
// XCP_MONITOR_TEST_MAIN=1 it is `xcp`.
func TestMain(m *testing.M) {
	if os.Getenv("XCP_MONITOR_TEST_MAIN") == "1" {
		os.Exit(root.Main())
	}
	os.Exit(m.Run())
}

// TestInATerminal runs `xcp --sim monitor` in a real terminal (tmux) as a
// user would: the table shows live values, p pauses, r resets, q quits
// cleanly (exit 0).
func TestInATerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: the terminal test of xcp monitor is skipped (.ci/run installs it)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sock := "goxcp-monitor-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000000")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
	cmd := "XCP_MONITOR_TEST_MAIN=1 " + self + " --sim monitor counter waves.sine enabled --event 10ms; echo EXIT=$?; sleep 60"
	tmux("new-session", "-d", "-s", "m", "-x", "140", "-y", "20", cmd)
	screen := func() string { return tmux("capture-pane", "-p", "-t", "m") }
	waitScreen := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second) // generous: CI machines are shared
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the screen shows:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	counterRow := regexp.MustCompile(`counter\s+(\d+) ms\s+(\d+)\s+(\d+)\s+([\d.]+)\s+\S*[▁▂▃▄▅▆▇█]+\S*\s+DAQ event`)
	s := waitScreen("live counter row", func(s string) bool {
		m := counterRow.FindStringSubmatch(s)
		return m != nil && m[1] != "0" && m[4] != "0.0"
	})
	for _, want := range []string{"xcp monitor", "waves.sine", "enabled", "on", "DAQ frames", "lost 0", "q quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	first := counterRow.FindStringSubmatch(s)[1]
	waitScreen("the counter moves", func(s string) bool {
		m := counterRow.FindStringSubmatch(s)
		return m != nil && m[1] != first
	})
	tmux("send-keys", "-t", "m", "p")
	paused := waitScreen("paused", func(s string) bool { return strings.Contains(s, "[paused]") })
	time.Sleep(400 * time.Millisecond)
	if a, b := counterRow.FindStringSubmatch(paused), counterRow.FindStringSubmatch(screen()); a == nil || b == nil || a[1] != b[1] {
		t.Errorf("values change while paused: %v / %v", a, b)
	}
	num := func(s string) int {
		t.Helper()
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("counter row: %v", err)
		}
		return n
	}
	// r resets min/max to the present value, shown at once even while paused.
	before := counterRow.FindStringSubmatch(paused)
	tmux("send-keys", "-t", "m", "r")
	waitScreen("min/max reset", func(s string) bool {
		m := counterRow.FindStringSubmatch(s)
		return m != nil && num(m[2]) >= num(before[1]) && num(m[2]) > num(before[2])
	})
	tmux("send-keys", "-t", "m", "p")
	waitScreen("resumed", func(s string) bool { return !strings.Contains(s, "[paused]") })
	// Keys typed quickly reach the program in one read ("rq"): each counts.
	tmux("send-keys", "-t", "m", "rq")
	waitScreen("clean exit", func(s string) bool { return strings.Contains(s, "EXIT=0") })
}
