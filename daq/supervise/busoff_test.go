package supervise_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// faultyPort is the master's CAN controller on a virtual bus: Inject puts
// error frames into what it receives (only this controller sees them, as
// when its own controller reports bus-off), and while off is set it
// neither sends nor receives, like a controller that left the bus.
type faultyPort struct {
	can.Bus
	inject chan can.Frame
	off    *atomic.Bool
}

func (p *faultyPort) Send(ctx context.Context, f can.Frame) error {
	if p.off.Load() {
		return nil // lost on the wire: nobody answers
	}
	return p.Bus.Send(ctx, f)
}

func (p *faultyPort) Receive(ctx context.Context) (can.Frame, error) {
	for {
		select {
		case f := <-p.inject:
			return f, nil
		default:
		}
		f, err := p.Bus.Receive(ctx)
		if err != nil || !p.off.Load() {
			return f, err
		}
	}
}

// canSlave serves the simulator on a virtual CAN bus.
func canSlave(t *testing.T, cfg can.Config) *virtual.Bus {
	t.Helper()
	bus := virtual.New(virtual.Config{Name: "busoff"})
	s, err := sim.New(sim.Config{MaxCTO: 8, MaxDTO: 8})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := can.NewConn(bus.Open(), cfg, can.Slave)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, sc) }()
	t.Cleanup(func() { cancel(); sc.Close(); <-done })
	return bus
}

// A CAN controller going bus-off during a recording is a lost connection:
// the interruption is recorded with its cause, the error frames and the
// bus-off are counted in the DAQ statistics and stored in the recording,
// and with Reconnect the measurement resumes when the bus is back.
func TestBusOffDuringRecording(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102}
	bus := canSlave(t, cfg)
	var off atomic.Bool
	inject := make(chan can.Frame, 4)
	connect := func(ctx context.Context) (*master.Master, func() error, error) {
		c, err := can.NewConn(&faultyPort{Bus: bus.Open(), inject: inject, off: &off}, cfg, can.Master)
		if err != nil {
			return nil, nil, err
		}
		m := master.New(c, master.Config{Timeouts: master.Timeouts{T1: 100 * time.Millisecond}})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			m.Close()
			return nil, nil, err
		}
		return m, m.Close, nil
	}
	for _, reconnect := range []bool{false, true} {
		name := map[bool]string{false: "ends", true: "resumes"}[reconnect]
		t.Run(name, func(t *testing.T) {
			off.Store(false)
			m, closeM, err := connect(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer closeM()
			path := filepath.Join(t.TempDir(), "busoff.xlog")
			sink := &recorder.FileSink{Path: path, Tool: "test", Options: record.Options{FlushInterval: 20 * time.Millisecond}}
			rec := supervise.Recorder{Lists: counterList(), Options: daq.Options{Sink: sink}, Duration: 1500 * time.Millisecond,
				RetryInterval: 50 * time.Millisecond, AttemptTimeout: 300 * time.Millisecond, Stall: 400 * time.Millisecond}
			if reconnect {
				rec.Reconnect = connect
			}
			type out struct {
				res supervise.Result
				err error
			}
			ch := make(chan out, 1)
			go func() {
				res, err := rec.Run(t.Context(), m)
				ch <- out{res, err}
			}()
			time.Sleep(300 * time.Millisecond)
			inject <- can.ErrorFrame(can.ErrClassCtrl|can.ErrClassCnt, [8]byte{1: can.ErrCtrlTxPassive, 6: 140})
			off.Store(true)
			inject <- can.ErrorFrame(can.ErrClassBusOff, [8]byte{})
			time.Sleep(300 * time.Millisecond) // the controller's restart-ms
			off.Store(false)
			var o out
			select {
			case o = <-ch:
			case <-time.After(10 * time.Second):
				t.Fatal("the recording did not end")
			}
			if reconnect {
				if o.err != nil {
					t.Fatalf("Run: %v", o.err)
				}
				if len(o.res.Interruptions) != 1 || o.res.Interruptions[0].End.IsZero() {
					t.Fatalf("interruptions %+v, want one that ended", o.res.Interruptions)
				}
			} else {
				var ie *supervise.InterruptedError
				if !errors.As(o.err, &ie) || !errors.Is(o.err, transport.ErrConnectionLost) || !errors.Is(o.err, can.ErrBusOff) {
					t.Fatalf("Run error %v, want an *InterruptedError matching ErrConnectionLost and can.ErrBusOff", o.err)
				}
			}
			if c := o.res.Interruptions[0].Cause; !errors.Is(c, can.ErrBusOff) {
				t.Errorf("interruption cause %v, want bus-off", c)
			}
			if st := o.res.Stats; st.BusOff != 1 || st.ErrorFrames != 2 || st.Frames == 0 {
				t.Errorf("stats: %d error frames, %d bus-off, %d frames; want 2, 1, some", st.ErrorFrames, st.BusOff, st.Frames)
			}
			r, err := record.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for range r.All() {
			}
			fs := r.Stats()
			if fs.BusErrorFrames != 2 || fs.BusOff != 1 || len(fs.Interruptions) != 1 || !strings.Contains(fs.Interruptions[0].Cause, "bus off") {
				t.Errorf("recording stats: %d error frames, %d bus-off, interruptions %+v", fs.BusErrorFrames, fs.BusOff, fs.Interruptions)
			}
		})
	}
}
