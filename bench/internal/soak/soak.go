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
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

	// phantom, for the tests, adds this many frames to the slave's
	// count of sent frames in the middle of the first file: frames that
	// went missing without any loss counter or interruption noticing, which
	// the soak must report as a problem.
	phantom uint64
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
	InFlight                           int64 // sent during interruptions, not received (see Gaps)
	// Gaps lists, per interruption, the frames the slave sent between the
	// last frame the master received and the detection of the
	// interruption, which nobody received (a dying slave's last datagrams).
	Gaps                              []Gap
	Faults                            map[string]int
	RSSFirst, RSSMin, RSSMax, RSSLast uint64 // after the first file
	HeapMax                           uint64 // largest Go heap in use while recording
	// LiveMin and LiveMax bound the Go heap that survived the last GC
	// (runtime/metrics /gc/heap/live:bytes) while recording, after the
	// first file: memory that grows shows here first.
	LiveMin, LiveMax uint64
	Elapsed          time.Duration
	LongestRun       time.Duration // longest Recorder.Run beyond its duration
	Problems         []string
}

// Gap is the account of one interruption: the slave's frames that were
// sent after the last frame received before it (the stored start) and
// before it was detected, and never received.
type Gap struct {
	File       string
	Start, End time.Time // as stored in the file (End zero: open at the file's end)
	Cause      string
	// LastSent is when the slave took the last sample received before
	// the interruption (its clock in the DTO): the lost frames were sent
	// after it (to within gapSlack and one event cycle) and before
	// Detected; Start - LastSent is how far the master was behind.
	LastSent, Detected time.Time
	Lost               uint64 // frames sent in the window, not received
}

func (g Gap) String() string {
	end := "open"
	if !g.End.IsZero() {
		end = g.End.UTC().Format("15:04:05.000")
	}
	return fmt.Sprintf("%d frames sent during the interruption %s–%s not received (sent %s–%s, the master %v behind; %s, %s)",
		g.Lost, g.Start.UTC().Format("15:04:05.000"), end, g.LastSent.UTC().Format("15:04:05.000"), g.Detected.UTC().Format("15:04:05.000"),
		g.Start.Sub(g.LastSent).Round(time.Millisecond), filepath.Base(g.File), g.Cause)
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
	fmt.Fprintf(&b, "loss: missing ODTs %d, transport (CTR gaps) %d, receive buffers %d, recorder %d, incomplete samples %d, overload PIDs+events %d (armed %d); sent during interruptions, not received %d\n",
		r.MissingODT, r.TransportLost, r.Dropped, r.SinkDropped, r.Incomplete, r.OverloadSeen, r.Overloads, r.InFlight)
	fmt.Fprintf(&b, "account: slave sent %d = received %d + counted lost %d + sent during interruptions %d (%d of %d interruptions lost frames)\n",
		r.SlaveSent, r.Frames, r.TransportLost, r.InFlight, lossyGaps(r.Gaps), len(r.Gaps))
	for _, g := range r.Gaps {
		if g.Lost > 0 {
			fmt.Fprintf(&b, "  %v\n", g)
		}
	}
	fmt.Fprintf(&b, "RSS while recording, after the first file: first %.1f MiB, min %.1f, max %.1f, last %.1f MiB; Go heap live after GC %.1f–%.1f MiB, in use at most %.1f MiB; longest stop after the duration %v\n",
		mib(r.RSSFirst), mib(r.RSSMin), mib(r.RSSMax), mib(r.RSSLast), mib(r.LiveMin), mib(r.LiveMax), mib(r.HeapMax), r.LongestRun.Round(time.Millisecond))
	if len(r.Problems) == 0 {
		b.WriteString("problems: none\n")
	} else {
		fmt.Fprintf(&b, "problems (%d):\n  %s\n", len(r.Problems), strings.Join(r.Problems, "\n  "))
	}
	return b.String()
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }

func lossyGaps(gs []Gap) (n int) {
	for _, g := range gs {
		if g.Lost > 0 {
			n++
		}
	}
	return n
}

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
			m := dto.Measurement{Name: fmt.Sprint("v", j), Address: sim.ScratchBase + uint32(8*j), Type: dto.U32}
			if i == 0 && j == 0 {
				// The first DTO of each cycle carries the slave's clock
				// (time_us, its low word): when the slave took the sample.
				m = dto.Measurement{Name: "time_us", Address: timeUSAddr, Type: dto.U32}
			}
			l.Measurements = append(l.Measurements, m)
		}
		lists = append(lists, l)
		per -= n
	}
	return cfg, lists
}

// timeUSAddr is the simulator's variable time_us (µs since its start).
const timeUSAddr = sim.RAMBase + 0x18

// slaveTime returns the slave clock (µs, low word) in a DTO of the first
// ODT of the first DAQ list (IDRelODTAbsDAQWord: PID, DAQ word, value).
func slaveTime(d []byte) (uint32, bool) {
	if len(d) != 7 || d[0] != 0 || d[1] != 0 || d[2] != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(d[3:]), true
}

// slave is the simulator that faults kill and restart on one port.
type slave struct {
	cfg   sim.Config
	proto string
	port  int

	mu     sync.Mutex
	s      *sim.Slave
	dying  *sim.Slave // being killed: its counts are not in sent yet
	cancel context.CancelFunc
	done   chan struct{}
	// counters of the instances that were killed
	sent, dropped uint64
	// starts are the start times of the instances (just before sim.New:
	// at most a few µs before the slave clock's zero).
	starts []time.Time
}

func (sl *slave) start() error {
	t0 := time.Now()
	s, err := sim.New(sl.cfg)
	if err != nil {
		return err
	}
	sl.mu.Lock()
	sl.starts = append(sl.starts, t0)
	sl.mu.Unlock()
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
	sl.s, sl.dying = nil, s
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
	sl.dying = nil
	sl.mu.Unlock()
}

// totals returns the DTOs sent and dropped by every instance so far.
func (sl *slave) totals() (sent, dropped uint64) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sent, dropped = sl.sent, sl.dropped
	for _, s := range []*sim.Slave{sl.s, sl.dying} {
		if s != nil {
			st := s.DAQStats()
			sent += st.DTOs
			dropped += st.Dropped
		}
	}
	return sent, dropped
}

// settled returns the count of sent frames once it stopped changing: at
// an interruption the slave's connection is gone and its DAQ stopped, but
// an event channel may still be handing its last batch to the dead
// connection (counted as sent, not received). It waits until a killed
// instance is gone and for 100 ms without a change, at most 2 s.
func (sl *slave) settled() uint64 {
	sent, _ := sl.totals()
	for start, same := time.Now(), time.Now(); time.Since(start) < 2*time.Second && (time.Since(same) < 100*time.Millisecond || sl.killing()); {
		time.Sleep(5 * time.Millisecond)
		if n, _ := sl.totals(); n != sent {
			sent, same = n, time.Now()
		}
	}
	return sent
}

// killing reports whether an instance is being killed (its count is
// final once it is gone).
func (sl *slave) killing() bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.dying != nil
}

// addPhantom counts n frames as sent that were never sent (tests).
func (sl *slave) addPhantom(n uint64) {
	sl.mu.Lock()
	sl.sent += n
	sl.mu.Unlock()
}

// sentAt is the slave's count of sent frames at a time.
type sentAt struct {
	t    time.Time
	sent uint64
}

// sampleSent samples the slave's count of sent frames every millisecond
// into *into until stop is closed (the slice is reused from file to file).
func sampleSent(sl *slave, into *[]sentAt, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			sent, _ := sl.totals()
			*into = append(*into, sentAt{now, sent})
		}
	}
}

// sentBefore returns the last sampled count at or before t (0 if none).
func sentBefore(samples []sentAt, t time.Time) uint64 {
	i := sort.Search(len(samples), func(i int) bool { return samples[i].t.After(t) })
	if i == 0 {
		return 0
	}
	return samples[i-1].sent
}

// sendTime returns when the slave instance that ran at wall time read
// took a sample with clock us (µs, low word), or false if no instance
// fits.
func (sl *slave) sendTime(us uint32, read time.Time) (time.Time, bool) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for i := len(sl.starts) - 1; i >= 0; i-- {
		st := sl.starts[i]
		if st.After(read) {
			continue
		}
		// The clock's low word wrapped every 71.6 minutes.
		wraps := uint64(read.Sub(st)/time.Microsecond) >> 32
		t := st.Add(time.Duration(wraps<<32+uint64(us)) * time.Microsecond)
		if t.After(read.Add(time.Millisecond)) && wraps > 0 {
			t = t.Add(-(1 << 32) * time.Microsecond)
		}
		if !t.After(read.Add(time.Millisecond)) {
			return t, true
		}
	}
	return time.Time{}, false
}

// countingSink counts the frames handed to the recording file and keeps
// the slave clock of the last sample that carries it, with the wall time
// it was handed over.
type countingSink struct {
	*recorder.FileSink
	n atomic.Uint64

	mu     sync.Mutex
	lastUS uint32
	lastAt time.Time
	has    bool
}

func (c *countingSink) Frames(batch []dto.Frame) error {
	c.n.Add(uint64(len(batch)))
	for i := len(batch) - 1; i >= 0 && i >= len(batch)-1000; i-- {
		if us, ok := slaveTime(batch[i].Data); ok {
			c.mu.Lock()
			c.lastUS, c.lastAt, c.has = us, time.Now(), true
			c.mu.Unlock()
			break
		}
	}
	return c.FileSink.Frames(batch)
}

// last returns the slave clock of the last sample seen and when.
func (c *countingSink) last() (uint32, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastUS, c.lastAt, c.has
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
	var samples []sentAt
	bufs := &daq.Buffers{} // every file's measurement reuses the receive buffers
	start := time.Now()
	for i := 0; time.Since(start) < cfg.Duration && ctx.Err() == nil; i++ {
		fd := min(cfg.FileDuration, cfg.Duration-time.Since(start))
		if fd < time.Second {
			break
		}
		if err := runFile(ctx, cfg, sl, lists, filepath.Join(dir, fmt.Sprintf("soak-%03d.xlog", i)), fd, rng, rep, &samples, bufs); err != nil {
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
func runFile(ctx context.Context, cfg Config, sl *slave, lists []daq.List, path string, dur time.Duration, rng *rand.Rand, rep *Report, counts *[]sentAt, bufs *daq.Buffers) error {
	if sl.current() == nil {
		if err := sl.start(); err != nil {
			return fmt.Errorf("restart the simulator: %w", err)
		}
	}
	// Faults armed for a re-connection at the end of the previous file
	// must not hit this file's first set-up (Run returns such errors).
	sl.current().ClearFaults()
	// A master of the previous file whose DISCONNECT an armed fault ate
	// still holds the slave over UDP (a datagram slave cannot tell it is
	// gone; it serves one master at a time): drop it, as a power cycle
	// would.
	sl.current().Disconnect()
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
	*counts = (*counts)[:0]
	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go sampleSent(sl, counts, stopSampling, sampled)
	file := &countingSink{FileSink: &recorder.FileSink{Path: path, Tool: "goxcp soak"}}
	// At each interruption's detection: what the slave had sent and the
	// file had received so far. The slave sends nothing more until the
	// measurement resumes (its connection is gone, its DAQ stopped).
	var dets []detection
	rec := supervise.Recorder{Lists: lists, Options: daq.Options{Sink: file, SeparateLists: true, Buffers: bufs}, Duration: dur,
		Reconnect: sl.connect, RetryInterval: 200 * time.Millisecond, AttemptTimeout: time.Second, Stall: time.Second,
		OnInterruption: func(in supervise.Interruption) {
			if in.End.IsZero() {
				sent := sl.settled()
				d := detection{sent: sent - sent0, recv: file.n.Load(), at: time.Now()}
				if us, at, ok := file.last(); ok {
					d.lastSent, d.hasLast = sl.sendTime(us, at)
				}
				dets = append(dets, d)
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
	var phantom <-chan time.Time
	if cfg.phantom > 0 && rep.Files == 0 {
		phantom = time.After(dur / 2)
	}
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
				live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
				metrics.Read(live)
				if live[0].Value.Kind() == metrics.KindUint64 {
					v := live[0].Value.Uint64()
					if rep.LiveMin == 0 {
						rep.LiveMin = v
					}
					rep.LiveMin, rep.LiveMax = min(rep.LiveMin, v), max(rep.LiveMax, v)
				}
			}
		case <-phantom:
			sl.addPhantom(cfg.phantom)
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
	close(stopSampling)
	<-sampled
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
	if st.Dropped > 0 || st.SinkDropped > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: the master lost %d frames in its buffers and %d in the recorder", path, st.Dropped, st.SinkDropped))
	}
	if len(dets) != len(res.Interruptions) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d interruptions announced, %d in the result", path, len(dets), len(res.Interruptions)))
	}
	stored, fileStart := checkFile(path, res, samples, rep)
	account(path, sent1-sent0, file.n.Load(), st, dets, stored, fileStart, sent0, *counts, rep)
	if !cfg.Keep {
		os.Remove(path)
	}
	// The check's memory is not the recorder's: give it back before the
	// next file, so that the RSS sampled while recording is the
	// recording's.
	debug.FreeOSMemory()
	return nil
}

// account checks that every frame the slave sent (sent, since the file
// began) was received (recv, handed to the file) or counted lost:
// between interruptions exactly; for each interruption, the frames sent
// after the last frame received before it and before its detection (dets:
// the counts at each detection) are listed as a Gap with the window the
// file stores, after checking that everything the slave had sent before
// that window was received (samples: the slave's count over time).
// detection is the state at an interruption's detection: the frames the
// slave had sent and the file had received since the file began, and when
// the slave took the last sample received (its clock in the DTO).
type detection struct {
	sent, recv uint64
	at         time.Time
	lastSent   time.Time
	hasLast    bool
}

func account(path string, sent, recv uint64, st daq.Stats, dets []detection, stored []record.Interruption, fileStart time.Time,
	sent0 uint64, samples []sentAt, rep *Report) {
	if recv != st.Frames {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: the recorder received %d frames, the file was given %d", path, st.Frames, recv))
	}
	var prevSent, prevRecv uint64
	for i, d := range dets {
		g := Gap{File: path}
		if i < len(stored) {
			in := stored[i]
			g.Start, g.Cause = fileStart.Add(time.Duration(in.Start)), in.Cause
			if in.End != 0 {
				g.End = fileStart.Add(time.Duration(in.End))
			}
		}
		dSent, dRecv := d.sent-prevSent, d.recv-prevRecv
		if d.sent < prevSent || dRecv > dSent {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: up to the interruption at %s the slave sent %d frames, %d were received",
				path, g.Start.UTC().Format("15:04:05.000"), dSent, dRecv))
			prevSent, prevRecv = d.sent, d.recv
			continue
		}
		g.Lost = dSent - dRecv
		g.Detected = d.at
		// The frames not received were sent inside the interruption: all
		// the slave had sent until shortly before it took the last sample
		// received (its clock in the DTO, whatever the master's lag in
		// reading it) was received.
		g.LastSent = g.Start
		if d.hasLast {
			g.LastSent = d.lastSent
		} else if g.Lost > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d frames lost at the interruption at %s, no sample with the slave's clock received before it",
				path, g.Lost, g.Start.UTC().Format("15:04:05.000")))
		}
		if before := sentBefore(samples, g.LastSent.Add(-gapSlack)); before > sent0+prevSent {
			if n := before - sent0 - prevSent; n > dRecv+st.TransportLost {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d frames sent before the interruption at %s (by %s) were not received nor counted lost",
					path, n-dRecv-st.TransportLost, g.Start.UTC().Format("15:04:05.000"), g.LastSent.Add(-gapSlack).UTC().Format("15:04:05.000")))
			}
		}
		rep.Gaps = append(rep.Gaps, g)
		rep.InFlight += int64(g.Lost)
		prevSent, prevRecv = d.sent, d.recv
	}
	// After the last interruption (or in a file without one) the account
	// is exact: every frame received or counted lost.
	lastSent, lastRecv := sent-prevSent, recv-prevRecv
	if lastSent != lastRecv+st.TransportLost && (len(dets) == 0 || lastSent > lastRecv+st.TransportLost) {
		what := "without an interruption"
		if len(dets) > 0 {
			what = "after the last interruption"
		}
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %s the slave sent %d DTOs, received %d + %d counted lost: %d unaccounted",
			path, what, lastSent, lastRecv, st.TransportLost, int64(lastSent)-int64(lastRecv)-int64(st.TransportLost)))
	}
}

// gapSlack is how long before the stored start of an interruption (when
// the last frame arrived) a frame may have been sent and still be lost
// with the connection: the slave's count is sampled every millisecond.
const gapSlack = 2 * time.Millisecond

// checkFile converts the file (counting samples), compares it with what
// the recorder saw and returns the interruptions it stores and its start.
func checkFile(path string, res supervise.Result, samples uint64, rep *Report) ([]record.Interruption, time.Time) {
	r, err := record.Open(path)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", path, err))
		return nil, time.Time{}
	}
	defer r.Close()
	cr, err := rconv.RunWith(context.Background(), r, &countSink{}, rconv.Options{})
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: convert: %v", path, err))
		return nil, time.Time{}
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
	return fs.Interruptions, r.Meta().Start
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
