package stim_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const lists = `
[[list]]
name = "drive"
event = "1ms"
stim = true
measurements = [
  { name = "target",  address = 0x100100, type = "U16" },
  { name = "gain",    address = 0x100104, type = "F32" },
  { name = "offset",  address = 0x100110, type = "I32" },
]

[[list]]
name = "clash"       # the simulator's counter: it overwrites what is stimulated
event = "10ms"
stim = true
measurements = [ { name = "counter", address = 0x100000, type = "U32" } ]

[[list]]
name = "watch"
event = "10ms"
measurements = [ { name = "t", address = 0x100100, type = "U16" } ]
`

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return xcptest.Run(append([]string{"--sim", "stim"}, args...)...)
}

func TestStimCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "stim.toml")
	os.WriteFile(file, []byte(lists), 0o644)
	csvFile := filepath.Join(dir, "drive.csv")
	os.WriteFile(csvFile, []byte("time,target,gain\n0,10,0.5\n0.001,20,1.5\n0.002,30,-2.5\n"), 0o644)

	code, out, errOut := run(t, "--daq", file, "--set", "target=1500", "--set", "offset=-7", "--wave", "gain=ramp:0:1:0.25", "--count", "7", "--verify", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum struct {
		Sets     int                `json:"sets"`
		DTOs     int                `json:"dtos"`
		Last     map[string]float64 `json:"last"`
		Verified bool               `json:"verified"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// ramp 0, .25, .5, .75, 1, 0, .25: the 7th set has 0.25
	if sum.Sets != 7 || sum.DTOs != 14 || !sum.Verified || sum.Last["gain"] != 0.25 || sum.Last["target"] != 1500 || sum.Last["offset"] != -7 {
		t.Fatalf("summary %+v", sum)
	}
	code, out, errOut = run(t, "--daq", file, "--values", csvFile, "--verify")
	if code != 0 || !strings.Contains(out, "Sets sent       3") || !strings.Contains(out, "-2.5") {
		t.Fatalf("CSV replay: exit %d\n%s%s", code, out, errOut)
	}
	// The read-back catches memory the slave overwrites itself.
	if code, _, errOut = run(t, "--daq", file, "--set", "counter=5", "--verify"); code == 0 || !strings.Contains(errOut, "counter") {
		t.Fatalf("verify of an overwritten variable: exit %d: %s", code, errOut)
	}
	bad := filepath.Join(dir, "bad.csv")
	for _, c := range []struct {
		csv  string
		args []string
		want string
	}{
		{"", []string{"--set", "nope=1"}, `measurement "nope"`},
		{"", []string{"--set", "target=70000"}, "out of the range of U16"},
		{"", []string{"--set", "target"}, "want NAME=VALUE"},
		{"", []string{"--set", "target=1", "--wave", "target=ramp:0:1:1"}, "already given"},
		{"", []string{"--wave", "gain=tri:0:1:1"}, "unknown waveform"},
		{"", []string{"--wave", "gain=ramp:0:1:-1"}, "does not lead"},
		{"", []string{"--wave", "gain=sine:1:0:fast"}, "PERIOD"},
		{"", []string{}, "give values"},
		{"target,gain\n1,x\n", []string{"--values", bad}, `bad.csv:2: column "gain"`},
		{"target\n", []string{"--values", bad}, "no rows"},
	} {
		if c.csv != "" {
			os.WriteFile(bad, []byte(c.csv), 0o644)
		}
		code, _, errOut := run(t, append([]string{"--daq", file}, c.args...)...)
		if code != cmdutil.ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errOut, c.want)
		}
	}
	noStim := filepath.Join(dir, "daq.toml")
	os.WriteFile(noStim, []byte("[[list]]\nname=\"a\"\nevent=0\nmeasurements=[{name=\"x\", address=0x100100, type=\"U8\"}]\n"), 0o644)
	if code, _, errOut := run(t, "--daq", noStim, "--set", "x=1"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "no STIM list") {
		t.Errorf("file without STIM list: exit %d, %s", code, errOut)
	}
}

// TestRecordRefusesStim: xcp record points to xcp stim for STIM lists.
func TestRecordRefusesStim(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "stim.toml")
	os.WriteFile(file, []byte(lists), 0o644)
	code, _, stderr := xcptest.Run("--sim", "record", "--daq", file, "-o", filepath.Join(dir, "x.xlog"))
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "xcp stim") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// TestStimA2LSignals: STIM lists name their measurements by A2L name,
// resolved through the simulator's A2L like xcp record's lists.
func TestStimA2LSignals(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "stim.toml")
	os.WriteFile(file, []byte("[[list]]\nname = \"cal\"\nevent = \"1ms\"\nstim = true\nsignals = [\"amplitude\", \"period_ms\"]\n"), 0o644)
	code, out, errOut := run(t, "--daq", file, "--set", "amplitude=2.5", "--set", "period_ms=250", "--verify", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum struct {
		Last     map[string]float64 `json:"last"`
		Verified bool               `json:"verified"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || !sum.Verified || sum.Last["amplitude"] != 2.5 || sum.Last["period_ms"] != 250 {
		t.Fatalf("summary %s (%v)", out, err)
	}
	typo := filepath.Join(dir, "typo.toml")
	os.WriteFile(typo, []byte("[[list]]\nname = \"cal\"\nevent = \"1ms\"\nstim = true\nsignals = [\"amplitud\"]\n"), 0o644)
	if code, _, errOut := run(t, "--daq", typo, "--set", "amplitud=1"); code != cmdutil.ExitUsage || !strings.Contains(errOut, `DAQ list "cal": signal "amplitud"`) || !strings.Contains(errOut, `did you mean "amplitude"`) {
		t.Errorf("unknown signal: exit %d, %s", code, errOut)
	}
	// Without --sim and without --a2l the names cannot be resolved.
	if code, _, stderr := xcptest.Run("stim", "--daq", file, "--set", "amplitude=1"); code != cmdutil.ExitUsage || !strings.Contains(stderr, "give --a2l FILE or --a2l-from-slave") {
		t.Errorf("no A2L: exit %d, %s", code, stderr)
	}
}
