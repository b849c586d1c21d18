// Command daqingest measures goxcp's DAQ throughput and prints the figures:
//
//   - emit: how many DTOs/s the simulator's free-running event produces
//     when the transport discards them (the simulator alone);
//   - ingest: DTOs/s received over XCP on Ethernet (TCP and UDP on
//     127.0.0.1), decoded and recorded to a file, with every loss counter;
//     -rate paces the slave (DTOs per 10 ms event cycle) instead of the
//     free-running event;
//   - rss: the process's resident memory over a long recording at a fixed
//     rate (-rss-duration, -rss-rate).
//
// Usage:
//
//	go run ./bench/daqingest [-duration 5s] [-rate 3000000] [-proto tcp,udp] [-mode emit,ingest,rss]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/recorder"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/memconn"
)

func main() {
	mode := flag.String("mode", "emit,ingest", "what to measure: emit, ingest, rss (comma separated)")
	protos := flag.String("proto", "tcp,udp", "transports for ingest")
	dur := flag.Duration("duration", 5*time.Second, "duration of each emit/ingest run")
	rate := flag.Int("rate", 0, "ingest: DTOs per second paced by a 10 ms event (0 = free-running event)")
	noRecord := flag.Bool("no-record", false, "ingest: decode only, do not write a recording file")
	rssDur := flag.Duration("rss-duration", 5*time.Minute, "rss: length of the recording")
	rssRate := flag.Int("rss-rate", 10000, "rss: DTOs per second")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	external := flag.Bool("external-sim", false, "ingest: run the simulator in a child process (the CPU figure is then the master's alone)")
	child := flag.String("sim-child", "", "internal: serve a simulator (proto:rate) and report on stdin EOF")
	flag.Parse()
	if *child != "" {
		if err := simChild(*child); err != nil {
			fmt.Fprintln(os.Stderr, "daqingest child:", err)
			os.Exit(1)
		}
		return
	}
	externalSim = *external
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "daqingest:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("goxcp DAQ benchmark: %s/%s, GOMAXPROCS %d, %s\n", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version())
	for _, m := range strings.Split(*mode, ",") {
		var err error
		switch m {
		case "emit":
			err = emit(*dur)
		case "ingest":
			for _, p := range strings.Split(*protos, ",") {
				if err = ingest(p, *dur, *rate, !*noRecord, false); err != nil {
					break
				}
			}
		case "rss":
			err = ingest("tcp", *rssDur, *rssRate, true, true)
		default:
			err = fmt.Errorf("unknown mode %q", m)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "daqingest:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

// discard is the slave side of a connection whose DTO batches vanish.
type discard struct {
	*memconn.Conn
	n atomic.Uint64
}

func (d *discard) SendBatch(_ context.Context, p [][]byte) error {
	d.n.Add(uint64(len(p)))
	return nil
}

// oneU32 is a DAQ list with one 4-byte value: the smallest useful DTO.
func oneU32(name string, event uint16, addr uint32) daq.List {
	return daq.List{Name: name, Event: event, Measurements: []dto.Measurement{{Name: "v", Address: addr, Type: dto.U32}}}
}

func emit(dur time.Duration) error {
	s, err := sim.New(sim.Config{DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQWord}})
	if err != nil {
		return err
	}
	a, b := memconn.Pipe(64)
	d := &discard{Conn: b}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, d)
	m := master.New(a, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		return err
	}
	// 16 lists of one ODT each on the free-running event: 16 DTOs per cycle.
	var lists []daq.List
	for i := range 16 {
		lists = append(lists, oneU32(fmt.Sprint("l", i), 3, sim.RAMBase+uint32(4*i)))
	}
	ses, err := daq.Setup(ctx, m, lists, daq.Options{})
	if err != nil {
		return err
	}
	if err := ses.Start(ctx); err != nil {
		return err
	}
	t0, n0 := time.Now(), d.n.Load()
	time.Sleep(dur)
	n1, t1 := d.n.Load(), time.Now()
	if _, err := ses.Stop(ctx); err != nil {
		return err
	}
	fmt.Printf("emit   simulator alone (free-running event, 16 lists × 1 ODT, U32): %.2f M DTO/s\n",
		float64(n1-n0)/t1.Sub(t0).Seconds()/1e6)
	return nil
}

// externalSim runs the simulator in a child process.
var externalSim bool

// benchSetup returns the simulator configuration and the DAQ lists of an
// ingest run.
func benchSetup(rate int) (sim.Config, []daq.List, string) {
	cfg := sim.Config{MaxDTO: 1024, DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQWord, MaxDaq: 1024, OverloadEvent: true}}
	var lists []daq.List
	if rate > 0 {
		// rate/100 DTOs per 10 ms cycle (a 1 ms ticker loses ticks on a
		// loaded machine): lists of up to 200 ODTs of one U32 each (MAX_DTO
		// is set so that every ODT holds one value).
		per := max(1, rate/100)
		cfg.MaxDTO = 8
		for i := 0; per > 0; i++ {
			n := min(per, 200)
			l := daq.List{Name: fmt.Sprint("l", i), Event: 1}
			for j := range n {
				l.Measurements = append(l.Measurements, dto.Measurement{Name: fmt.Sprint("v", j),
					Address: sim.ScratchBase + uint32(8*j), Type: dto.U32})
			}
			lists = append(lists, l)
			per -= n
		}
		return cfg, lists, fmt.Sprintf("paced %d DTO/s (10 ms event)", rate)
	}
	for i := range 4 {
		lists = append(lists, oneU32(fmt.Sprint("l", i), 3, sim.RAMBase+uint32(4*i)))
	}
	return cfg, lists, "free-running event"
}

// simServer is a simulator serving one master, in this process or a child.
type simServer struct {
	port  int
	sent  func() sim.DAQStats
	close func() sim.DAQStats
}

func startSim(proto string, rate int) (*simServer, error) {
	if externalSim {
		return startChild(proto, rate)
	}
	cfg, _, _ := benchSetup(rate)
	s, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	l, err := eth.Listen(proto, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := l.Accept(ctx)
		if err == nil {
			s.Serve(ctx, c)
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	return &simServer{port: p, sent: s.DAQStats, close: func() sim.DAQStats {
		cancel()
		l.Close()
		<-served
		return s.DAQStats()
	}}, nil
}

// startChild runs `daqingest -sim-child proto:rate`: it prints "PORT n",
// serves until its stdin is closed, then prints "SENT dtos samples".
func startChild(proto string, rate int) (*simServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-sim-child", fmt.Sprintf("%s:%d", proto, rate))
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(outp)
	var port int
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "PORT ") {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("simulator child did not report its port")
	}
	port, _ = strconv.Atoi(strings.TrimPrefix(sc.Text(), "PORT "))
	var final sim.DAQStats
	return &simServer{port: port, sent: func() sim.DAQStats { return sim.DAQStats{} }, close: func() sim.DAQStats {
		in.Close()
		if sc.Scan() {
			fmt.Sscanf(sc.Text(), "SENT %d %d", &final.DTOs, &final.Samples)
		}
		cmd.Wait()
		return final
	}}, nil
}

func simChild(arg string) error {
	proto, r, _ := strings.Cut(arg, ":")
	rate, _ := strconv.Atoi(r)
	cfg, _, _ := benchSetup(rate)
	s, err := sim.New(cfg)
	if err != nil {
		return err
	}
	l, err := eth.Listen(proto, "127.0.0.1:0")
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	fmt.Println("PORT", port)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := l.Accept(ctx)
		if err == nil {
			s.Serve(ctx, c)
		}
	}()
	io.Copy(io.Discard, os.Stdin)
	cancel()
	l.Close()
	<-served
	st := s.DAQStats()
	fmt.Println("SENT", st.DTOs, st.Samples)
	return nil
}

func ingest(proto string, dur time.Duration, rate int, rec, rss bool) error {
	_, lists, what := benchSetup(rate)
	srv, err := startSim(proto, rate)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := srv.port
	conn, err := eth.Dial(ctx, eth.Config{Protocol: proto, Host: "127.0.0.1", Port: p, RecvBuffer: 16 << 20})
	if err != nil {
		return err
	}
	m := master.New(conn, master.Config{})
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		return err
	}
	opts := daq.Options{Chunks: 32, SeparateLists: true} // the paced lists share one event on purpose
	var file *recorder.FileSink
	dir, err := os.MkdirTemp("", "daqingest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if rec {
		file = &recorder.FileSink{Path: filepath.Join(dir, "bench.xlog"), Tool: "daqingest"}
		opts.Sink = file
	}
	ses, err := daq.Setup(ctx, m, lists, opts)
	if err != nil {
		return err
	}
	sent0 := srv.sent()
	if err := ses.Start(ctx); err != nil {
		return err
	}
	t0, cpu0 := time.Now(), cpuTime()
	var rssMin, rssMax, rssFirst, rssLast int64
	if rss {
		tick := time.NewTicker(5 * time.Second)
		end := time.After(dur)
	loop:
		for {
			select {
			case <-tick.C:
				r := readRSS()
				if rssFirst == 0 {
					rssFirst, rssMin = r, r
				}
				rssMin, rssMax, rssLast = min(rssMin, r), max(rssMax, r), r
			case <-end:
				break loop
			}
		}
		tick.Stop()
	} else {
		time.Sleep(dur)
	}
	st, err := ses.Stop(ctx)
	el, cpu := time.Since(t0), cpuTime()-cpu0
	if err != nil {
		return err
	}
	m.Disconnect(ctx)
	m.Close()
	sent := srv.close()
	dtos := sent.DTOs - sent0.DTOs
	var samples uint64
	for _, l := range st.Lists {
		samples += l.Samples
	}
	recorded := "decoded"
	if file != nil {
		fs := file.Stats()
		recorded = fmt.Sprintf("decoded+recorded (%.1f MB file)", float64(fs.FileBytes)/1e6)
	}
	unaccounted := int64(dtos) - int64(st.Frames) - int64(st.TransportLost)
	fmt.Printf("ingest %s %s: received %.2f M DTO/s (%d DTOs, %d samples in %.1fs) %s; slave sent %d; loss: transport %d, buffers %d, recorder %d, incomplete %d, overload %d+%d; unaccounted %d; receive stalls %d\n",
		proto, what, float64(st.Frames)/el.Seconds()/1e6, st.Frames, samples, el.Seconds(), recorded, dtos,
		st.TransportLost, st.Dropped, st.SinkDropped, sumIncomplete(st), sumOverload(st), st.OverloadEvents, unaccounted, st.Stalls)
	who := "simulator, transport, master, decoder, recorder"
	if externalSim {
		who = "transport, master, decoder, recorder; simulator in a child process"
	}
	fmt.Printf("       CPU time of the process (%s): %.2fs of %.2fs on %d cores = %.2f M DTO per CPU-second\n",
		who, cpu.Seconds(), el.Seconds(), runtime.NumCPU(), float64(st.Frames)/cpu.Seconds()/1e6)
	if rss {
		fmt.Printf("rss    %v recording at %d DTO/s over TCP: RSS first %d MB, min %d MB, max %d MB, last %d MB (max-min %.1f MB)\n",
			dur, rate, rssFirst>>20, rssMin>>20, rssMax>>20, rssLast>>20, float64(rssMax-rssMin)/(1<<20))
	}
	return nil
}

func sumIncomplete(st daq.Stats) (n uint64) {
	for _, l := range st.Lists {
		n += l.Incomplete
	}
	return n
}

func sumOverload(st daq.Stats) (n uint64) {
	for _, l := range st.Lists {
		n += l.Overload
	}
	return n
}

// cpuTime returns the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// readRSS returns VmRSS in bytes (0 where /proc is not available).
func readRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

var _ transport.Conn = (*discard)(nil)
