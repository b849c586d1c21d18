package record_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"goxcp/internal/cli/cmdutil"
	"goxcp/internal/cli/root"
	"goxcp/record"
)

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
	ios, _, _, stderr := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(string) string { return "" }
	if code := root.Run(context.Background(), f, []string{"--sim", "record", "--daq", lists, "-o", out, "--duration", "300ms", "--no-status"}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
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
	if ms := got["raw_counter"]; ms.Type != record.U32 || ms.Conversion != nil {
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
