package listfile

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

func TestLoadTOML(t *testing.T) {
	cfg, err := Load("testdata/lists.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Lists) != 2 {
		t.Fatalf("%d lists", len(cfg.Lists))
	}
	f := cfg.Lists[0]
	if f.Name != "fast" || !f.Timestamps || f.Prescaler != 1 || len(f.Measurements) != 3 {
		t.Errorf("fast = %+v", f)
	}
	if m := f.Measurements[1]; m.Name != "flags" || m.Address != 0x1004 || m.Type != dto.U8 || m.BitMask != 6 {
		t.Errorf("flags = %+v", m)
	}
	if m := cfg.Lists[1].Measurements[0]; m.Address != 0x2000 || m.Type != dto.I16 || cfg.Lists[1].EventName != "10ms" {
		t.Errorf("temp = %+v", m)
	}
	r := cfg.Override.Resolution
	if r == nil || r.TimestampMode.Size() != 4 || r.TimestampMode.Unit() != xcp.Unit1us || !r.TimestampMode.Fixed() || r.MaxEntrySizeDaq != 248 {
		t.Errorf("override resolution = %+v", r)
	}
	if cfg.Override.Processor != nil {
		t.Error("processor override appeared from nowhere")
	}
}

func TestLoadPyXCPJSON(t *testing.T) {
	cfg, err := Load("testdata/pyxcp.json")
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.Lists[0]
	if l.Name != "pwm_stuff" || l.Event != 2 || !l.Timestamps || len(l.Measurements) != 2 {
		t.Fatalf("list = %+v", l)
	}
	if m := l.Measurements[0]; m.Name != "channel1" || m.Address != 0x1BD004 || m.Type != dto.F32 {
		t.Errorf("m = %+v", m)
	}
	if cfg.Runtime != 90*time.Second || cfg.OutputFile != "xcp_rec" || cfg.OutputType != "xmraw" {
		t.Errorf("cfg = %+v", cfg)
	}
	p := cfg.Override.Processor
	if p == nil || p.MaxDaq != 4 || p.Properties != xcp.DaqConfigDynamic|xcp.DaqOverloadMSB|xcp.DaqTimestampSupported ||
		p.Key.AddrExt() != xcp.AESameDaqLst || p.Key.IDField() != xcp.IDAbsODT {
		t.Errorf("processor override = %+v", p)
	}
	if cfg.Override.Events != nil {
		t.Error("empty channels must mean: no event override")
	}
	// A plain array is accepted too.
	arr := `[{"name": "a", "event_num": 0, "measurements": [["x", 16, 0, "U8"]]}]`
	if c, err := ParseJSON([]byte(arr), "a.json"); err != nil || c.Lists[0].Measurements[0].Address != 16 {
		t.Fatal(c, err)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, toml, want string }{
		{"no lists", `x = 1`, "no DAQ lists"},
		{"syntax", "[[list]\nname=", "bad.toml:1"},
		{"unknown key", `[[list]]
name = "a"
evnt = 1
measurements = [{name="x", address=1, type="U8"}]`, `DAQ list "a": unknown key "evnt"`},
		{"bad type", `[[list]]
name = "a"
measurements = [{name="x", address=1, type="U9"}]`, `DAQ list "a": measurement #1 "x": type: unknown data type "U9"`},
		{"no address", `[[list]]
name = "a"
measurements = [{name="x", type="U8"}]`, `measurement #1 "x": no address`},
		{"address range", `[[list]]
name = "a"
measurements = [{name="x", address=0x100000000, type="U8"}]`, "out of range"},
		{"event range", `[[list]]
name = "a"
event = 70000
measurements = [{name="x", address=1, type="U8"}]`, `DAQ list "a": event`},
		{"mask on float", `[[list]]
name = "a"
measurements = [{name="x", address=1, type="F32", mask=1}]`, `measurement "x" (#1): a bit mask needs an integer type`},
		{"duplicate", `[[list]]
name = "a"
measurements = [{name="x", address=1, type="U8"}, {name="x", address=2, type="U8"}]`, "used twice"},
		{"empty", `[[list]]
name = "a"
measurements = []`, "has no measurements"},
		{"override", `[override.resolution]
granularityOdtEntrySizeDaq = 3
[[list]]
name = "a"
measurements = [{name="x", address=1, type="U8"}]`, "override: resolution: granularityOdtEntrySizeDaq: want 1, 2, 4 or 8"},
	}
	for _, c := range cases {
		_, err := ParseTOML([]byte(c.toml), "bad.toml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.toml") {
			t.Errorf("%s: err = %v, want it to contain %q and the file name", c.name, err, c.want)
		}
	}
	if _, err := ParseJSON([]byte(`{"daq_lists": [{"name": "a", "measurements": [["x", 1, 0]]}]}`), "p.json"); err == nil ||
		!strings.Contains(err.Error(), "want [name, address, ext, type]") {
		t.Errorf("short pyXCP measurement: %v", err)
	}
	if _, err := Load("testdata/missing.toml"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestOverrideApply(t *testing.T) {
	cfg, err := Load("testdata/pyxcp.json")
	if err != nil {
		t.Fatal(err)
	}
	info := &daq.Info{ResolutionSource: daq.FromSlave}
	if err := info.Complete(); err == nil || !strings.Contains(err.Error(), "GET_DAQ_PROCESSOR_INFO") {
		t.Fatalf("Complete = %v", err)
	}
	cfg.Override.Apply(info, false)
	if info.ProcessorSource != daq.FromOverride || info.ResolutionSource != daq.FromSlave || info.Processor.MaxDaq != 4 {
		t.Errorf("info = %+v", info)
	}
	if err := info.Complete(); err != nil {
		t.Error(err)
	}
}

// FuzzParseConfig feeds arbitrary bytes to both file parsers: errors, never
// panics, and whatever parses is a valid set of lists.
func FuzzParseConfig(f *testing.F) {
	for _, name := range []string{"testdata/lists.toml", "testdata/pyxcp.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"name": "a", "measurements": [["x", 1, 0, "U8"]]}]`))
	f.Add([]byte("[[list]]\nname=\"a\"\nmeasurements=[{name=\"x\",address=\"0x10\",type=\"BF16\"}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, parse := range []func([]byte, string) (*File, error){ParseTOML, ParseJSON} {
			cfg, err := parse(b, "fuzz")
			if err != nil {
				continue
			}
			if err := daq.ValidateUnresolved(cfg.Lists); err != nil {
				t.Fatalf("parsed lists do not validate: %v", err)
			}
		}
	})
}
