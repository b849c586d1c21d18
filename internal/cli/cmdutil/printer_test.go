package cmdutil

import (
	"strings"
	"testing"
)

func TestPrinterPlain(t *testing.T) {
	ios, _, out, _ := Test()
	f := New(ios)
	err := f.Printer(false).Print(nil, KV("Connect", "MAX_CTO", "255", "Byte order", "Intel"),
		Table{Title: "Segments", Header: []string{"#", "Pages"}, Rows: [][]string{{"0", "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `Connect:
  MAX_CTO     255
  Byte order  Intel

Segments:
  #  Pages
  0  2
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestPrinterJSON(t *testing.T) {
	ios, _, out, _ := Test()
	f := New(ios)
	if err := f.Printer(true).Print(map[string]int{"max_cto": 255}, KV("x", "a", "b")); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "{\n  \"max_cto\": 255\n}\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestPrinterTTY(t *testing.T) {
	ios, _, out, _ := Test()
	ios.SetTerminal(true)
	f := New(ios)
	if err := f.Printer(false).Tables(KV("Status", "Session", "0x00")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"╭", "Status", "Session", "0x00"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("terminal output lacks %q:\n%s", s, out)
		}
	}
}

// TestPrinterNoColor: on a terminal titles are bold unless NO_COLOR has any
// non-empty value (https://no-color.org), "0" included.
func TestPrinterNoColor(t *testing.T) {
	for _, tt := range []struct {
		noColor string
		bold    bool
	}{{"", true}, {"1", false}, {"0", false}, {"yes", false}} {
		ios, _, out, _ := Test()
		ios.SetTerminal(true)
		f := New(ios)
		f.Getenv = func(k string) string {
			if k == "NO_COLOR" {
				return tt.noColor
			}
			return ""
		}
		if err := f.Printer(false).Tables(KV("Status", "Session", "0x00")); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "\x1b[1mStatus\x1b[0m"); got != tt.bold {
			t.Errorf("NO_COLOR=%q: bold title %v, want %v:\n%q", tt.noColor, got, tt.bold, out)
		}
		if strings.Contains(out.String(), "\x1b[") != tt.bold {
			t.Errorf("NO_COLOR=%q: escape sequences %v, want %v:\n%q", tt.noColor, !tt.bold, tt.bold, out)
		}
		if !strings.Contains(out.String(), "Status") || !strings.Contains(out.String(), "╭") {
			t.Errorf("NO_COLOR=%q: title or box missing:\n%s", tt.noColor, out)
		}
	}
}
