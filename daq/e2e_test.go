package daq_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/memconn"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// varAddr returns the address of a simulator variable.
func varAddr(t testing.TB, name string) uint32 {
	for _, v := range sim.Variables() {
		if v.Name == name {
			return v.Addr
		}
	}
	t.Fatalf("no simulator variable %q", name)
	return 0
}

func testLists(t testing.TB) []daq.List {
	return []daq.List{
		{Name: "fast", Event: 0, Timestamps: true, Measurements: []dto.Measurement{
			{Name: "counter", Address: varAddr(t, "counter"), Type: dto.U32},
			{Name: "counter16", Address: varAddr(t, "counter16"), Type: dto.U16},
			{Name: "sine", Address: varAddr(t, "sine"), Type: dto.F32},
			{Name: "time_us", Address: varAddr(t, "time_us"), Type: dto.U64},
			{Name: "triangle", Address: varAddr(t, "triangle"), Type: dto.I16},
		}},
		{Name: "slow", Event: 1, Timestamps: true, Prescaler: 2, Measurements: []dto.Measurement{
			{Name: "counter8", Address: varAddr(t, "counter8"), Type: dto.U8},
			{Name: "enable", Address: varAddr(t, "status"), Type: dto.U8, BitMask: 0x02},
			{Name: "sine64", Address: varAddr(t, "sine64"), Type: dto.F64},
		}},
	}
}

// pair connects a master to a simulator over an in-memory connection.
func pair(t testing.TB, cfg sim.Config) (*master.Master, *sim.Slave, func()) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := memconn.Pipe(4096)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, b) }()
	return connectMaster(t, a, s, func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func connectMaster(t testing.TB, c transport.Conn, s *sim.Slave, stop func()) (*master.Master, *sim.Slave, func()) {
	m := master.New(c, master.Config{})
	if _, err := m.Connect(context.Background(), xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	return m, s, func() {
		m.Disconnect(context.Background())
		m.Close()
		stop()
	}
}

// waitFor polls cond for up to 10 s (the machine may be loaded).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("condition not reached within 10 s")
		}
	}
}

type collected struct {
	byList map[int][]daq.Record
}

// measure runs one measurement and returns every sample.
func measure(t *testing.T, ses *daq.Session, d time.Duration) (collected, daq.Stats) {
	t.Helper()
	ch := ses.Samples(4096)
	c := collected{byList: map[int][]daq.Record{}}
	got := make(chan struct{})
	go func() {
		defer close(got)
		for r := range ch {
			c.byList[r.List] = append(c.byList[r.List], r)
		}
	}()
	ctx := context.Background()
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Run at least d, and on a loaded machine until every list has a few
	// samples (at most 20 × d).
	start := time.Now()
	time.Sleep(d)
	for time.Since(start) < 20*d {
		enough := true
		for _, l := range ses.Stats().Lists {
			if l.Samples < 10 {
				enough = false
			}
		}
		if enough {
			break
		}
		time.Sleep(d / 10)
	}
	st, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	<-got
	return c, st
}

func checkSamples(t *testing.T, c collected, st daq.Stats) {
	t.Helper()
	fast, slow := c.byList[0], c.byList[1]
	if len(fast) < 5 || len(slow) < 2 {
		t.Fatalf("%d fast and %d slow samples", len(fast), len(slow))
	}
	if st.Lost() != 0 {
		t.Errorf("loss reported: %+v", st)
	}
	if st.Lists[0].Samples != uint64(len(fast)) {
		t.Errorf("stats %d samples, channel %d", st.Lists[0].Samples, len(fast))
	}
	for i := 1; i < len(fast); i++ {
		a, b := fast[i-1], fast[i]
		if b.HostNS < a.HostNS || b.SlaveNS < a.SlaveNS {
			t.Fatalf("timestamps not increasing: %+v then %+v", a, b)
		}
		// counter is the slave time in ms, time_us in µs: both must
		// advance with the slave timestamp.
		dms := int64(uint32(b.Values[0].Uint64() - a.Values[0].Uint64()))
		dslave := (b.SlaveNS - a.SlaveNS) / 1e6
		if diff := dms - dslave; diff < -1 || diff > 1 {
			t.Fatalf("counter advanced %d ms, slave timestamp %d ms", dms, dslave)
		}
		if uint16(b.Values[0].Uint64()) != uint16(b.Values[1].Uint64()) {
			t.Fatalf("counter16 %d does not match counter %d", b.Values[1].Uint64(), b.Values[0].Uint64())
		}
	}
	if min(fast[0].HostNS, slow[0].HostNS) < 0 || (len(c.byList) == 2 && fast[0].HostNS != 0 && slow[0].HostNS != 0) {
		t.Errorf("no list starts at host time 0: fast %+v slow %+v", fast[0], slow[0])
	}
	if fast[0].SlaveNS > 5e6 && slow[0].SlaveNS > 5e6 {
		t.Errorf("no list starts near slave time 0: fast %+v slow %+v", fast[0], slow[0])
	}
	for _, r := range slow {
		if r.Values[1].Uint64() != 1 {
			t.Fatalf("enable bit = %d, want 1", r.Values[1].Uint64())
		}
	}
	// prescaler 2 on the 10 ms event: one sample per two event cycles
	// (ticks may come late or be dropped under load, never more often).
	if n := len(slow); n > 2 {
		span := slow[n-1].SlaveNS - slow[0].SlaveNS
		if max := span/20e6 + 2; int64(n) > max {
			t.Errorf("%d slow samples in %v: prescaler 2 on a 10 ms event allows %d", n, time.Duration(span), max)
		}
	}
}

func TestEndToEndMem(t *testing.T) {
	for _, idf := range []xcp.IDField{xcp.IDAbsODT, xcp.IDRelODTAbsDAQByte, xcp.IDRelODTAbsDAQWord, xcp.IDRelODTAbsDAQWordAl} {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			t.Run(fmt.Sprintf("%s/%s", idf, order), func(t *testing.T) {
				cfg := sim.Config{Order: order, MaxDTO: 16, DAQ: sim.DAQConfig{IDField: idf, TimestampSize: 2, TimestampUnit: xcp.Unit10us, TimestampTicks: 1}}
				m, s, stop := pair(t, cfg)
				defer stop()
				ses, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if n := len(ses.Layout().Lists[0].ODTs); n < 2 {
					t.Fatalf("fast list in %d ODTs, want several (MAX_DTO 16)", n)
				}
				before := time.Now()
				c, st := measure(t, ses, 150*time.Millisecond)
				checkSamples(t, c, st)
				if o, ok := ses.HostOrigin(); !ok || o.Before(before) || time.Since(o) > 10*time.Second {
					t.Errorf("host origin %v (%v), measurement started %v", o, ok, before)
				}
				// A second measurement re-allocates (the simulator rejects a
				// second SET_DAQ_LIST_MODE otherwise).
				c, st = measure(t, ses, 60*time.Millisecond)
				if len(c.byList[0]) < 3 || st.Lost() != 0 {
					t.Fatalf("second run: %d samples, stats %+v", len(c.byList[0]), st)
				}
				if s.DAQStats().DTOs == 0 {
					t.Error("simulator sent no DTOs")
				}
			})
		}
	}
}

func TestLossAndOverload(t *testing.T) {
	m, s, stop := pair(t, sim.Config{MaxDTO: 16})
	defer stop()
	ses, err := daq.Setup(context.Background(), m, testLists(t)[:1], daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	s.DropDTOs(5)
	waitFor(t, func() bool { return s.DAQStats().Dropped == 5 })
	s.OverloadDTOs(3)
	waitFor(t, func() bool { return s.DAQStats().Overloaded == 3 })
	time.Sleep(20 * time.Millisecond) // a few complete samples after the overloaded ones
	st, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls := st.Lists[0]
	if ss := s.DAQStats(); ss.Dropped != 5 || ss.Overloaded != 3 {
		t.Fatalf("simulator stats %+v", ss)
	}
	if ls.Incomplete == 0 || ls.MissingODT < 1 {
		t.Errorf("dropped DTOs not detected: %+v", ls)
	}
	if ls.Overload != 3 {
		t.Errorf("overload %d, want 3", ls.Overload)
	}
	if st.Lost() == 0 {
		t.Error("Lost() = 0")
	}
}

func TestOverloadEvent(t *testing.T) {
	m, s, stop := pair(t, sim.Config{DAQ: sim.DAQConfig{OverloadEvent: true}})
	defer stop()
	ses, err := daq.Setup(context.Background(), m, testLists(t)[:1], daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ses.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.OverloadDTOs(2)
	waitFor(t, func() bool { return s.DAQStats().Overloaded == 2 })
	time.Sleep(20 * time.Millisecond)
	st, err := ses.Stop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OverloadEvents != 2 {
		t.Errorf("overload events %d, want 2", st.OverloadEvents)
	}
}

func TestStaticDAQ(t *testing.T) {
	m, _, stop := pair(t, sim.Config{MaxDTO: 32, DAQ: sim.DAQConfig{Static: true, IDField: xcp.IDRelODTAbsDAQWord}})
	defer stop()
	ses, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, st := measure(t, ses, 300*time.Millisecond)
	checkSamples(t, c, st)
}

func TestSetupErrors(t *testing.T) {
	m, _, stop := pair(t, sim.Config{})
	defer stop()
	ctx := context.Background()
	named := testLists(t)[:1]
	named[0].EventName = "10ms"
	ses, err := daq.Setup(ctx, m, named, daq.Options{})
	if err != nil || ses.Layout().Lists[0].Event != 1 {
		t.Fatalf("event by name: %v", err)
	}
	ses.Stop(ctx)
	named[0].EventName = "2ms"
	if _, err := daq.Setup(ctx, m, named, daq.Options{}); err == nil || !strings.Contains(err.Error(), `no event "2ms" (it has "1ms", "10ms", "100ms", "max")`) {
		t.Errorf("unknown event name: %v", err)
	}
	bad := testLists(t)[:1]
	bad[0].Event = 99
	if _, err := daq.Setup(ctx, m, bad, daq.Options{}); err == nil {
		t.Error("event 99 accepted")
	}
	bad = testLists(t)[:1]
	bad[0].Measurements[0].Address = 0x7000_0000 // not mapped
	_, err = daq.Setup(ctx, m, bad, daq.Options{})
	if !errors.Is(err, xcp.ErrAccessDenied) {
		t.Errorf("unmapped address: %v", err)
	}
}

// pairEth serves a simulator on 127.0.0.1 (port 0) and connects a master
// over XCP on Ethernet with the given protocol.
func pairEth(t testing.TB, proto string, cfg sim.Config) (*master.Master, *sim.Slave, func()) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := eth.Listen(proto, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		s.Serve(ctx, c)
	}()
	port := l.Addr().(interface{ String() string }).String()
	_, portStr, _ := strings.Cut(port, "127.0.0.1:")
	p, _ := strconv.Atoi(portStr)
	c, err := eth.Dial(context.Background(), eth.Config{Protocol: proto, Host: "127.0.0.1", Port: p})
	if err != nil {
		t.Fatal(err)
	}
	return connectMaster(t, c, s, func() {
		cancel()
		l.Close()
		<-done
	})
}

func TestEndToEndEth(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			m, s, stop := pairEth(t, proto, sim.Config{MaxDTO: 64, DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQWord}})
			defer stop()
			ses, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
			if err != nil {
				t.Fatal(err)
			}
			c, st := measure(t, ses, 200*time.Millisecond)
			checkSamples(t, c, st)
			if sent := s.DAQStats(); st.Frames != sent.DTOs {
				t.Errorf("received %d DTOs, the simulator sent %d", st.Frames, sent.DTOs)
			}

			// The free-running event, with the slave's timestamps.
			ses, err = daq.Setup(context.Background(), m, []daq.List{{Name: "max", Event: 3, Timestamps: true,
				Measurements: []dto.Measurement{{Name: "time_us", Address: varAddr(t, "time_us"), Type: dto.U64}}}}, daq.Options{})
			if err != nil {
				t.Fatal(err)
			}
			before := s.DAQStats()
			c, st = measure(t, ses, 200*time.Millisecond)
			sent := s.DAQStats()
			rs := c.byList[0]
			if len(rs) < 10 {
				t.Errorf("free-running event: %d samples", len(rs))
			}
			lost := st.Lost() + st.Lists[0].SlowConsumer
			if proto == "tcp" && (st.Lost() != 0 || st.Lists[0].Samples != sent.Samples-before.Samples) {
				t.Errorf("TCP: received %d samples, sent %d, loss %+v", st.Lists[0].Samples, sent.Samples-before.Samples, st)
			}
			if st.Lost() == 0 && st.Frames != sent.DTOs-before.DTOs {
				t.Errorf("received %d DTOs, sent %d, and no loss reported", st.Frames, sent.DTOs-before.DTOs)
			}
			for i := 1; i < len(rs) && lost == 0; i++ {
				a, b := rs[i-1], rs[i]
				if b.Values[0].Uint64() < a.Values[0].Uint64() || b.SlaveNS < a.SlaveNS {
					t.Fatalf("time went backwards at sample %d: %+v then %+v", i, a, b)
				}
			}
			t.Logf("%s: %d samples of the free-running event in 200 ms, loss indications %d", proto, len(rs), lost)
		})
	}
}

// TestReinitRecovery: an ALLOC_ODT answered with ERR_SEQUENCE makes the
// error-handling matrix re-initialise DAQ through the session's recovery;
// the configuration completes and the measurement works.
func TestReinitRecovery(t *testing.T) {
	m, s, stop := pair(t, sim.Config{MaxDTO: 16})
	defer stop()
	s.InjectError(xcp.CmdAllocOdt, xcp.ErrSequence, 1)
	ses, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := s.History()
	frees := 0
	for _, c := range h {
		if c == xcp.CmdFreeDaq {
			frees++
		}
	}
	if frees != 2 {
		t.Errorf("FREE_DAQ sent %d times, want 2 (setup and recovery): %v", frees, h)
	}
	c, st := measure(t, ses, 100*time.Millisecond)
	checkSamples(t, c, st)
}

func TestPredefinedList(t *testing.T) {
	ev := uint16(1)
	el := func(name string, size uint8) xcp.DaqElement {
		return xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: size, Addr: varAddr(t, name)}
	}
	cfg := sim.Config{DAQ: sim.DAQConfig{IDField: xcp.IDAbsODT, Predefined: []sim.PredefinedList{
		{ODTs: [][]xcp.DaqElement{{el("counter", 4), el("counter16", 2)}, {el("sine", 4)}}, FixedEvent: &ev},
	}}}
	for _, static := range []bool{false, true} {
		cfg.DAQ.Static = static
		m, s, stop := pair(t, cfg)
		lists := testLists(t)
		pre := daq.List{Name: "pre", Predefined: true, Number: 0, Event: 1, Timestamps: true, Measurements: []dto.Measurement{
			{Name: "sine", Address: varAddr(t, "sine"), Type: dto.F32},
			{Name: "counter16", Address: varAddr(t, "counter16"), Type: dto.U16},
			{Name: "counter", Address: varAddr(t, "counter"), Type: dto.U32},
		}}
		lists = []daq.List{lists[0], pre}
		ses, err := daq.Setup(context.Background(), m, lists, daq.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := ses.Layout().Lists[1].Number; n != 0 {
			t.Errorf("predefined list number %d", n)
		}
		if n := ses.Layout().Lists[0].Number; n != 1 {
			t.Errorf("configured list number %d, want 1 (after the predefined one)", n)
		}
		for run := range 2 {
			c, st := measure(t, ses, 100*time.Millisecond)
			if st.Lost() != 0 || len(c.byList[1]) < 3 || len(c.byList[0]) < 3 {
				t.Fatalf("static %v run %d: %d/%d samples, %+v", static, run, len(c.byList[0]), len(c.byList[1]), st)
			}
			for _, r := range c.byList[1] {
				if uint16(r.Values[2].Uint64()) != uint16(r.Values[1].Uint64()) {
					t.Fatalf("predefined list: counter %d, counter16 %d", r.Values[2].Uint64(), r.Values[1].Uint64())
				}
			}
		}
		// A measurement outside the predefined ODTs is an error naming it.
		pre.Measurements = append(pre.Measurements, dto.Measurement{Name: "ramp", Address: varAddr(t, "ramp"), Type: dto.F32})
		if _, err := daq.Setup(context.Background(), m, []daq.List{pre}, daq.Options{}); err == nil || !strings.Contains(err.Error(), `"ramp"`) {
			t.Errorf("measurement outside the predefined list: %v", err)
		}
		pre.Measurements = pre.Measurements[:3]
		pre.Event = 2
		if _, err := daq.Setup(context.Background(), m, []daq.List{pre}, daq.Options{}); err == nil || !strings.Contains(err.Error(), "fixed to event 1") {
			t.Errorf("wrong event for a fixed list: %v", err)
		}
		_ = s
		stop()
	}
}

// TestSameEventMerged: two lists on one event become one slave DAQ list
// (one SET_DAQ_LIST_MODE per event), unless SeparateLists is set.
func TestSameEventMerged(t *testing.T) {
	m, s, stop := pair(t, sim.Config{})
	defer stop()
	lists := testLists(t)
	lists[1].Event, lists[1].Prescaler = 0, 0
	s.ResetHistory()
	ses, err := daq.Setup(context.Background(), m, lists, daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	modes := 0
	for _, c := range s.History() {
		if c == xcp.CmdSetDaqListMode {
			modes++
		}
	}
	lay := ses.Layout()
	if len(lay.Lists) != 1 || lay.Lists[0].Name != "fast+slow" || len(lay.Lists[0].Measurements) != 8 || modes != 1 {
		t.Fatalf("%d lists (%q), %d SET_DAQ_LIST_MODE", len(lay.Lists), lay.Lists[0].Name, modes)
	}
	c, st := measure(t, ses, 100*time.Millisecond)
	if st.Lost() != 0 || len(c.byList[0]) < 3 {
		t.Fatalf("%d samples, %+v", len(c.byList[0]), st)
	}
	for _, r := range c.byList[0] {
		if uint8(r.Values[0].Uint64()) != uint8(r.Values[5].Uint64()) {
			t.Fatalf("counter %d and counter8 %d differ in one sample", r.Values[0].Uint64(), r.Values[5].Uint64())
		}
	}
	ses, err = daq.Setup(context.Background(), m, lists, daq.Options{SeparateLists: true})
	if err != nil || len(ses.Layout().Lists) != 2 {
		t.Fatalf("separate lists: %v", err)
	}
	ses.Stop(context.Background())
}

// TestBuffersReused: measurements one after the other on the same
// Buffers take the receive buffers the last one gave back.
func TestBuffersReused(t *testing.T) {
	m, _, stop := pair(t, sim.Config{})
	defer stop()
	var b daq.Buffers
	opts := daq.Options{Buffers: &b, Chunks: 4, ChunkSize: 256 << 10}
	for i := range 3 {
		ses, err := daq.Setup(context.Background(), m, testLists(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := ses.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if i > 0 && b.Held() != 0 {
			t.Fatalf("measurement %d: the Buffers still hold %d bytes, the measurement should have taken them", i, b.Held())
		}
		waitFor(t, func() bool { return ses.Stats().Frames > 0 })
		if _, err := ses.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := b.Held(); got != 4*256<<10 {
			t.Fatalf("measurement %d: the Buffers hold %d bytes after the stop, want 4 × 256 KiB", i, got)
		}
	}
}
