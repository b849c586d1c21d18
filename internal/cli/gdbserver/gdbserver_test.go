package gdbserver

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		err  string
	}{
		{[]string{"--listen", "127.0.0.1:0", "--tri", "1", "--ew", "2"}, ""},
		{[]string{"--listen", "3333"}, "want host:port"},
		{[]string{"--ew", "3"}, "want 1, 2, 4 or 8"},
		{[]string{"--reg-bytes", "2"}, "want 4 or 8"},
		{[]string{"extra"}, "takes no arguments"},
	} {
		got, err := clitest.Parse(newCmd, tt.args)
		if tt.err == "" && (err != nil || got.TRI != 1 || got.EW != 2) {
			t.Fatalf("%v: %v %+v", tt.args, err, got)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Fatalf("%v: err %v, want %q", tt.args, err, tt.err)
		}
	}
}

// The system's gdb reads and writes the simulator's memory through `xcp
// gdbserver` (DBG_READ/DBG_WRITE/DBG_READ_MODIFY_WRITE over TCP).
func TestGDBAgainstSimulator(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb is not installed (looked for it in PATH); skipping the real-debugger test")
	}
	ios, _, _, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Global.Sim = true
	f.Getenv = func(string) string { return "" }
	ready := make(chan net.Addr, 1)
	opts := &Options{Connect: f.Connect, Status: errOut, Listen: "127.0.0.1:0", EW: 4, RegBytes: 4, Once: true,
		Ready: func(a net.Addr) { ready <- a }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("gdbserver ended: %v", err)
	}
	out, err := exec.CommandContext(ctx, gdb, "-nx", "-batch",
		"-ex", "target remote "+addr.String(),
		"-ex", "x/4xw 0x70000000",
		"-ex", "set {int}0x70000004 = 0x11223344",
		"-ex", "set {char}0x70000009 = 0x55",
		"-ex", "x/3xw 0x70000000",
		"-ex", "x/1xw 0xF8000000",
		"-ex", "detach").CombinedOutput()
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatalf("gdbserver: %v", err)
	}
	for _, want := range []string{
		"0x70000000:\t0x04030201\t0x04030201\t0x04030201\t0x04030201", // the simulator's RAM pattern 01 02 03 04
		"0x70000000:\t0x04030201\t0x11223344\t0x04035501",             // after the writes, read back over DBG_READ
		"Cannot access memory at address 0xf8000000",                  // ERR_DBG_BUS_ERROR region
	} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("gdb output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "listening on 127.0.0.1:") {
		t.Fatalf("status %q", errOut.String())
	}
}
