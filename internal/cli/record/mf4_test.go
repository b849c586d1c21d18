package record_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/mdf4"
)

const mf4KillChildEnv = "GOXCP_RECORD_MF4_KILL_CHILD"

// mf4KillChild is the recorder process of TestRecordMF4Kill9: `xcp --sim
// record -o OUT.mf4` until it is killed.
func mf4KillChild() {
	out := os.Getenv(mf4KillChildEnv)
	lists := filepath.Join(filepath.Dir(out), "lists.toml")
	code, _, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out, "--duration", "2m", "--no-status")
	fmt.Fprint(os.Stderr, stderr)
	os.Exit(code)
}

const simLists = `
[[list]]
name = "fast"
event = "1ms"
timestamps = true
signals = ["counter", "waves.sine", "mode"]

[[list]]
name = "slow"
event = "100ms"
signals = ["counter16", "enabled"]
`

// TestRecordMF4 records the simulator into an MDF file directly: at the
// end the journal is gone and the MDF file holds every list with units
// and conversions.
func TestRecordMF4(t *testing.T) {
	dir := t.TempDir()
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte(simLists), 0o644)
	out := filepath.Join(dir, "run.mf4")
	runXCP(t, "--sim", "record", "--daq", lists, "-o", out, "--duration", "300ms", "--no-status")
	if _, err := os.Stat(out + ".xlog"); !os.IsNotExist(err) {
		t.Fatalf("journal left: %v", err)
	}
	f, err := mdf4.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.Groups) != 2 || f.Groups[0].Name != "fast" || f.Groups[0].Samples < 10 || f.Groups[1].Samples < 1 {
		t.Fatalf("groups %+v", f.Groups)
	}
	names := []string{}
	for _, c := range f.Groups[0].Channels {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "time,host_time,counter,waves.sine,mode" {
		t.Errorf("channels %q", names)
	}
	mode := f.Groups[0].Channels[4]
	if mode.Conversion == nil || !mode.Conversion.Text() {
		t.Errorf("mode: conversion %+v", mode.Conversion)
	}
	if f.Groups[1].Master.Comment == "" || len(f.Groups[1].Channels) != 3 {
		t.Errorf("slow list (host time master): %+v", f.Groups[1].Channels)
	}
}

// TestRecordMF4Kill9: a recorder killed with -9 leaves its journal; `xcp
// convert --repair` completes the MDF file from it, losing at most about
// a second before the kill.
func TestRecordMF4Kill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lists.toml"), []byte(simLists), 0o644)
	out := filepath.Join(dir, "killed.mf4")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mf4KillChildEnv+"="+out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var started time.Time
	for {
		st, err := os.Stat(out + ".xlog")
		if err == nil && started.IsZero() {
			started = time.Now()
		}
		if err == nil && st.Size() > 20<<10 && time.Since(started) > 1500*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("recorder wrote too little: %v %s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("recorder did not die by SIGKILL: %s", stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("MDF file before repair: %v", err)
	}
	runXCP(t, "convert", "--repair", out)
	if _, err := os.Stat(out + ".xlog"); !os.IsNotExist(err) {
		t.Fatalf("journal left after repair: %v", err)
	}
	f, err := mdf4.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := f.Groups[0]
	host := g.Channels[1]
	var last float64
	var n uint64
	for r := f.Records(g); r.Next(); n++ {
		h := host.Float(r.Record())
		if h < last {
			t.Fatalf("record %d: host time %v before %v", n, h, last)
		}
		last = h
	}
	if n != g.Samples || n < 100 {
		t.Fatalf("%d records of %d", n, g.Samples)
	}
	lost := killed.Sub(f.Header.Start.Add(time.Duration(last * 1e9)))
	t.Logf("recovered %d samples; the last one %v before the kill", n, lost)
	if lost > 1500*time.Millisecond {
		t.Errorf("lost %v before the kill (want about 1 s at most)", lost)
	}
}
