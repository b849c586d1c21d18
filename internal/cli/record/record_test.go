package record_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/record"
)

func TestMain(m *testing.M) {
	if os.Getenv(mf4KillChildEnv) != "" {
		mf4KillChild()
		return
	}
	goleak.VerifyTestMain(m)
}

func TestCommand(t *testing.T) {
	dir := t.TempDir()
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte(`
[[list]]
name = "fast"
event = 0
timestamps = true
measurements = [{ name = "counter", address = 0x100000, type = "U32" }]
`), 0o644)
	out := filepath.Join(dir, "out.xlog")
	code, stdout, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out, "--csv", dir, "--duration", "200ms", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"samples"`) {
		t.Errorf("summary: %s", stdout)
	}
	r, err := record.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := os.Stat(filepath.Join(dir, "fast.csv")); err != nil {
		t.Error(err)
	}
	// Bad input gets a usage error naming the file.
	os.WriteFile(lists, []byte("[[list]]\nname = 1\n"), 0o644)
	if code, _, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out); code != cmdutil.ExitUsage ||
		!strings.Contains(stderr, "lists.toml") {
		t.Errorf("bad file: exit %d, %s", code, stderr)
	}
	if code, _, stderr := xcptest.Run("record", "--daq", lists); code != cmdutil.ExitUsage {
		t.Errorf("no output: exit %d, %s", code, stderr)
	}
}

// TestPyXCPRecorderFile: a pyXCP xcp_daq_recorder JSON names the output
// file and the runtime itself.
func TestPyXCPRecorderFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rec.json")
	os.WriteFile(cfg, []byte(`{"daq_lists": [{"name": "l", "event_num": 0, "enable_timestamps": true,
	  "measurements": [["counter", 1048576, 0, "U32"]], "priority": 0, "prescaler": 1}],
	  "output_type": "xmraw", "output_file": "`+filepath.Join(dir, "run.xmraw")+`", "runtime_seconds": 0.2}`), 0o644)
	start := time.Now()
	if code, _, stderr := xcptest.Run("--sim", "record", "--daq", cfg, "--no-status"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("runtime_seconds 0.2 took %v", d)
	}
	r, err := record.Open(filepath.Join(dir, "run.xlog"))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}
