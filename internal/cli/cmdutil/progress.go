package cmdutil

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress shows how far a long operation is (an upload, an A2L fetch,
// an identifier scan) on the status stream. On a terminal it is one line
// rewritten in place with \r — done, total, percent, rate and the time
// left — refreshed at most every 100 ms, shown only once the operation
// has run for half a second (short operations stay quiet) and ended with
// a newline by Done. Elsewhere (a log file, a pipe) it writes a plain
// line every 5 seconds and never a \r.
//
// Update has the signature of the library's progress callbacks
// (master.ReadOptions.Progress, can.ScanConnect), so p.Update can be
// passed directly. A Progress is used by one goroutine.
type Progress struct {
	w     io.Writer
	tty   bool
	label string
	unit  ProgressUnit
	t     ProgressTiming

	start, last time.Time
	shown       bool     // a \r line is on the terminal
	drawn       [2]int64 // done and total of that line
	done, total int64
}

// ProgressUnit says what a Progress counts.
type ProgressUnit int

// Units of a Progress.
const (
	ProgressBytes ProgressUnit = iota // shown as B, KiB, MiB with a rate per second
	ProgressItems                     // plain counts (identifiers)
)

// ProgressTiming are the delays of a Progress; the zero value shows every
// update at once (for tests).
type ProgressTiming struct {
	Delay   time.Duration    // on a terminal: nothing before this much time has passed
	Refresh time.Duration    // on a terminal: at most one redraw per Refresh
	Plain   time.Duration    // elsewhere: one plain line per Plain
	Now     func() time.Time // the clock (nil: time.Now)
}

// DefaultProgressTiming is how a Progress behaves for users.
func DefaultProgressTiming() ProgressTiming {
	return ProgressTiming{Delay: 500 * time.Millisecond, Refresh: 100 * time.Millisecond, Plain: 5 * time.Second}
}

// Progress returns a Progress for label ("upload", "fetch-a2l") on the
// status stream, as a terminal or not as ErrIsTerminal says, with the
// streams' timing (DefaultProgressTiming unless SetProgressTiming).
func (s *IOStreams) Progress(label string, unit ProgressUnit) *Progress {
	t := DefaultProgressTiming()
	if s.progress != nil {
		t = *s.progress
	}
	return NewProgress(s.ErrOut, s.errTTY, label, unit, t)
}

// SetErrTerminal overrides the terminal detection of ErrOut (for tests).
func (s *IOStreams) SetErrTerminal(tty bool) { s.errTTY = tty }

// SetProgressTiming sets the timing of the streams' Progress (for tests).
func (s *IOStreams) SetProgressTiming(t ProgressTiming) { s.progress = &t }

// NewProgress returns a Progress writing to w (a terminal if tty).
func NewProgress(w io.Writer, tty bool, label string, unit ProgressUnit, t ProgressTiming) *Progress {
	if t.Now == nil {
		t.Now = time.Now
	}
	return &Progress{w: w, tty: tty, label: label, unit: unit, t: t, start: t.Now()}
}

// Update records that done of total are finished and shows it when due.
func (p *Progress) Update(done, total int64) {
	p.done, p.total = done, total
	now := p.t.Now()
	el := now.Sub(p.start)
	if p.tty {
		final := total > 0 && done >= total
		if el < p.t.Delay || (!final && p.shown && now.Sub(p.last) < p.t.Refresh) {
			return
		}
		p.last, p.shown, p.drawn = now, true, [2]int64{done, total}
		fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(el))
		return
	}
	if el < p.t.Plain || (!p.last.IsZero() && now.Sub(p.last) < p.t.Plain) {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, p.line(el))
}

// Done ends the progress display: on a terminal it ends the line shown
// (with the final state); elsewhere nothing is written.
func (p *Progress) Done() {
	if !p.tty || !p.shown {
		return
	}
	p.shown = false
	if p.drawn == [2]int64{p.done, p.total} {
		fmt.Fprintln(p.w) // the line shows the final state already
		return
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K\n", p.line(p.t.Now().Sub(p.start)))
}

// line formats "upload: 1.5 MiB of 4.0 MiB (37%), 120.3 KiB/s, 0:21 left".
func (p *Progress) line(el time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s of %s", p.label, p.amount(p.done), p.amount(p.total))
	if p.total > 0 {
		fmt.Fprintf(&b, " (%d%%)", p.done*100/p.total)
	}
	if s := el.Seconds(); s > 0 && p.done > 0 {
		rate := float64(p.done) / s
		if p.unit == ProgressBytes {
			fmt.Fprintf(&b, ", %s/s", p.amount(int64(rate)))
		} else {
			fmt.Fprintf(&b, ", %.0f/s", rate)
		}
		if left := p.total - p.done; left > 0 {
			fmt.Fprintf(&b, ", %s left", clock(time.Duration(float64(left)/rate*float64(time.Second))))
		}
	}
	return b.String()
}

func (p *Progress) amount(n int64) string {
	if p.unit != ProgressBytes {
		return fmt.Sprint(n)
	}
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
