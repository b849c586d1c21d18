package supervise_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// slave is a simulator serving XCP on Ethernet on 127.0.0.1 that a test
// can kill and restart on the same port, like an ECU that resets.
type slave struct {
	t      *testing.T
	proto  string
	port   int
	cancel context.CancelFunc
	done   chan struct{}
}

func startSlave(t *testing.T, proto string, port int) *slave {
	t.Helper()
	return startArmed(t, proto, port, nil)
}

// startArmed is startSlave with fault switches armed (arm) before the
// slave listens.
func startArmed(t *testing.T, proto string, port int, arm func(*sim.Slave)) *slave {
	t.Helper()
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if arm != nil {
		arm(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sl := &slave{t: t, proto: proto, cancel: cancel, done: make(chan struct{})}
	ready := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(sl.done)
		errc <- s.ListenAndServe(ctx, proto, "127.0.0.1:"+itoa(port), func(a net.Addr) { ready <- a })
	}()
	select {
	case a := <-ready:
		switch a := a.(type) {
		case *net.TCPAddr:
			sl.port = a.Port
		case *net.UDPAddr:
			sl.port = a.Port
		}
	case err := <-errc:
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(sl.kill)
	return sl
}

func (s *slave) kill() {
	s.cancel()
	<-s.done
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func dial(proto string, port int) supervise.Connector {
	return func(ctx context.Context) (*master.Master, func() error, error) {
		c, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: "127.0.0.1", Port: port})
		if err != nil {
			return nil, nil, err
		}
		m := master.New(c, master.Config{Timeouts: master.Timeouts{T1: 200 * time.Millisecond}})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			m.Close()
			return nil, nil, err
		}
		return m, func() error {
			dctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if m.Connected() {
				m.Disconnect(dctx)
			}
			return m.Close()
		}, nil
	}
}

// memSink keeps the frames of a measurement.
type memSink struct {
	mu     sync.Mutex
	begins int
	ends   int
	frames []dto.Frame
	ints   [][2]time.Time
	causes []string
	end    daq.Stats
}

func (s *memSink) Begin(daq.Header) error { s.mu.Lock(); s.begins++; s.mu.Unlock(); return nil }
func (s *memSink) Frames(b []dto.Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range b {
		s.frames = append(s.frames, dto.Frame{Time: f.Time, Data: append([]byte(nil), f.Data...)})
	}
	return nil
}
func (s *memSink) End(st daq.Stats) error {
	s.mu.Lock()
	s.ends++
	s.end = st
	s.mu.Unlock()
	return nil
}
func (s *memSink) RecordInterruption(start, end time.Time, cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.ints); n > 0 && s.ints[n-1][0].Equal(start) {
		s.ints[n-1][1] = end
		return
	}
	s.ints = append(s.ints, [2]time.Time{start, end})
	s.causes = append(s.causes, cause)
}

func counterList() []daq.List {
	var addr uint32
	for _, v := range sim.Variables() {
		if v.Name == "counter" {
			addr = v.Addr
		}
	}
	return []daq.List{{Name: "fast", Event: 0, Measurements: []dto.Measurement{{Name: "counter", Address: addr, Type: dto.U32}}}}
}

// TestLostConnection kills the slave mid-measurement: the recorder ends
// within a second over TCP (the closed connection) and within the stall
// watchdog over UDP, closes the sink with what arrived and reports the
// interruption.
func TestLostConnection(t *testing.T) {
	for _, tc := range []struct {
		proto string
		limit time.Duration
	}{{"tcp", time.Second}, {"udp", 1500 * time.Millisecond}} {
		t.Run(tc.proto, func(t *testing.T) {
			sl := startSlave(t, tc.proto, 0)
			m, closeM, err := dial(tc.proto, sl.port)(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer closeM()
			sink := &memSink{}
			rec := supervise.Recorder{Lists: counterList(), Options: daq.Options{Sink: sink}, Duration: 30 * time.Second}
			type out struct {
				res supervise.Result
				err error
				at  time.Time
			}
			ch := make(chan out, 1)
			go func() {
				res, err := rec.Run(t.Context(), m)
				ch <- out{res, err, time.Now()}
			}()
			time.Sleep(300 * time.Millisecond)
			killed := time.Now()
			sl.kill()
			var o out
			select {
			case o = <-ch:
			case <-time.After(10 * time.Second):
				t.Fatal("the recorder still waits 10 s after the slave died")
			}
			if d := o.at.Sub(killed); d > tc.limit {
				t.Errorf("the recorder ended %v after the slave died, want ≤ %v", d, tc.limit)
			}
			var ie *supervise.InterruptedError
			if !errors.As(o.err, &ie) || !errors.Is(o.err, transport.ErrConnectionLost) {
				t.Fatalf("Run error %v, want an *InterruptedError matching transport.ErrConnectionLost", o.err)
			}
			if len(o.res.Interruptions) != 1 || !o.res.Interruptions[0].End.IsZero() {
				t.Errorf("interruptions %+v, want one open", o.res.Interruptions)
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if sink.begins != 1 || sink.ends != 1 || len(sink.frames) == 0 || uint64(len(sink.frames)) != o.res.Stats.Frames {
				t.Errorf("sink: %d begins, %d ends, %d frames; stats %d frames", sink.begins, sink.ends, len(sink.frames), o.res.Stats.Frames)
			}
			if len(sink.ints) != 1 {
				t.Errorf("sink got interruptions %v", sink.ints)
			}
		})
	}
}

// TestReconnect kills the slave and starts it again on the same port: the
// recorder resumes into the same sink, with the interruption's start, end
// and cause, and frame times that keep increasing.
func TestReconnect(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) { reconnect(t, proto, nil) })
	}
	// A slave that is back but refuses the first configuration command
	// (busy right after its reset): the recorder keeps trying.
	t.Run("refused-once", func(t *testing.T) {
		reconnect(t, "tcp", func(s *sim.Slave) { s.InjectError(xcp.CmdFreeDaq, xcp.ErrGeneric, 1) })
	})
}

func reconnect(t *testing.T, proto string, arm func(*sim.Slave)) {
	{
		{
			sl := startSlave(t, proto, 0)
			port := sl.port
			connect := dial(proto, port)
			m, closeM, err := connect(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer closeM()
			sink := &memSink{}
			rec := supervise.Recorder{Lists: counterList(), Options: daq.Options{Sink: sink}, Duration: 2500 * time.Millisecond,
				Reconnect: connect, RetryInterval: 100 * time.Millisecond, AttemptTimeout: 500 * time.Millisecond, Stall: 300 * time.Millisecond}
			ch := make(chan error, 1)
			var res supervise.Result
			go func() {
				var err error
				res, err = rec.Run(t.Context(), m)
				ch <- err
			}()
			time.Sleep(400 * time.Millisecond)
			sl.kill()
			time.Sleep(500 * time.Millisecond)
			startArmed(t, proto, port, arm)
			if err := <-ch; err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(res.Interruptions) != 1 || res.Interruptions[0].End.IsZero() {
				t.Fatalf("interruptions %+v, want one that ended", res.Interruptions)
			}
			in := res.Interruptions[0]
			if d := in.End.Sub(in.Start); d < 400*time.Millisecond || d > 2*time.Second {
				t.Errorf("interruption lasted %v, the slave was away 500 ms", d)
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if sink.begins != 1 || sink.ends != 1 {
				t.Errorf("sink: %d begins, %d ends, want one measurement", sink.begins, sink.ends)
			}
			if len(sink.ints) != 1 || sink.ints[0][1].IsZero() || sink.causes[0] == "" {
				t.Errorf("sink interruptions %v %q", sink.ints, sink.causes)
			}
			var before, after int
			gapStart := in.Start.Sub(res.Start)
			for i, f := range sink.frames {
				if i > 0 && f.Time < sink.frames[i-1].Time {
					t.Fatalf("frame %d at %d ns after frame at %d ns: times go backwards after resuming", i, f.Time, sink.frames[i-1].Time)
				}
				if time.Duration(f.Time) < gapStart {
					before++
				} else {
					after++
				}
			}
			if before == 0 || after == 0 || uint64(len(sink.frames)) != res.Stats.Frames || sink.end.Frames != res.Stats.Frames {
				t.Errorf("%d frames before and %d after the interruption; stats %d, sink end %d", before, after, res.Stats.Frames, sink.end.Frames)
			}
		}
	}
}

// fullDisk is a file that fails like a full disk after limit bytes.
type fullDisk struct {
	f     *os.File
	limit int
	n     int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if d.n+len(p) > d.limit {
		k, _ := d.f.Write(p[:d.limit-d.n])
		d.n += k
		return k, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	k, err := d.f.Write(p)
	d.n += k
	return k, err
}

func (d *fullDisk) Close() error { return d.f.Close() }

// TestDiskFull: the recording file's disk fills up after a few blocks.
// The measurement ends at once with an error naming the file, the frames
// that could not be stored are counted as recorder loss, and the file
// reads back up to the failure.
func TestDiskFull(t *testing.T) {
	sl := startSlave(t, "tcp", 0)
	m, closeM, err := dial("tcp", sl.port)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer closeM()
	path := filepath.Join(t.TempDir(), "full.xlog")
	sink := &recorder.FileSink{Path: path, Tool: "test", Options: record.Options{ChunkSize: 4 << 10, FlushInterval: 20 * time.Millisecond},
		Create: func(p string) (io.Writer, error) {
			f, err := os.Create(p)
			return &fullDisk{f: f, limit: 40 << 10}, err
		}}
	lists := counterList()
	lists[0].Event = 3 // the free-running event: many frames
	rec := supervise.Recorder{Lists: lists, Options: daq.Options{Sink: sink}, Duration: 20 * time.Second}
	start := time.Now()
	res, err := rec.Run(t.Context(), m)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the recording ran %v after the disk was full", d)
	}
	var se *supervise.SinkError
	if !errors.As(err, &se) || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Run error %v, want a *SinkError naming %s and matching ENOSPC", err, path)
	}
	fs := sink.Stats()
	if res.Stats.SinkDropped == 0 && fs.Unwritten == 0 {
		t.Errorf("no recorder loss counted: stats %+v, file %+v", res.Stats, fs)
	}
	if !strings.Contains(res.Stats.SinkError, "no space left") {
		t.Errorf("stats sink error %q", res.Stats.SinkError)
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
	if n == 0 || uint64(n) > fs.Frames-fs.Unwritten {
		t.Errorf("read %d frames back; writer stats %+v", n, fs)
	}
}

// failingSamples is a SampleSink whose disk fills up after n samples.
type failingSamples struct{ n int }

func (f *failingSamples) Begin(daq.Header) error { return nil }
func (f *failingSamples) Sample(*dto.Sample) error {
	if f.n--; f.n < 0 {
		return &os.PathError{Op: "write", Path: "out/fast.csv", Err: syscall.ENOSPC}
	}
	return nil
}
func (f *failingSamples) End(daq.Stats) error { return nil }

// TestSampleSinkFails: a CSV-like sink failing mid-way ends the
// measurement at once, like the recording file.
func TestSampleSinkFails(t *testing.T) {
	sl := startSlave(t, "tcp", 0)
	m, closeM, err := dial("tcp", sl.port)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer closeM()
	rec := supervise.Recorder{Lists: counterList(), Options: daq.Options{SampleSinks: []daq.SampleSink{&failingSamples{n: 50}}}, Duration: 20 * time.Second}
	start := time.Now()
	_, err = rec.Run(t.Context(), m)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("ran %v after the sink failed", d)
	}
	var se *supervise.SinkError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "fast.csv") {
		t.Fatalf("Run error %v, want a *SinkError naming the file", err)
	}
}
