package main

import (
	"bytes"
	"context"
	encsv "encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The README's "Use it from Go" section shows this program, byte for byte.
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(readme), "\n## Use it from Go\n")
	if !ok {
		t.Fatal(`README.md has no section "## Use it from Go"`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	_, block, ok := strings.Cut(sec, "```go\n")
	if !ok {
		t.Fatal("the section has no ```go block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	if block != string(prog) {
		t.Errorf("the README's Go program differs from examples/usefromgo/main.go; paste the file into the README")
	}
}

// The program against the simulator on 127.0.0.1: settings from a file,
// the A2L from a file or fetched from the slave.
func TestRunAgainstSimulator(t *testing.T) {
	for _, fromSlave := range []bool{false, true} {
		t.Run(fmt.Sprintf("a2l-from-slave=%v", fromSlave), func(t *testing.T) {
			slave, port := simtest.Serve(t, "tcp", sim.Config{})
			dir := t.TempDir()
			cfg := filepath.Join(dir, "xcp.toml")
			toml := fmt.Sprintf("[transport.eth]\nhost = \"127.0.0.1\"\nport = %d\nprotocol = \"tcp\"\n", port)
			if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
				t.Fatal(err)
			}
			a2lFile := ""
			if !fromSlave {
				a2lFile = filepath.Join(dir, "sim.a2l")
				if err := os.WriteFile(a2lFile, []byte(slave.A2L()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "run.xlog")
			var stdout bytes.Buffer
			if err := run(context.Background(), cfg, a2lFile, 300*time.Millisecond, out, &stdout); err != nil {
				t.Fatal(err)
			}
			want := regexp.MustCompile(`^amplitude: 100 -> 50 \ntemp_limit: 80 -> 85 degC\n` +
				`recorded .*run\.xlog: (\d+) frames, 0 lost\nconverted (\d+) samples to .*run\.csv\n$`)
			m := want.FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("output:\n%s\nwant to match %s", &stdout, want)
			}
			if m[1] != m[2] {
				t.Errorf("%s frames recorded but %s samples converted", m[1], m[2])
			}

			// The ECU really holds the new values.
			amp, err := slave.ReadMemory(sim.Parameters()[0].Addr, 0, 4)
			if err != nil {
				t.Fatal(err)
			}
			if got := math.Float32frombits(uint32(amp[0]) | uint32(amp[1])<<8 | uint32(amp[2])<<16 | uint32(amp[3])<<24); got != 50 {
				t.Errorf("amplitude in the ECU = %v, want 50", got)
			}

			r, err := record.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for r.Next() {
			}
			if !r.Complete() {
				t.Error("recording not closed cleanly")
			}
			ms := r.Meta().DAQ.Lists[0].Measurements
			if len(ms) != 2 || ms[0].Name != "waves.sine" || ms[1].Name != "enabled" || ms[1].Conversion == nil {
				t.Errorf("recorded measurements %+v: want waves.sine and enabled with its conversion", ms)
			}

			f, err := os.Open(filepath.Join(dir, "run.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := encsv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "host_ns,slave_ns,waves.sine,enabled" {
				t.Errorf("CSV header %q", rows[0])
			}
			n, _ := strconv.Atoi(m[2])
			if len(rows)-1 != n || n < 10 {
				t.Fatalf("%d CSV rows for %d samples (10 ms event, 300 ms)", len(rows)-1, n)
			}
			peak := 0.0
			for _, row := range rows[1:] {
				v, err := strconv.ParseFloat(row[2], 64)
				if err != nil {
					t.Fatalf("row %q: %v", row, err)
				}
				peak = max(peak, math.Abs(v))
				if row[3] != "on" {
					t.Errorf("row %q: enabled = %q, want the verbal value on", row, row[3])
				}
			}
			// The sine follows the new amplitude 50 (it was 100): over 300 ms
			// of a 1 s period it reaches at least 50·sin 54°.
			if peak > 50.001 || peak < 40 {
				t.Errorf("sine peak %v, want 40..50 after amplitude = 50", peak)
			}
		})
	}
}
