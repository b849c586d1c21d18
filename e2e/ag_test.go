package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/marcinbor85/gohex"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// TestAddressGranularityMatrix runs the main jobs by A2L name — read,
// write, record, stimulate, flash — against simulators with every address
// granularity the standard allows (BYTE, WORD, DWORD) in both byte orders,
// over TCP on 127.0.0.1, through the xcp command line. Odd-sized objects
// (a 1-byte enumeration, a 9-byte string) must be read and written through
// the enclosing elements, and DAQ must use an identification field that
// keeps DTO data aligned.
func TestAddressGranularityMatrix(t *testing.T) {
	for _, ag := range []xcp.Granularity{xcp.Byte, xcp.Word, xcp.DWord} {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			t.Run(fmt.Sprintf("%s/%s", ag, order), func(t *testing.T) { agMatrix(t, ag, order) })
		}
	}
}

func agMatrix(t *testing.T, ag xcp.Granularity, order xcp.ByteOrder) {
	s, err := sim.New(sim.Config{AG: ag, Order: order, MaxCTO: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ListenAndServe(ctx, "tcp", "127.0.0.1:0", func(a net.Addr) { ready <- a.(*net.TCPAddr).Port })
	}()
	defer func() { cancel(); <-done }()
	port := strconv.Itoa(<-ready)
	x := func(args ...string) (int, string, string) {
		return xcptest.Run(append([]string{"--host", "127.0.0.1", "--port", port, "--a2l-from-slave"}, args...)...)
	}
	dir := t.TempDir()

	// read
	if code, out, errOut := x("read", "mode", "label", "counter"); code != 0 || !strings.Contains(out, `"goxcp-sim"`) || !strings.Contains(out, "NORMAL") {
		t.Fatalf("read: exit %d\n%s%s", code, out, errOut)
	}
	// write (an odd-sized string and a 1-byte enumeration), read back
	if code, out, errOut := x("write", "label=abc", "mode=SPORT"); code != 0 {
		t.Fatalf("write: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := x("read", "label", "mode"); code != 0 || !strings.Contains(out, `"abc"`) || !strings.Contains(out, "SPORT") {
		t.Fatalf("read after write: exit %d\n%s%s", code, out, errOut)
	}
	// record, by A2L names, the 1-byte object among them
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte("[[list]]\nname = \"fast\"\nevent = \"1ms\"\nsignals = [\"counter\", \"mode\", \"waves.sine\"]\n"), 0o644)
	rec := filepath.Join(dir, "run.xlog")
	if code, out, errOut := x("record", "--daq", lists, "-o", rec, "--duration", "300ms", "--no-status"); code != 0 {
		t.Fatalf("record: exit %d\n%s%s", code, out, errOut)
	}
	csv := filepath.Join(dir, "run.csv")
	if code, out, errOut := xcptest.Run("convert", rec, "--to", "csv", "-o", csv); code != 0 {
		t.Fatalf("convert: exit %d\n%s%s", code, out, errOut)
	}
	b, _ := os.ReadFile(csv)
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(rows) < 50 || !strings.Contains(rows[len(rows)-1], "SPORT") {
		t.Fatalf("recording: %d rows, last %q", len(rows), rows[len(rows)-1])
	}
	// stimulate by A2L name, verified by reading back
	stim := filepath.Join(dir, "stim.toml")
	os.WriteFile(stim, []byte("[[list]]\nname = \"drive\"\nevent = \"10ms\"\nstim = true\nsignals = [\"amplitude\"]\n"), 0o644)
	if code, out, errOut := x("stim", "--daq", stim, "--set", "amplitude=2.5", "--count", "3", "--verify"); code != 0 {
		t.Fatalf("stim: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := x("read", "amplitude"); code != 0 || !strings.Contains(out, "2.5") {
		t.Fatalf("read after stim: exit %d\n%s%s", code, out, errOut)
	}
	// flash an odd-sized image into the first sector
	img := make([]byte, 301)
	for i := range img {
		img[i] = byte(i*7 + int(ag))
	}
	mem := gohex.NewMemory()
	mem.AddBinary(sim.FlashBase, img)
	var hex bytes.Buffer
	mem.DumpIntelHex(&hex, 32)
	hexFile := filepath.Join(dir, "app.hex")
	os.WriteFile(hexFile, hex.Bytes(), 0o644)
	if code, out, errOut := x("flash", hexFile); code != 0 {
		t.Fatalf("flash: exit %d\n%s%s", code, out, errOut)
	}
	got, err := s.ReadMemory(sim.FlashBase, 0, len(img))
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("flash memory after flashing: %v\n% X\nwant\n% X", err, got, img)
	}
}
