package record

import (
	"fmt"
	"io"
	"time"

	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/recorder"
)

// statusLine prints the progress of a recording: on a terminal one line
// rewritten with \r, elsewhere (a log file) a plain line every
// plainEvery reports.
type statusLine struct {
	w    io.Writer
	file *recorder.FileSink
	tty  bool
	n    int
}

// plainEvery is how many status reports make one plain line.
const plainEvery = 10

func newStatusLine(w io.Writer, file *recorder.FileSink, tty bool) *statusLine {
	return &statusLine{w: w, file: file, tty: tty}
}

func (s *statusLine) print(st supervise.Status) {
	s.n++
	if !s.tty && s.n%plainEvery != 1 && plainEvery > 1 {
		return
	}
	mb := float64(st.Stats.Bytes) / 1e6
	what := "received"
	if s.file != nil {
		mb = float64(s.file.Stats().FileBytes) / 1e6
		what = "written"
	}
	state := ""
	if st.Interrupted {
		state = "  WAITING FOR THE SLAVE"
	}
	if st.Stats.SinkError != "" {
		state += "  WRITE ERROR: " + st.Stats.SinkError
	}
	line := fmt.Sprintf("%7.1fs  %10.0f samples/s  %8.2f MB %s  %d frames  lost %d  interruptions %d%s",
		st.Elapsed.Seconds(), st.Rate, mb, what, st.Stats.Frames, st.Stats.Lost(), st.Interruptions, state)
	if s.tty {
		fmt.Fprintf(s.w, "\r%s   ", line)
		return
	}
	fmt.Fprintln(s.w, line)
}

// printInterruption reports the begin and end of an interruption.
func printInterruption(w io.Writer, tty bool, in supervise.Interruption) {
	nl := ""
	if tty {
		nl = "\n"
	}
	if in.End.IsZero() {
		fmt.Fprintf(w, "%sxcp: measurement interrupted at %s: %v\n", nl, in.Start.Format("15:04:05.000"), in.Cause)
		return
	}
	fmt.Fprintf(w, "%sxcp: measurement resumed at %s after %v\n", nl, in.End.Format("15:04:05.000"), in.End.Sub(in.Start).Round(time.Millisecond))
}
