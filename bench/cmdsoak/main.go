// Command cmdsoak is the long run of the command path's property test: it
// serves the simulator on 127.0.0.1 over TCP and UDP, connects a master to
// each, and for the given duration arms random faults (answers delayed
// before, at and after t1, dropped, duplicated, ERR_CMD_BUSY) before random
// reads, writes and GET_STATUS calls, checking every answer against a model
// of the simulator's memory (internal/cmdcheck). It prints calls, errors
// (by kind) and wrong results — calls that returned a wrong value without
// an error, which must be 0 — and exits with status 1 if there was any.
//
// For every wrong result it writes the call, the bytes expected and
// received and the last frames of the master's trace (a ring of -ring
// lines of its debug log) to the -dump file, so that a cause can be seen.
// -workers runs several callers on each master at once (each on its own
// memory region), -faults sets the share of calls with a fault armed,
// -reorder (UDP) puts a relay between master and simulator that sends that
// share of the simulator's datagrams behind the next one, as a reordering
// network would.
//
// Usage:
//
//	go run ./bench/cmdsoak [-duration 30m] [-proto tcp,udp] [-t1 40ms] [-faults 60] [-workers 1] [-reorder 0] [-every 1m] [-seed N] [-dump cmdsoak-wrong.log]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/internal/cmdcheck"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

type randSource struct{ r *rand.Rand }

func (s randSource) Int(lo, hi int, _ string) int { return lo + s.r.IntN(hi-lo+1) }

// run is one protocol's soak.
type run struct {
	proto  string
	mu     sync.Mutex
	counts []cmdcheck.Counts // per worker, copied after each step
	wrong  []string
	err    error
	start  time.Time
}

// snapshot sums the workers' counts.
func (r *run) snapshot() (cmdcheck.Counts, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := cmdcheck.Counts{ByError: map[string]uint64{}}
	for _, w := range r.counts {
		c.Calls += w.Calls
		c.Errors += w.Errors
		c.Wrong += w.Wrong
		for k, v := range w.ByError {
			c.ByError[k] += v
		}
	}
	return c, append([]string(nil), r.wrong...)
}

// record copies worker w's counts (called by that worker after a step).
func (r *run) record(w int, c cmdcheck.Counts) {
	by := make(map[string]uint64, len(c.ByError))
	for k, v := range c.ByError {
		by[k] = v
	}
	c.ByError = by
	r.mu.Lock()
	r.counts[w] = c
	r.mu.Unlock()
}

func main() {
	dur := flag.Duration("duration", 30*time.Minute, "how long to run")
	protos := flag.String("proto", "tcp,udp", "transports to soak, run at the same time")
	t1 := flag.Duration("t1", 40*time.Millisecond, "the master's t1 (fault delays are drawn around it)")
	every := flag.Duration("every", time.Minute, "progress report interval (0: none)")
	seed := flag.Uint64("seed", 0, "random seed (0: from the clock)")
	trace := flag.String("trace", "", "write the master's whole debug log (frame trace) of each transport to this file prefix (PREFIX-tcp.log, ...)")
	faults := flag.Int("faults", 60, "percentage of calls with a fault armed (1..100)")
	workers := flag.Int("workers", 1, "concurrent callers per master (1..16), each on its own memory region")
	ringN := flag.Int("ring", 400, "trace lines kept for the dump of a wrong result (0: no trace)")
	dump := flag.String("dump", "cmdsoak-wrong.log", "file for the wrong results with their frame traces")
	reorder := flag.Int("reorder", 0, "UDP only: percentage of the simulator's datagrams a relay sends behind the next one, as a reordering network (0..50)")
	flag.Parse()
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if *faults < 1 || *faults > 100 || *workers < 1 || *workers > 16 || *t1 <= 0 || *reorder < 0 || *reorder > 50 {
		fmt.Fprintln(os.Stderr, "cmdsoak: -faults must be 1..100, -workers 1..16, -reorder 0..50, -t1 positive")
		os.Exit(2)
	}
	opt := options{t1: *t1, faults: *faults, workers: *workers, reorder: *reorder, ring: *ringN, trace: *trace, dump: &dumper{path: *dump}}
	fmt.Printf("cmdsoak: %v over %s, t1 %v, faults %d%%, %d worker(s) per master, UDP reordered %d%%, seed %d\n", *dur, *protos, *t1, *faults, *workers, *reorder, *seed)
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var runs []*run
	var wg sync.WaitGroup
	for i, p := range strings.Split(*protos, ",") {
		if p != "tcp" && p != "udp" {
			fmt.Fprintf(os.Stderr, "cmdsoak: -proto: %q is neither tcp nor udp\n", p)
			os.Exit(2)
		}
		r := &run{proto: p}
		runs = append(runs, r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.err = r.soak(ctx, opt, *seed+uint64(100*i))
		}()
	}
	if *every > 0 {
		go func() {
			tk := time.NewTicker(*every)
			defer tk.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tk.C:
					for _, r := range runs {
						c, _ := r.snapshot()
						fmt.Printf("  %s %6.0fs: %d calls, %d errors, %d wrong\n", r.proto, time.Since(r.start).Seconds(), c.Calls, c.Errors, c.Wrong)
					}
				}
			}
		}()
	}
	wg.Wait()
	bad := false
	fmt.Printf("\n%-5s %10s %10s %10s %8s\n", "proto", "duration", "calls", "errors", "wrong")
	for _, r := range runs {
		c, wrong := r.snapshot()
		fmt.Printf("%-5s %10s %10d %10d %8d\n", r.proto, time.Since(r.start).Round(time.Second), c.Calls, c.Errors, c.Wrong)
		keys := make([]string, 0, len(c.ByError))
		for k := range c.ByError {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("      error %-28s %d\n", k, c.ByError[k])
		}
		for _, w := range wrong {
			fmt.Printf("      WRONG: %s\n", w)
		}
		if r.err != nil {
			fmt.Printf("      stopped early: %v\n", r.err)
			bad = true
		}
		if c.Wrong > 0 {
			bad = true
		}
	}
	if opt.dump.n > 0 {
		fmt.Printf("\n%d wrong result(s) with their frame traces in %s\n", opt.dump.n, opt.dump.path)
	}
	if bad {
		os.Exit(1)
	}
}

// options are the soak's settings.
type options struct {
	t1      time.Duration
	faults  int
	workers int
	reorder int
	ring    int
	trace   string
	dump    *dumper
}

// soak serves a simulator over r.proto and runs checks until ctx ends.
func (r *run) soak(ctx context.Context, o options, seed uint64) error {
	r.start = time.Now()
	s, err := sim.New(sim.Config{})
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe(sctx, r.proto, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-served:
		return err
	}
	_, port, _ := net.SplitHostPort(addr.String())
	var p int
	fmt.Sscan(port, &p)
	if r.proto == "udp" && o.reorder > 0 {
		rctx, rstop := context.WithCancel(context.Background())
		relay, rp, err := startReorderRelay(rctx, addr.String(), o.reorder, 2*o.t1, seed)
		if err != nil {
			rstop()
			return err
		}
		defer func() {
			rstop()
			relay.wait()
			fmt.Printf("  %s: %d datagrams reordered by the relay\n", r.proto, relay.count())
		}()
		p = rp
	}
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := eth.Dial(dctx, eth.Config{Protocol: r.proto, Host: "127.0.0.1", Port: p})
	dcancel()
	if err != nil {
		return err
	}
	mcfg := master.Config{Timeouts: master.Timeouts{T1: o.t1, T7: 2 * time.Millisecond}}
	var logw []io.Writer
	if o.trace != "" {
		f, err := os.Create(o.trace + "-" + r.proto + ".log")
		if err != nil {
			return err
		}
		defer f.Close()
		logw = append(logw, f)
	}
	ring := newRing(o.ring)
	if o.ring > 0 {
		logw = append(logw, ring)
	}
	var logger *slog.Logger
	if len(logw) > 0 {
		logger = slog.New(slog.NewTextHandler(io.MultiWriter(logw...), &slog.HandlerOptions{Level: slog.LevelDebug}))
		mcfg.Logger = logger
	}
	m := master.New(conn, mcfg)
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		return err
	}
	checkers := make([]*cmdcheck.Checker, o.workers)
	srcs := make([]randSource, o.workers)
	for w := range checkers {
		src := randSource{rand.New(rand.NewPCG(seed+uint64(w), seed^0x9E3779B97F4A7C15))}
		init := make([]byte, cmdcheck.Size)
		for i := range init {
			init[i] = byte(src.Int(1, 255, ""))
		}
		c, err := cmdcheck.NewAt(ctx, s, m, o.t1, cmdcheck.Base+uint32(w*cmdcheck.Size), init)
		if err != nil {
			return err
		}
		c.FaultPercent = o.faults
		if logger != nil {
			c.Log = func(msg string) { logger.Info(fmt.Sprintf("worker %d: %s", w, msg)) }
		}
		c.Wrong = func(msg string) {
			msg = fmt.Sprintf("worker %d: %s", w, msg)
			if logger != nil {
				logger.Error("WRONG " + msg)
			}
			o.dump.write(r.proto, msg, ring.lines())
			r.mu.Lock()
			if len(r.wrong) < 20 {
				r.wrong = append(r.wrong, msg)
			}
			r.mu.Unlock()
		}
		checkers[w], srcs[w] = c, src
	}
	r.mu.Lock()
	r.counts = make([]cmdcheck.Counts, o.workers)
	r.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, o.workers)
	for w := range checkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := checkers[w]
			for ctx.Err() == nil {
				err := c.Step(ctx, srcs[w])
				r.record(w, c.Counts)
				if err != nil {
					if dl, _ := ctx.Deadline(); time.Now().Before(dl) {
						errs[w] = err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	s.ClearFaults()
	return errors.Join(errs...)
}

// ring keeps the last lines written to it (the master's trace).
type ring struct {
	mu   sync.Mutex
	buf  []string
	next int
	full bool
}

func newRing(n int) *ring { return &ring{buf: make([]string, max(n, 1))} }

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		r.buf[r.next] = l
		r.next++
		if r.next == len(r.buf) {
			r.next, r.full = 0, true
		}
	}
	return len(p), nil
}

func (r *ring) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]string(nil), r.buf[:r.next]...)
	}
	return append(append([]string(nil), r.buf[r.next:]...), r.buf[:r.next]...)
}

// dumper appends wrong results and their traces to a file.
type dumper struct {
	mu   sync.Mutex
	path string
	n    int
}

func (d *dumper) write(proto, msg string, trace []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cmdsoak: %v\n", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "=== WRONG #%d over %s at %s\n%s\n--- the last %d trace lines:\n", d.n, proto, time.Now().UTC().Format(time.RFC3339Nano), msg, len(trace))
	for _, l := range trace {
		fmt.Fprintln(f, l)
	}
	fmt.Fprintln(f)
}
