package sxi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ptyPair opens a PTY; the "slave side" (simulator) uses the PTY master,
// the XCP master opens the tty as a serial port.
func ptyPair(t *testing.T, f Framing) (master, slave *Conn) {
	t.Helper()
	p, err := OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	slave, err = NewConn(p.Master, f, Options{Name: "pty"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Port: p.TTYPath, HeaderFormat: f.Header.String(), TailFormat: f.Tail.String(), Framing: f.SyncEsc, Bitrate: 115200}
	master, err = Dial(context.Background(), cfg)
	if err != nil {
		slave.Close()
		p.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		master.Close()
		slave.Close()
		p.tty.Close()
	})
	return master, slave
}

func TestRoundTripOverPTYEveryFormat(t *testing.T) {
	for _, f := range allFramings() {
		t.Run(fmt.Sprintf("%s/%s/%v", f.Header, f.Tail, f.SyncEsc), func(t *testing.T) {
			m, s := ptyPair(t, f)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for _, n := range []int{1, 2, 7, 8, 64, 255} {
				pkt := make([]byte, n)
				for i := range pkt {
					pkt[i] = byte(i*7 + n) // includes 0x00 and 0x01 (ESC/SYNC)
				}
				pkt[0] = 0xF5
				if err := m.Send(ctx, pkt); err != nil {
					t.Fatal(err)
				}
				got, err := s.Recv(ctx)
				if err != nil {
					t.Fatalf("len %d: %v", n, err)
				}
				if !bytes.Equal(got.Data, pkt) {
					t.Fatalf("len %d: got % X", n, got.Data)
				}
				resp := append([]byte{0xFF}, pkt[1:]...)
				if err := s.Send(ctx, resp); err != nil {
					t.Fatal(err)
				}
				got, err = m.Recv(ctx)
				if err != nil || !bytes.Equal(got.Data, resp) {
					t.Fatalf("response len %d: % X %v", n, got.Data, err)
				}
			}
			if st := m.Stats(); st.Lost != 0 || st.Garbage != 0 || st.PacketsReceived != 6 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestGarbageOnTheLineIsSkippedAndCounted(t *testing.T) {
	f := Framing{Header: LenCtrByte, Tail: ChecksumByte}
	p, err := OpenPTY()
	if err != nil {
		t.Skip(err)
	}
	defer p.Close()
	m, err := Dial(context.Background(), Config{Port: p.TTYPath, HeaderFormat: "LEN_CTR_BYTE", TailFormat: "CHECKSUM_BYTE"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	good, _ := f.AppendFrame(nil, 0, []byte{0xFF, 1, 2, 3})
	bad := append([]byte(nil), good...)
	bad[3] ^= 0x40 // corrupt a data byte: checksum mismatch
	stream := append([]byte{0xE7, 0x00, 0x13}, bad...)
	stream = append(stream, good...)
	if _, err := p.Master.Write(stream); err != nil {
		t.Fatal(err)
	}
	got, err := m.Recv(ctx)
	if err != nil || !bytes.Equal(got.Data, []byte{0xFF, 1, 2, 3}) {
		t.Fatalf("got % X, %v", got.Data, err)
	}
	// The idle flush gives up what remains; garbage must have been counted.
	deadline := time.Now().Add(2 * time.Second)
	for m.Stats().Garbage == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if m.Stats().Garbage == 0 {
		t.Fatal("garbage not counted")
	}
}

func TestCounterGapsCountAsLost(t *testing.T) {
	f := Framing{Header: LenCtrByte}
	p, err := OpenPTY()
	if err != nil {
		t.Skip(err)
	}
	defer p.Close()
	m, err := Dial(context.Background(), Config{Port: p.TTYPath, HeaderFormat: "LEN_CTR_BYTE"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var stream []byte
	for _, ctr := range []uint16{10, 11, 14, 15} {
		stream, _ = f.AppendFrame(stream, ctr, []byte{0x00, byte(ctr)})
	}
	p.Master.Write(stream)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 4 {
		if _, err := m.Recv(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if lost := m.Stats().Lost; lost != 2 {
		t.Fatalf("lost %d, want 2", lost)
	}
	if b := m.Info().CounterBits; b != 8 {
		t.Fatalf("Info().CounterBits = %d, want 8 (LEN_CTR_BYTE)", b)
	}
}

// The header's counter width, as the master learns it from Info.
func TestHeaderCounterBits(t *testing.T) {
	for h, want := range map[HeaderFormat]int{LenByte: 0, LenCtrByte: 8, LenFillByte: 0, LenWord: 0, LenCtrWord: 16, LenFillWord: 0} {
		if got := h.CounterBits(); got != want {
			t.Errorf("%v.CounterBits() = %d, want %d", h, got, want)
		}
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	m, _ := ptyPair(t, Framing{})
	errc := make(chan error, 1)
	go func() { _, err := m.Recv(context.Background()); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	m.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err %v", err)
	}
	if err := m.Send(context.Background(), []byte{1}); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	bad := []Config{
		{Port: "x", Parity: "Q"},
		{Port: "x", Stopbits: 3},
		{Port: "x", Bytesize: 9},
		{Port: "x", HeaderFormat: "LEN_NONE"},
		{Port: "x", TailFormat: "CRC"},
		{Port: "x", Framing: true, EscSync: 7, EscEsc: 7},
	}
	for _, c := range bad {
		if _, err := Dial(context.Background(), c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := Dial(context.Background(), Config{}); err == nil {
		t.Error("missing port accepted")
	}
	if _, err := Dial(context.Background(), Config{Port: "/nonexistent/tty"}); err == nil {
		t.Error("missing device accepted")
	}
}
