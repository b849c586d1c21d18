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
