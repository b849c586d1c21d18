package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// Table is one block of tabular output: an optional title, an optional
// header and rows of cells. A table without header is shown as key/value
// pairs when it has two columns.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
}

// KV returns a two-column key/value table from alternating keys and values.
func KV(title string, pairs ...string) Table {
	t := Table{Title: title}
	for i := 0; i+1 < len(pairs); i += 2 {
		t.Rows = append(t.Rows, []string{pairs[i], pairs[i+1]})
	}
	return t
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Printer is the one output layer of the xcp command: data goes to Out as
// tables (boxed on a terminal, with bold titles unless NO_COLOR is set;
// plain aligned text otherwise) or, in JSON mode, as indented JSON for
// scripts.
type Printer struct {
	w     io.Writer
	json  bool
	tty   bool
	color bool // bold titles: a terminal and NO_COLOR unset or empty
}

// Printer returns the printer for the command's data output; json selects
// JSON output (the --json flag). NO_COLOR (https://no-color.org: any
// non-empty value) switches the styling of terminal output off.
func (f *Factory) Printer(json bool) *Printer {
	tty := f.IO.IsTerminal()
	return &Printer{w: f.IO.Out, json: json, tty: tty, color: tty && f.getenv("NO_COLOR") == ""}
}

// JSON reports whether the printer writes JSON.
func (p *Printer) JSON() bool { return p.json }

// Writer returns the data stream, for raw output (e.g. binary data).
func (p *Printer) Writer() io.Writer { return p.w }

// Print writes v as JSON in JSON mode, otherwise the tables.
func (p *Printer) Print(v any, tables ...Table) error {
	if p.json {
		return p.PrintJSON(v)
	}
	return p.Tables(tables...)
}

// PrintJSON writes v as indented JSON followed by a newline (<, > and &
// as themselves: the output is for programs and people, not HTML).
func (p *Printer) PrintJSON(v any) error {
	enc := json.NewEncoder(p.w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Tables writes the tables separated by blank lines.
func (p *Printer) Tables(tables ...Table) error {
	var b strings.Builder
	for i, t := range tables {
		if i > 0 {
			b.WriteByte('\n')
		}
		p.render(&b, t)
	}
	_, err := io.WriteString(p.w, b.String())
	return err
}

func (p *Printer) render(b *strings.Builder, t Table) {
	tw := table.NewWriter()
	if p.tty {
		tw.SetStyle(table.StyleRounded)
		switch {
		case t.Title == "":
		case p.color: // not text.Bold.Sprint: go-pretty's own environment check treats NO_COLOR=0 as unset
			b.WriteString(text.Bold.EscapeSeq() + t.Title + text.Reset.EscapeSeq() + "\n")
		default:
			b.WriteString(t.Title + "\n")
		}
	} else {
		tw.SetStyle(plainStyle)
		if t.Title != "" {
			fmt.Fprintf(b, "%s:\n", t.Title)
		}
	}
	if len(t.Header) > 0 {
		tw.AppendHeader(row(t.Header))
	}
	for _, r := range t.Rows {
		tw.AppendRow(row(r))
	}
	out := tw.Render()
	if !p.tty {
		// go-pretty pads the last column; plain output has no trailing blanks.
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("  "+l, " ")
		}
		out = strings.Join(lines, "\n")
	}
	b.WriteString(out)
	b.WriteByte('\n')
}

func row(cells []string) table.Row {
	r := make(table.Row, len(cells))
	for i, c := range cells {
		r[i] = c
	}
	return r
}

// plainStyle is aligned columns without borders, indented by two blanks.
var plainStyle = func() table.Style {
	s := table.StyleDefault
	s.Name = "plain"
	s.Box.PaddingLeft = ""
	s.Box.PaddingRight = "  "
	s.Box.MiddleVertical = ""
	s.Format.Header = text.FormatDefault
	s.Options = table.Options{}
	return s
}()
