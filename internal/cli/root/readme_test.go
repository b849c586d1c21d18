package root

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// The README's set-up commands must be the ones CI runs.
func TestReadmeMatchesCI(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	const testCmd = "go test -race -count=1 ./..."
	for _, c := range []struct{ file, text, want string }{
		{"README.md", string(readme), "    " + testCmd + "\n"},
		{"README.md", string(readme), "    " + setupCmd + "\n"},
		{"README.md", string(readme), "    go run ./cmd/xcp --sim info "},
		{"README.md", string(readme), "    go install ./cmd/xcp\n"},
		{".ci/run", string(ci), "\n" + testCmd + "\n"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q", c.file, strings.TrimSpace(c.want))
		}
	}
}

// setupCmd is the README's first set-up command: the main job (a DAQ
// recording by A2L names) against the built-in simulator.
const setupCmd = "go run ./cmd/xcp --sim record --daq examples/sim-daq.toml --duration 5s -o demo.xlog"

// The set-up command works from a fresh checkout: the examples file it names
// is in the repository and the recording it writes holds samples of both
// lists (shortened to a fraction of a second here).
func TestReadmeSetupCommandRuns(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(strings.TrimPrefix(setupCmd, "go run ./cmd/xcp "))
	for i, a := range args {
		switch {
		case a == "examples/sim-daq.toml":
			args[i] = filepath.Join(root, a)
		case a == "--duration":
			args[i+1] = "400ms"
		case a == "demo.xlog":
			args[i] = filepath.Join(t.TempDir(), a)
		}
	}
	code, out, errOut := xcp(t, args...)
	if code != 0 {
		t.Fatalf("xcp %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	for _, list := range []string{"fast", "slow"} {
		// The summary's per-list row: name, then a non-zero sample count.
		if !regexp.MustCompile(`(?m)^\s*` + list + `\s+[1-9][0-9]*\s`).MatchString(out + errOut) {
			t.Errorf("no samples recorded for list %q:\n%s%s", list, out, errOut)
		}
	}
}

// Every `xcp --sim …` example of the README, and the offline examples
// (a2l, convert, can-drivers) that work on the files the earlier ones wrote,
// run in order and exit 0 — in a temporary directory holding the README's
// DAQ lists file. Examples that redirect, pipe or run in the background,
// and examples whose input files are not there (e.g. a flash image), are
// skipped.
func TestReadmeSimExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every README example")
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	isolate(t)
	if block := tomlAfter(string(readme), "### `xcp record`"); block != "" {
		if err := os.WriteFile("lists.toml", []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if block := tomlAfter(string(readme), "### `xcp stim`"); block != "" {
		if err := os.WriteFile("stim.toml", []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for line := range strings.Lines(string(readme)) {
		cmd, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "    xcp ")
		if !ok || !runnable(cmd) {
			continue
		}
		if i := strings.Index(cmd, " #"); i >= 0 {
			cmd = cmd[:i]
		}
		cmd = strings.TrimSpace(cmd)
		if strings.ContainsAny(cmd, "&|><") {
			continue
		}
		args, err := splitArgs(cmd)
		if err != nil {
			t.Errorf("%s: %v", cmd, err)
			continue
		}
		if missing := missingInput(args); missing != "" {
			t.Logf("skipped (no %s): xcp %s", missing, cmd)
			continue
		}
		for i, a := range args {
			if a == "--duration" && i+1 < len(args) {
				args[i+1] = "300ms" // keep the test short
			}
		}
		n++
		t.Run(cmd, func(t *testing.T) {
			code, _, errOut := xcp(t, args...)
			if code != 0 {
				t.Errorf("README example `xcp %s`: exit %d: %s", cmd, code, errOut)
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d README examples found", n)
	}
}

// runnable reports whether a README command line needs neither a real
// slave nor a configuration: --sim, or an offline command.
func runnable(cmd string) bool {
	for _, p := range []string{"--sim ", "a2l ", "--a2l sim.a2l a2l ", "--a2l sim.a2l cal ", "convert ", "plot ", "can-drivers"} {
		if strings.HasPrefix(cmd, p) {
			return true
		}
	}
	return false
}

// tomlAfter returns the first ```toml block after the heading.
func tomlAfter(s, heading string) string {
	_, rest, ok := strings.Cut(s, heading)
	if !ok {
		return ""
	}
	_, rest, ok = strings.Cut(rest, "```toml\n")
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(rest, "```")
	return block
}

// missingInput returns an argument that names an input file (by its
// extension) that does not exist.
func missingInput(args []string) string {
	for i, a := range args {
		if i > 0 && (args[i-1] == "-o" || args[i-1] == "--output") {
			continue // an output file
		}
		switch filepath.Ext(a) {
		case ".toml", ".json", ".a2l", ".xlog", ".mf4", ".xmraw", ".s19", ".srec", ".hex", ".bin", ".mot", ".dcm", ".cdfx":
			if _, err := os.Stat(a); err != nil {
				return a
			}
		}
	}
	return ""
}

// splitArgs splits a command line at blanks, with double-quoted groups.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inArg = !quoted, true
		case r == ' ' && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quoted {
		return nil, errors.New("unterminated quote")
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// Every subcommand has a section in the README (a heading naming
// `xcp NAME`).
func TestReadmeDocumentsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for line := range strings.Lines(string(readme)) {
		if strings.HasPrefix(line, "### ") {
			headings = append(headings, line)
		}
	}
	ios, _, _, _ := cmdutil.Test()
	for _, c := range NewCmd(cmdutil.New(ios)).Commands() {
		name := c.Name()
		if name == "help" || name == "completion" {
			continue
		}
		found := false
		for _, h := range headings {
			if strings.Contains(h, "`xcp "+name+"`") || strings.Contains(h, "`xcp "+name+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("README.md has no section \"### `xcp %s`\" (document every command there, with an example)", name)
		}
	}
}
