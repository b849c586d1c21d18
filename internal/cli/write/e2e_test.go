package write_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/a2l/a2ltest"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// xcp runs the command line in-process against the embedded simulator
// (real sockets on 127.0.0.1) and returns exit code, stdout and stderr.
func xcp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(t.TempDir()) // no xcp.toml of the machine
	return xcptest.Run(args...)
}

type value struct {
	Name string    `json:"name"`
	Kind string    `json:"kind"`
	Unit string    `json:"unit"`
	Raw  []float64 `json:"raw"`
	Phys []float64 `json:"phys"`
	Dims []int     `json:"dims"`
}

func decode(t *testing.T, out string) []value {
	t.Helper()
	var vs []value
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("JSON %q: %v", out, err)
	}
	return vs
}

func TestReadWriteBySimA2L(t *testing.T) {
	// The A2L comes from the simulator (GET_ID 4) and each command runs
	// against a fresh simulated ECU over TCP on 127.0.0.1.
	code, out, errOut := xcp(t, "--sim", "write", "--json", "amplitude=2.5", "curve=1,2,3,4,5,6,7,8", "period_ms=250")
	if code != 0 {
		t.Fatalf("write: %d %s", code, errOut)
	}
	if !strings.Contains(errOut, "wrote 3 object(s), verified by reading back") {
		t.Errorf("status %q", errOut)
	}
	vs := decode(t, out)
	if len(vs) != 3 || vs[0].Phys[0] != 2.5 || len(vs[1].Phys) != 8 || vs[1].Phys[7] != 8 || vs[2].Unit != "ms" || vs[2].Raw[0] != 250 {
		t.Errorf("written %+v", vs)
	}

	code, out, errOut = xcp(t, "--sim", "read", "--json", "counter", "curve", "sine")
	if code != 0 {
		t.Fatalf("read: %d %s", code, errOut)
	}
	vs = decode(t, out)
	if len(vs) != 3 || vs[0].Kind != "MEASUREMENT" || vs[0].Unit != "ms" || vs[1].Kind != "VAL_BLK" || len(vs[1].Raw) != 8 {
		t.Errorf("read %+v", vs)
	}

	code, out, _ = xcp(t, "--sim", "read", "counter8", "curve", "--raw")
	if code != 0 || !strings.Contains(out, "counter8") || !strings.Contains(out, "(raw)") || !strings.Contains(out, "[7]") {
		t.Errorf("table output: %d %q", code, out)
	}
}

func TestWriteRefusals(t *testing.T) {
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--sim", "write", "enable=5"}, "enable: value out of range: value 1 = 5 is outside [0, 1]", 1},
		{[]string{"--sim", "write", "curve=1,2"}, "curve: expects 8 values, got 2", 1},
		{[]string{"--sim", "write", "amplitude=2", "enable=7"}, "outside [0, 1]", 1}, // nothing written
		{[]string{"--sim", "write", "counter=1"}, "without READ_WRITE", 1},
		{[]string{"--sim", "write", "nosuch=1"}, `"nosuch": not found`, 1},
		{[]string{"--sim", "read", "amplitud"}, `in module goxcp_sim); did you mean "amplitude"?`, 1},
		{[]string{"--sim", "write", "period=1"}, `did you mean "period_ms"`, 1},
		{[]string{"--sim", "write", "amplitude"}, `want NAME=VALUE`, 2},
		{[]string{"--sim", "write", "curve:q=1"}, `axis "q"`, 2},
		{[]string{"--sim", "read"}, "at least one NAME", 2},
		{[]string{"--host", "127.0.0.1", "--port", "1", "read", "x"}, "needs an A2L file", 2},
	}
	for _, tc := range tests {
		code, _, errOut := xcp(t, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errOut, tc.want)
		}
		if tc.code == 2 && code != 2 {
			t.Errorf("%v: exit %d, want usage exit 2", tc.args, code)
		}
	}
}

func TestA2LCommands(t *testing.T) {
	dir := a2ltest.XCPlite(t)
	file := filepath.Join(dir, "c_demo.a2l")
	code, out, errOut := xcp(t, "a2l", "check", file)
	if code != 0 || !strings.Contains(errOut, "OK") || !strings.Contains(out, "MEASUREMENT") {
		t.Errorf("check: %d %q %q", code, out, errOut)
	}
	code, out, _ = xcp(t, "--a2l", file, "a2l", "list", "params.*")
	if code != 0 || !strings.Contains(out, "params.curve") || !strings.Contains(out, "0x8001004C") || strings.Contains(out, "counter8") {
		t.Errorf("list: %d %q", code, out)
	}
	code, out, _ = xcp(t, "--a2l", file, "a2l", "show", "params_copy.delay_us", "--json")
	var d struct {
		Address uint32   `json:"address"`
		Ext     uint8    `json:"ext"`
		Events  []uint16 `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil || d.Address != 0x2A274 || d.Ext != 1 || len(d.Events) != 1 {
		t.Errorf("show: %d %q %v", code, out, err)
	}
	code, out, _ = xcp(t, "--a2l", file, "a2l", "ifdata")
	if code != 0 || !strings.Contains(out, "mainloop") || !strings.Contains(out, "MAX_DTO") {
		t.Errorf("ifdata: %d %q", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.a2l")
	os.WriteFile(bad, []byte("ASAP2_VERSION 1 71\n/begin PROJECT p \"\"\n/begin MODULE m \"\"\n/begin MEASUREMENT x \"\" UBYTE c 0 0 0 1 /end MEASUREMENT\n/end MODULE /end PROJECT\n"), 0o644)
	code, out, errOut = xcp(t, "a2l", "check", bad)
	if code != 1 || !strings.Contains(out, "bad.a2l:4:8: MEASUREMENT x refers to COMPU_METHOD c") {
		t.Errorf("check bad: %d %q %q", code, out, errOut)
	}
	code, out, _ = xcp(t, "--sim", "a2l", "list", "--kind", "measurement", "--json")
	if code != 0 || !strings.Contains(out, `"name": "sine"`) || strings.Contains(out, `"amplitude"`) {
		t.Errorf("sim list: %d %q", code, out)
	}
}

func TestSimDemoObjects(t *testing.T) {
	code, out, errOut := xcp(t, "--sim", "read", "idle_curve", "ign_map", "mode", "temp_limit", "label", "pid.kp", "waves.sine", "enabled")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"mode NORMAL", "temp_limit 80.0 degC", `label "goxcp-sim"`, "pid.kp 1.5", "enabled on",
		"idle_curve (CURVE, 4 points): coolant [degC] VALUE rpm 0 900.0 20 850.0 40 800.0 60 750.0",
		"y \\ x 1000 2000 3000 4000 20 5.0 7.0 9.0 11.0 50 8.0 10.0 12.0 14.0 80 10.0 13.0 16.0 18.0",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("read output lacks %q:\n%s", want, out)
		}
	}
	if code != 0 {
		t.Fatalf("read: %d %s", code, errOut)
	}
	code, out, errOut = xcp(t, "--sim", "write", "--json", "idle_curve=800,820,840,860", "idle_curve:x=-10,10,30,50",
		"mode=SPORT", "temp_limit=95.5", "label=hello", "pid.ki=0.5", "ign_map=1,2,3,4,5,6,7,8,9,10,11,12", "load_axis=10,40,90")
	if code != 0 {
		t.Fatalf("write: %d %s", code, errOut)
	}
	vs := decode(t, out)
	if len(vs) != 7 || vs[0].Raw[0] != 1600 || vs[1].Raw[0] != 3 || vs[2].Raw[0] != 1355 || vs[4].Phys[0] != 0.5 || vs[5].Raw[1] != 4 || vs[6].Phys[2] != 90 {
		t.Errorf("written %+v", vs)
	}
	// Every object of the simulator's A2L can be read.
	code, out, _ = xcp(t, "--sim", "a2l", "list", "--json")
	var entries []struct {
		Name  string `json:"name"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &entries); code != 0 || err != nil || len(entries) < 20 {
		t.Fatalf("list: %d %v %q", code, err, out)
	}
	args := []string{"--sim", "read"}
	for _, e := range entries {
		if e.Error != "" {
			t.Errorf("%s: %s", e.Name, e.Error)
		}
		args = append(args, e.Name)
	}
	if code, _, errOut := xcp(t, args...); code != 0 {
		t.Errorf("read all: %d %s", code, errOut)
	}
	for _, tc := range []struct{ arg, want string }{
		{"temp_limit=180", "EXTENDED_LIMITS [-40, 200] allowed"},
		{"mode=TURBO", `"TURBO" is not one of CM_MODE's values (OFF, ECO, NORMAL, SPORT)`},
		{"ign_map:x=1,2,3,4", "axis 1 is a FIX_AXIS"},
		{"ign_map:y=1,2,3", "write load_axis instead"},
		{"label=this string is too long", "room for 16"},
		{"idle_curve=1,2,3,4", "outside [500, 1500]"},
	} {
		if code, _, errOut := xcp(t, "--sim", "write", tc.arg); code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("write %s: %d %q, want %q", tc.arg, code, errOut, tc.want)
		}
	}
	if code, _, errOut := xcp(t, "--sim", "write", "temp_limit=180", "--extended-limits"); code != 0 {
		t.Errorf("extended limits: %d %s", code, errOut)
	}
}

// TestTransportFromA2L: without --host/--port/--protocol the connection
// settings come from the A2L's IF_DATA XCP (XCP_ON_UDP_IP here).
func TestTransportFromA2L(t *testing.T) {
	slave, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := eth.Listen("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := connect.ServeListeners(context.Background(), slave, l)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	var text string
	for i := 0; i < 200 && !strings.Contains(text, "XCP_ON_UDP_IP"); i++ {
		time.Sleep(5 * time.Millisecond)
		text = slave.A2L()
	}
	file := filepath.Join(t.TempDir(), "sim.a2l")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := xcp(t, "--a2l", file, "read", "mode", "pid.kd")
	if code != 0 || !strings.Contains(out, "NORMAL") {
		t.Fatalf("read via IF_DATA transport: %d %q %q", code, out, errOut)
	}
	// An explicit flag wins over the A2L.
	code, _, errOut = xcp(t, "--a2l", file, "--protocol", "tcp", "--timeout", "300ms", "read", "mode")
	if code == 0 {
		t.Errorf("--protocol tcp to a UDP-only slave succeeded: %q", errOut)
	}
}
