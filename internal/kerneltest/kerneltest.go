// Package kerneltest runs goxcp's SocketCAN tests against a real Linux
// kernel: it boots Debian's linux-image-amd64 kernel under QEMU in software
// emulation (qemu-system-x86_64 -accel tcg -cpu max, no KVM, no network
// card) with an initramfs holding busybox-static, the kernel's can,
// can-raw, can-dev and vcan modules and the project's own static test
// binaries (CGO_ENABLED=0 go test -c). Inside, the test binaries create
// vcan0 over netlink (internal/vcan) and run; their output comes back on
// the serial console, one marker line per binary with its exit status.
//
// Nothing is downloaded: the kernel, modules, busybox and QEMU come from
// Debian packages (.ci/run installs qemu-system-x86, linux-image-amd64
// and busybox-static when missing). Find says what is missing, so tests
// skip with a clear reason on machines without them.
package kerneltest

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Env is what a kernel test run needs from the host.
type Env struct {
	QEMU    string   // qemu-system-x86_64
	Kernel  string   // /boot/vmlinuz-<version>
	Version string   // kernel release, e.g. 6.1.0-48-amd64
	Modules []string // can-dev, vcan, can, can-raw .ko files in load order
	Busybox string   // a statically linked busybox
}

// ErrMissing is matched by Find's errors: something the harness needs is
// not installed.
var ErrMissing = errors.New("kerneltest: not installed")

// modules are the kernel modules loaded in the machine, in dependency
// order, with their paths below /lib/modules/<version>/kernel.
var modules = []string{"drivers/net/can/dev/can-dev.ko", "drivers/net/can/vcan.ko", "net/can/can.ko", "net/can/can-raw.ko"}

// Find locates QEMU, a kernel with its CAN modules and a static busybox.
// GOXCP_KERNEL may name the kernel image (default: the newest
// /boot/vmlinuz-* whose modules are installed).
func Find() (Env, error) {
	var e Env
	var err error
	if e.QEMU, err = exec.LookPath("qemu-system-x86_64"); err != nil {
		return e, fmt.Errorf("%w: qemu-system-x86_64 (Debian package qemu-system-x86)", ErrMissing)
	}
	kernels := []string{os.Getenv("GOXCP_KERNEL")}
	if kernels[0] == "" {
		kernels, _ = filepath.Glob("/boot/vmlinuz-*")
		slices.Reverse(kernels)
	}
	for _, k := range kernels {
		ver := strings.TrimPrefix(filepath.Base(k), "vmlinuz-")
		var mods []string
		for _, m := range modules {
			p := filepath.Join("/lib/modules", ver, "kernel", m)
			if _, err := os.Stat(p); err != nil {
				mods = nil
				break
			}
			mods = append(mods, p)
		}
		if mods != nil {
			if _, err := os.Stat(k); err == nil {
				e.Kernel, e.Version, e.Modules = k, ver, mods
				break
			}
		}
	}
	if e.Kernel == "" {
		return e, fmt.Errorf("%w: a kernel image in /boot with the can, can-raw, can-dev and vcan modules (Debian package linux-image-amd64)", ErrMissing)
	}
	for _, b := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if static(b) {
			e.Busybox = b
			break
		}
	}
	if e.Busybox == "" {
		return e, fmt.Errorf("%w: a statically linked busybox (Debian package busybox-static)", ErrMissing)
	}
	return e, nil
}

// static reports whether path is an ELF executable without an interpreter.
func static(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// Binary is a test binary to run in the machine.
type Binary struct {
	Name string   // marker name, e.g. "socketcan"
	Path string   // the host file
	Args []string // e.g. -test.v -test.run VCAN
}

// BuildTest compiles the tests of pkg (an import path or ./dir relative to
// dir) into a static binary in out (CGO_ENABLED=0 go test -c).
func BuildTest(ctx context.Context, dir, pkg, out string) error {
	// Without symbol tables the initramfs is smaller and unpacks faster
	// in the emulated machine.
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("kerneltest: go test -c %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// Initramfs writes an uncompressed newc cpio archive: busybox as /bin/sh
// and friends, the modules under /mod, the binaries under /t, and /init,
// which loads the modules, runs each binary with GOXCP_VCAN=vcan0 and
// GOXCP_VCAN_CREATE=1, prints "GOXCP-KT <name> exit=<status>" after each
// and powers the machine off.
func Initramfs(w io.Writer, e Env, bins []Binary) error {
	c := &cpio{w: w}
	for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "mod", "t"} {
		c.dir(d)
	}
	if err := c.fileFrom("bin/busybox", e.Busybox, 0o755); err != nil {
		return err
	}
	for _, l := range []string{"sh", "insmod", "mount", "poweroff", "echo", "cat", "ip", "sleep"} {
		c.symlink("bin/"+l, "busybox")
	}
	var init strings.Builder
	init.WriteString("#!/bin/sh\nexport PATH=/bin\nmount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\nmount -t tmpfs tmp /tmp\n")
	init.WriteString("echo GOXCP-KT kernel $(cat /proc/sys/kernel/osrelease)\n")
	for _, m := range e.Modules {
		name := filepath.Base(m)
		if err := c.fileFrom("mod/"+name, m, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&init, "insmod /mod/%s || echo GOXCP-KT insmod-failed %s\n", name, name)
	}
	init.WriteString("ip link set lo up\nexport GOXCP_VCAN=vcan0 GOXCP_VCAN_CREATE=1 HOME=/tmp TMPDIR=/tmp\ncd /tmp\n")
	for _, b := range bins {
		if err := c.fileFrom("t/"+b.Name, b.Path, 0o755); err != nil {
			return err
		}
		fmt.Fprintf(&init, "/t/%s %s\necho GOXCP-KT %s exit=$?\n", b.Name, strings.Join(b.Args, " "), b.Name)
	}
	init.WriteString("echo GOXCP-KT done\npoweroff -f\n")
	c.file("init", []byte(init.String()), 0o755)
	return c.close()
}

// Result is what a run reported.
type Result struct {
	Kernel string         // release the machine booted
	Exit   map[string]int // per binary
	Done   bool           // the init script reached its end
	Boot   time.Duration  // from start to the first marker (kernel up)
	Wall   time.Duration
}

var marker = regexp.MustCompile(`GOXCP-KT (\S+)(?: (\S+))?`)

// Run boots the machine with initramfs and copies its console to log
// (line by line) until it powers off or ctx ends.
func Run(ctx context.Context, e Env, initramfs string, log io.Writer) (Result, error) {
	r := Result{Exit: map[string]int{}}
	cmd := exec.CommandContext(ctx, e.QEMU,
		"-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "1024",
		"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
		"-serial", "stdio", "-nic", "none",
		"-kernel", e.Kernel, "-initrd", initramfs,
		"-append", "console=ttyS0 panic=-1 rdinit=/init quiet loglevel=3 mitigations=off")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, fmt.Errorf("kerneltest: start qemu: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		fmt.Fprintln(log, line)
		m := marker.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch {
		case m[1] == "kernel":
			r.Kernel, r.Boot = m[2], time.Since(start)
		case m[1] == "done":
			r.Done = true
		case strings.HasPrefix(m[2], "exit="):
			r.Exit[m[1]], _ = strconv.Atoi(strings.TrimPrefix(m[2], "exit="))
		}
	}
	err = cmd.Wait()
	r.Wall = time.Since(start)
	if ctx.Err() != nil {
		return r, fmt.Errorf("kerneltest: machine still running after %v: %w", r.Wall.Round(time.Second), ctx.Err())
	}
	if err != nil && !r.Done {
		return r, fmt.Errorf("kerneltest: qemu: %w", err)
	}
	return r, nil
}

// cpio writes a newc archive.
type cpio struct {
	w   io.Writer
	ino int
	err error
}

func (c *cpio) entry(name string, mode uint32, data []byte) {
	if c.err != nil {
		return
	}
	c.ino++
	var b bytes.Buffer
	fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	b.WriteString(name)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.Write(data)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	_, c.err = c.w.Write(b.Bytes())
}

func (c *cpio) dir(name string)                            { c.entry(name, 0o040755, nil) }
func (c *cpio) file(name string, data []byte, perm uint32) { c.entry(name, 0o100000|perm, data) }
func (c *cpio) symlink(name, target string)                { c.entry(name, 0o120777, []byte(target)) }

func (c *cpio) fileFrom(name, path string, perm uint32) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("kerneltest: %w", err)
	}
	c.file(name, data, perm)
	return c.err
}

func (c *cpio) close() error {
	c.entry("TRAILER!!!", 0, nil)
	return c.err
}
