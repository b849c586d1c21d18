package root

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/a2linfo"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/internal/jsonstyle"
	"github.com/goxcp/goxcp/live"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/slaveinfo"
	"github.com/goxcp/goxcp/workbench"
)

// TestJSONKeyStyle runs every xcp command that prints JSON against the
// simulator and checks that every key naming a field is snake_case (see
// internal/jsonstyle); maps whose keys are data (object names, resource
// and keyword names) are named per command.
func TestJSONKeyStyle(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	isolate(t)
	dir := t.TempDir()
	a2lFile := filepath.Join(dir, "sim.a2l")
	if code, _, errOut := xcp(t, "--sim", "fetch-a2l", "-o", a2lFile); code != 0 {
		t.Fatalf("fetch-a2l: exit %d: %s", code, errOut)
	}
	base := filepath.Join(dir, "base.json")
	if code, _, errOut := xcp(t, "--sim", "--a2l", a2lFile, "cal", "save", "-o", base); code != 0 {
		t.Fatalf("cal save: exit %d: %s", code, errOut)
	}
	text, _ := os.ReadFile(base)
	tuned := filepath.Join(dir, "tuned.json")
	s := strings.Replace(string(text), "\"name\": \"amplitude\",\n      \"kind\": \"VALUE\",\n      \"comment\": \"sine amplitude\",\n      \"values\": [\n        100", "\"name\": \"amplitude\",\n      \"kind\": \"VALUE\",\n      \"comment\": \"sine amplitude\",\n      \"values\": [\n        120", 1)
	if s == string(text) {
		t.Fatalf("cal save wrote no amplitude 100:\n%s", text)
	}
	os.WriteFile(tuned, []byte(s), 0o644)
	daq := filepath.Join(dir, "daq.toml")
	os.WriteFile(daq, []byte(`[[list]]
name = "fast"
event = "1ms"
measurements = [ { name = "counter", address = 0x100000, type = "U32" } ]
`), 0o644)
	stim := filepath.Join(dir, "stim.toml")
	os.WriteFile(stim, []byte(`[[list]]
name = "drive"
event = "1ms"
stim = true
signals = ["amplitude"]
`), 0o644)
	rec := filepath.Join(dir, "run.xlog")

	sim := []string{"--sim", "--a2l", a2lFile}
	for _, tc := range []struct {
		args     []string
		dataMaps []string
	}{
		{args: []string{"info"}},
		{args: []string{"daq-info"}},
		{args: []string{"discovery", "--extended"}},
		{args: []string{"id-scan", "--range", "0x100-0x103"}},
		{args: []string{"id-scan"}},
		{args: []string{"discovery"}},
		{args: []string{"checksum", "0x20000", "16"}},
		{args: []string{"upload", "0x20000", "16"}},
		{args: []string{"page"}},
		{args: []string{"read", "counter", "curve", "amplitude"}},
		{args: []string{"write", "amplitude=2.5"}},
		{args: []string{"a2l", "list"}},
		{args: []string{"a2l", "show", "amplitude"}},
		{args: []string{"a2l", "ifdata"}, dataMaps: []string{"transports[].options"}},
		{args: []string{"a2l", "check", a2lFile}},
		{args: []string{"cal", "diff", "ecu", tuned}},
		{args: []string{"cal", "apply", tuned, "--dry-run"}},
		{args: []string{"cal", "apply", tuned}},
		{args: []string{"dbg", "attach"}},
		{args: []string{"dbg", "info"}},
		{args: []string{"dbg", "hwio"}},
		{args: []string{"dbg", "read", "0x70000000", "16"}},
		{args: []string{"dbg", "write", "0x70000000", "01020304"}},
		{args: []string{"dbg", "rmw", "0x70000000", "0xFF", "0x12"}},
		{args: []string{"dbg", "jtag-id"}},
		{args: []string{"dbg", "jpl", "030001087F"}},
		{args: []string{"dbg", "hwio", "--set", "0=high"}},
		{args: []string{"monitor", "counter", "amplitude", "--event", "1ms", "--interval", "100ms", "--duration", "250ms"}},
		{args: []string{"record", "--daq", daq, "-o", rec, "--duration", "200ms"}},
		{args: []string{"stim", "--daq", stim, "--set", "amplitude=2.5", "--verify"}},
		{args: []string{"config", "show"}},
		{args: []string{"version"}},
		{args: []string{"can-drivers"}},
		{args: []string{"examples", "--dir", repo}},
	} {
		name := strings.Join(tc.args[:min(2, len(tc.args))], " ")
		t.Run(name, func(t *testing.T) {
			args := append(append(append([]string{}, sim...), tc.args...), "--json")
			code, out, errOut := xcp(t, args...)
			if code != 0 {
				t.Fatalf("xcp %s: exit %d: %s", strings.Join(tc.args, " "), code, errOut)
			}
			bad, err := jsonstyle.CheckJSON([]byte(out), tc.dataMaps...)
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if len(bad) > 0 {
				t.Errorf("keys not snake_case: %q\n%s", bad, out)
			}
		})
	}
	t.Run("convert", func(t *testing.T) {
		code, out, errOut := xcp(t, "convert", rec, "--to", "csv", "-o", filepath.Join(dir, "csv")+string(filepath.Separator), "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if bad, err := jsonstyle.CheckJSON([]byte(out)); err != nil || len(bad) > 0 {
			t.Errorf("%v %q\n%s", err, bad, out)
		}
	})
	t.Run("convert --dataset", func(t *testing.T) {
		lake := filepath.Join(dir, "lake")
		code, out, errOut := xcp(t, "convert", rec, "--to", "parquet", "--dataset", lake, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		manifest, err := os.ReadFile(filepath.Join(lake, dataset.ManifestName))
		if err != nil {
			t.Fatal(err)
		}
		for what, js := range map[string][]byte{"summary": []byte(out), "manifest": manifest} {
			bad, err := jsonstyle.CheckJSON(js, "lists")
			if err != nil || len(bad) > 0 {
				t.Errorf("%s: %v %q\n%s", what, err, bad, js)
			}
		}
	})
	t.Run("parameter set file", func(t *testing.T) {
		if bad, err := jsonstyle.CheckJSON(text); err != nil || len(bad) > 0 {
			t.Errorf("%v %q\n%s", err, bad, text)
		}
	})
}

// TestJSONTypesKeyStyle checks the library types written as JSON by the
// workbench API, the live monitor, parameter sets, dataset manifests,
// compu specs and the command reports, including fields that are empty
// (and so omitted) in the command runs above.
func TestJSONTypesKeyStyle(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[ifxcp.XCP](),
		reflect.TypeFor[a2linfo.CheckReport](),
		reflect.TypeFor[a2linfo.Entry](),
		reflect.TypeFor[a2linfo.Detail](),
		reflect.TypeFor[slaveinfo.Report](),
		reflect.TypeFor[slaveinfo.DAQReport](),
		reflect.TypeFor[dto.Layout](),
		reflect.TypeFor[dto.Stats](),
		reflect.TypeFor[record.Meta](),
		reflect.TypeFor[record.Stats](),
		reflect.TypeFor[master.CalPages](),
		reflect.TypeFor[cal.Value](),
		reflect.TypeFor[paramset.Item](),
		reflect.TypeFor[paramset.Difference](),
		reflect.TypeFor[paramset.Report](),
		reflect.TypeFor[compu.Spec](),
		reflect.TypeFor[live.Value](),
		reflect.TypeFor[dataset.Manifest](),
		reflect.TypeFor[workbench.RecState](),
	} {
		if bad := jsonstyle.CheckType(typ); len(bad) > 0 {
			t.Errorf("%v: %q", typ, bad)
		}
	}
}
