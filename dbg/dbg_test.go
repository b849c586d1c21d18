package dbg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type env struct {
	s  *sim.Slave
	m  *master.Master
	d  *Session
	t  testing.TB
	ct context.Context
}

// fast makes the simulated slave's t1/t7 short (t1 200 ms, t7 4 ms).
func fast(c sim.DbgConfig) sim.DbgConfig {
	c.T1, c.T7 = 100, 2
	return c
}

// setup serves a simulator with cfg (over TCP on 127.0.0.1 if overEth,
// else an in-memory pipe), connects a master and attaches.
func setup(t *testing.T, cfg sim.Config, dc Config, overEth bool) *env {
	t.Helper()
	return setupTB(t, cfg, dc, overEth)
}

func setupB(b *testing.B, cfg sim.Config) *env { return setupTB(b, cfg, Config{}, false) }

func setupTB(t testing.TB, cfg sim.Config, dc Config, overEth bool) *env {
	t.Helper()
	cfg.Dbg = fast(cfg.Dbg)
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var conn transport.Conn
	if overEth {
		ready := make(chan net.Addr, 1)
		go func() { _ = s.ListenAndServe(ctx, "tcp", "127.0.0.1:0", func(a net.Addr) { ready <- a }); close(done) }()
		a := (<-ready).(*net.TCPAddr)
		conn, err = eth.Dial(ctx, eth.Config{Protocol: "tcp", Host: "127.0.0.1", Port: a.Port})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		a, b := memconn.Pipe(256)
		go func() { _ = s.Serve(ctx, b); close(done) }()
		conn = a
	}
	m := master.New(conn, master.Config{Timeouts: master.Timeouts{T1: time.Second, T7: 5 * time.Millisecond},
		Unlock: func(_ context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
			return sim.DemoKey(res, seed), nil
		}})
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	d, err := Attach(ctx, m, dc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		m.Close()
		cancel()
		<-done
	})
	return &env{s: s, m: m, d: d, t: t, ct: ctx}
}

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Memory access end to end in both MAX_CTO_DBG regimes, both byte orders,
// with and without block modes, over memconn and TCP.
func TestMemoryEndToEnd(t *testing.T) {
	type regime struct {
		name    string
		maxCTO  int
		block   bool
		overEth bool
	}
	regimes := []regime{
		{"std-1456", 1456, false, false},
		{"std-40", 40, false, false},
		{"std-40-block", 40, true, false},
		{"std-64-block-eth", 64, true, true},
		{"can-8", 8, false, false},
		{"can-8-block", 8, true, false},
		{"can-8-block-eth", 8, true, true},
	}
	for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
		for _, rg := range regimes {
			t.Run(fmt.Sprintf("%s/%s", order, rg.name), func(t *testing.T) {
				// Block modes are detected from CONNECT and GET_COMM_MODE_INFO.
				scfg := sim.Config{Order: order, MaxBS: 4, Dbg: sim.DbgConfig{MaxCTODbg: rg.maxCTO}}
				if !rg.block {
					scfg.NoSlaveBlockMode, scfg.NoMasterBlockMode = true, true
				}
				e := setup(t, scfg, Config{}, rg.overEth)
				if b := e.d.Block(); b.Slave != rg.block || b.Master != rg.block || (rg.block && b.MaxBS != 4) {
					t.Fatalf("block modes detected %+v", b)
				}
				ctx := e.ct
				widths := []swdbg.ElementWidth{1, 2, 4, 8}
				if rg.maxCTO < 32 {
					widths = widths[:3]
				}
				for i, ew := range widths {
					addr := uint64(0x70000100 + 0x1000*i)
					data := randBytes(600, uint64(i))
					if err := e.d.Write(ctx, 0, ew, addr, data); err != nil {
						t.Fatalf("%s write: %v", ew, err)
					}
					if got := e.s.DbgMemory(0, addr, len(data)); !bytes.Equal(got, data) {
						t.Fatalf("%s: simulator memory differs after write", ew)
					}
					got, err := e.d.Read(ctx, 0, ew, addr, len(data)/int(ew))
					if err != nil {
						t.Fatalf("%s read: %v", ew, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%s: read back differs", ew)
					}
				}
				can := rg.maxCTO < 32
				usedCAN := e.s.DbgCommandCount(swdbg.CmdReadCAN2) > 0 && e.s.DbgCommandCount(swdbg.CmdWriteCANNext) > 0
				usedStd := e.s.DbgCommandCount(swdbg.CmdRead) > 0 && e.s.DbgCommandCount(swdbg.CmdWrite) > 0
				if can != usedCAN || can == usedStd {
					t.Fatalf("CAN regime %v, but CAN commands used %v, standard %v", can, usedCAN, usedStd)
				}
				if rg.block && !can && e.s.DbgCommandCount(swdbg.CmdWriteNext) == 0 {
					t.Fatal("master block mode did not use DBG_WRITE_NEXT")
				}
				if !rg.block && e.s.DbgCommandCount(swdbg.CmdWriteNext) != 0 {
					t.Fatal("DBG_WRITE_NEXT without master block mode")
				}
				// (A timeout under heavy load would be handled by SYNCH and
				// repetition; restarts and repeats would mean a protocol error.)
				if st := e.d.Stats(); st.Restarts+st.Repeats+st.Reattaches != 0 {
					t.Fatalf("error handling on a clean run: %+v", st)
				}
			})
		}
	}
}

// Reads in slave block mode need far fewer commands.
func TestSlaveBlockRead(t *testing.T) {
	e := setup(t, sim.Config{Dbg: sim.DbgConfig{MaxCTODbg: 64}}, Config{}, false)
	if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 1000); err != nil {
		t.Fatal(err)
	}
	if n := e.s.DbgCommandCount(swdbg.CmdRead); n != 1 {
		t.Fatalf("%d DBG_READ for 1000 elements in slave block mode", n)
	}
}

func TestUnalignedBytesAndRMW(t *testing.T) {
	for _, maxCTO := range []int{1456, 8} {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			e := setup(t, sim.Config{Order: order, Dbg: sim.DbgConfig{MaxCTODbg: maxCTO}}, Config{}, false)
			base := uint64(0x70000200)
			want := e.s.DbgMemory(0, base, 64)
			patch := []byte{0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7}
			copy(want[3:], patch)
			if err := e.d.WriteBytes(e.ct, 0, 4, base+3, patch); err != nil {
				t.Fatal(err)
			}
			if got := e.s.DbgMemory(0, base, 64); !bytes.Equal(got, want) {
				t.Fatalf("CTO %d %s: memory\n got % X\nwant % X", maxCTO, order, got[:16], want[:16])
			}
			got, err := e.d.ReadBytes(e.ct, 0, 4, base+1, 13)
			if err != nil || !bytes.Equal(got, want[1:14]) {
				t.Fatalf("ReadBytes % X %v", got, err)
			}
			if maxCTO >= 32 && e.s.DbgCommandCount(swdbg.CmdReadModifyWrite) == 0 {
				t.Fatal("partial elements not merged with DBG_READ_MODIFY_WRITE")
			}
		}
	}
	e := setup(t, sim.Config{Order: xcp.Motorola}, Config{}, false)
	v, err := e.d.ReadModifyWrite(e.ct, 0, 4, 0x70000000, 0x0000FFFF, 0x1234ABCD)
	if err != nil || v != 0x0102ABCD {
		t.Fatalf("RMW 0x%X %v", v, err)
	}
	if got := e.s.DbgMemory(0, 0x70000000, 4); !bytes.Equal(got, []byte{1, 2, 0xAB, 0xCD}) {
		t.Fatalf("memory % X", got)
	}
}

func TestInfoCommands(t *testing.T) {
	e := setup(t, sim.Config{Order: xcp.Motorola, Dbg: sim.DbgConfig{Vendor: 0x1234, HaltAfterReset: true}}, Config{}, false)
	if e.d.Info().MaxCTODbg != 1456 || e.d.Mode().Dialect != swdbg.DialectJTAG || !e.d.Mode().HaltAfterReset() {
		t.Fatalf("attach %+v mode %+v", e.d.Info(), e.d.Mode())
	}
	if id, err := e.d.JTAGID(e.ct); err != nil || id != 0x00112041 {
		t.Fatalf("JTAG ID 0x%X %v", id, err)
	}
	if id, err := e.d.ScanIDCODE(e.ct); err != nil || id != 0x00112041 {
		t.Fatalf("IDCODE scan 0x%X %v", id, err)
	}
	v, err := e.d.VendorInfo(e.ct)
	if err != nil || v.Vendor != 0x1234 || string(v.Info) != "goxcp simulator" {
		t.Fatalf("vendor %+v %v", v, err)
	}
	if err := e.d.HaltAfterReset(e.ct); err != nil || !e.s.DbgHalted() {
		t.Fatalf("halt after reset: %v", err)
	}
	if err := e.d.ExclusiveAccess(e.ct, swdbg.ExclusiveRequest, swdbg.ContextGeneric); err != nil {
		t.Fatal(err)
	}
}

// HW-IO info paging with MAX_CTO_DBG 8 (one pin per response).
func TestHWIOPagingAndEvents(t *testing.T) {
	e := setup(t, sim.Config{Dbg: sim.DbgConfig{MaxCTODbg: 8}}, Config{}, false)
	pins, err := e.d.HWIOInfo(e.ct)
	if err != nil || len(pins) != 4 || pins[3].Class != swdbg.ClassVref {
		t.Fatalf("pins %+v %v", pins, err)
	}
	if n := e.s.DbgCommandCount(swdbg.CmdGetHWIOInfo); n != 4 {
		t.Fatalf("%d DBG_GET_HWIO_INFO", n)
	}
	ev, stop := e.d.Subscribe(8)
	defer stop()
	if err := e.d.SetHWIOEvent(e.ct, 0, swdbg.TriggerChange); err != nil {
		t.Fatal(err)
	}
	if err := e.d.SetHWIOEvent(e.ct, 2, swdbg.TriggerChange); !errors.Is(err, xcp.ErrGeneric) {
		t.Fatalf("event on a pin without events: %v", err)
	}
	st, err := e.d.HWIOControl(e.ct, []swdbg.PinControl{{Index: 0, State: swdbg.StateLow}, {Index: 2, State: swdbg.StateClock, Freq: 1}})
	if err != nil || len(st) != 2 || st[0] != swdbg.StateLow || st[1] != swdbg.StateClock {
		t.Fatalf("control %v %v", st, err)
	}
	select {
	case x := <-ev:
		if x.Code != swdbg.EvHWIOChange || x.Pin != 0 || x.High {
			t.Fatalf("event %v", x)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no EV_DBG_HWIO_CHANGE")
	}
	_, err = e.d.HWIOControl(e.ct, []swdbg.PinControl{{Index: 3, State: swdbg.StateLow}})
	var de *swdbg.Error
	if !errors.As(err, &de) || de.Dbg != swdbg.ErrHWIOControl || de.Pin != 3 {
		t.Fatalf("driving an input: %v", err)
	}
	e.s.DbgSetServiceLevel(4)
	select {
	case x := <-ev:
		if x.Code != swdbg.EvServiceLevelChange || x.ServiceLevel != swdbg.ServiceLow {
			t.Fatalf("event %v", x)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no EV_DBG_SERVICE_LEVEL_CHANGE")
	}
	if e.d.ServiceLevel() != swdbg.ServiceLow {
		t.Fatalf("level %v", e.d.ServiceLevel())
	}
}

func TestServiceLevel4Budget(t *testing.T) {
	e := setup(t, sim.Config{Dbg: sim.DbgConfig{ServiceLevel: 4}}, Config{}, false)
	if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 4); err != nil {
		t.Fatal(err)
	}
	if e.d.Stats().BudgetWarnings != 0 {
		t.Fatal("16 bytes warned")
	}
	if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 1024); err != nil {
		t.Fatal(err)
	}
	if e.d.Stats().BudgetWarnings != 1 {
		t.Fatal("4 KiB at level 4 did not warn")
	}
	b := swdbg.NewJPLBuilder().ResetToIdle().ScanDR(swdbg.Bits{N: 2000, V: make([]byte, 250)}, swdbg.RunTestIdle, false)
	seqs, _ := b.Sequences()
	if _, err := e.d.RunJPL(e.ct, seqs, 0); err != nil {
		t.Fatal(err)
	}
	if e.d.Stats().BudgetWarnings != 2 {
		t.Fatal("2000 TCK at level 4 did not warn")
	}
}

// The JPL of table 70 run end to end returns table 70's results.
func TestJPLTable70(t *testing.T) {
	e := setup(t, sim.Config{}, Config{}, false)
	b := swdbg.NewJPLBuilder().GoTo(swdbg.PauseDR).GoTo(swdbg.RunTestIdle).
		ScanIR(swdbg.BitsOf(6, 0x3E), swdbg.RunTestIdle).ScanIR(swdbg.BitsOf(6, 0x2A), swdbg.RunTestIdle).
		ScanIR(swdbg.BitsOf(10, 0x210), swdbg.RunTestIdle).ScanDR(swdbg.Bits{N: 192, V: make([]byte, 24)}, swdbg.RunTestIdle, true)
	seqs, _ := b.Sequences()
	r, err := e.d.RunJPL(e.ct, seqs, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := e.s.DbgCommandCount(swdbg.CmdSequenceMultiple)
	if _, err := e.d.RunJPL(e.ct, [][]byte{{3, 0, 1, 4, 3}}, 0); err == nil || e.s.DbgCommandCount(swdbg.CmdSequenceMultiple) != n {
		t.Fatalf("JPL ending in Shift-IR: %v", err)
	}
	want := []uint32{0x090BC6DC, 0, 0x00009200, 0x090BC708, 0x44004400, 2}
	for i, w := range want {
		if r[i].TDO != w || r[i].Status != swdbg.SeqOK {
			t.Fatalf("result %d: %+v", i, r[i])
		}
	}
}

func TestLLTDAP(t *testing.T) {
	e := setup(t, sim.Config{Dbg: sim.DbgConfig{DAP: true}}, Config{}, false)
	r, err := e.d.LLT(e.ct, 0, []swdbg.Telegram{swdbg.NewTelegram(0x1C, 3, 1, 0), swdbg.NewTelegram(0x1A, 7, 0x4B, 16)})
	if err != nil || len(r) != 2 || r[1].Value() != 0x0020 {
		t.Fatalf("LLT %+v %v", r, err)
	}
	e.s.InjectDbgFault(swdbg.CmdLLT, sim.FaultLLTCRC, 1)
	_, err = e.d.LLT(e.ct, 0, []swdbg.Telegram{swdbg.NewTelegram(0x1C, 3, 1, 0), swdbg.NewTelegram(0x08, 36, 0x123456781, 0)})
	var de *swdbg.Error
	if !errors.As(err, &de) || !errors.Is(err, swdbg.ErrLLT) || de.LLTIndex != 2 || de.LLTReason != swdbg.LLTReasonCRC {
		t.Fatalf("LLT fault: %v", err)
	}
	if _, err := e.d.RunJPL(e.ct, [][]byte{{3, 0, 1, 8, 0x7F}}, 0); !errors.Is(err, swdbg.ErrJPL) {
		t.Fatalf("JPL on a DAP target: %v", err)
	}
}

// At service level 1 target accesses fail at once with ErrNoAccess; the
// level comes from DBG_GET_MODE_INFO and EV_DBG_SERVICE_LEVEL_CHANGE.
func TestServiceLevel1(t *testing.T) {
	e := setup(t, sim.Config{Dbg: sim.DbgConfig{ServiceLevel: 1}}, Config{}, false)
	if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 1); !errors.Is(err, ErrNoAccess) {
		t.Fatalf("read at level 1: %v", err)
	}
	if _, err := e.d.ScanIDCODE(e.ct); !errors.Is(err, ErrNoAccess) {
		t.Fatalf("JPL at level 1: %v", err)
	}
	if n := e.s.DbgCommandCount(swdbg.CmdRead) + e.s.DbgCommandCount(swdbg.CmdSequenceMultiple); n != 0 {
		t.Fatalf("%d commands sent at level 1", n)
	}
	ev, stop := e.d.Subscribe(4)
	defer stop()
	e.s.DbgSetServiceLevel(3)
	select {
	case <-ev:
	case <-time.After(2 * time.Second):
		t.Fatal("no service level event")
	}
	if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 1); err != nil {
		t.Fatalf("read at level 3: %v", err)
	}
}
