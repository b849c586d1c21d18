package kerneltest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goxcp/goxcp/internal/vcan"
)

// guestTests are the test binaries run against the kernel: the SocketCAN
// transport (conformance suite, frame format, filters, error frames,
// drops, rates) and master↔simulator sessions over vcan0 (e2e).
var guestTests = []struct{ name, pkg, run string }{
	{"socketcan", "./transport/can/socketcan", "^TestVCAN"},
	{"e2e", "./e2e", "^TestSocketCAN"},
}

// build compiles the guest test binaries into dir.
func build(t *testing.T, dir string) []Binary {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// A cold build compiles the master, simulator and DAQ packages once
	// more without cgo: bounded generously, as CI machines are busy.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var bins []Binary
	for _, g := range guestTests {
		out := filepath.Join(dir, g.name+".test")
		start := time.Now()
		if err := BuildTest(ctx, root, g.pkg, out); err != nil {
			t.Fatal(err)
		}
		t.Logf("built %s (static, %v)", g.pkg, time.Since(start).Round(time.Millisecond))
		bins = append(bins, Binary{Name: g.name, Path: out, Args: []string{"-test.v", "-test.count=1", "-test.timeout=150s", "-test.run", "'" + g.run + "'"}})
	}
	return bins
}

// TestSocketCANOnKernel boots Debian's kernel under QEMU (software
// emulation) and runs the SocketCAN tests on vcan0 inside it.
func TestSocketCANOnKernel(t *testing.T) {
	e, err := Find()
	if err != nil {
		t.Skipf("SocketCAN kernel test skipped: %v (.ci/run installs qemu-system-x86, linux-image-amd64 and busybox-static)", err)
	}
	if testing.Short() {
		t.Skip("SocketCAN kernel test skipped in -short mode (boots a kernel under QEMU)")
	}
	start := time.Now()
	dir := t.TempDir()
	bins := build(t, dir)
	img := filepath.Join(dir, "initramfs.cpio")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := Initramfs(f, e, bins); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var console bytes.Buffer
	r, err := Run(ctx, e, img, &console)
	failed := err != nil || !r.Done || len(r.Exit) != len(bins)
	for _, b := range bins {
		if code, ok := r.Exit[b.Name]; !ok || code != 0 {
			failed = true
		}
	}
	if failed {
		t.Logf("console:\n%s", console.String())
		t.Fatalf("kernel run failed: %v; exits %v, reached the end: %v", err, r.Exit, r.Done)
	}
	for _, l := range strings.Split(console.String(), "\n") {
		if strings.Contains(l, "KERNEL-RATE") || strings.Contains(l, "--- ") || strings.Contains(l, "kernel dropped") || strings.Contains(l, "bus-off during record") {
			t.Log(strings.TrimSpace(l))
		}
	}
	t.Logf("kernel %s (%s) under qemu -accel tcg: booted in %v, machine ran %v; building binaries and initramfs took %v",
		r.Kernel, e.Kernel, r.Boot.Round(time.Millisecond), r.Wall.Round(time.Millisecond), built.Round(time.Millisecond))
}

// TestSocketCANInNetns runs the same tests without QEMU where the host
// kernel has vcan: each binary in a network namespace of its own.
func TestSocketCANInNetns(t *testing.T) {
	if err := netnsVCAN(); err != nil {
		t.Skipf("SocketCAN network-namespace test skipped: %v", err)
	}
	for _, b := range build(t, t.TempDir()) {
		args := []string{}
		for _, a := range b.Args {
			args = append(args, strings.Trim(a, "'"))
		}
		cmd := exec.Command(b.Path, args...)
		cmd.Env = append(os.Environ(), vcan.EnvInterface+"=vcan0", vcan.EnvCreate+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s in a network namespace: %v\n%s", b.Name, err, out)
		}
		t.Logf("%s: passed in a network namespace", b.Name)
	}
}

// netnsVCAN reports whether a vcan interface can be created in a new
// network namespace (root or user namespace with CAP_NET_ADMIN and a host
// kernel with the vcan module).
func netnsVCAN() error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- errors.New("cannot create a network namespace: " + err.Error())
			return
		}
		if err := vcan.Create("vcan0", vcan.FDMTU); err != nil {
			errc <- errors.New("the host kernel cannot create a vcan interface in a network namespace: " + err.Error())
			return
		}
		errc <- nil
	}()
	return <-errc
}
