// Command cmdsoak is the long run of the command path's property test: it
// serves the simulator on 127.0.0.1 over TCP and UDP, connects a master to
// each, and for the given duration arms random faults (answers delayed
// before, at and after t1, dropped, duplicated, ERR_CMD_BUSY) before random
// reads, writes and GET_STATUS calls, checking every answer against a model
// of the simulator's memory (internal/cmdcheck). It prints calls, errors
// (by kind) and wrong results — calls that returned a wrong value without
// an error, which must be 0 — and exits with status 1 if there was any.
//
// Usage:
//
//	go run ./bench/cmdsoak [-duration 30m] [-proto tcp,udp] [-t1 40ms] [-every 1m] [-seed N]
package main

import (
	"context"
	"flag"
	"fmt"
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
	proto string
	mu    sync.Mutex
	c     *cmdcheck.Checker
	wrong []string
	err   error
	start time.Time
}

func (r *run) snapshot() (cmdcheck.Counts, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil {
		return cmdcheck.Counts{}, nil
	}
	c := r.c.Counts
	c.ByError = make(map[string]uint64, len(r.c.Counts.ByError))
	for k, v := range r.c.Counts.ByError {
		c.ByError[k] = v
	}
	return c, append([]string(nil), r.wrong...)
}

func main() {
	dur := flag.Duration("duration", 30*time.Minute, "how long to run")
	protos := flag.String("proto", "tcp,udp", "transports to soak, run at the same time")
	t1 := flag.Duration("t1", 40*time.Millisecond, "the master's t1 (fault delays are drawn around it)")
	every := flag.Duration("every", time.Minute, "progress report interval (0: none)")
	seed := flag.Uint64("seed", 0, "random seed (0: from the clock)")
	trace := flag.String("trace", "", "write the master's debug log (frame trace) of each transport to this file prefix (PREFIX-tcp.log, ...)")
	flag.Parse()
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	fmt.Printf("cmdsoak: %v over %s, t1 %v, seed %d\n", *dur, *protos, *t1, *seed)
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
			r.err = r.soak(ctx, *t1, *seed+uint64(i), *trace)
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
	if bad {
		os.Exit(1)
	}
}

// soak serves a simulator over r.proto and runs checks until ctx ends.
func (r *run) soak(ctx context.Context, t1 time.Duration, seed uint64, trace string) error {
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
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := eth.Dial(dctx, eth.Config{Protocol: r.proto, Host: "127.0.0.1", Port: p})
	dcancel()
	if err != nil {
		return err
	}
	mcfg := master.Config{Timeouts: master.Timeouts{T1: t1, T7: 2 * time.Millisecond}}
	if trace != "" {
		f, err := os.Create(trace + "-" + r.proto + ".log")
		if err != nil {
			return err
		}
		defer f.Close()
		mcfg.Logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m := master.New(conn, mcfg)
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		return err
	}
	src := randSource{rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))}
	init := make([]byte, cmdcheck.Size)
	for i := range init {
		init[i] = byte(src.Int(1, 255, ""))
	}
	c, err := cmdcheck.New(ctx, s, m, t1, init)
	if err != nil {
		return err
	}
	if mcfg.Logger != nil {
		c.Log = func(msg string) { mcfg.Logger.Info(msg) }
	}
	c.Wrong = func(msg string) {
		if mcfg.Logger != nil {
			mcfg.Logger.Error("WRONG " + msg)
		}
		if len(r.wrong) < 20 {
			r.wrong = append(r.wrong, msg)
		}
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	for ctx.Err() == nil {
		r.mu.Lock()
		err := c.Step(ctx, src)
		r.mu.Unlock()
		if err != nil {
			if dl, _ := ctx.Deadline(); time.Now().Before(dl) {
				return err
			}
		}
	}
	s.ClearFaults()
	return nil
}
