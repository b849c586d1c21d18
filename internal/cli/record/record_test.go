package record_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// allVariables is one DAQ list with every simulator variable.
func allVariables() daq.List {
	l := daq.List{Name: "all", Event: 0, Timestamps: true}
	types := map[sim.Type]daq.Type{sim.UByte: daq.U8, sim.SByte: daq.I8, sim.UWord: daq.U16, sim.SWord: daq.I16,
		sim.ULong: daq.U32, sim.SLong: daq.I32, sim.AUint64: daq.U64, sim.Float32: daq.F32, sim.Float64: daq.F64}
	for _, v := range sim.Variables() {
		l.Measurements = append(l.Measurements, daq.Measurement{Name: v.Name, Addr: v.Addr, Type: types[v.Type]})
	}
	l.Measurements = append(l.Measurements, daq.Measurement{Name: "enable", Addr: l.Measurements[3].Addr, Type: daq.U8, Mask: 2})
	return l
}

// TestFileSinkRoundTrip records from the simulator and reads the file back
// with package record: every sample the session decoded is in the file,
// with the same values and timestamps.
func TestFileSinkRoundTrip(t *testing.T) {
	for _, idf := range []xcp.IDField{xcp.IDAbsODT, xcp.IDRelODTAbsDAQWordAl} {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			t.Run(fmt.Sprint(idf, order), func(t *testing.T) { roundTrip(t, idf, order) })
		}
	}
}

// connectSim starts a simulator with cfg and returns a master connected
// to it in process; both stop when the test ends.
func connectSim(t *testing.T, cfg sim.Config) *master.Master {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := memconn.Pipe(1024)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, b) }()
	m := master.New(a, master.Config{})
	t.Cleanup(func() { m.Close(); cancel(); <-done })
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	return m
}

func roundTrip(t *testing.T, idf xcp.IDField, order xcp.ByteOrder) {
	ctx := t.Context()
	m := connectSim(t, sim.Config{Order: order, MaxDTO: 24, DAQ: sim.DAQConfig{IDField: idf, TimestampSize: 2}})
	path := filepath.Join(t.TempDir(), "r.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "test"}
	var want []daq.Record
	lists := []daq.List{allVariables(), {Name: "slow", Event: 1, Measurements: []daq.Measurement{{Name: "c", Addr: sim.RAMBase, Type: daq.U32}}}}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{Sink: sink, OnSample: func(s *daq.Sample) {
		want = append(want, daq.Record{List: s.List, Host: s.Host, Slave: s.Slave, HasSlave: s.HasSlave, Values: append([]daq.Value(nil), s.Values...)})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ses.Layout().Lists[0].ODTs); n < 2 {
		t.Fatalf("%d ODTs, want several", n)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	st, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dec, err := record.NewDecoder(r)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	var host0 int64 = -1
	for dec.Next() {
		got := dec.Sample()
		if i >= len(want) {
			t.Fatalf("more samples in the file than decoded live (%d)", len(want))
		}
		w := want[i]
		if host0 < 0 {
			host0 = got.HostNS - w.Host
		}
		if got.List != w.List || got.HostNS-host0 != w.Host || got.HasSlave != w.HasSlave || (w.HasSlave && got.SlaveNS != w.Slave) {
			t.Fatalf("sample %d: file %+v, live %+v", i, got, w)
		}
		for j, v := range w.Values {
			if got.Values[j].Float64() != v.Float64() || got.Values[j].String() != v.String() {
				t.Fatalf("sample %d value %d (%s): file %s, live %s", i, j, lists[w.List].Measurements[j].Name, got.Values[j], v)
			}
		}
		i++
	}
	if err := dec.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(want) || i == 0 {
		t.Errorf("file has %d samples, live %d", i, len(want))
	}
	if uint64(i) != st.Lists[0].Samples+st.Lists[1].Samples {
		t.Errorf("file %d samples, stats %+v", i, st)
	}
}

func TestCommand(t *testing.T) {
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
	code, stdout, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out, "--csv", dir, "--duration", "200ms", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"samples"`) {
		t.Errorf("summary: %s", stdout)
	}
	r, err := record.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := os.Stat(filepath.Join(dir, "fast.csv")); err != nil {
		t.Error(err)
	}
	// Bad input gets a usage error naming the file.
	os.WriteFile(lists, []byte("[[list]]\nname = 1\n"), 0o644)
	if code, _, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out); code != cmdutil.ExitUsage ||
		!strings.Contains(stderr, "lists.toml") {
		t.Errorf("bad file: exit %d, %s", code, stderr)
	}
	if code, _, stderr := xcptest.Run("record", "--daq", lists); code != cmdutil.ExitUsage {
		t.Errorf("no output: exit %d, %s", code, stderr)
	}
}

// TestPyXCPRecorderFile: a pyXCP xcp_daq_recorder JSON names the output
// file and the runtime itself.
func TestPyXCPRecorderFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rec.json")
	os.WriteFile(cfg, []byte(`{"daq_lists": [{"name": "l", "event_num": 0, "enable_timestamps": true,
	  "measurements": [["counter", 1048576, 0, "U32"]], "priority": 0, "prescaler": 1}],
	  "output_type": "xmraw", "output_file": "`+filepath.Join(dir, "run.xmraw")+`", "runtime_seconds": 0.2}`), 0o644)
	start := time.Now()
	if code, _, stderr := xcptest.Run("--sim", "record", "--daq", cfg, "--no-status"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("runtime_seconds 0.2 took %v", d)
	}
	r, err := record.Open(filepath.Join(dir, "run.xlog"))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}
