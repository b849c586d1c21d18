package cmdutil

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgress(t *testing.T) {
	type step struct {
		at        time.Duration
		done, tot int64
	}
	ramp := func(every time.Duration, n int, total int64) []step {
		var s []step
		for i := 1; i <= n; i++ {
			s = append(s, step{time.Duration(i) * every, total * int64(i) / int64(n), total})
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		tty   bool
		unit  ProgressUnit
		steps []step
		want  string
	}{
		{name: "terminal: in place, after the delay, at most every refresh", tty: true, unit: ProgressBytes,
			steps: []step{{100 * time.Millisecond, 1024, 4096}, {time.Second, 2048, 4096}, {1050 * time.Millisecond, 2560, 4096}, {2 * time.Second, 3072, 4096}, {2010 * time.Millisecond, 4096, 4096}},
			want: "\rupload: 2.0 KiB of 4.0 KiB (50%), 2.0 KiB/s, 0:01 left\x1b[K" +
				"\rupload: 3.0 KiB of 4.0 KiB (75%), 1.5 KiB/s, 0:01 left\x1b[K" +
				"\rupload: 4.0 KiB of 4.0 KiB (100%), 2.0 KiB/s\x1b[K\n"},
		{name: "terminal: Done redraws a state not shown yet", tty: true, unit: ProgressItems,
			steps: []step{{time.Second, 1, 3}, {1010 * time.Millisecond, 2, 3}},
			want:  "\rupload: 1 of 3 (33%), 1/s, 0:02 left\x1b[K\rupload: 2 of 3 (66%), 2/s, 0:01 left\x1b[K\n"},
		{name: "terminal: a short operation stays quiet", tty: true, unit: ProgressBytes,
			steps: []step{{10 * time.Millisecond, 100, 200}, {20 * time.Millisecond, 200, 200}}},
		{name: "log file: a plain line every 5 s, no \\r", unit: ProgressItems,
			steps: ramp(time.Second, 12, 240),
			want:  "upload: 100 of 240 (41%), 20/s, 0:07 left\nupload: 200 of 240 (83%), 20/s, 0:02 left\n"},
		{name: "log file: a short operation writes nothing", unit: ProgressItems, steps: ramp(time.Second, 4, 16)},
		{name: "large amounts", tty: true, unit: ProgressBytes,
			steps: []step{{time.Hour, 3 << 30, 6 << 30}},
			want:  "\rupload: 3.0 GiB of 6.0 GiB (50%), 873.8 KiB/s, 1:00:00 left\x1b[K\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			clk := &fakeClock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
			start := clk.t
			tm := DefaultProgressTiming()
			tm.Now = clk.now
			p := NewProgress(&out, tc.tty, "upload", tc.unit, tm)
			for _, s := range tc.steps {
				clk.t = start.Add(s.at)
				p.Update(s.done, s.tot)
			}
			before := out.Len()
			p.Done()
			if !tc.tty && out.Len() != before {
				t.Errorf("Done wrote %q off a terminal", out.String()[before:])
			}
			if got := out.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if !tc.tty && strings.Contains(out.String(), "\r") {
				t.Error("a \\r off a terminal")
			}
		})
	}
}

func TestStreamsProgress(t *testing.T) {
	ios, _, _, errOut := Test()
	ios.SetErrTerminal(true)
	ios.SetProgressTiming(ProgressTiming{})
	p := ios.Progress("scan", ProgressItems)
	p.Update(1, 2)
	p.Update(2, 2)
	p.Done()
	if got := errOut.String(); !strings.HasPrefix(got, "\rscan: 1 of 2 (50%)") || !strings.HasSuffix(got, "\n") || strings.Count(got, "\r") != 2 {
		t.Errorf("terminal progress %q", got)
	}
}

// TestProgressOnPseudoTerminal: streams whose stderr is a real terminal
// (as System detects it) draw the progress in place; a pipe gets plain
// lines.
func TestProgressOnPseudoTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		name string
		f    *os.File
		read *os.File
		want string
	}{
		{"terminal", tty, ptmx, "\rupload: 512 B of 1.0 KiB (50%)"},
		{"pipe", w, r, "upload: 512 B of 1.0 KiB (50%)"},
	} {
		ios := &IOStreams{ErrOut: tc.f, errTTY: isTerminal(tc.f)}
		ios.SetProgressTiming(ProgressTiming{})
		p := ios.Progress("upload", ProgressBytes)
		p.Update(512, 1024)
		p.Update(1024, 1024)
		p.Done()
		tc.f.Close()
		got, _ := io.ReadAll(tc.read) // a closed pseudo-terminal ends with EIO
		s := string(got)
		if !strings.Contains(s, tc.want) || !strings.Contains(s, "1.0 KiB of 1.0 KiB (100%)") {
			t.Errorf("%s: %q, want %q and the end", tc.name, s, tc.want)
		}
		if tc.f == w && strings.Contains(s, "\r") {
			t.Errorf("pipe: a \\r in %q", s)
		}
	}
}
