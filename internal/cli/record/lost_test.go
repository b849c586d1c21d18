package record_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/sim"
)

// serveSim runs a simulator on 127.0.0.1:port (0 = any) over proto until
// the returned kill is called (like `xcp sim` in another process).
func serveSim(t *testing.T, proto string, port int) (int, func()) {
	t.Helper()
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	ready := make(chan int, 1)
	go func() {
		defer close(done)
		err := s.ListenAndServe(ctx, proto, "127.0.0.1:"+strconv.Itoa(port), func(a net.Addr) {
			_, p, _ := net.SplitHostPort(a.String())
			n, _ := strconv.Atoi(p)
			ready <- n
		})
		if err != nil {
			ready <- -1
		}
	}()
	p := <-ready
	if p < 0 {
		cancel()
		t.Fatal("simulator did not start")
	}
	kill := func() { cancel(); <-done }
	t.Cleanup(kill)
	return p, kill
}

func writeLists(t *testing.T) (dir, lists string) {
	dir = t.TempDir()
	lists = filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte(`
[[list]]
name = "fast"
event = 0
measurements = [{ name = "counter", address = 0x100000, type = "U32" }]
`), 0o644)
	return dir, lists
}

// TestRecordLostConnection: the slave dies during `xcp record` over TCP;
// the recording ends within a second, exit code 3, the summary shows the
// interruption and the file holds it (and `xcp convert` reports it).
func TestRecordLostConnection(t *testing.T) {
	port, kill := serveSim(t, "tcp", 0)
	dir, lists := writeLists(t)
	out := filepath.Join(dir, "run.xlog")
	type res struct {
		code           int
		stdout, stderr string
		at             time.Time
	}
	ch := make(chan res, 1)
	go func() {
		code, so, se := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "record", "--daq", lists, "-o", out, "--duration", "30s")
		ch <- res{code, so, se, time.Now()}
	}()
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	kill()
	var r res
	select {
	case r = <-ch:
	case <-time.After(15 * time.Second):
		t.Fatal("xcp record still runs 15 s after the slave died")
	}
	if d := r.at.Sub(killed); d > 1500*time.Millisecond {
		t.Errorf("xcp record ended %v after the slave died", d)
	}
	if r.code != cmdutil.ExitTimeout {
		t.Errorf("exit %d, want %d; stderr: %s", r.code, cmdutil.ExitTimeout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Interruption 1") || !strings.Contains(r.stderr, "connection lost") {
		t.Errorf("summary/stderr do not show the interruption:\n%s\n%s", r.stdout, r.stderr)
	}
	rd, err := record.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range rd.All() {
		n++
	}
	st := rd.Stats()
	rd.Close()
	if n == 0 || !rd.Complete() || len(st.Interruptions) != 1 || st.Interruptions[0].End != 0 || !strings.Contains(st.Interruptions[0].Cause, "connection lost") {
		t.Errorf("file: %d frames, complete %v, interruptions %+v", n, rd.Complete(), st.Interruptions)
	}
	code, stdout, stderr := xcptest.Run("convert", out, "--to", "csv", "-o", filepath.Join(dir, "csv"))
	if code != 0 || !strings.Contains(stdout, "interruption 1") || !strings.Contains(stderr, "measurement interrupted") {
		t.Errorf("convert: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestRecordReconnect: with --reconnect the slave is killed and restarted
// on the same port; the recording continues into the same file, which
// stores the interruption with its end.
func TestRecordReconnect(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			port, kill := serveSim(t, proto, 0)
			dir, lists := writeLists(t)
			out := filepath.Join(dir, "run.xlog")
			type res struct {
				code           int
				stdout, stderr string
			}
			ch := make(chan res, 1)
			go func() {
				code, so, se := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "--protocol", proto, "--timeout", "300ms",
					"record", "--daq", lists, "-o", out, "--duration", "3500ms", "--reconnect", "--stall-timeout", "300ms")
				ch <- res{code, so, se}
			}()
			time.Sleep(500 * time.Millisecond)
			kill()
			time.Sleep(600 * time.Millisecond)
			serveSim(t, proto, port)
			r := <-ch
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "resumed") || !strings.Contains(r.stdout, "Interruption 1") {
				t.Errorf("no resume reported:\n%s\n%s", r.stdout, r.stderr)
			}
			rd, err := record.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			var last int64
			var after int
			for f := range rd.All() {
				if f.Time < last {
					t.Fatalf("frame times go backwards: %d after %d", f.Time, last)
				}
				last = f.Time
				if st := rd.Stats(); len(st.Interruptions) > 0 && f.Time > st.Interruptions[0].Start {
					after++
				}
			}
			st := rd.Stats()
			if len(st.Interruptions) != 1 || st.Interruptions[0].End <= st.Interruptions[0].Start || after == 0 {
				t.Errorf("interruptions %+v, %d frames after the interruption", st.Interruptions, after)
			}
		})
	}
}

// TestSecondToolRefused: `xcp info` against a simulator that records for
// another `xcp record` fails with a clear message; the recording goes on
// and ends normally.
func TestSecondToolRefused(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			port, _ := serveSim(t, proto, 0)
			dir, lists := writeLists(t)
			out := filepath.Join(dir, "run.xlog")
			ch := make(chan int, 1)
			go func() {
				code, _, _ := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "--protocol", proto,
					"record", "--daq", lists, "-o", out, "--duration", "1s", "--no-status")
				ch <- code
			}()
			time.Sleep(300 * time.Millisecond)
			code, _, stderr := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "--protocol", proto, "info")
			if code == 0 || !strings.Contains(stderr, "another master") {
				t.Errorf("second tool: exit %d, %s", code, stderr)
			}
			if code := <-ch; code != 0 {
				t.Errorf("the recording ended with exit %d", code)
			}
		})
	}
}

// TestRecordRefusesExistingFile: like 'xcp config init', -o does not
// replace an existing file without --force.
func TestRecordRefusesExistingFile(t *testing.T) {
	dir, lists := writeLists(t)
	out := filepath.Join(dir, "run.xlog")
	os.WriteFile(out, []byte("a finished recording"), 0o644)
	code, _, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out, "--duration", "100ms", "--no-status")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "a finished recording" {
		t.Fatal("the existing file was replaced")
	}
	if code, _, stderr := xcptest.Run("--sim", "record", "--daq", lists, "-o", out, "--duration", "100ms", "--no-status", "--force"); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
}

// TestUDPNobodyListens: a UDP port where nothing listens fails within a
// second with a message that says so (not after 12 s of CONNECT retries).
func TestUDPNobodyListens(t *testing.T) {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	start := time.Now()
	code, _, stderr := xcptest.Run("--host", "127.0.0.1", "--port", strconv.Itoa(port), "--protocol", "udp", "info")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	if code != cmdutil.ExitTimeout || !strings.Contains(stderr, "nothing listens") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
