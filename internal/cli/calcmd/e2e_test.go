package calcmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/sim"
)

func run(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := xcptest.Run(args...)
	if code != want {
		t.Fatalf("xcp %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out, errOut
}

func TestCalCommands(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.dcm")
	_, errOut := run(t, 0, "--sim", "cal", "save", "-o", base)
	if !strings.Contains(errOut, "saved 15 object(s) from ecu") {
		t.Errorf("save: %s", errOut)
	}
	set, err := paramset.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Items) != 15 || set.Lookup("idle_curve") == nil {
		t.Fatalf("saved set: %d items", len(set.Items))
	}
	_, errOut = run(t, 2, "--sim", "cal", "save", "-o", base)
	if !strings.Contains(errOut, "--force") {
		t.Errorf("overwrite: %s", errOut)
	}
	run(t, 0, "--sim", "cal", "save", "-o", filepath.Join(dir, "idle.cdfx"), "idle_*", "ign_map")

	// A tuned copy: one scalar, one curve point.
	text, _ := os.ReadFile(base)
	tuned := filepath.Join(dir, "tuned.dcm")
	s := strings.Replace(string(text), "WERT 900 850 800 750", "WERT 910 850 800 740", 1)
	s = strings.Replace(s, "FESTWERT amplitude\n   LANGNAME \"sine amplitude\"\n   WERT 100\n", "FESTWERT amplitude\n   LANGNAME \"sine amplitude\"\n   WERT 120\n", 1)
	if err := os.WriteFile(tuned, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := run(t, 0, "--sim", "cal", "diff", "ecu", tuned, "--json")
	var diffs []paramset.Difference
	if err := json.Unmarshal([]byte(out), &diffs); err != nil || len(diffs) != 2 || diffs[0].Name != "amplitude" || diffs[1].Name != "idle_curve" {
		t.Fatalf("diff: %v %s", err, out)
	}
	out, _ = run(t, 0, "--sim", "cal", "apply", tuned, "--dry-run", "--json")
	var rep paramset.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Changed) != 2 || rep.Written || !rep.DryRun {
		t.Fatalf("dry run: %v %s", err, out)
	}
	out, errOut = run(t, 0, "--sim", "cal", "apply", tuned)
	if !strings.Contains(out, "idle_curve") || !strings.Contains(errOut, "applied 2 change(s) to the ECU, verified") {
		t.Errorf("apply:\n%s\n%s", out, errOut)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"goxcp parameter set","version":1,"items":[
		{"name":"amplitude","kind":"VALUE","values":[5]},
		{"name":"temp_limit","kind":"VALUE","values":[500]},
		{"name":"unknown_param","kind":"VALUE","values":[1]}]}`), 0o644)
	out, errOut = run(t, 1, "--sim", "cal", "apply", bad)
	if !strings.Contains(errOut, "nothing written") || !strings.Contains(errOut, "temp_limit") || !strings.Contains(out, "unknown_param") {
		t.Errorf("refused apply:\n%s\n%s", out, errOut)
	}
	_, errOut = run(t, 0, "--sim", "cal", "freeze")
	if !strings.Contains(errOut, "stored its calibration") {
		t.Errorf("freeze: %s", errOut)
	}
	run(t, 2, "--sim", "cal", "apply")
	run(t, 2, "--sim", "cal", "save")
	run(t, 2, "--sim", "cal", "save", "-o", filepath.Join(dir, "x.txt"))
	run(t, 2, "--sim", "cal", "save", "-o", filepath.Join(dir, "y.json"), "no_such_*")
	run(t, 2, "--sim", "cal", "diff", "ecu")
}

func TestPageCommands(t *testing.T) {
	out, _ := run(t, 0, "--sim", "page", "--json")
	var pages struct {
		MaxSegments int `json:"max_segments"`
		Segments    []struct {
			Address uint32 `json:"address"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(out), &pages); err != nil || pages.MaxSegments != 1 || pages.Segments[0].Address != sim.CalBase {
		t.Fatalf("page: %v %s", err, out)
	}
	_, errOut := run(t, 0, "--sim", "page", "set", "1", "--segment", "0", "--xcp")
	if !strings.Contains(errOut, "XCP now use(s) page 1 of segment 0") {
		t.Errorf("page set: %s", errOut)
	}
	run(t, 0, "--sim", "page", "copy", "0:1", "0:0") // reference to working page
	_, errOut = run(t, 1, "--sim", "page", "copy", "0:0", "0:1")
	if !strings.Contains(errOut, "ERR_WRITE_PROTECTED") {
		t.Errorf("copy to the read-only page: %s", errOut)
	}
	run(t, 2, "--sim", "page", "copy", "0", "1")
	run(t, 2, "--sim", "page", "set", "x")
	run(t, 1, "--sim", "page", "set", "7", "--segment", "0")
}

// TestOffline calibrates a hex image of the simulator's calibration page
// with the simulator's A2L, without an ECU, and checks the EPK rule.
func TestOffline(t *testing.T) {
	dir := t.TempDir()
	a2lFile := filepath.Join(dir, "sim.a2l")
	run(t, 0, "--sim", "fetch-a2l", "-o", a2lFile)
	img := filepath.Join(dir, "cal.hex")
	out, _ := run(t, 0, "--sim", "upload", "0x20000", "4096", "--format", "ihex")
	os.WriteFile(img, []byte(out), 0o644)
	set := filepath.Join(dir, "set.json")
	os.WriteFile(set, []byte(`{"format":"goxcp parameter set","version":1,"items":[{"name":"amplitude","kind":"VALUE","values":[42]}]}`), 0o644)
	tunedImg := filepath.Join(dir, "tuned.hex")
	_, errOut := run(t, 0, "--a2l", a2lFile, "cal", "apply", set, "--image", img, "-o", tunedImg)
	if !strings.Contains(errOut, "wrote "+tunedImg) || !strings.Contains(errOut, "EPK") {
		t.Errorf("offline apply: %s", errOut)
	}
	out, _ = run(t, 0, "--a2l", a2lFile, "cal", "diff", img, tunedImg, "--json")
	if !strings.Contains(out, `"[0] 100 -> 42"`) || strings.Count(out, `"state"`) != 1 {
		t.Errorf("image diff: %s", out)
	}
	run(t, 2, "--a2l", a2lFile, "cal", "apply", set, "--image", img)

	// An A2L of other software: its EPK differs from the ECU's.
	text, _ := os.ReadFile(a2lFile)
	other := filepath.Join(dir, "other.a2l")
	os.WriteFile(other, []byte(strings.Replace(string(text), sim.EPK, "goxcp-sim EPK 2.0", 1)), 0o644)
	_, errOut = run(t, 1, "--sim", "--a2l", other, "cal", "apply", set)
	if !strings.Contains(errOut, "EPK mismatch") || !strings.Contains(errOut, "goxcp-sim EPK 2.0") || !strings.Contains(errOut, "--ignore-epk") {
		t.Errorf("EPK mismatch: %s", errOut)
	}
	run(t, 0, "--sim", "--a2l", other, "cal", "apply", set, "--ignore-epk")
}
