package usb

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport/sxi"
)

// fakeEP is one side of an in-memory pair of bulk endpoints.
type fakeEP struct {
	in, out chan []byte
	done    chan struct{}
	once    *sync.Once
}

func fakePair() (*fakeEP, *fakeEP) {
	a2b, b2a := make(chan []byte, 64), make(chan []byte, 64)
	done := make(chan struct{})
	once := &sync.Once{}
	return &fakeEP{in: b2a, out: a2b, done: done, once: once}, &fakeEP{in: a2b, out: b2a, done: done, once: once}
}

func (e *fakeEP) Read(ctx context.Context, p []byte) (int, error) {
	select {
	case t := <-e.in:
		return copy(p, t), nil
	case <-e.done:
		return 0, errors.New("endpoint closed")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (e *fakeEP) Write(ctx context.Context, p []byte) (int, error) {
	select {
	case e.out <- append([]byte(nil), p...):
		return len(p), nil
	case <-e.done:
		return 0, errors.New("endpoint closed")
	}
}

func (e *fakeEP) Close() error { e.once.Do(func() { close(e.done) }); return nil }

func TestRoundTripEveryHeader(t *testing.T) {
	for h := sxi.LenByte; h <= sxi.LenFillWord; h++ {
		t.Run(h.String(), func(t *testing.T) {
			a, b := fakePair()
			m, err := NewConn(a, Options{Header: h})
			if err != nil {
				t.Fatal(err)
			}
			s, _ := NewConn(b, Options{Header: h})
			defer m.Close()
			ctx := context.Background()
			for _, n := range []int{1, 8, 64, 255} {
				pkt := bytes.Repeat([]byte{byte(n)}, n)
				if err := m.Send(ctx, pkt); err != nil {
					t.Fatal(err)
				}
				got, err := s.Recv(ctx)
				if err != nil || !bytes.Equal(got.Data, pkt) {
					t.Fatalf("len %d: % X %v", n, got.Data, err)
				}
			}
		})
	}
}

func TestSeveralPacketsInOneTransfer(t *testing.T) {
	a, b := fakePair()
	m, _ := NewConn(a, Options{Header: sxi.LenCtrWord})
	defer m.Close()
	f := sxi.Framing{Header: sxi.LenCtrWord}
	var xfer []byte
	for i, p := range [][]byte{{0xFF, 1}, {0x00, 2, 3}, {0x01, 4}} {
		xfer, _ = f.AppendFrame(xfer, uint16(i+5), p)
	}
	xfer, _ = f.AppendFrame(xfer, 9, []byte{0x02}) // a CTR gap: 5, 6, 7 then 9
	b.out <- xfer
	ctx := context.Background()
	var got [][]byte
	var times []int64
	for range 4 {
		p, err := m.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]byte(nil), p.Data...))
		times = append(times, p.Time)
	}
	if !bytes.Equal(got[1], []byte{0x00, 2, 3}) || !bytes.Equal(got[3], []byte{0x02}) {
		t.Fatalf("got % X", got)
	}
	if times[0] != times[3] {
		t.Fatal("packets of one transfer must share its receive time")
	}
	if m.Stats().Lost != 1 {
		t.Fatalf("lost %d, want 1", m.Stats().Lost)
	}
}

func TestMalformedTransferIsCounted(t *testing.T) {
	a, b := fakePair()
	m, _ := NewConn(a, Options{Header: sxi.LenWord})
	defer m.Close()
	b.out <- []byte{0x05, 0x00, 0xFF} // LEN 5, only one byte follows
	b.out <- []byte{0x01, 0x00, 0xFF}
	p, err := m.Recv(context.Background())
	if err != nil || !bytes.Equal(p.Data, []byte{0xFF}) {
		t.Fatalf("% X %v", p.Data, err)
	}
	if m.Stats().Garbage == 0 {
		t.Fatal("garbage not counted")
	}
}

func TestCloseAndCancel(t *testing.T) {
	a, _ := fakePair()
	m, _ := NewConn(a, Options{Header: sxi.LenByte})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	errc := make(chan error, 1)
	go func() { _, err := m.Recv(context.Background()); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	m.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("err %v", err)
	}
	if err := m.Send(context.Background(), []byte{1}); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	good := Config{VendorID: 0x1234, ProductID: 0x5678, InEndpoint: 1, OutEndpoint: 2}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{
		{ProductID: 1, InEndpoint: 1, OutEndpoint: 1},
		{VendorID: 1, ProductID: 1, InEndpoint: 0, OutEndpoint: 1},
		{VendorID: 1, ProductID: 1, InEndpoint: 1, OutEndpoint: 16},
		{VendorID: 1, ProductID: 1, InEndpoint: 1, OutEndpoint: 1, HeaderFormat: "LEN_QUAD"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
