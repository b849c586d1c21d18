// Command recsoak is the long run of the unattended-recording soak
// (bench/internal/soak): it records from the simulator over XCP on
// Ethernet into a sequence of recording files while injecting random
// faults — dropped DTOs, overloads, dropped/delayed/corrupt/busy answers,
// disconnects and slave restarts — and prints, per file and at the end,
// the frames the slave sent, received and counted lost, the interruptions,
// whether every file converted with the recorder's samples and
// interruptions, and the RSS. It exits 1 if it found a problem.
//
//	go run ./bench/recsoak -proto tcp -rate 10000 -duration 30m
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"github.com/goxcp/goxcp/bench/internal/soak"
)

func main() {
	var cfg soak.Config
	flag.StringVar(&cfg.Proto, "proto", "tcp", "tcp or udp")
	flag.IntVar(&cfg.Rate, "rate", 10000, "DTOs per second the slave sends (paced by its 10 ms event)")
	flag.DurationVar(&cfg.Duration, "duration", 30*time.Minute, "total time")
	flag.DurationVar(&cfg.FileDuration, "file", time.Minute, "length of one recording file (each is checked and deleted)")
	flag.DurationVar(&cfg.FaultEvery, "fault-every", 5*time.Second, "mean time between faults")
	flag.Uint64Var(&cfg.Seed, "seed", uint64(time.Now().UnixNano()), "random seed")
	flag.StringVar(&cfg.Dir, "dir", "", "directory for the files (default: a temporary one)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the recording files")
	cpuProf := flag.String("cpuprofile", "", "write a CPU profile to this file")
	memProf := flag.String("memprofile", "", "write a heap profile at the end to this file")
	flag.Parse()
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if *memProf != "" {
		defer func() {
			if f, err := os.Create(*memProf); err == nil {
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}()
	}
	cfg.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("recsoak: %s, %d DTO/s, %v, files of %v, a fault every ~%v, seed %d\n", cfg.Proto, cfg.Rate, cfg.Duration, cfg.FileDuration, cfg.FaultEvery, cfg.Seed)
	rep, err := soak.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recsoak:", err)
		os.Exit(1)
	}
	fmt.Print(rep)
	if len(rep.Problems) > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
