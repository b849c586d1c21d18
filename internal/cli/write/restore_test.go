package write_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/sim"
)

// TestWriteAllOrNothing: `write a=… b=…` where the slave refuses the
// second write (ROM) leaves the first unchanged — it is restored — and
// says so.
func TestWriteAllOrNothing(t *testing.T) {
	s, err := sim.New(sim.Config{})
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
	dir := t.TempDir()
	a2lFile := filepath.Join(dir, "ecu.a2l")
	src := strings.Replace(s.A2L(), "/end MODULE", `/begin CHARACTERISTIC rom_byte "a byte in ROM" VALUE 0x10100 RL_DEMO_U8 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/end MODULE`, 1)
	os.WriteFile(a2lFile, []byte(src), 0o644)
	x := func(args ...string) (int, string, string) {
		return xcptest.Run(append([]string{"--host", "127.0.0.1", "--port", port, "--a2l", a2lFile}, args...)...)
	}
	code, before, errOut := x("read", "amplitude")
	if code != 0 {
		t.Fatalf("read: %s", errOut)
	}
	code, _, errOut = x("write", "amplitude=3.75", "rom_byte=1")
	if code == 0 || !strings.Contains(errOut, "rom_byte") || !strings.Contains(errOut, "restored amplitude") || !strings.Contains(errOut, "nothing was changed") {
		t.Fatalf("write: exit %d: %s", code, errOut)
	}
	if _, after, _ := x("read", "amplitude"); after != before {
		t.Errorf("amplitude changed by a failed write:\n%s\nwas\n%s", after, before)
	}
}
