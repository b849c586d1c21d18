package daqengine

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"go.uber.org/goleak"
)

// ramBase is where the fake memory is mapped.
const ramBase = 0x1000

// fakeMemory is 256 bytes of RAM at ramBase with a manual clock.
type fakeMemory struct {
	sync.Mutex
	ram       [256]byte
	now       time.Duration
	refreshes int
}

func (m *fakeMemory) Now() time.Duration      { return m.now }
func (m *fakeMemory) Refresh(t time.Duration) { m.refreshes++ }

func (m *fakeMemory) Span(addr uint32, ext uint8, n int, write bool) ([]byte, error) {
	if ext != 0 || addr < ramBase || int(addr-ramBase)+n > len(m.ram) {
		return nil, xcp.ErrAccessDenied
	}
	return m.ram[addr-ramBase : int(addr-ramBase)+n], nil
}

// fakeLink records what the engine sends; Go runs f under a context the
// test cancels.
type fakeLink struct {
	mu     sync.Mutex
	dtos   [][]byte
	events [][]byte
	info   []byte
	ctx    context.Context
	wg     sync.WaitGroup
}

func (l *fakeLink) SendDTOs(_ context.Context, pkts [][]byte, _ []uint16) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range pkts {
		l.dtos = append(l.dtos, append([]byte(nil), p...))
	}
	return nil
}

func (l *fakeLink) SendEvent(p []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, p)
	return nil
}

func (l *fakeLink) Go(f func(context.Context)) { l.wg.Go(func() { f(l.ctx) }) }
func (l *fakeLink) SetInfo(b []byte)           { l.info = append([]byte(nil), b...) }

var format = xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024}

func newEngine(t testing.TB, cfg Config) (*Engine, *fakeMemory, *fakeLink) {
	t.Helper()
	mem := &fakeMemory{}
	e, err := New(cfg, format, mem)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	link := &fakeLink{ctx: ctx}
	t.Cleanup(func() { cancel(); link.wg.Wait() })
	return e, mem, link
}

// command sends one command packet with the lock held, as a slave does.
func command(e *Engine, mem *fakeMemory, link Link, req []byte) []byte {
	mem.Lock()
	resp, stopped := e.Command(link, req, nil)
	resp = append([]byte(nil), resp...)
	mem.Unlock()
	stopped.Wait()
	return resp
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"timestamp size", Config{TimestampSize: 3}, "timestamp size 3"},
		{"event period", Config{Events: []EventConfig{{Name: "x", Period: time.Microsecond}}}, "period"},
		{"granularity", Config{Granularity: 3}, "granularity 3"},
		{"reserved AE rule", Config{AddrExt: xcp.AEReserved}, "reserved"},
		{"empty predefined", Config{Predefined: []PredefinedList{{}}}, "no ODTs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, format, &fakeMemory{})
			if !errors.Is(err, ErrConfig) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Fatalf("got %v, want ErrConfig naming %q", err, tc.want)
			}
		})
	}
}

// TestCommandTable checks the table's answers to packets it cannot
// execute: unknown codes, short and malformed packets, dynamic commands
// on a static configuration.
func TestCommandTable(t *testing.T) {
	dyn, dmem, dlink := newEngine(t, Config{})
	static, smem, slink := newEngine(t, Config{Static: true})
	tests := []struct {
		name   string
		static bool
		req    []byte
		want   []byte
	}{
		{"unknown", false, []byte{byte(xcp.CmdDtoCtrProperties)}, []byte{xcp.PIDErr, byte(xcp.ErrCmdUnknown)}},
		{"short level 1", false, []byte{byte(xcp.CmdLevel1)}, []byte{xcp.PIDErr, byte(xcp.ErrCmdSyntax)}},
		{"unknown level 1", false, []byte{byte(xcp.CmdLevel1), 0x7E}, []byte{xcp.PIDErr, byte(xcp.ErrSubcmdUnknown)}},
		{"truncated ALLOC_DAQ", false, []byte{byte(xcp.CmdAllocDaq), 0}, []byte{xcp.PIDErr, byte(xcp.ErrCmdSyntax)}},
		{"ALLOC_DAQ before FREE_DAQ", false, xcp.AllocDaq{Count: 1}.Append(nil, format), []byte{xcp.PIDErr, byte(xcp.ErrSequence)}},
		{"FREE_DAQ static", true, []byte{byte(xcp.CmdFreeDaq)}, []byte{xcp.PIDErr, byte(xcp.ErrCmdUnknown)}},
		{"ALLOC_ODT static", true, xcp.AllocOdt{Count: 1}.Append(nil, format), []byte{xcp.PIDErr, byte(xcp.ErrCmdUnknown)}},
		{"FREE_DAQ", false, []byte{byte(xcp.CmdFreeDaq)}, []byte{xcp.PIDRes}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, mem, link := dyn, dmem, dlink
			if tc.static {
				e, mem, link = static, smem, slink
			}
			if got := command(e, mem, link, tc.req); !bytes.Equal(got, tc.want) {
				t.Fatalf("% X answered % X, want % X", tc.req, got, tc.want)
			}
		})
	}
}

// TestDTOs configures one list through the commands, runs it on a
// periodic event and checks the DTOs: identification field, timestamp
// from Memory.Now, the entry's bytes.
func TestDTOs(t *testing.T) {
	e, mem, link := newEngine(t, Config{Events: []EventConfig{{Name: "1ms", Period: time.Millisecond}}})
	mem.ram[0x10], mem.ram[0x11] = 0xAB, 0xCD
	mem.now = 5 * time.Millisecond // 5000 ticks of 1 µs
	for _, req := range [][]byte{
		{byte(xcp.CmdFreeDaq)},
		xcp.AllocDaq{Count: 1}.Append(nil, format),
		xcp.AllocOdt{List: 0, Count: 1}.Append(nil, format),
		xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, format),
		xcp.SetDaqPtr{}.Append(nil, format),
		xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 2, Addr: ramBase + 0x10}}.Append(nil, format),
		xcp.SetDaqListMode{Mode: xcp.ModeTimestamp, Prescaler: 1}.Append(nil, format),
	} {
		if resp := command(e, mem, link, req); resp[0] != xcp.PIDRes {
			t.Fatalf("% X answered % X", req, resp)
		}
	}
	if resp := command(e, mem, link, xcp.StartStopDaqList{Mode: xcp.DaqListStart}.Append(nil, format)); resp[0] != xcp.PIDRes {
		t.Fatalf("START answered % X", resp)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		link.mu.Lock()
		n := len(link.dtos)
		link.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no DTO within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	command(e, mem, link, xcp.StartStopSynch{Mode: xcp.SynchStopAll}.Append(nil, format))
	link.mu.Lock()
	got := link.dtos[len(link.dtos)-1] // the last cycle of a batch runs at the slave time (5 ms)
	link.mu.Unlock()
	want := []byte{0x00, 0x88, 0x13, 0x00, 0x00, 0xAB, 0xCD} // PID 0, timestamp 5000, data
	if !bytes.Equal(got, want) {
		t.Fatalf("DTO % X, want % X", got, want)
	}
	mem.Lock()
	running := e.Running()
	mem.Unlock()
	if running {
		t.Fatal("a list still runs after STOP_ALL")
	}
	if s := e.Stats(); s.DTOs == 0 || s.Samples == 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestEventInfoName: GET_DAQ_EVENT_INFO puts the event's name in the
// slave's INFO area through the Link.
func TestEventInfoName(t *testing.T) {
	e, mem, link := newEngine(t, Config{})
	resp := command(e, mem, link, xcp.GetDaqEventInfo{Event: 1}.Append(nil, format))
	if resp[0] != xcp.PIDRes || string(link.info) != "10ms" {
		t.Fatalf("answer % X, info %q", resp, link.info)
	}
}

// runningStim returns an engine with list 0 a running STIM list (4 bytes
// at ramBase+0x20, with timestamp).
func runningStim(t testing.TB) (*Engine, *fakeMemory) {
	e, mem, _ := newEngine(t, Config{})
	e.lists = []list{{odts: []odt{{entries: []xcp.DaqElement{{Size: 4, Addr: ramBase + 0x20, BitOffset: xcp.NoBitOffset}}}},
		mode: xcp.ModeDirection | xcp.ModeTimestamp, running: true}}
	return e, mem
}

// TestStim: a STIM DTO is applied at the list's event, a wrong one is
// rejected.
func TestStim(t *testing.T) {
	e, mem := runningStim(t)
	mem.Lock()
	defer mem.Unlock()
	e.Stim([]byte{0, 1, 2, 3, 4, 0xA, 0xB, 0xC, 0xD}) // PID, timestamp, data
	e.Stim([]byte{0, 1, 2})                           // too short
	e.stimCycle(&e.lists[0], 0)
	if got := mem.ram[0x20:0x24]; !bytes.Equal(got, []byte{0xA, 0xB, 0xC, 0xD}) {
		t.Fatalf("memory % X after STIM", got)
	}
	if s := e.StimStats(); s.DTOs != 1 || s.Rejected != 1 || s.Applied != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// FuzzStimDTO feeds arbitrary DTOs to an engine with a running STIM list:
// no panic, no packet sent, memory outside the entry untouched.
func FuzzStimDTO(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4})
	f.Add([]byte{1, 7, 8})
	f.Add([]byte{0x7F})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, p []byte) {
		if len(p) == 0 || p[0] >= byte(xcp.CmdLevel1) {
			return
		}
		e, mem := runningStim(t)
		mem.Lock()
		defer mem.Unlock()
		e.Stim(p)
		e.stimCycle(&e.lists[0], 0)
		for i, b := range mem.ram {
			if b != 0 && (i < 0x20 || i >= 0x24) {
				t.Fatalf("STIM wrote byte 0x%02X at offset 0x%X", b, i)
			}
		}
	})
}

// discardLink counts DTOs and drops them.
type discardLink struct {
	fakeLink
	n int
}

func (l *discardLink) SendDTOs(_ context.Context, pkts [][]byte, _ []uint16) error {
	l.n += len(pkts)
	return nil
}

// BenchmarkEmit measures the free-running event's DTO production with a
// link that discards the batches.
func BenchmarkEmit(b *testing.B) {
	e, _, _ := newEngine(b, Config{IDField: xcp.IDRelODTAbsDAQWord})
	e.lists = make([]list, 8)
	for i := range e.lists {
		e.lists[i] = list{running: true, event: 3, prescaler: 1,
			odts: []odt{{entries: []xcp.DaqElement{{BitOffset: 0xFF, Size: 4, Addr: ramBase}}}}}
	}
	em := &emitter{e: e, link: &discardLink{}, buf: make([]byte, 0, 64<<10)}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += 8 * maxRateBatch {
		for range maxRateBatch {
			em.cycle(3, 0)
		}
		if err := em.flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.Stats().DTOs)/time.Since(start).Seconds()/1e6, "MDTO/s")
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// slowLink blocks its first SendDTOs for block (a transport that stalls,
// a loaded machine), so that the event's ticker drops ticks.
type slowLink struct {
	fakeLink
	block time.Duration
	once  sync.Once
}

func (l *slowLink) SendDTOs(ctx context.Context, pkts [][]byte, lists []uint16) error {
	l.once.Do(func() { time.Sleep(l.block) })
	return l.fakeLink.SendDTOs(ctx, pkts, lists)
}

// realClock is fakeMemory whose slave time runs with the wall clock.
type realClock struct {
	fakeMemory
	start time.Time
}

func (m *realClock) Now() time.Duration { return time.Since(m.start) }

// TestPeriodicCatchUp: an event whose goroutine was held up runs the
// cycles it missed, each at its own slave time, so the slave keeps its
// nominal rate: the DTO timestamps have no gap (a ticker alone drops the
// missed ticks: here a gap of 150 ms).
func TestPeriodicCatchUp(t *testing.T) {
	const period = 10 * time.Millisecond
	mem := &realClock{start: time.Now()}
	e, err := New(Config{Events: []EventConfig{{Name: "10ms", Period: period}}}, format, mem)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	link := &slowLink{fakeLink: fakeLink{ctx: ctx}, block: 150 * time.Millisecond}
	defer func() { cancel(); link.wg.Wait() }()
	mem.Lock()
	e.lists = []list{{event: 0, prescaler: 1, mode: xcp.ModeTimestamp,
		odts: []odt{{entries: []xcp.DaqElement{{BitOffset: xcp.NoBitOffset, Size: 4, Addr: ramBase}}}}}}
	e.startLists(link, []*list{&e.lists[0]})
	mem.Unlock()
	time.Sleep(400 * time.Millisecond)
	mem.Lock()
	stopped := e.stopRunners(func(*list) bool { return true })
	mem.Unlock()
	stopped.Wait()
	link.mu.Lock()
	defer link.mu.Unlock()
	if len(link.dtos) < 20 {
		t.Fatalf("%d DTOs in 400 ms of a 10 ms event", len(link.dtos))
	}
	var prev uint32
	for i, d := range link.dtos {
		ts := format.Order.Uint32(d[1:5]) // µs
		if gap := time.Duration(ts-prev) * time.Microsecond; i > 0 && (gap <= 0 || gap > 3*period) {
			t.Fatalf("DTO %d of %d: %v after the one before, want about %v", i, len(link.dtos), gap, period)
		}
		prev = ts
	}
}

// preemptedClock is a slave clock read late once: its third reading comes
// as if the goroutine had been preempted for lag between reading the wall
// clock and the slave clock.
type preemptedClock struct {
	realClock
	lag   time.Duration
	reads int
}

func (m *preemptedClock) Now() time.Duration {
	m.reads++
	if m.reads == 3 {
		time.Sleep(m.lag)
	}
	return m.realClock.Now()
}

// TestPeriodicTimeNeverGoesBack: a periodic event goroutine preempted
// between its wall-clock and slave-clock readings (a loaded machine, an
// emulated one) must not date the cycles of its next batch before the
// ones it already sent: the DTO timestamps (and the simulated counters,
// which follow slave time) never go back.
func TestPeriodicTimeNeverGoesBack(t *testing.T) {
	const period = 5 * time.Millisecond
	mem := &preemptedClock{realClock: realClock{start: time.Now()}, lag: 8 * period}
	e, err := New(Config{Events: []EventConfig{{Name: "5ms", Period: period}}}, format, mem)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	link := &fakeLink{ctx: ctx}
	defer func() { cancel(); link.wg.Wait() }()
	mem.Lock()
	e.lists = []list{{event: 0, prescaler: 1, mode: xcp.ModeTimestamp,
		odts: []odt{{entries: []xcp.DaqElement{{BitOffset: xcp.NoBitOffset, Size: 4, Addr: ramBase}}}}}}
	e.startLists(link, []*list{&e.lists[0]})
	mem.Unlock()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(period) {
		link.mu.Lock()
		n := len(link.dtos)
		link.mu.Unlock()
		if n >= 20 || time.Now().After(deadline) {
			break
		}
	}
	mem.Lock()
	stopped := e.stopRunners(func(*list) bool { return true })
	mem.Unlock()
	stopped.Wait()
	link.mu.Lock()
	defer link.mu.Unlock()
	if len(link.dtos) < 20 {
		t.Fatalf("%d DTOs", len(link.dtos))
	}
	var prev uint32
	for i, d := range link.dtos {
		ts := format.Order.Uint32(d[1:5])
		if i > 0 && ts < prev {
			t.Fatalf("DTO %d: timestamp %d µs after %d µs: slave time went back", i, ts, prev)
		}
		prev = ts
	}
}
