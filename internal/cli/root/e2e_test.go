package root

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	xcpproto "github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/slaveinfo"
	"github.com/goxcp/goxcp/transport/eth"
)

func TestMain(m *testing.M) {
	if os.Getenv("GOXCP_TEST_KEY_PROGRAM") == "1" {
		keyProgram()
		return
	}
	goleak.VerifyTestMain(m)
}

// keyProgram makes the test binary act as a seed_n_key_command: the last
// two arguments are the resource and the seed in hex; it prints the key of
// sim.DemoKey in hex.
func keyProgram() {
	args := os.Args[len(os.Args)-2:]
	res, err1 := hex.DecodeString(args[0])
	seed, err2 := hex.DecodeString(args[1])
	if err1 != nil || err2 != nil || len(res) != 1 {
		fmt.Fprintln(os.Stderr, "bad arguments", args)
		os.Exit(2)
	}
	fmt.Println(hex.EncodeToString(sim.DemoKey(xcpproto.Resource(res[0]), seed)))
	os.Exit(0)
}

// xcp runs the xcp command line in-process and returns its exit code,
// stdout and stderr.
func xcp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(string) string { return "" }
	code := Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// isolate keeps the tests from reading a configuration file of the machine.
func isolate(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
}

// serve runs a simulator on 127.0.0.1 port 0 for the test and returns its
// port.
func serve(t *testing.T, network string, cfg sim.Config) (*sim.Slave, string) {
	t.Helper()
	slave, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := eth.Listen(network, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := connect.ServeListeners(context.Background(), slave, l)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return slave, port
}

func TestSimInfo(t *testing.T) {
	isolate(t)
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			code, out, errOut := xcp(t, "--sim", "--protocol", proto, "info")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range []string{"Kind    " + proto, "MAX_CTO                  255", "goxcp-sim", "Segments:", "Sectors:", "Master block mode  yes"} {
				if !strings.Contains(out, want) {
					t.Errorf("info output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestSimInfoJSON(t *testing.T) {
	isolate(t)
	code, out, errOut := xcp(t, "--sim", "info", "--json", "--no-pgm")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r slaveinfo.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Connect.MaxCTO != 255 || r.Connect.ByteOrder != "Intel" || r.Transport.Kind != "tcp" {
		t.Errorf("connect: %+v, transport %+v", r.Connect, r.Transport)
	}
	if len(r.IDs) == 0 || r.IDs[0].Value != "goxcp-sim" {
		t.Errorf("ids: %+v", r.IDs)
	}
	if r.PAG == nil || len(r.PAG.Segments) == 0 || r.PAG.Segments[0].Address != sim.CalBase {
		t.Errorf("pag: %+v", r.PAG)
	}
	if r.DAQ == nil || r.DAQ.ConfigType != "dynamic" || len(r.DAQ.Events) == 0 || r.DAQ.Events[0].Name != "1ms" || r.DAQ.Events[0].Cycle != "1ms" {
		t.Errorf("daq: %+v", r.DAQ)
	}
	if r.PGM != nil || len(r.Skipped) != 1 || r.Skipped[0] != "pgm" {
		t.Errorf("--no-pgm: pgm %+v skipped %q", r.PGM, r.Skipped)
	}
}

// Settings of a real slave, reached over the network with --host/--port:
// byte order, granularity, protection with seed & key.
func TestMemoryCommands(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name    string
		network string
		cfg     sim.Config
	}{
		{"tcp intel", "tcp", sim.Config{}},
		{"udp motorola word", "udp", sim.Config{Order: 1, AG: 2, NoSlaveBlockMode: true, MaxCTO: 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, port := serve(t, tc.network, tc.cfg)
			base := []string{"--host", "127.0.0.1", "--port", port, "--protocol", tc.network}
			addr := "0x" + strconv.FormatUint(uint64(sim.RAMBase)+0x100, 16)
			data := "00112233445566778899AABBCCDDEEFF0123456789ABCDEF"
			code, _, errOut := xcp(t, append(base, "download", addr, data, "--verify")...)
			if code != 0 || !strings.Contains(errOut, "wrote 24 bytes") || !strings.Contains(errOut, "verified") {
				t.Fatalf("download: exit %d: %s", code, errOut)
			}
			code, out, errOut := xcp(t, append(base, "upload", addr, "24", "--json")...)
			if code != 0 || !strings.Contains(out, `"data": "`+strings.ToLower(data)+`"`) {
				t.Fatalf("upload: exit %d: %s%s", code, out, errOut)
			}
			code, out, errOut = xcp(t, append(base, "upload", addr, "16")...)
			if code != 0 || !strings.Contains(out, "00 11 22 33 44 55 66 77  88 99 AA BB CC DD EE FF") {
				t.Fatalf("upload hex: exit %d: %s%s", code, out, errOut)
			}
			code, out, errOut = xcp(t, append(base, "checksum", "0x"+strconv.FormatUint(uint64(sim.CalBase), 16), "0x1000")...)
			if code != 0 || !strings.Contains(out, "match") {
				t.Fatalf("checksum: exit %d: %s%s", code, out, errOut)
			}
		})
	}
}

func TestSimFetchA2L(t *testing.T) {
	isolate(t)
	file := filepath.Join(t.TempDir(), "sim.a2l")
	code, _, errOut := xcp(t, "--sim", "fetch-a2l", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	a2l, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(a2l), "ASAP2_VERSION") || !strings.Contains(errOut, "wrote "+strconv.Itoa(len(a2l))+" bytes") {
		t.Errorf("a2l %q…, stderr %q", a2l[:min(len(a2l), 40)], errOut)
	}
}

func TestChecksumSplitsBlocks(t *testing.T) {
	isolate(t)
	_, port := serve(t, "tcp", sim.Config{MaxChecksumBlock: 0x400, Checksum: 0x09})
	code, out, errOut := xcp(t, "--port", port, "checksum", "0x20000", "0x1000", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Blocks []struct {
			Length int    `json:"length"`
			Type   string `json:"type"`
			Match  bool   `json:"match"`
		} `json:"blocks"`
		Match bool `json:"match"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Match || len(r.Blocks) != 4 || r.Blocks[0].Length != 0x400 || r.Blocks[0].Type != "XCP_CRC_32" {
		t.Errorf("got %+v", r)
	}
}

func TestSeedAndKey(t *testing.T) {
	isolate(t)
	_, port := serve(t, "tcp", sim.Config{Protect: 0x01 | 0x04 | 0x10})
	// Without seed & key configured: a clear error.
	code, _, errOut := xcp(t, "--port", port, "download", "0x20000", "01")
	if code != 1 || !strings.Contains(errOut, "no seed & key function") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// With seed_n_key_command (this test binary acting as the program).
	t.Setenv("GOXCP_TEST_KEY_PROGRAM", "1")
	cfg := filepath.Join(t.TempDir(), "xcp.toml")
	if err := os.WriteFile(cfg, []byte("[general]\nseed_n_key_command = '"+os.Args[0]+" -test.run=^$'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = xcp(t, "--config", cfg, "--port", port, "download", "0x20000", "0102", "--verify")
	if code != 0 {
		t.Errorf("with seed_n_key_command: exit %d: %s", code, errOut)
	}
	// A key program that does not exist: a configuration error (exit 2).
	if err := os.WriteFile(cfg, []byte("[general]\nseed_n_key_command = '/nonexistent/keyprog'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = xcp(t, "--config", cfg, "--port", port, "download", "0x20000", "01")
	if code != 2 || !strings.Contains(errOut, "/nonexistent/keyprog") {
		t.Errorf("missing key program: exit %d: %s", code, errOut)
	}
	// A bad command line is a configuration error naming the key.
	if err := os.WriteFile(cfg, []byte("[general]\nseed_n_key_command = 'prog \"unterminated'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = xcp(t, "--config", cfg, "--port", port, "info")
	if code != 2 || !strings.Contains(errOut, "general.seed_n_key_command") {
		t.Errorf("bad command line: exit %d: %s", code, errOut)
	}
}

func TestErrors(t *testing.T) {
	isolate(t)
	slave, port := serve(t, "tcp", sim.Config{})
	// A port where nothing listens.
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	l.Close()

	tests := []struct {
		name  string
		setup func()
		args  []string
		code  int
		msg   string
	}{
		{"unmapped memory", nil, []string{"--port", port, "upload", "0x50000000", "4"}, cmdutil.ExitError, "ERR_ACCESS_DENIED"},
		{"write protected", nil, []string{"--port", port, "download", "0x10000", "01"}, cmdutil.ExitError, "ERR_WRITE_PROTECTED"},
		{"connection refused", nil, []string{"--port", closed, "info"}, cmdutil.ExitError, "refused"},
		{"silent slave", func() { slave.DropResponses(1000) }, []string{"--port", port, "--timeout", "50ms", "info"}, cmdutil.ExitTimeout, "no response"},
		{"bad address", nil, []string{"--sim", "upload", "0x1_0000_0000", "4"}, cmdutil.ExitUsage, `ADDR "0x1_0000_0000": out of range`},
		{"bad length", nil, []string{"--sim", "upload", "0x1000", "zero"}, cmdutil.ExitUsage, `LEN "zero": not a number`},
		{"bad hex", nil, []string{"--sim", "download", "0x1000", "0g"}, cmdutil.ExitUsage, "not hex bytes"},
		{"missing args", nil, []string{"--sim", "checksum", "0x1000"}, cmdutil.ExitUsage, "needs 2 argument(s) ADDR LEN, got 1"},
		{"bad format", nil, []string{"--sim", "upload", "0", "4", "--format", "bin"}, cmdutil.ExitUsage, `--format: want hex, raw, ihex or srec, got "bin"`},
		{"can not configured", nil, []string{"-t", "can", "info"}, cmdutil.ExitUsage, `transport.can.interface: not set`},
		{"sxi not configured", nil, []string{"-t", "sxi", "info"}, cmdutil.ExitUsage, `transport.sxi.port: not set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
				defer slave.ClearFaults()
			}
			code, _, errOut := xcp(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
}

// Ctrl-C (a cancelled context) ends a command with exit status 130 and
// leaves nothing running (goleak checks at the end).
func TestInterrupted(t *testing.T) {
	isolate(t)
	ios, _, _, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Run(ctx, f, []string{"--sim", "info"}); code != cmdutil.ExitCanceled {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// The memory commands with --sim (each run starts its own simulator).
func TestSimMemoryCommands(t *testing.T) {
	isolate(t)
	want, err := func() ([]byte, error) {
		s, err := sim.New(sim.Config{})
		if err != nil {
			return nil, err
		}
		return s.ReadMemory(sim.CalBase, 0, 16)
	}()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		out  string
		err  string
	}{
		{[]string{"--sim", "upload", "0x20000", "16", "--json"}, `"data": "` + hex.EncodeToString(want) + `"`, ""},
		{[]string{"--sim", "upload", "0x20000", "16", "--format", "raw"}, string(want), ""},
		{[]string{"--sim", "--protocol", "udp", "download", "0x100100", "de ad be ef", "--verify"}, "", "verified with BUILD_CHECKSUM"},
		{[]string{"--sim", "checksum", "0x20000", "0x1000"}, "XCP_CRC_16_CITT", ""},
	}
	if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		l.Close()
		tests = append(tests, struct {
			args []string
			out  string
			err  string
		}{[]string{"--sim", "--ipv6", "checksum", "0x10000", "0x100", "--json"}, `"match": true`, ""})
	} else {
		t.Log("no IPv6 loopback, --ipv6 not tested:", err)
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := xcp(t, tt.args...)
			if code != 0 || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
			}
		})
	}
}

// info on a slave whose resources are locked and no seed & key is
// configured: the locked parts are reported, with a hint, and info succeeds.
func TestInfoLockedSlave(t *testing.T) {
	isolate(t)
	_, port := serve(t, "tcp", sim.Config{Protect: 0x01 | 0x04})
	code, out, errOut := xcp(t, "--port", port, "info", "--no-ids", "--no-pgm")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"CAL/PAG   yes", "DAQ       yes", "ERR_ACCESS_LOCKED", "set general.seed_n_key_command"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
