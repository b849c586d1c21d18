package gdbrsp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mapMem is a sparse test target: [base, base+len(data)) is readable and
// writable, everything else fails.
type mapMem struct {
	mu   sync.Mutex
	base uint64
	data []byte
}

func (m *mapMem) ReadMemory(_ context.Context, addr uint64, n int) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if addr < m.base || addr+uint64(n) > m.base+uint64(len(m.data)) {
		return nil, errors.New("bus error")
	}
	return append([]byte(nil), m.data[addr-m.base:addr-m.base+uint64(n)]...), nil
}

func (m *mapMem) WriteMemory(_ context.Context, addr uint64, d []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if addr < m.base || addr+uint64(len(d)) > m.base+uint64(len(m.data)) {
		return errors.New("bus error")
	}
	copy(m.data[addr-m.base:], d)
	return nil
}

// serve starts a server on 127.0.0.1:0 and returns its address.
func serve(t *testing.T, tgt Target) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	srv := &Server{Target: tgt}
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return l.Addr().String()
}

func frame(p string) string {
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	return fmt.Sprintf("$%s#%02x", p, sum)
}

// A raw RSP session: framing, checksums, acks, nak + resend, no-ack mode,
// escapes, memory packets, register answers, detach.
func TestProtocol(t *testing.T) {
	mem := &mapMem{base: 0x1000, data: []byte{0x01, 0x02, 0x03, 0x04, '#', '$', '}', '*'}}
	c, err := net.Dial("tcp", serve(t, mem))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	expect := func(want string) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, len(want))
		if _, err := io_ReadFull(r, buf); err != nil || string(buf) != want {
			t.Fatalf("got %q (%v), want %q", buf, err, want)
		}
	}
	send := func(s string) {
		t.Helper()
		if _, err := c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	send(frame("qSupported:multiprocess+;swbreak+"))
	expect("+" + frame("PacketSize=1000;QStartNoAckMode+"))
	send("+")
	send("$m1000,4#00") // bad checksum
	expect("-")
	send(frame("m1000,4"))
	expect("+" + frame("01020304"))
	send("-") // ask for a resend
	expect(frame("01020304"))
	send("+")
	send(frame("m0,4"))
	expect("+" + frame("E0E"))
	send("+")
	send(frame("g"))
	expect("+" + frame(strings.Repeat("xx", 4)))
	send("+")
	send(frame("QStartNoAckMode"))
	expect("+" + frame("OK"))
	send("+")
	// No acks from here on.
	send(frame("M1000,2:a1b2"))
	expect(frame("OK"))
	// X with binary data: 0x23 '#' escaped as }\x03.
	send(frame("X1002,2:}\x03\x7f"))
	expect(frame("OK"))
	send(frame("X1002,0:"))
	expect(frame("OK"))
	if !bytes.Equal(mem.data[:4], []byte{0xA1, 0xB2, 0x23, 0x7F}) {
		t.Fatalf("memory % X", mem.data[:4])
	}
	// Binary bytes in replies are hex, so no escapes needed; read the
	// special characters back.
	send(frame("m1004,4"))
	expect(frame("23247d2a"))
	send(frame("?"))
	expect(frame("S05"))
	send(frame("vMustReplyEmpty"))
	expect(frame(""))
	send(frame("Z0,1000,1"))
	expect(frame(""))
	send(frame("P1=00000000"))
	expect(frame("E01"))
	send(frame("D"))
	expect(frame("OK"))
}

func io_ReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		x, err := r.ReadByte()
		if err != nil {
			return n, err
		}
		b[n] = x
		n++
	}
	return n, nil
}

// runGDB runs the system gdb in batch mode against addr.
func runGDB(t *testing.T, addr string, pre []string, cmds ...string) string {
	t.Helper()
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb is not installed (looked for it in PATH); skipping the real-debugger test")
	}
	args := []string{"-nx", "-batch", "-ex", "set confirm off"}
	for _, c := range pre {
		args = append(args, "-ex", c)
	}
	args = append(args, "-ex", "target remote "+addr)
	for _, c := range cmds {
		args = append(args, "-ex", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, gdb, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	return string(out)
}

// The system's gdb reads and writes memory through the server.
func TestRealGDB(t *testing.T) {
	mem := &mapMem{base: 0x70000000, data: bytes.Repeat([]byte{1, 2, 3, 4}, 16)}
	addr := serve(t, mem)
	out := runGDB(t, addr, nil, "x/4xw 0x70000000", "set {int}0x70000004 = 0x11223344", "x/2xw 0x70000000", "x/1xw 0x10", "detach")
	for _, want := range []string{"0x04030201\t0x04030201\t0x04030201\t0x04030201", "0x04030201\t0x11223344", "Cannot access memory at address 0x10"} {
		if !strings.Contains(out, want) {
			t.Fatalf("gdb output lacks %q:\n%s", want, out)
		}
	}
	if !bytes.Equal(mem.data[4:8], []byte{0x44, 0x33, 0x22, 0x11}) {
		t.Fatalf("memory % X", mem.data[:8])
	}
}

// FuzzServeConn feeds arbitrary bytes from a "debugger" to a connection:
// the server must neither panic nor hang, and ends when the input ends.
func FuzzServeConn(f *testing.F) {
	for _, s := range []string{frame("qSupported"), frame("m1000,4") + frame("M1000,1:ff"), "$X1000,2:}\x03\x7f#00",
		frame("QStartNoAckMode") + frame("g") + frame("D"), "\x03", "$#00", frame("c") + frame("s1000") + frame("sQx"), "$m#", "$" + strings.Repeat("a", 100), frame("k")} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		mem := &mapMem{base: 0x1000, data: make([]byte, 64)}
		srv := &Server{Target: mem}
		client, server := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- srv.ServeConn(context.Background(), server) }()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_, _ = client.Write(in)
		client.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("server hangs on % X", in)
		}
	})
}

// With a 64-bit architecture set in GDB the server answers 8-byte registers.
func TestRealGDB64(t *testing.T) {
	mem := &mapMem{base: 0x70000000, data: bytes.Repeat([]byte{1, 2, 3, 4}, 4)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Server{Target: mem, RegisterBytes: 8}).Serve(ctx, l) }()
	defer func() { cancel(); <-done }()
	out := runGDB(t, l.Addr().String(), []string{"set architecture i386:x86-64"}, "x/2xg 0x70000000", "detach")
	if !strings.Contains(out, "0x0403020104030201\t0x0403020104030201") {
		t.Fatalf("gdb output:\n%s", out)
	}
}
