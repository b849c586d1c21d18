// Package soak is the unattended-recording soak test: it records from the
// simulator (over XCP on Ethernet on 127.0.0.1) into a sequence of
// recording files with daq/supervise while injecting random faults
// through the simulator's fault switches — dropped DTOs, overloads,
// dropped, delayed, corrupt and busy answers during re-connection,
// disconnects and slave restarts — and checks that nothing hangs, that
// every frame the slave sent is received or counted as lost (exactly, for
// files without an interruption), that every file converts with the
// samples the recorder saw and stores its interruptions, and it samples
// the process's RSS. bench/recsoak runs it for long; its test for
// seconds.
package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/bench/internal/procmem"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	rconv "github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

// Config configures a soak run.
type Config struct {
	Proto    string        // "tcp" or "udp"
	Rate     int           // DTOs per second the slave sends (paced by a 10 ms event)
	Duration time.Duration // total time
	// FileDuration is the length of one recording file (default 1 min):
	// each file is checked and deleted, so disk use stays bounded.
	FileDuration time.Duration
	// FaultEvery is the mean time between faults (default 5 s).
	FaultEvery time.Duration
	Seed       uint64
	Dir        string    // for the files (default a temporary directory)
	Log        io.Writer // progress lines (nil: none)
	// Keep keeps the recording files.
	Keep bool
}

// Report is what a soak run found.
type Report struct {
	Files, Interruptions               int
	Frames, Samples, FileFrames        uint64
	SlaveSent, SlaveDropped, Overloads uint64
	TransportLost, Incomplete, Dropped uint64
	MissingODT                         uint64
	SinkDropped, OverloadSeen          uint64
	OpenAtEnd                          int   // files that ended during an interruption
	StopFailures                       int   // files whose final STOP/FREE_DAQ failed (a fault at the end)
	InFlight                           int64 // sent but neither received nor counted, in files with interruptions
	Faults                             map[string]int
	RSSFirst, RSSMin, RSSMax, RSSLast  uint64 // after the first file
	HeapMax                            uint64 // largest Go heap in use while recording
	Elapsed                            time.Duration
	LongestRun                         time.Duration // longest Recorder.Run beyond its duration
	Problems                           []string
}

// String formats the report.
func (r *Report) String() string {
	var b strings.Builder
	var faults []string
	for k, v := range r.Faults {
		faults = append(faults, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(faults)
	fmt.Fprintf(&b, "elapsed %v, %d files, %d interruptions (%d files ended during one, %d with a failed final stop); faults: %s\n", r.Elapsed.Round(time.Second), r.Files, r.Interruptions, r.OpenAtEnd, r.StopFailures, strings.Join(faults, ", "))
	fmt.Fprintf(&b, "frames: slave sent %d (dropped on purpose %d), received %d = %.0f DTO/s, in the files %d; samples %d\n",
		r.SlaveSent, r.SlaveDropped, r.Frames, float64(r.Frames)/r.Elapsed.Seconds(), r.FileFrames, r.Samples)
	fmt.Fprintf(&b, "loss: missing ODTs %d, transport (CTR gaps) %d, receive buffers %d, recorder %d, incomplete samples %d, overload PIDs+events %d (armed %d); in flight at interruptions %d\n",
		r.MissingODT, r.TransportLost, r.Dropped, r.SinkDropped, r.Incomplete, r.OverloadSeen, r.Overloads, r.InFlight)
	fmt.Fprintf(&b, "RSS while recording, after the first file: first %.1f MiB, min %.1f, max %.1f, last %.1f MiB; Go heap in use at most %.1f MiB; longest stop after the duration %v\n",
		mib(r.RSSFirst), mib(r.RSSMin), mib(r.RSSMax), mib(r.RSSLast), mib(r.HeapMax), r.LongestRun.Round(time.Millisecond))
	if len(r.Problems) == 0 {
		b.WriteString("problems: none\n")
	} else {
		fmt.Fprintf(&b, "problems (%d):\n  %s\n", len(r.Problems), strings.Join(r.Problems, "\n  "))
	}
	return b.String()
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }

// setup returns the simulator configuration and lists for rate DTO/s:
// one-value ODTs, rate/100 per cycle of the 10 ms event, or from 100 k
// DTO/s on rate/1000 per cycle of the 1 ms event (fewer ODTs to configure
// at each re-connection).
func setup(rate int) (sim.Config, []daq.List) {
	cfg := sim.Config{MaxDTO: 8, DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQWord, MaxDaq: 1024, OverloadEvent: true}}
	var lists []daq.List
	per, event := max(1, rate/100), uint16(1)
	if rate >= 100000 {
		per, event = rate/1000, 0
	}
	for i := 0; per > 0; i++ {
		n := min(per, 200)
		l := daq.List{Name: fmt.Sprint("l", i), Event: event}
		for j := range n {
			l.Measurements = append(l.Measurements, daq.Measurement{Name: fmt.Sprint("v", j), Address: sim.ScratchBase + uint32(8*j), Type: dto.U32})
		}
		lists = append(lists, l)
		per -= n
	}
	return cfg, lists
}

// slave is the simulator that faults kill and restart on one port.
type slave struct {
	cfg   sim.Config
	proto string
	port  int

	mu     sync.Mutex
	s      *sim.Slave
	cancel context.CancelFunc
	done   chan struct{}
	// counters of the instances that were killed
	sent, dropped uint64
}

func (sl *slave) start() error {
	s, err := sim.New(sl.cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	ready := make(chan error, 1)
	addr := "127.0.0.1:" + strconv.Itoa(sl.getPort())
	go func() {
		defer close(done)
		err := s.ListenAndServe(ctx, sl.proto, addr, func(a net.Addr) {
			_, p, _ := net.SplitHostPort(a.String())
			n, _ := strconv.Atoi(p)
			sl.mu.Lock()
			sl.port = n
			sl.mu.Unlock()
			ready <- nil
		})
		if err != nil {
			ready <- err
		}
	}()
	if err := <-ready; err != nil {
		cancel()
		<-done
		return err
	}
	sl.mu.Lock()
	sl.s, sl.cancel, sl.done = s, cancel, done
	sl.mu.Unlock()
	return nil
}

// kill stops the simulator (its connections close).
func (sl *slave) kill() {
	sl.mu.Lock()
	s, cancel, done := sl.s, sl.cancel, sl.done
	sl.s = nil
	sl.mu.Unlock()
	if s == nil {
		return
	}
	cancel()
	<-done
	st := s.DAQStats()
	sl.mu.Lock()
	sl.sent += st.DTOs
	sl.dropped += st.Dropped
	sl.mu.Unlock()
}

// totals returns the DTOs sent and dropped by every instance so far.
func (sl *slave) totals() (sent, dropped uint64) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sent, dropped = sl.sent, sl.dropped
	if sl.s != nil {
		st := sl.s.DAQStats()
		sent += st.DTOs
		dropped += st.Dropped
	}
	return sent, dropped
}

// current returns the running simulator (nil while killed).
func (sl *slave) current() *sim.Slave {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.s
}

func (sl *slave) getPort() int {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.port
}

func (sl *slave) connect(ctx context.Context) (*master.Master, func() error, error) {
	c, err := eth.Dial(ctx, eth.Config{Protocol: sl.proto, Host: "127.0.0.1", Port: sl.getPort()})
	if err != nil {
		return nil, nil, err
	}
	m := master.New(c, master.Config{Timeouts: master.Timeouts{T1: 200 * time.Millisecond}})
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, func() error {
		dctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if m.Connected() {
			m.Disconnect(dctx)
		}
		return m.Close()
	}, nil
}

// Run runs the soak and reports; the error is for set-up failures (the
// findings are Report.Problems).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.FileDuration <= 0 {
		cfg.FileDuration = time.Minute
	}
	if cfg.FaultEvery <= 0 {
		cfg.FaultEvery = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "goxcp-soak-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	simCfg, lists := setup(cfg.Rate)
	sl := &slave{cfg: simCfg, proto: cfg.Proto}
	if err := sl.start(); err != nil {
		return nil, err
	}
	defer sl.kill()
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	rep := &Report{Faults: map[string]int{}}
	start := time.Now()
	for i := 0; time.Since(start) < cfg.Duration && ctx.Err() == nil; i++ {
		fd := min(cfg.FileDuration, cfg.Duration-time.Since(start))
		if fd < time.Second {
			break
		}
		if err := runFile(ctx, cfg, sl, lists, filepath.Join(dir, fmt.Sprintf("soak-%03d.xlog", i)), fd, rng, rep); err != nil {
			rep.Problems = append(rep.Problems, err.Error())
			break
		}
		fmt.Fprintf(cfg.Log, "%s file %d done: %d frames, %d interruptions so far, RSS %.1f MiB, problems %d\n",
			time.Now().UTC().Format("15:04:05"), i, rep.Frames, rep.Interruptions, mib(procmem.RSS()), len(rep.Problems))
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// runFile records one file while injecting faults, then checks it.
func runFile(ctx context.Context, cfg Config, sl *slave, lists []daq.List, path string, dur time.Duration, rng *rand.Rand, rep *Report) error {
	if sl.current() == nil {
		if err := sl.start(); err != nil {
			return fmt.Errorf("restart the simulator: %w", err)
		}
	}
	// Faults armed for a re-connection at the end of the previous file
	// must not hit this file's first set-up (Run returns such errors).
	sl.current().ClearFaults()
	nProblems := len(rep.Problems)
	defer func() {
		for _, p := range rep.Problems[nProblems:] {
			fmt.Fprintf(cfg.Log, "%s PROBLEM: %s\n", time.Now().UTC().Format("15:04:05"), p)
		}
	}()
	m, release, err := connectRetry(ctx, sl)
	if err != nil {
		return err
	}
	defer release()
	sent0, dropped0 := sl.totals()
	file := &recorder.FileSink{Path: path, Tool: "goxcp soak"}
	var ints int
	rec := supervise.Recorder{Lists: lists, Options: daq.Options{Sink: file}, Duration: dur,
		Reconnect: sl.connect, RetryInterval: 200 * time.Millisecond, AttemptTimeout: time.Second, Stall: time.Second,
		OnInterruption: func(in supervise.Interruption) {
			if in.End.IsZero() {
				ints++
			}
		}}
	type out struct {
		res supervise.Result
		err error
	}
	done := make(chan out, 1)
	t0 := time.Now()
	go func() {
		res, err := rec.Run(ctx, m)
		done <- out{res, err}
	}()
	var o out
	fault := time.NewTimer(nextFault(cfg.FaultEvery, rng))
	hang := time.NewTimer(dur + 30*time.Second)
	rss := time.NewTicker(5 * time.Second)
	defer fault.Stop()
	defer hang.Stop()
	defer rss.Stop()
	var restarts sync.WaitGroup
loop:
	for {
		select {
		case o = <-done:
			break loop
		case <-rss.C:
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			rep.HeapMax = max(rep.HeapMax, ms.HeapInuse)
			if rep.Files > 0 { // after the first file: warmed up
				r := procmem.RSS()
				if rep.RSSFirst == 0 {
					rep.RSSFirst, rep.RSSMin = r, r
				}
				rep.RSSMin, rep.RSSMax, rep.RSSLast = min(rep.RSSMin, r), max(rep.RSSMax, r), r
			}
		case <-hang.C:
			return fmt.Errorf("%s: HANG: the recording of %v still runs after %v", path, dur, time.Since(t0).Round(time.Second))
		case <-fault.C:
			if time.Since(t0) < dur-min(10*time.Second, dur/3) { // no fault at the end: the file ends with a resumed measurement
				inject(sl, rng, rep, &restarts)
			}
			fault.Reset(nextFault(cfg.FaultEvery, rng))
		}
	}
	restarts.Wait()
	if over := time.Since(t0) - dur; over > rep.LongestRun {
		rep.LongestRun = over
	}
	res := o.res
	var se *supervise.StopError
	if errors.As(o.err, &se) {
		// The slave was being faulted as the file ended: the recording is
		// complete, the slave's DAQ could not be stopped.
		rep.StopFailures++
	} else if o.err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: recording ended with %v", path, o.err))
	}
	if sl.current() == nil {
		// A restart was still pending at the end: count the slave's frames.
		if err := sl.start(); err != nil {
			return err
		}
	}
	sent1, dropped1 := sl.totals()
	st := res.Stats
	var samples, incomplete, overload, missingODT uint64
	for _, l := range st.Lists {
		samples += l.Samples
		incomplete += l.Incomplete
		overload += l.Overload
		missingODT += l.MissingODT
	}
	rep.MissingODT += missingODT
	if len(res.Interruptions) == 0 && missingODT != dropped1-dropped0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: the slave dropped %d DTOs on purpose, the recorder counted %d missing ODTs",
			path, dropped1-dropped0, missingODT))
	}
	rep.Files++
	rep.Interruptions += len(res.Interruptions)
	rep.Frames += st.Frames
	rep.Samples += samples
	rep.SlaveSent += sent1 - sent0
	rep.SlaveDropped += dropped1 - dropped0
	rep.TransportLost += st.TransportLost
	rep.Incomplete += incomplete
	rep.Dropped += st.Dropped
	rep.SinkDropped += st.SinkDropped
	rep.OverloadSeen += overload + st.OverloadEvents
	missing := int64(sent1-sent0) - int64(st.Frames) - int64(st.TransportLost)
	if len(res.Interruptions) == 0 && missing != 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: without an interruption the slave sent %d DTOs, received %d + %d counted lost: %d unaccounted",
			path, sent1-sent0, st.Frames, st.TransportLost, missing))
	} else if len(res.Interruptions) > 0 {
		rep.InFlight += missing
	}
	if st.Dropped > 0 || st.SinkDropped > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: the master lost %d frames in its buffers and %d in the recorder", path, st.Dropped, st.SinkDropped))
	}
	if ints != len(res.Interruptions) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d interruptions announced, %d in the result", path, ints, len(res.Interruptions)))
	}
	checkFile(path, res, samples, rep)
	if !cfg.Keep {
		os.Remove(path)
	}
	debug.FreeOSMemory() // the check's memory must not count as the recorder's RSS
	return nil
}

// checkFile converts the file (counting samples) and compares it with
// what the recorder saw.
func checkFile(path string, res supervise.Result, samples uint64, rep *Report) {
	r, err := record.Open(path)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", path, err))
		return
	}
	defer r.Close()
	cr, err := rconv.RunWith(context.Background(), r, &countSink{}, rconv.Options{})
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: convert: %v", path, err))
		return
	}
	fs := cr.Stats
	rep.FileFrames += fs.Frames - fs.Unwritten
	switch {
	case !cr.Complete:
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: not closed cleanly", path))
	case len(cr.Damage) > 0:
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: damaged: %v", path, cr.Damage[0].Error()))
	case fs.Frames != res.Stats.Frames-res.Stats.SinkDropped:
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d frames in the file, the recorder received %d", path, fs.Frames, res.Stats.Frames))
	case cr.Samples != samples:
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: converts to %d samples, the recorder decoded %d", path, cr.Samples, samples))
	case len(fs.Interruptions) != len(res.Interruptions):
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d interruptions stored, %d happened", path, len(fs.Interruptions), len(res.Interruptions)))
	}
	for i, in := range fs.Interruptions {
		// Only the last one may be open: the recording ended during it.
		open := in.End == 0 && i == len(fs.Interruptions)-1
		if (in.End == 0 && !open) || (!open && in.End < in.Start) || in.Cause == "" {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: interruption %+v not resumed or without cause", path, in))
		}
		if open {
			rep.OpenAtEnd++
		}
	}
}

// countSink is a convert.Sink that only counts.
type countSink struct{ n uint64 }

func (c *countSink) Begin(*record.Meta, []rconv.Table) error { return nil }
func (c *countSink) Sample(*dto.Sample) error                { c.n++; return nil }
func (c *countSink) Close() error                            { return nil }

func nextFault(every time.Duration, rng *rand.Rand) time.Duration {
	return every/2 + time.Duration(rng.Int64N(int64(every)))
}

func connectRetry(ctx context.Context, sl *slave) (*master.Master, func() error, error) {
	var err error
	for range 50 {
		var m *master.Master
		var rel func() error
		actx, cancel := context.WithTimeout(ctx, time.Second)
		m, rel, err = sl.connect(actx)
		cancel()
		if err == nil {
			return m, rel, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, nil, fmt.Errorf("connect to the simulator: %w", err)
}

// inject arms one random fault.
func inject(sl *slave, rng *rand.Rand, rep *Report, restarts *sync.WaitGroup) {
	s := sl.current()
	if s == nil {
		return // a restart is under way
	}
	// Faults on the answers hit the commands of the next re-connection.
	armAnswers := func(s *sim.Slave) string {
		switch rng.IntN(4) {
		case 0:
			s.DropResponses(1)
			return "+dropped answer"
		case 1:
			s.DelayResponses(2, time.Duration(50+rng.IntN(300))*time.Millisecond)
			return "+delayed answers"
		case 2:
			s.Busy(1 + rng.IntN(3))
			return "+busy"
		default:
			s.CorruptResponses(1, nil)
			return "+corrupt answer"
		}
	}
	switch k := rng.IntN(10); {
	case k < 3:
		s.DropDTOs(1 + rng.IntN(20))
		rep.Faults["dropped DTOs"]++
	case k < 5:
		n := 1 + rng.IntN(5)
		s.OverloadDTOs(n)
		rep.Overloads += uint64(n)
		rep.Faults["overload"]++
	case k < 7:
		rep.Faults["disconnect"+armAnswers(s)]++
		s.Disconnect()
	default:
		rep.Faults["restart"]++
		sl.kill()
		pause := time.Duration(100+rng.IntN(1900)) * time.Millisecond
		armed := rng.IntN(2) == 0
		var what string
		if armed {
			what = []string{"+dropped answer", "+delayed answers", "+busy", "+corrupt answer"}[rng.IntN(4)]
			rep.Faults["restart"+what]++
			rep.Faults["restart"]--
		}
		restarts.Add(1)
		go func() {
			defer restarts.Done()
			time.Sleep(pause)
			if err := sl.start(); err != nil {
				return
			}
			if s := sl.current(); s != nil && armed {
				switch what {
				case "+dropped answer":
					s.DropResponses(1)
				case "+delayed answers":
					s.DelayResponses(2, 200*time.Millisecond)
				case "+busy":
					s.Busy(2)
				default:
					s.CorruptResponses(1, nil)
				}
			}
		}()
	}
}
