//go:build linux

package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/internal/vcan"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
)

// Master↔simulator sessions over SocketCAN on a real kernel's vcan
// interface. They skip unless GOXCP_VCAN names one: internal/kerneltest
// boots Debian's kernel under QEMU and runs them there.

// socketCAN is a medium on the vcan interface: the simulator and the
// master each on a raw socket of their own, opened as the CLI does
// (canbus with interface "socketcan").
func socketCAN(ifname, name string, cc can.Config, full bool) medium {
	return medium{name: name, full: full, open: func(t testing.TB, cfg sim.Config) link {
		ctx := context.Background()
		cc := cc
		cc.Interface, cc.Channel = canbus.SocketCAN, ifname
		bus, err := canbus.Open(ctx, cc)
		if err != nil {
			t.Fatal(err)
		}
		slave := newSim(t, cfg, cc.MaxPacket())
		sc, err := can.NewConn(bus, cc, can.Slave)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := canbus.Dial(ctx, cc)
		if err != nil {
			t.Fatal(err)
		}
		return link{conn: mc, slave: slave, stop: serveOn(t, slave, sc)}
	}}
}

// TestSocketCANSuite runs the CAN scenarios (classic and FD, padded, 29-bit
// identifiers) over the kernel.
func TestSocketCANSuite(t *testing.T) {
	ifname := vcan.ForTest(t)
	for _, md := range canMedia() {
		t.Run(md.name, func(t *testing.T) {
			// The same configurations as on the virtual bus, over the kernel.
			vmd := socketCAN(ifname, md.name, mediaConfig(md.name), md.full)
			run(t, vmd, scenarios)
		})
	}
}

// mediaConfig returns the CAN settings canMedia uses for a medium name.
func mediaConfig(name string) can.Config {
	classic := canIDs
	padded := canIDs
	padded.MaxDLCRequired, padded.PaddingValue = true, 0xAA
	fd := canIDs
	fd.FD, fd.BRS = true, true
	fdPadded := fd
	fdPadded.MaxDLCRequired, fdPadded.MaxFDLen, fdPadded.PaddingValue = true, 32, 0x55
	ext := can.Config{CanIDMaster: 0x80012345, CanIDSlave: 0x80012346, CanIDBroadcast: 0x80012340}
	return map[string]can.Config{"classic": classic, "classic-padded": padded, "fd": fd, "fd-padded-32": fdPadded, "29bit": ext}[name]
}

// TestSocketCANDAQRate measures a DAQ list of several ODTs on the 1 ms
// event for two seconds over the kernel and checks the accounting: every
// DTO the simulator sent arrived (master frames = simulator DTOs), no ODT
// went missing, the kernel dropped nothing, and the sample counter never
// went back.
func TestSocketCANDAQRate(t *testing.T) {
	ifname := vcan.ForTest(t)
	for _, tc := range []struct {
		name string
		cfg  can.Config
	}{
		{"classic-11bit", can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}},
		{"fd-brs-29bit", can.Config{CanIDMaster: 0x80012345, CanIDSlave: 0x80012346, FD: true, BRS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := socketCAN(ifname, tc.name, tc.cfg, true).open(t, sim.Config{Protect: protect, RandSeed: 1})
			defer l.stop()
			m := master.New(l.conn, master.Config{Unlock: seedkey.Func(sim.DemoKey),
				Timeouts: master.Timeouts{T1: time.Second, T7: 5 * time.Millisecond}})
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
				t.Fatal(err)
			}
			var ms []dto.Measurement
			ms = append(ms, dto.Measurement{Name: "counter", Address: sim.RAMBase, Type: dto.U32})
			for i := range 7 { // 32 bytes: 5 ODTs on classic CAN, 1 on CAN FD
				ms = append(ms, dto.Measurement{Name: "m" + string(rune('a'+i)), Address: sim.RAMBase + 0x40 + uint32(4*i), Type: dto.U32})
			}
			ses, err := daq.Setup(ctx, m, []daq.List{{Name: "fast", Event: 0, Measurements: ms}}, daq.Options{})
			if err != nil {
				t.Fatal(err)
			}
			samples := ses.Samples(1 << 16)
			if err := ses.Start(ctx); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			time.Sleep(2 * time.Second)
			st, err := ses.Stop(ctx)
			el := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			n, last := 0, uint64(0)
			for r := range samples {
				c := r.Values[0].Uint64()
				if n > 0 && c < last {
					t.Fatalf("counter went from %d to %d", last, c)
				}
				last = c
				n++
			}
			sent := l.slave.DAQStats()
			cs := l.conn.Stats()
			t.Logf("KERNEL-RATE DAQ %s: %d samples in %v (%.0f/s), %d DTOs (%.0f frames/s), lost %d, kernel drops %d",
				tc.name, n, el.Round(time.Millisecond), float64(n)/el.Seconds(), st.Frames, float64(st.Frames)/el.Seconds(), st.Lost(), cs.Lost)
			if n < 100 || uint64(n) != st.Lists[0].Samples {
				t.Fatalf("%d samples delivered, stats say %d (want ≥ 100 in 2 s on the 1 ms event, even in an emulated machine)", n, st.Lists[0].Samples)
			}
			if st.Lost() != 0 || st.Lists[0].MissingODT != 0 || cs.Lost != 0 {
				t.Fatalf("loss: %+v, kernel drops %d", st, cs.Lost)
			}
			if sent.DTOs != st.Frames || sent.Dropped != 0 {
				t.Fatalf("simulator sent %d DTOs (dropped %d), master decoded %d frames", sent.DTOs, sent.Dropped, st.Frames)
			}
			if err := m.Disconnect(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// quietSlave is the simulator's socket without the error frames: on vcan
// an injected error frame reaches every socket, while on a real bus
// bus-off is the state of one node's own controller (here the master's).
type quietSlave struct{ can.Bus }

func (q quietSlave) Receive(ctx context.Context) (can.Frame, error) {
	for {
		f, err := q.Bus.Receive(ctx)
		if err != nil || !f.Error {
			return f, err
		}
	}
}

// TestSocketCANRecordBusOff injects error-passive and bus-off error frames
// on vcan0 during an unattended recording: the recording is interrupted
// with the bus-off as its cause, resumes by reconnecting, and the DAQ
// statistics and the recording file count the error frames and the
// bus-off.
func TestSocketCANRecordBusOff(t *testing.T) {
	ifname := vcan.ForTest(t)
	ctx := t.Context()
	cc := can.Config{Interface: canbus.SocketCAN, Channel: ifname, CanIDMaster: 0x151, CanIDSlave: 0x152}
	bus, err := canbus.Open(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	slave := newSim(t, sim.Config{}, cc.MaxPacket())
	sc, err := can.NewConn(quietSlave{bus}, cc, can.Slave)
	if err != nil {
		t.Fatal(err)
	}
	defer serveOn(t, slave, sc)()
	connect := func(ctx context.Context) (*master.Master, func() error, error) {
		c, err := canbus.Dial(ctx, cc)
		if err != nil {
			return nil, nil, err
		}
		m := master.New(c, master.Config{Timeouts: master.Timeouts{T1: 300 * time.Millisecond}})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			m.Close()
			return nil, nil, err
		}
		return m, m.Close, nil
	}
	m, closeM, err := connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeM()
	path := filepath.Join(t.TempDir(), "busoff.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "e2e", Options: record.Options{FlushInterval: 50 * time.Millisecond}}
	rec := supervise.Recorder{Lists: []daq.List{{Name: "fast", Event: 1, Measurements: []dto.Measurement{{Name: "counter", Address: sim.RAMBase, Type: dto.U32}}}},
		Options: daq.Options{Sink: sink}, Duration: 3 * time.Second, Reconnect: connect,
		RetryInterval: 100 * time.Millisecond, AttemptTimeout: time.Second, Stall: 2 * time.Second}
	type out struct {
		res supervise.Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		res, err := rec.Run(ctx, m)
		ch <- out{res, err}
	}()
	time.Sleep(time.Second)
	inj, err := canbus.Open(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	for _, f := range []can.Frame{
		can.ErrorFrame(can.ErrClassCtrl|can.ErrClassCnt, [8]byte{1: can.ErrCtrlTxPassive, 6: 128}),
		can.ErrorFrame(can.ErrClassBusOff, [8]byte{}),
	} {
		if err := inj.Send(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	o := <-ch
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if len(o.res.Interruptions) != 1 || !errors.Is(o.res.Interruptions[0].Cause, can.ErrBusOff) || o.res.Interruptions[0].End.IsZero() {
		t.Fatalf("interruptions %+v, want one ended bus-off", o.res.Interruptions)
	}
	st := o.res.Stats
	t.Logf("bus-off during record: %d frames, %d error frames, %d bus-off, interruption %v", st.Frames, st.ErrorFrames, st.BusOff,
		o.res.Interruptions[0].End.Sub(o.res.Interruptions[0].Start).Round(time.Millisecond))
	if st.ErrorFrames != 2 || st.BusOff != 1 || st.Frames == 0 {
		t.Fatalf("stats %+v", st)
	}
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for range r.All() {
		n++
	}
	if fs := r.Stats(); fs.BusOff != 1 || fs.BusErrorFrames != 2 || len(fs.Interruptions) != 1 || uint64(n) != st.Frames {
		t.Fatalf("recording: %d frames (want %d), stats %+v", n, st.Frames, fs)
	}
}
