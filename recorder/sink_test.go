package recorder_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
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
	types := map[sim.Type]dto.Type{sim.UByte: dto.U8, sim.SByte: dto.I8, sim.UWord: dto.U16, sim.SWord: dto.I16,
		sim.ULong: dto.U32, sim.SLong: dto.I32, sim.AUint64: dto.U64, sim.Float32: dto.F32, sim.Float64: dto.F64}
	for _, v := range sim.Variables() {
		l.Measurements = append(l.Measurements, dto.Measurement{Name: v.Name, Address: v.Addr, Type: types[v.Type]})
	}
	l.Measurements = append(l.Measurements, dto.Measurement{Name: "enable", Address: l.Measurements[3].Address, Type: dto.U8, BitMask: 2})
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
	lists := []daq.List{allVariables(), {Name: "slow", Event: 1, Measurements: []dto.Measurement{{Name: "c", Address: sim.RAMBase, Type: dto.U32}}}}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{Sink: sink, OnSample: func(s *dto.Sample) {
		want = append(want, daq.Record{List: s.List, HostNS: s.HostNS, SlaveNS: s.SlaveNS, HasSlave: s.HasSlave, Values: append([]dto.Value(nil), s.Values...)})
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
			host0 = got.HostNS - w.HostNS
		}
		if got.List != w.List || got.HostNS-host0 != w.HostNS || got.HasSlave != w.HasSlave || (w.HasSlave && got.SlaveNS != w.SlaveNS) {
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

// TestLiveLoss: loss counters handed to UpdateLoss during a measurement
// reach the file before it is closed (a recording killed with -9 keeps
// them).
func TestLiveLoss(t *testing.T) {
	ctx := t.Context()
	m := connectSim(t, sim.Config{})
	path := filepath.Join(t.TempDir(), "live.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "test"}
	ses, err := daq.Setup(ctx, m, []daq.List{{Name: "l", Event: 1, Measurements: []dto.Measurement{{Name: "c", Address: sim.RAMBase, Type: dto.U32}}}}, daq.Options{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer ses.Stop(context.Background())
	sink.UpdateLoss(daq.Stats{TransportLost: 7, Lists: []daq.ListStats{{ListStats: dto.ListStats{MissingODT: 3, Overload: 2}}}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := record.Open(path)
		if err == nil {
			for r.Next() {
			}
			st := r.Stats()
			r.Close()
			if len(st.Lists) == 1 && st.Lists[0].CtrGaps == 7 && st.Lists[0].MissingODTs == 3 && st.Lists[0].Overloads == 2 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no live loss counters in the open file (last error %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSplitValues: values that the ODT allocation splits across ODTs
// (a tiny MAX_DTO) are recorded and read back as the session saw them.
func TestSplitValues(t *testing.T) {
	ctx := t.Context()
	m := connectSim(t, sim.Config{MaxDTO: 8, DAQ: sim.DAQConfig{TimestampSize: 2}})
	path := filepath.Join(t.TempDir(), "split.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "test"}
	var want []string
	l := daq.List{Name: "wide", Event: 0, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "time_us", Address: sim.RAMBase + 0x18, Type: dto.U64}, {Name: "sine64", Address: sim.RAMBase + 0x10, Type: dto.F64}}}
	ses, err := daq.Setup(ctx, m, []daq.List{l}, daq.Options{Sink: sink, OnSample: func(s *dto.Sample) {
		want = append(want, fmt.Sprint(s.HostNS, s.SlaveNS, s.Values))
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := ses.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := r.Meta().DAQ.Lists[0].ODTs; n < 3 {
		t.Fatalf("%d ODTs: values not split", n)
	}
	dec, err := record.NewDecoder(r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for s := range dec.All() {
		got = append(got, fmt.Sprint(s.HostNS, s.SlaveNS, s.Values))
	}
	if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("file:\n%s\nlive:\n%s", strings.Join(got[:min(3, len(got))], "\n"), strings.Join(want[:min(3, len(want))], "\n"))
	}
}
