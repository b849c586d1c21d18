// Package monitor is `xcp monitor NAME...`: live physical values of
// measurements by A2L name in the terminal (package live), as a table
// refreshed at a steady rate with min/max, sample rate, a sparkline and
// loss counters; without a terminal, periodic text or JSON lines.
package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/read"
	"github.com/goxcp/goxcp/live"
	"github.com/goxcp/goxcp/master"
)

// Options are the parsed arguments of `xcp monitor`.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	A2L       func(context.Context, *master.Master) (*a2l.Module, error)
	FromSlave func() bool

	Names    []string
	Event    string
	Poll     time.Duration
	PollAll  bool
	Refresh  time.Duration // screen refresh
	Interval time.Duration // line interval without a terminal
	Window   time.Duration
	Duration time.Duration
	JSON     bool
	Plain    bool // lines even on a terminal
}

// NewCmd returns the `xcp monitor` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	cmd := &cobra.Command{
		Use:   "monitor NAME...",
		Short: "Watch measurements by A2L name live: value, min/max, rate, sparkline",
		Long: `Live physical values of measurements (MEASUREMENT names or INSTANCE paths
of the A2L): sampled by DAQ on the event each declares (IF_DATA XCP
DAQ_EVENT) or on --event, polled with uploads (--poll) where there is no
event or with --poll-all. The screen refreshes at a steady rate whatever the
data rate: name, value with unit, min/max since start, samples/s, a
sparkline of the last --window and the DAQ loss counters.

Keys: p or space pause/resume the display, r resets min/max, q or Ctrl-C
quits (DAQ stopped, session closed). Without a terminal (or with --plain)
it prints a line every --interval, or JSON lines with --json, until
--duration or Ctrl-C.`,
		Example: `  xcp --sim monitor counter waves.sine waves.ramp --event 10ms
  xcp --a2l ecu.a2l monitor EngineSpeed CoolantTemp
  xcp --sim monitor counter amplitude --json --duration 3s`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.UsageErrorf("monitor needs at least one measurement name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if opts.Refresh < 10*time.Millisecond || opts.Interval < 10*time.Millisecond || opts.Window < time.Second || opts.Poll <= 0 {
				return cmdutil.UsageErrorf("--refresh and --interval must be at least 10ms, --window at least 1s, --poll positive")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Event, "event", "", "sample signals without a DAQ_EVENT on this event (name or number); default: poll them")
	cmd.Flags().DurationVar(&opts.Poll, "poll", 100*time.Millisecond, "polling interval")
	cmd.Flags().BoolVar(&opts.PollAll, "poll-all", false, "poll every signal (no DAQ)")
	cmd.Flags().DurationVar(&opts.Refresh, "refresh", 100*time.Millisecond, "screen refresh interval")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "line interval without a terminal")
	cmd.Flags().DurationVar(&opts.Window, "window", 10*time.Second, "time span of the sparklines")
	cmd.Flags().DurationVar(&opts.Duration, "duration", 0, "stop after this long (0: until q or Ctrl-C)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON lines (implies --plain)")
	cmd.Flags().BoolVar(&opts.Plain, "plain", false, "print lines even on a terminal")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	mod, _, m, done, err := read.Session(ctx, opts.Connect, opts.A2L, opts.FromSlave(), nil)
	if err != nil {
		return err
	}
	defer done()
	mo, err := live.Start(ctx, m, mod, opts.Names, live.Options{Event: opts.Event, Poll: opts.Poll, PollAll: opts.PollAll, Window: opts.Window, Points: 40})
	if err != nil {
		return err
	}
	stop := func() error { return mo.Stop(context.WithoutCancel(ctx)) }
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	if opts.JSON || opts.Plain || !opts.IO.IsTerminal() {
		err = lines(ctx, opts, mo)
	} else {
		err = screen(ctx, opts, mo)
	}
	if serr := stop(); err == nil {
		err = serr
	}
	return err
}

// lines prints the values every interval until ctx ends.
func lines(ctx context.Context, opts *Options, mo *live.Monitor) error {
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	start := time.Now()
	enc := json.NewEncoder(opts.IO.Out)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		vals := mo.Snapshot()
		stats, ok, perr := mo.Stats()
		if opts.JSON {
			type jv struct {
				Name    string   `json:"name"`
				Value   *float64 `json:"value"`
				Text    string   `json:"text,omitempty"`
				Unit    string   `json:"unit,omitempty"`
				Min     *float64 `json:"min"`
				Max     *float64 `json:"max"`
				Rate    float64  `json:"rate"`
				Samples uint64   `json:"samples"`
			}
			line := struct {
				Time   float64 `json:"time"`
				Values []jv    `json:"values"`
				Lost   uint64  `json:"lost"`
				Error  string  `json:"error,omitempty"`
			}{Time: time.Since(start).Seconds()}
			for _, v := range vals {
				line.Values = append(line.Values, jv{Name: v.Name, Value: num(v.Value), Text: v.Text, Unit: v.Unit, Min: num(v.Min), Max: num(v.Max), Rate: math.Round(v.Rate*10) / 10, Samples: v.Samples})
			}
			if ok {
				line.Lost = stats.Lost()
			}
			if perr != nil {
				line.Error = perr.Error()
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%8.1fs", time.Since(start).Seconds())
		for _, v := range vals {
			fmt.Fprintf(&b, "  %s=%s", v.Name, valueText(v))
		}
		if ok && stats.Lost() > 0 {
			fmt.Fprintf(&b, "  lost=%d", stats.Lost())
		}
		if perr != nil {
			fmt.Fprintf(&b, "  error: %v", perr)
		}
		if _, err := fmt.Fprintln(opts.IO.Out, b.String()); err != nil {
			return err
		}
	}
}

// num is nil for NaN and infinities (no JSON form).
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// valueText renders a value with its unit (or its verbal text).
func valueText(v live.Value) string {
	if math.IsNaN(v.Value) {
		return "-"
	}
	if v.Text != "" {
		return v.Text
	}
	s := strconv.FormatFloat(v.Value, 'g', 6, 64)
	if v.Unit != "" {
		s += " " + v.Unit
	}
	return s
}

func numText(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// Sparkline draws values as block characters scaled to their range (a
// blank where there is no value).
func Sparkline(h []float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range h {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	r := []rune(blocks)
	var b strings.Builder
	for _, v := range h {
		switch {
		case math.IsNaN(v):
			b.WriteRune(' ')
		case hi == lo:
			b.WriteRune(r[3])
		default:
			b.WriteRune(r[int((v-lo)/(hi-lo)*float64(len(r)-1)+0.5)])
		}
	}
	return b.String()
}

type tickMsg time.Time

type model struct {
	opts   *Options
	mo     *live.Monitor
	vals   []live.Value
	lost   string
	perr   error
	paused bool
	start  time.Time
}

func (md *model) Init() tea.Cmd { return md.tick() }

func (md *model) tick() tea.Cmd {
	return tea.Tick(md.opts.Refresh, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (md *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		if !md.paused {
			md.refresh()
		}
		return md, md.tick()
	case tea.KeyMsg:
		for _, k := range keys(msg) {
			switch k {
			case "q", "ctrl+c", "esc":
				return md, tea.Quit
			case "p", " ":
				md.paused = !md.paused
			case "r":
				md.mo.ResetMinMax()
				md.refresh()
			}
		}
	}
	return md, nil
}

// keys splits a key message into the keys typed. Bubbletea delivers the
// printable characters of one terminal read as one message ("rq" when r and
// q arrive together, as they do when the program is busy or the machine is
// loaded); each is a key press of its own here. A bracketed paste is text,
// not keys, and stays whole.
func keys(msg tea.KeyMsg) []string {
	if msg.Type != tea.KeyRunes || msg.Paste || msg.Alt || len(msg.Runes) < 2 {
		return []string{msg.String()}
	}
	ks := make([]string, len(msg.Runes))
	for i, r := range msg.Runes {
		ks[i] = string(r)
	}
	return ks
}

func (md *model) refresh() {
	md.vals = md.mo.Snapshot()
	st, ok, perr := md.mo.Stats()
	md.perr = perr
	md.lost = "polled"
	if ok {
		md.lost = fmt.Sprintf("DAQ frames %d, lost %d (transport %d, dropped %d, overload %d)", st.Frames, st.Lost(), st.TransportLost, st.Dropped, st.OverloadEvents)
	}
}

var (
	bold   = lipgloss.NewStyle().Bold(true)
	dim    = lipgloss.NewStyle().Faint(true)
	accent = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
)

func (md *model) View() string {
	var b strings.Builder
	state := ""
	if md.paused {
		state = "  " + bold.Render("[paused]")
	}
	fmt.Fprintf(&b, "%s  %d signal(s), %.0f s%s\n", bold.Render("xcp monitor"), len(md.vals), time.Since(md.start).Seconds(), state)
	rows := [][]string{{"Name", "Value", "Min", "Max", "Rate/s", "Last " + md.opts.Window.String(), "Source"}}
	for _, v := range md.vals {
		rows = append(rows, []string{v.Name, valueText(v), numText(v.Min), numText(v.Max), strconv.FormatFloat(v.Rate, 'f', 1, 64), Sparkline(v.History), v.Source})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], lipgloss.Width(c))
		}
	}
	for ri, r := range rows {
		for i, c := range r {
			cell := c + strings.Repeat(" ", widths[i]-lipgloss.Width(c))
			switch {
			case ri == 0:
				cell = bold.Render(cell)
			case i == 5:
				cell = accent.Render(cell)
			}
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(md.lost + "\n")
	if md.perr != nil {
		b.WriteString("error: " + md.perr.Error() + "\n")
	}
	b.WriteString(dim.Render("p pause · r reset min/max · q quit") + "\n")
	return b.String()
}

// screen runs the terminal view until q, Ctrl-C or ctx ends.
func screen(ctx context.Context, opts *Options, mo *live.Monitor) error {
	md := &model{opts: opts, mo: mo, start: time.Now()}
	md.refresh()
	var in io.Reader = opts.IO.In
	p := tea.NewProgram(md, tea.WithInput(in), tea.WithOutput(opts.IO.Out), tea.WithAltScreen(), tea.WithContext(ctx))
	_, err := p.Run()
	if err != nil && ctx.Err() != nil {
		return nil // --duration over or interrupted
	}
	return err
}
