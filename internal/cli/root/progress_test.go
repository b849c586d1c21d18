package root

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// TestProgress: the long operations (upload, fetch-a2l, id-scan --range)
// show their progress on stderr — rewritten in place with \r when stderr
// is a terminal, plain lines and never a \r otherwise. The timing is set
// to show every update at once (for users a terminal shows nothing in the
// first half second and a log file gets a line every 5 s).
func TestProgress(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		line string // a regular expression for one progress report
	}{
		{"upload", []string{"upload", "0x100000", "0x40000", "--json"}, `upload: [0-9.]+ [KMG]?i?B of 256\.0 KiB \(\d+%\)`},
		{"fetch-a2l", []string{"fetch-a2l", "-o", filepath.Join(dir, "sim.a2l")}, `fetch-a2l: [0-9.]+ [KMG]?i?B of [0-9.]+ KiB \(\d+%\)`},
		{"id-scan", []string{"id-scan", "--range", "0x100-0x107", "--wait", "5ms"}, `id-scan: \d of 8 \(\d+%\)`},
	} {
		for _, tty := range []bool{true, false} {
			t.Run(tc.name+map[bool]string{true: " terminal", false: " log"}[tty], func(t *testing.T) {
				ios, _, _, errOut := cmdutil.Test()
				ios.SetErrTerminal(tty)
				ios.SetProgressTiming(cmdutil.ProgressTiming{})
				f := cmdutil.New(ios)
				f.Getenv = func(string) string { return "" }
				if code := Run(context.Background(), f, append([]string{"--sim"}, tc.args...)); code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				stderr := errOut.String()
				re := regexp.MustCompile(tc.line)
				reports := re.FindAllString(stderr, -1)
				if len(reports) < 2 {
					t.Fatalf("%d progress reports matching %q, want several:\n%q", len(reports), tc.line, stderr)
				}
				if !strings.Contains(reports[len(reports)-1], "(100%)") {
					t.Errorf("last report %q is not at 100%%", reports[len(reports)-1])
				}
				switch {
				case tty && !strings.HasPrefix(stderr, "\r"):
					t.Errorf("terminal: progress not drawn in place:\n%q", stderr)
				case tty && strings.Count(stderr, "\r") < len(reports):
					t.Errorf("terminal: %d reports but %d \\r:\n%q", len(reports), strings.Count(stderr, "\r"), stderr)
				case !tty && strings.Contains(stderr, "\r"):
					t.Errorf("not a terminal: a \\r in\n%q", stderr)
				case !tty && strings.Count(stderr, "\n") < len(reports):
					t.Errorf("not a terminal: reports not on lines of their own:\n%q", stderr)
				}
			})
		}
	}
}
