package record_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/root"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/sim"
)

// runXCP runs the CLI with args and fails the test on a non-zero exit.
func runXCP(t *testing.T, args ...string) {
	t.Helper()
	if code, _, stderr := xcptest.Run(args...); code != 0 {
		t.Fatalf("xcp %v: exit %d: %s", args, code, stderr)
	}
}

// readCSV reads a whole CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// recordByName runs `xcp --sim record` on a list file naming signals and
// the event by their A2L names (the simulator serves its A2L with GET_ID 4)
// mixed with an address-based measurement; it returns the recording.
func recordByName(t *testing.T, dir string) string {
	t.Helper()
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte(`
[[list]]
name = "named"
event = "10ms"
timestamps = true
signals = ["counter", "waves.sine", "enabled", "temp_limit", "mode"]
measurements = [{ name = "raw_counter", address = 0x100000, type = "U32" }]
`), 0o644)
	out := filepath.Join(dir, "named.xlog")
	runXCP(t, "--sim", "record", "--daq", lists, "-o", out, "--duration", "300ms", "--no-status")
	return out
}

func TestRecordByName(t *testing.T) {
	out := recordByName(t, t.TempDir())
	r, err := record.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := r.Meta()
	if m.Version != record.MetaVersion || len(m.DAQ.Lists) != 1 {
		t.Fatalf("meta %+v", m)
	}
	l := m.DAQ.Lists[0]
	if l.Event != 1 || l.EventName != "10ms" {
		t.Errorf("event %d %q, want 1 \"10ms\"", l.Event, l.EventName)
	}
	got := map[string]record.Measurement{}
	for _, ms := range l.Measurements {
		got[ms.Name] = ms
	}
	if ms := got["raw_counter"]; ms.Type != dto.U32 || ms.Conversion != nil {
		t.Errorf("address-based measurement: %+v", ms)
	}
	for name, want := range map[string]string{"counter": "IDENTICAL", "waves.sine": "IDENTICAL", "enabled": "TAB_VERB", "temp_limit": "FORM", "mode": "TAB_VERB"} {
		ms, ok := got[name]
		if !ok || ms.Conversion == nil || ms.Conversion.Type != want {
			t.Errorf("%s: %+v, want a %s conversion", name, ms, want)
		}
	}
	if u := got["counter"].Unit; u != "ms" {
		t.Errorf("counter unit %q", u)
	}
	if u := got["temp_limit"].Unit; u != "degC" {
		t.Errorf("temp_limit unit %q", u)
	}
	if c := got["enabled"].Conversion; len(c.Text) != 2 || c.Text[1] != "on" {
		t.Errorf("enabled conversion %+v", c)
	}
	if ms := got["enabled"]; ms.BitMask != 2 {
		t.Errorf("enabled bit mask %#x", ms.BitMask)
	}
}

func TestRecordByNameErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ file, args, want string }{
		{`[[list]]
name = "l"
event = 0
signals = ["countr"]
`, "--sim", `signal "countr"`},
		{`[[list]]
name = "l"
event = 0
signals = ["countr"]
`, "--sim", `did you mean "counter"`},
		{`[[list]]
name = "l"
event = "10ms"
signals = [5]
`, "--sim", "signal #1: want an A2L name"},
		{`[[list]]
name = "l"
signals = ["counter"]
`, "--sim", "no signal declares a DAQ_EVENT"},
		{`[[list]]
name = "l"
event = 0
signals = ["counter"]
`, "", "--a2l"},
	} {
		lists := filepath.Join(dir, "lists.toml")
		os.WriteFile(lists, []byte(tc.file), 0o644)
		ios, _, _, stderr := cmdutil.Test()
		f := cmdutil.New(ios)
		f.Getenv = func(string) string { return "" }
		args := []string{"record", "--daq", lists, "-o", filepath.Join(dir, "x.xlog"), "--duration", "50ms", "--no-status"}
		if tc.args != "" {
			args = append([]string{tc.args}, args...)
		} else {
			args = append([]string{"--port", "1", "--timeout", "100ms"}, args...)
		}
		code := root.Run(context.Background(), f, args)
		if code == 0 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.file, code, stderr, tc.want)
		}
	}
}

// TestConvertPhysical records signals by name from the simulator and
// converts the recording with and without --raw: every physical value
// equals the A2L conversion (goxcp/a2l/conv, built from the simulator's
// A2L, which the converter never sees) of the raw value; verbal tables
// become text; units are in the header. The other formats convert too.
func TestConvertPhysical(t *testing.T) {
	dir := t.TempDir()
	rec := recordByName(t, dir)
	simA2L, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := a2l.ParseString("sim.a2l", simA2L.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := file.Modules[0]
	convert := func(args ...string) [][]string {
		t.Helper()
		out := filepath.Join(dir, strings.Join(args, "")+".csv")
		runXCP(t, append([]string{"convert", rec, "--to", "csv", "-o", out}, args...)...)
		return readCSV(t, out)
	}
	phys, raw := convert(), convert("--raw")
	if len(phys) < 3 || len(phys) != len(raw) {
		t.Fatalf("%d physical rows, %d raw rows", len(phys), len(raw))
	}
	wantHdr := []string{"host_ns", "slave_ns", "raw_counter", "counter [ms]", "waves.sine", "enabled", "temp_limit [degC]", "mode"}
	if got := strings.Join(phys[0], ","); got != strings.Join(wantHdr, ",") {
		t.Errorf("header %s\nwant   %s", got, strings.Join(wantHdr, ","))
	}
	col := map[string]int{}
	for i, h := range raw[0] {
		col[strings.Fields(h)[0]] = i
	}
	checked := 0
	for _, name := range []string{"counter", "waves.sine", "enabled", "temp_limit", "mode"} {
		s, err := cal.ResolveSignal(mod, name)
		if err != nil {
			t.Fatal(err)
		}
		c := col[name]
		for i := 1; i < len(raw); i++ {
			r, err := strconv.ParseFloat(raw[i][c], 64)
			if err != nil {
				t.Fatalf("raw %s row %d: %v", name, i, err)
			}
			want := strconv.FormatFloat(s.Conv.Phys(r), 'g', -1, 64)
			if s.Conv.Verbal() {
				want = s.Conv.Text(r)
			}
			if phys[i][c] != want {
				t.Fatalf("%s row %d: physical %q, want %q (raw %s)", name, i, phys[i][c], want, raw[i][c])
			}
			checked++
		}
	}
	// The verbal and FORM values are what the simulator holds.
	i := len(phys) - 1
	if phys[i][col["enabled"]] != "on" || phys[i][col["mode"]] == "" || raw[i][col["temp_limit"]] == phys[i][col["temp_limit"]] {
		t.Errorf("last row physical %v raw %v", phys[i], raw[i])
	}
	if phys[i][col["raw_counter"]] != raw[i][col["raw_counter"]] {
		t.Errorf("address-based measurement changed: %s vs %s", phys[i][col["raw_counter"]], raw[i][col["raw_counter"]])
	}
	t.Logf("%d physical values checked", checked)
	for _, to := range []string{"parquet", "sqlite", "hdf5"} {
		runXCP(t, "convert", rec, "--to", to, "-o", filepath.Join(dir, "out."+to))
	}
}

// TestHostTimeOrigin: the online CSV (--csv) and the converted recording
// give every sample the same host time (and slave time).
func TestHostTimeOrigin(t *testing.T) {
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
	runXCP(t, "--sim", "record", "--daq", lists, "-o", out, "--csv", filepath.Join(dir, "online"), "--duration", "200ms", "--no-status")
	runXCP(t, "convert", out, "--to", "csv", "-o", filepath.Join(dir, "conv.csv"))
	online, conv := readCSV(t, filepath.Join(dir, "online", "fast.csv")), readCSV(t, filepath.Join(dir, "conv.csv"))
	if len(online) < 3 || len(online) != len(conv) {
		t.Fatalf("%d online rows, %d converted", len(online), len(conv))
	}
	for i := 1; i < len(online); i++ {
		if online[i][0] != conv[i][0] || online[i][1] != conv[i][1] || online[i][2] != conv[i][2] {
			t.Fatalf("row %d: online %v, converted %v", i, online[i], conv[i])
		}
	}
}
