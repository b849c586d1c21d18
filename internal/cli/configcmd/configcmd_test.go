package configcmd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/configcmd"
	"github.com/goxcp/goxcp/internal/cli/root"
)

// xcp runs the command line in dir with env and returns the exit code,
// stdout and stderr.
func xcp(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(k string) string { return env[k] }
	code := root.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestInit(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, _ := xcp(t, nil, "config", "init")
	if code != 0 || out != string(config.Template()) {
		t.Fatalf("exit %d, stdout differs from config.Template()", code)
	}
	if code, _, errOut := xcp(t, nil, "config", "init", "-o", "x.toml"); code != 0 || errOut != "wrote x.toml\n" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := config.Load("x.toml"); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := xcp(t, nil, "config", "init", "-o", "x.toml"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "x.toml exists; use --force") {
		t.Fatalf("overwrite: exit %d: %s", code, errOut)
	}
	if code, _, _ := xcp(t, nil, "config", "init", "-o", "x.toml", "--force"); code != 0 {
		t.Fatalf("--force: exit %d", code)
	}
}

func TestConvert(t *testing.T) {
	for _, tc := range []struct {
		name, file, text string
		args             []string
		want             map[string]any // goxcp key → value after loading the output
		problems         []string       // substrings of the "not converted" lines, in order
	}{
		{"legacy TOML with sections", "old.toml", `[XCP]
TRANSPORT = "CAN"
LOGLEVEL = "DEBUG"
SEED_N_KEY_DLL = "SeedNKeyXcp.dll"
TIMEOUT = 0.5

[CAN]
CAN_DRIVER = "SocketCAN"
CHANNEL = "vcan0"
BITRATE = 500000
CAN_ID_MASTER = 2016
CAN_ID_SLAVE = 2017
CAN_ID_BROADCAST = 0x100
SJW = 2
[FOO]
BAR = 1
`, nil, map[string]any{"transport.layer": "can", "logging.level": "debug", "transport.timeout": "500ms",
			"transport.can.interface": "socketcan", "transport.can.channel": "vcan0", "transport.can.bitrate": "500000",
			"transport.can.can_id_master": "2017", "transport.can.can_id_slave": "2016", "transport.can.can_id_broadcast": "256"},
			[]string{"line 4: [XCP] SEED_N_KEY_DLL: goxcp cannot load seed & key DLLs", "line 14: [CAN] SJW: unknown or python-can specific", "line 16: [FOO] BAR: unknown section"}},
		{"legacy TOML, keep CAN ids", "old.toml", "[CAN]\nCAN_ID_MASTER = 0x7E0\nCAN_ID_SLAVE = 0x7E1\n", []string{"--keep-can-ids"},
			map[string]any{"transport.can.can_id_master": "2016", "transport.can.can_id_slave": "2017"}, nil},
		{"legacy flat JSON, SxI port", "old.json", `{
  "TRANSPORT": "SXI",
  "PORT": "/dev/ttyUSB0",
  "BITRATE": 115200,
  "PARITY": "E",
  "HEADER_FORMAT": "HEADER_LEN_BYTE",
  "CREATE_DAQ_TIMESTAMPS": true
}`, nil, map[string]any{"transport.layer": "sxi", "transport.sxi.port": "/dev/ttyUSB0", "transport.sxi.bitrate": "115200",
			"transport.sxi.parity": "E", "transport.sxi.header_format": "HEADER_LEN_BYTE"},
			[]string{"line 7: [-]?CREATE_DAQ_TIMESTAMPS: goxcp always time-stamps"}},
		{"pyXCP defaults and retry semantics", "conf.py", "c.Transport.Eth.host = 'ecu'\nc.General.max_retries = 0\n", nil,
			map[string]any{"transport.eth.host": "ecu", "transport.eth.protocol": "udp", "general.max_retries": "-1"}, nil},
		{"pyXCP infinite retries", "old.toml", "[XCP]\nMAX_RETRIES = -1\n", nil, map[string]any{"general.max_retries": "1000"}, nil},
		{"legacy values goxcp refuses", "old.toml", "[ETH]\nHOST = \"h\"\nPORT = 70000\nPROTOCOL = \"SCTP\"\n", nil,
			map[string]any{"transport.eth.host": "h"},
			[]string{"line 3: [ETH] PORT: goxcp refuses transport.eth.port = 70000: must be 1..65535", "line 4: [ETH] PROTOCOL: goxcp refuses transport.eth.protocol = \"sctp\": must be tcp or udp"}},
		{"traitlets", "conf.py", `# pyXCP
c = get_config()  # noqa
c.Transport.layer = 'ETH'
c.Transport.Eth.host = "10.0.0.2"  # the ECU
c.Transport.Eth.port = 5_556
c.Transport.Eth.protocol = "UDP"
c.Transport.Eth.bind_to_address = "10.0.0.1"
c.Transport.Can.daq_identifier = [0x7F0, 0o17, 0b1,]
c.Transport.Can.fd = True
c.Transport.Can.padding_value = 0xAA
c.Transport.Can.Kvaser.accept_virtual = True
c.General.seed_n_key_command = "./key --hex"
c.General.loglevel = "WARNING"
c.Transport.Can.padding_value = 256
c.Transport.Can.bitrate = "fast"
c.Transport.timeout = None
print("hi")
c.Transport.Sxi.port = 'COM3
`, nil, map[string]any{"transport.eth.host": "10.0.0.2", "transport.eth.port": "5556",
			"transport.eth.protocol": "udp", "transport.eth.bind": "10.0.0.1", "transport.can.daq_identifier": "[2032 15 1]",
			"transport.can.fd": "true", "transport.can.padding_value": "170", "general.seed_n_key_command": "./key --hex", "logging.level": "warn"},
			[]string{"line 11: Transport.Can.Kvaser.accept_virtual: no goxcp setting corresponds", "line 14: Transport.Can.padding_value: 256 does not fit in uint8",
				"line 15: Transport.Can.bitrate: expected an integer, got string \"fast\"", "line 16: Transport.timeout: None: the default is kept",
				"line 17: print(\"hi\"): not an assignment", "line 18: Transport.Sxi.port: value not understood: string not closed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, tc.file)
			if err := os.WriteFile(in, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "xcp.toml")
			code, _, errOut := xcp(t, nil, append([]string{"config", "convert", in, "-o", out}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			c, err := config.Load(out)
			if err != nil {
				data, _ := os.ReadFile(out)
				t.Fatalf("%v\n%s", err, data)
			}
			got := map[string]any{}
			def := map[string]string{}
			for _, s := range config.Settings(config.Default()) {
				def[s.Key] = config.FormatValue(s.Value)
			}
			for _, s := range config.Settings(c) {
				if v := config.FormatValue(s.Value); v != def[s.Key] {
					got[s.Key] = strings.Trim(strings.ReplaceAll(strings.Trim(v, "[]"), ",", ""), `"`)
				}
			}
			want := map[string]any{}
			for k, v := range tc.want {
				want[k] = strings.Trim(v.(string), "[]")
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("converted settings (-want +got):\n%s", d)
			}
			var lines []string
			for _, l := range strings.Split(errOut, "\n") {
				if strings.HasPrefix(l, "not converted: ") {
					lines = append(lines, strings.TrimPrefix(l, "not converted: "))
				}
			}
			if len(lines) != len(tc.problems) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(lines, "\n"), len(tc.problems))
			}
			for i, p := range tc.problems {
				if !strings.Contains(lines[i], strings.ReplaceAll(p, "[-]?", "")) {
					t.Errorf("problem %d: %q, want %q", i, lines[i], p)
				}
			}
			data, _ := os.ReadFile(out)
			for _, p := range tc.problems {
				if !strings.Contains(string(data), strings.SplitN(strings.ReplaceAll(p, "[-]?", ""), ":", 2)[0]) {
					t.Errorf("output lacks the comment for %q", p)
				}
			}
			if len(tc.problems) > 0 {
				if code, _, errOut := xcp(t, nil, "config", "convert", in, "--strict"); code != 1 || !strings.Contains(errOut, "could not be converted (--strict)") {
					t.Errorf("--strict: exit %d: %s", code, errOut)
				}
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[XCP\nTRANSPORT = 1\n"), 0o600)
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte("{\"TRANSPORT\": }"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"config", "convert"}, cmdutil.ExitUsage, "needs one argument FILE"},
		{[]string{"config", "convert", filepath.Join(dir, "none.toml")}, 2, "no such file"},
		{[]string{"config", "convert", bad}, 1, "bad.toml:1:"},
		{[]string{"config", "convert", badJSON}, 1, "bad.json: not a JSON object"},
		{[]string{"config", "bogus"}, cmdutil.ExitUsage, `unknown command "bogus"`},
	} {
		code, _, errOut := xcp(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.err)
		}
	}
}

func TestShow(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("bench.toml", []byte("[transport.eth]\nhost = \"10.0.0.5\"\nport = 5555\n[general]\nt7 = \"50ms\"\n"), 0o600)
	code, out, errOut := xcp(t, map[string]string{"XCP_CONFIG": "bench.toml", "XCP_LOGLEVEL": "info"},
		"--port", "6000", "--timeout", "1s", "config", "show", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		File     string
		Settings []configcmd.Origin
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	src := map[string]string{}
	for _, o := range got.Settings {
		src[o.Key] = fmt.Sprint(o.Source, " ", o.Value)
	}
	for k, want := range map[string]string{
		"transport.eth.host": "bench.toml 10.0.0.5", "transport.eth.port": "flag 6000", "general.t7": "bench.toml 50ms",
		"logging.level": "env XCP_LOGLEVEL info", "transport.timeout": "flag 1s", "general.t1": "flag 1s",
		"transport.layer": "default eth", "transport.eth.protocol": "default tcp",
		// settings left at zero show what the tools use
		"general.max_retries": "default (master) 5", "general.t2": "default (master) 2s",
	} {
		if src[k] != want {
			t.Errorf("%s: %q, want %q", k, src[k], want)
		}
	}
	if got.File != "bench.toml" || len(got.Settings) != len(config.Settings(config.Default())) {
		t.Errorf("file %q, %d settings", got.File, len(got.Settings))
	}
	code, out, _ = xcp(t, nil, "config", "show")
	if code != 0 || !strings.Contains(out, "no configuration file (defaults)") || !strings.Contains(out, "transport.eth.port") ||
		!strings.Contains(out, `"off"`) || !strings.Contains(out, "transport.timeout (default)") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
}
