package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/slcan"
	"github.com/goxcp/goxcp/transport/can/udpbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// The foundation's end-to-end scenarios over every transport of issue 6:
// XCP on CAN (virtual bus classic/FD with and without padding, 29-bit
// identifiers, the UDP-multicast bus with the simulator in a second
// process, an slcan adapter behind a PTY), XCP on SxI over a PTY in every
// header and tail format with and without SYNC/ESC framing, and XCP on USB
// over in-memory endpoints.

// link is a master connection to a simulator on some medium.
type link struct {
	conn  transport.Conn
	slave *sim.Slave // nil when the simulator runs in another process
	vbus  *virtual.Bus
	stop  func()
}

// medium opens a link to a new simulator configured with cfg.
type medium struct {
	name string
	open func(t testing.TB, cfg sim.Config) link
	full bool // run every scenario (else the representative subset)
}

// scenario is one master↔simulator exchange; quick scenarios run on every
// medium, the others on the media marked full.
type scenario struct {
	name  string
	quick bool
	fn    func(t *testing.T, ctx context.Context, m *master.Master, l link)
}

var protect = xcp.ResCalPag | xcp.ResPgm

var scenarios = []scenario{
	{"ConnectStatusID", true, func(t *testing.T, ctx context.Context, m *master.Master, l link) {
		st, err := m.GetStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Protection&protect != protect {
			t.Errorf("protection %v, want %v locked", st.Protection, protect)
		}
		id, err := m.GetID(ctx, xcp.IDASCII)
		if err != nil || string(id) != "goxcp-sim" {
			t.Fatalf("GET_ID = %q, %v", id, err)
		}
	}},
	{"UploadDownloadChecksum", true, func(t *testing.T, ctx context.Context, m *master.Master, l link) {
		data := make([]byte, 700)
		for i := range data {
			data[i] = byte(i*7 + 3)
		}
		addr := uint32(sim.RAMBase + 0x4000)
		if err := m.Write(ctx, addr, 0, data); err != nil { // unlocks CAL/PAG with the key function
			t.Fatal(err)
		}
		got, err := m.Read(ctx, addr, 0, len(data))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("read back differs")
		}
		if err := m.Verify(ctx, addr, 0, data); err != nil {
			t.Fatal(err)
		}
	}},
	{"SeedKey", false, func(t *testing.T, ctx context.Context, m *master.Master, l link) {
		left, err := m.Unlock(ctx, xcp.ResPgm)
		if err != nil {
			t.Fatal(err)
		}
		if left&xcp.ResPgm != 0 {
			t.Fatalf("PGM still locked: %v", left)
		}
	}},
	{"DAQ", false, func(t *testing.T, ctx context.Context, m *master.Master, l link) {
		// Timestamps need room in the first ODT: on classic CAN (MAX_DTO 8)
		// PID and a 4-byte timestamp leave 3 bytes, too few for a U32.
		ts := m.Format().MaxDTO >= 16
		lists := []daq.List{{Name: "fast", Event: 0, Timestamps: ts, Measurements: []dto.Measurement{
			{Name: "counter", Address: sim.RAMBase + 0x00, Type: dto.U32},
			{Name: "sine", Address: sim.RAMBase + 0x08, Type: dto.F32},
		}}}
		ses, err := daq.Setup(ctx, m, lists, daq.Options{})
		if err != nil {
			t.Fatal(err)
		}
		samples := ses.Samples(4096)
		if err := ses.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for start := time.Now(); time.Since(start) < 50*time.Millisecond ||
			(ses.Stats().Lists[0].Samples < 5 && time.Since(start) < 10*time.Second); {
			time.Sleep(5 * time.Millisecond)
		}
		st, err := ses.Stop(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var last uint64
		for r := range samples {
			c := r.Values[0].Uint64()
			if n > 0 && c < last { // the counter never goes back (it may repeat: it counts time, not samples)
				t.Fatalf("counter went from %d to %d", last, c)
			}
			last = c
			n++
		}
		if n < 5 || uint64(n) != st.Lists[0].Samples || st.Lost() != 0 {
			t.Fatalf("%d samples, stats %+v, lost %d", n, st.Lists[0], st.Lost())
		}
	}},
	{"ErrorMatrix", false, func(t *testing.T, ctx context.Context, m *master.Master, l link) {
		if l.slave == nil { // simulator in another process: no fault switches, use a real error
			_, err := m.ShortUpload(ctx, 0xF0000000, 0, 4)
			var xe *xcp.Error
			if !errors.As(err, &xe) || (xe.Code != xcp.ErrAccessDenied && xe.Code != xcp.ErrOutOfRange) {
				t.Fatalf("SHORT_UPLOAD of unmapped memory: %v", err)
			}
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
		l.slave.Busy(2) // ERR_CMD_BUSY twice: the master waits t7 and repeats
		if _, err := m.GetStatus(ctx); err != nil {
			t.Fatal(err)
		}
		l.slave.InjectError(xcp.CmdShortUpload, xcp.ErrAccessDenied, 1) // displayed, not repeated
		_, err := m.ShortUpload(ctx, sim.RAMBase, 0, 4)
		if !errors.Is(err, xcp.ErrAccessDenied) {
			t.Fatalf("SHORT_UPLOAD with ERR_ACCESS_DENIED: %v", err)
		}
		l.slave.DropResponses(1) // a lost response: timeout, SYNCH, repeat
		if _, err := m.GetStatus(ctx); err != nil {
			t.Fatal(err)
		}
	}},
}

// run connects a master over l and runs the scenarios.
func run(t *testing.T, md medium, scs []scenario) {
	for _, sc := range scs {
		if !sc.quick && !md.full {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			l := md.open(t, sim.Config{Protect: protect, RandSeed: 1})
			defer l.stop()
			m := master.New(l.conn, master.Config{
				Unlock:   seedkey.Func(sim.DemoKey),
				Timeouts: master.Timeouts{T1: 300 * time.Millisecond, T7: 5 * time.Millisecond},
			})
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
				t.Fatal(err)
			}
			sc.fn(t, ctx, m, l)
			if err := m.Disconnect(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// serveOn runs slave on conn until the returned function is called.
func serveOn(t testing.TB, slave *sim.Slave, conn transport.Conn) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- slave.Serve(ctx, conn) }()
	return func() {
		cancel()
		conn.Close()
		if err := <-done; err != nil {
			t.Errorf("simulator: %v", err)
		}
	}
}

func newSim(t testing.TB, cfg sim.Config, maxPacket int) *sim.Slave {
	t.Helper()
	cfg.MaxCTO, cfg.MaxDTO = min(255, maxPacket), min(1024, maxPacket)
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// virtualCAN is a medium on an in-process virtual CAN bus.
func virtualCAN(name string, cc can.Config, full bool) medium {
	return medium{name: name, full: full, open: func(t testing.TB, cfg sim.Config) link {
		bus := virtual.New(virtual.Config{Name: name})
		slave := newSim(t, cfg, cc.MaxPacket())
		sc, err := can.NewConn(bus.Open(), cc, can.Slave)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := can.NewConn(bus.Open(), cc, can.Master)
		if err != nil {
			t.Fatal(err)
		}
		return link{conn: mc, slave: slave, vbus: bus, stop: serveOn(t, slave, sc)}
	}}
}

var canIDs = can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}

func canMedia() []medium {
	classic := canIDs
	padded := canIDs
	padded.MaxDLCRequired, padded.PaddingValue = true, 0xAA
	fd := canIDs
	fd.FD, fd.BRS = true, true
	fdPadded := fd
	fdPadded.MaxDLCRequired, fdPadded.MaxFDLen, fdPadded.PaddingValue = true, 32, 0x55
	ext := can.Config{CanIDMaster: 0x80012345, CanIDSlave: 0x80012346, CanIDBroadcast: 0x80012340}
	return []medium{
		virtualCAN("classic", classic, true),
		virtualCAN("classic-padded", padded, true),
		virtualCAN("fd", fd, true),
		virtualCAN("fd-padded-32", fdPadded, true),
		virtualCAN("29bit", ext, false),
	}
}

func TestSuiteVirtualCAN(t *testing.T) {
	for _, md := range canMedia() {
		t.Run(md.name, func(t *testing.T) { run(t, md, scenarios) })
	}
}

func TestSuiteUSBFakeEndpoints(t *testing.T) {
	for _, h := range []sxi.HeaderFormat{sxi.LenCtrWord, sxi.LenByte} {
		md := medium{name: h.String(), full: h == sxi.LenCtrWord, open: func(t testing.TB, cfg sim.Config) link {
			a, b := usb.Pipe()
			sc, err := usb.NewConn(b, usb.Options{Header: h})
			if err != nil {
				t.Fatal(err)
			}
			mc, _ := usb.NewConn(a, usb.Options{Header: h})
			slave := newSim(t, cfg, sxi.Framing{Header: h}.MaxPacketLen())
			return link{conn: mc, slave: slave, stop: serveOn(t, slave, sc)}
		}}
		t.Run(md.name, func(t *testing.T) { run(t, md, scenarios) })
	}
}

// sxiPTY is a medium: the simulator on the controlling side of a PTY, the
// master opening the tty like a serial port (go.bug.st/serial).
func sxiPTY(f sxi.Framing, full bool) medium {
	name := f.Header.String() + "/" + f.Tail.String()
	if f.SyncEsc {
		name += "/SYNC-ESC"
	}
	return medium{name: name, full: full, open: func(t testing.TB, cfg sim.Config) link {
		p, err := sxi.OpenPTY()
		if err != nil {
			t.Skip(err)
		}
		sc, err := sxi.NewConn(p.Master, f, sxi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		slave := newSim(t, cfg, f.MaxPacketLen())
		stopSim := serveOn(t, slave, sc)
		k := sxi.Config{Port: p.TTYPath, HeaderFormat: f.Header.String(), TailFormat: f.Tail.String(), Framing: f.SyncEsc, Bitrate: 115200}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		mc, err := sxi.Dial(ctx, k)
		if err != nil {
			stopSim()
			p.Close()
			t.Fatal(err)
		}
		return link{conn: mc, slave: slave, stop: func() { stopSim(); p.Close() }}
	}}
}

func TestSuiteSxIOverPTY(t *testing.T) {
	var media []medium
	for h := sxi.LenByte; h <= sxi.LenFillWord; h++ {
		for _, tail := range []sxi.TailFormat{sxi.NoChecksum, sxi.ChecksumByte, sxi.ChecksumWord} {
			for _, se := range []bool{false, true} {
				f := sxi.Framing{Header: h, Tail: tail, SyncEsc: se}
				if f.Validate() != nil {
					continue
				}
				full := (h == sxi.LenCtrWord && tail == sxi.ChecksumWord) || (h == sxi.LenByte && tail == sxi.NoChecksum && se)
				media = append(media, sxiPTY(f, full))
			}
		}
	}
	if len(media) < 18 {
		t.Fatalf("only %d SxI framings", len(media))
	}
	for _, md := range media {
		t.Run(md.name, func(t *testing.T) { run(t, md, scenarios) })
	}
}

// slcanPTY: master → slcan.Open on the tty → slcan.Emulator on the PTY
// master → virtual bus → simulator.
func slcanPTY(fd bool) medium {
	cc := canIDs
	cc.FD = fd
	return medium{name: map[bool]string{false: "classic", true: "fd"}[fd], full: true, open: func(t testing.TB, cfg sim.Config) link {
		p, err := sxi.OpenPTY()
		if err != nil {
			t.Skip(err)
		}
		vbus := virtual.New(virtual.Config{Name: "slcan"})
		ctx, cancel := context.WithCancel(context.Background())
		emu := slcan.NewEmulator(p.Master, vbus.Open())
		served := make(chan error, 1)
		go func() { served <- emu.Serve(ctx) }()
		slave := newSim(t, cfg, cc.MaxPacket())
		sc, err := can.NewConn(vbus.Open(), cc, can.Slave)
		if err != nil {
			t.Fatal(err)
		}
		stopSim := serveOn(t, slave, sc)
		stop := func() { stopSim(); cancel(); <-served; p.Close() }
		k := slcan.Config{Port: p.TTYPath, Bitrate: 500000}
		if fd {
			k.DataBitrate = 2000000
		}
		octx, ocancel := context.WithTimeout(ctx, 5*time.Second)
		defer ocancel()
		bus, err := slcan.Open(octx, k)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		mc, err := can.NewConn(bus, cc, can.Master)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		return link{conn: mc, slave: slave, stop: stop}
	}}
}

func TestSuiteSlcanOverPTY(t *testing.T) {
	for _, fd := range []bool{false, true} {
		md := slcanPTY(fd)
		t.Run(md.name, func(t *testing.T) { run(t, md, scenarios) })
	}
}

// childEnv makes the test binary a simulator on the UDP-multicast CAN bus
// (see TestMain): GROUP,FD.
const childEnv = "GOXCP_E2E_UDPCAN_SIM"

// runChildSim serves a simulator on the UDP-multicast bus until stdin
// closes; it prints "ready" when it serves.
func runChildSim(spec string) int {
	group, fdText, _ := strings.Cut(spec, ",")
	cc := canIDs
	cc.FD = fdText == "fd"
	slave, err := sim.New(sim.Config{Protect: protect, RandSeed: 1, MaxCTO: cc.MaxPacket(), MaxDTO: cc.MaxPacket()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	port, err := udpbus.Open(context.Background(), udpbus.Config{Group: group})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	conn, err := can.NewConn(port, cc, can.Slave)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // EOF when the parent ends
		cancel()
	}()
	fmt.Println("ready")
	if err := slave.Serve(ctx, conn); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

var groupSeq atomic.Uint32

// udpCAN is a medium whose simulator is a second process on a private
// multicast group.
func udpCAN(fd bool) medium {
	cc := canIDs
	cc.FD = fd
	return medium{name: map[bool]string{false: "classic", true: "fd"}[fd], full: true, open: func(t testing.TB, cfg sim.Config) link {
		group := fmt.Sprintf("239.74.67.%d:%d", 10+groupSeq.Add(1)%200, 20000+rand.IntN(40000))
		spec := group + map[bool]string{false: ",classic", true: ",fd"}[fd]
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+spec)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		stop := func() {
			once.Do(func() {
				stdin.Close()
				if err := cmd.Wait(); err != nil {
					t.Errorf("simulator process: %v: %s", err, stderr.String())
				}
			})
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			stop()
			t.Fatalf("simulator process did not start: %q %v", line, err)
		}
		port, err := udpbus.Open(context.Background(), udpbus.Config{Group: group})
		if err != nil {
			stop()
			t.Fatal(err)
		}
		mc, err := can.NewConn(port, cc, can.Master)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		return link{conn: mc, stop: stop}
	}}
}

func TestSuiteUDPMulticastCANTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	for _, fd := range []bool{false, true} {
		md := udpCAN(fd)
		t.Run(md.name, func(t *testing.T) { run(t, md, scenarios) })
	}
}

// TestCANTransportLayer covers GET_SLAVE_ID, GET_DAQ_ID and SET_DAQ_ID
// through the master, and DTOs arriving on the identifier SET_DAQ_ID gave
// their list.
func TestCANTransportLayer(t *testing.T) {
	md := canMedia()[0]
	l := md.open(t, sim.Config{})
	defer l.stop()
	spy := l.vbus.Open() // sees every frame on the bus
	defer spy.Close()
	m := master.New(l.conn, master.Config{})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	for _, inv := range []bool{false, true} {
		r, err := m.GetSlaveID(ctx, inv)
		if err != nil || r.CmdID != 0x101 || r.Inverse != inv {
			t.Fatalf("GetSlaveID(%v) = %+v, %v", inv, r, err)
		}
	}
	f := m.Format()
	for _, req := range [][]byte{
		{byte(xcp.CmdFreeDaq)},
		xcp.AllocDaq{Count: 1}.Append(nil, f),
		xcp.AllocOdt{List: 0, Count: 1}.Append(nil, f),
		xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f),
		xcp.SetDaqPtr{List: 0}.Append(nil, f),
		xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 2, Addr: sim.RAMBase}}.Append(nil, f),
		xcp.SetDaqListMode{List: 0, Event: 0, Prescaler: 1}.Append(nil, f),
	} {
		if _, err := m.Do(ctx, req); err != nil {
			t.Fatalf("% X: %v", req, err)
		}
	}
	r, err := m.GetDaqID(ctx, 0)
	if err != nil || r.ID != 0x102 || r.Fixed {
		t.Fatalf("GetDaqID = %+v, %v", r, err)
	}
	const daqID = 0x80000777
	if err := m.SetDaqID(ctx, 0, daqID); err != nil {
		t.Fatal(err)
	}
	got := make(chan transport.Packet, 16)
	m.SetDTOHandler(func(p transport.Packet) {
		select {
		case got <- transport.Packet{Data: append([]byte(nil), p.Data...)}:
		default:
		}
	})
	for _, req := range [][]byte{
		xcp.StartStopDaqList{Mode: xcp.DaqListSelect, List: 0}.Append(nil, f),
		xcp.StartStopSynch{Mode: xcp.SynchStartSelected}.Append(nil, f),
	} {
		if _, err := m.Do(ctx, req); err != nil {
			t.Fatalf("% X: %v", req, err)
		}
	}
	select {
	case p := <-got:
		if len(p.Data) != 3 || p.Data[0] != 0 { // PID + 2 bytes (no timestamp)
			t.Fatalf("DTO % X", p.Data)
		}
	case <-ctx.Done():
		t.Fatal("no DTO reached the master: the SET_DAQ_ID identifier was not let through")
	}
	// The spy sees the DTOs on 0x777 (29-bit), not on can_id_slave.
	for {
		fr, err := spy.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fr.Len > 0 && fr.Data[0] == 0 && fr.ID != 0x101 {
			if fr.ID != 0x777 || !fr.Extended {
				t.Fatalf("DTO on %v, want 29-bit 0x777", fr.Key())
			}
			break
		}
	}
	if _, err := m.Do(ctx, xcp.StartStopSynch{Mode: xcp.SynchStopAll}.Append(nil, f)); err != nil {
		t.Fatal(err)
	}
}
