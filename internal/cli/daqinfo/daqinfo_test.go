package daqinfo_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/slaveinfo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return xcptest.Run(args...)
}

func TestDaqInfoJSON(t *testing.T) {
	code, out, errOut := run(t, "--sim", "daq-info", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r slaveinfo.DAQReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Processor == nil || r.Processor.ConfigType != "dynamic" || r.Resolution == nil || r.Resolution.TimestampSize != 4 {
		t.Errorf("report %+v", r)
	}
	if len(r.Events) != 4 || r.Events[0].Name != "1ms" || r.Events[0].Cycle != "1ms" || r.Events[3].Cycle != "not cyclic" {
		t.Errorf("events %+v", r.Events)
	}
	if r.Sources.Processor.String() != "slave" || r.Clock == nil {
		t.Errorf("sources %+v clock %v", r.Sources, r.Clock)
	}
}

func TestDaqInfoTables(t *testing.T) {
	code, out, errOut := run(t, "--sim", "daq-info")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"DAQ processor (from slave)", "IDF_ABS_ODT_NUMBER", "Timestamp", "1 × 1us", "100ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDaqInfoBadOverride(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "o.toml")
	os.WriteFile(p, []byte("[[list]]\nname = \"a\"\nmeasurements = [{name = \"x\", address = 1, type = \"U8\"}]\n"), 0o644)
	code, _, errOut := run(t, "--sim", "daq-info", "--override", p)
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "has no override section") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
