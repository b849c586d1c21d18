package recorder_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
)

// twoLists is an allocated layout of two lists, "fast" with a slave
// timestamp and "slow" without.
func twoLists() *dto.Layout {
	return &dto.Layout{IDField: xcp.IDAbsODT, TimestampSize: 2, TickPS: 1e6, Lists: []dto.List{
		{Name: "fast", Timestamps: true, Measurements: []dto.Measurement{{Name: "a", Type: dto.U32}},
			ODTs: []dto.ODT{dto.NewODT(dto.Entry{Size: 4})}, Offsets: []int{0}},
		{Name: "slow", Measurements: []dto.Measurement{{Name: "b", Type: dto.U8}}, FirstPID: 1,
			ODTs: []dto.ODT{dto.NewODT(dto.Entry{Size: 1})}, Offsets: []int{0}},
	}}
}

// TestCSVWholeRows: the header is in the file as soon as the measurement
// begins (also for a list that never gets a sample), and while it runs the
// files hold only whole rows.
func TestCSVWholeRows(t *testing.T) {
	dir := t.TempDir()
	w := recorder.NewCSVSink(dir)
	if err := w.Begin(daq.Header{Layout: twoLists()}); err != nil {
		t.Fatal(err)
	}
	for name, hdr := range map[string]string{"fast.csv": "host_ns,slave_ns,a\n", "slow.csv": "host_ns,b\n"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if string(b) != hdr {
			t.Errorf("%s right after Begin: %q, want its header %q", name, b, hdr)
		}
	}
	s := &dto.Sample{List: 0, Values: []dto.Value{dto.UintValue(dto.U32, 123456)}}
	for i := range 200000 {
		s.HostNS, s.SlaveNS, s.HasSlave = int64(i)*1000, int64(i)*999, i%2 == 0
		if err := w.Sample(s); err != nil {
			t.Fatal(err)
		}
		if i%49999 == 0 {
			b, _ := os.ReadFile(filepath.Join(dir, "fast.csv"))
			if len(b) > 0 && b[len(b)-1] != '\n' {
				t.Fatalf("after %d samples the file ends in a torn row: %q", i, b[max(0, len(b)-40):])
			}
		}
	}
	if err := w.End(daq.Stats{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "fast.csv"))
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 200001 {
		t.Fatalf("%d lines, want 200001", len(lines))
	}
	// A sample without a slave timestamp leaves its slave_ns empty.
	if lines[1] != "0,0,123456" || lines[2] != "1000,,123456" {
		t.Errorf("rows %q, %q", lines[1], lines[2])
	}
}

// A layout that daq.Allocate did not produce is an error, not a panic.
func TestCSVBadLayout(t *testing.T) {
	lay := &dto.Layout{Lists: []dto.List{{Name: "x", Measurements: []dto.Measurement{{Name: "a", Type: dto.U8}}}}}
	if err := recorder.NewCSVSink(t.TempDir()).Begin(daq.Header{Layout: lay}); err == nil || !strings.Contains(err.Error(), `DAQ list "x"`) {
		t.Errorf("Begin = %v", err)
	}
}

// TestCSVFromSimulator measures the simulator into CSV files: one row per
// sample, the file names made safe.
func TestCSVFromSimulator(t *testing.T) {
	ctx := t.Context()
	m := connectSim(t, sim.Config{})
	dir := t.TempDir()
	lists := []daq.List{
		{Name: "fast", Event: 0, Timestamps: true, Measurements: []dto.Measurement{
			{Name: "counter", Address: sim.RAMBase, Type: dto.U32}, {Name: "counter16", Address: sim.RAMBase + 4, Type: dto.U16}}},
		{Name: "slow,list", Event: 1, Measurements: []dto.Measurement{{Name: "c", Address: sim.RAMBase, Type: dto.U32}}},
	}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{SampleSinks: []daq.SampleSink{recorder.NewCSVSink(dir)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	st, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "fast.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "host_ns,slave_ns,counter,counter16" {
		t.Errorf("header %q", lines[0])
	}
	if uint64(len(lines)-1) != st.Lists[0].Samples || len(lines) < 3 {
		t.Errorf("%d rows, %d samples", len(lines)-1, st.Lists[0].Samples)
	}
	if f := strings.Split(lines[1], ","); len(f) != 4 || f[0] == "" || f[1] == "" {
		t.Errorf("row %q", lines[1])
	}
	if _, err := os.Stat(filepath.Join(dir, "slow_list.csv")); err != nil {
		t.Error(err)
	}
}
