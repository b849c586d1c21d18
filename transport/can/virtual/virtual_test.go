package virtual

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport/can"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func frame(id uint32, b ...byte) can.Frame {
	f := can.Frame{ID: id, Len: uint8(len(b))}
	copy(f.Data[:], b)
	return f
}

// Every other port receives the frames in the order sent; the sender does
// not hear itself; a filter keeps other identifiers out.
func TestDeliveryOrderAndFilter(t *testing.T) {
	ctx := context.Background()
	bus := New(Config{Name: "t", Queue: 8})
	a, b, c := bus.Open(), bus.Open(), bus.Open()
	defer a.Close()
	defer b.Close()
	defer c.Close()
	if err := c.SetFilter([]can.ID{{Value: 0x101}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := a.Send(ctx, frame(0x100+uint32(i), byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		f, err := b.Receive(ctx)
		if err != nil || f.ID != 0x100+uint32(i) || f.Payload()[0] != byte(i) {
			t.Fatalf("b frame %d: %v %v", i, f, err)
		}
	}
	if f, err := c.Receive(ctx); err != nil || f.ID != 0x101 {
		t.Fatalf("c: %v %v, want only 0x101", f, err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	for _, p := range []*Port{a, c} {
		if f, err := p.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("unexpected frame %v (%v)", f, err)
		}
	}
}

func TestInvalidFrameRefused(t *testing.T) {
	bus := New(Config{Name: "t", Queue: 1})
	a := bus.Open()
	defer a.Close()
	for _, f := range []can.Frame{{ID: 0x800}, {ID: 1, Len: 9}, {ID: 1, FD: true, Len: 13}, {ID: 1, Len: 200}} {
		if err := a.Send(context.Background(), f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
}

// A full receiver blocks the sender (no loss) until ctx ends or the
// receiver leaves; a closed port reports net.ErrClosed.
func TestBackpressureAndClose(t *testing.T) {
	bus := New(Config{Name: "t", Queue: 1})
	a, b := bus.Open(), bus.Open()
	defer a.Close()
	ctx := context.Background()
	if err := a.Send(ctx, frame(1, 1)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := a.Send(short, frame(1, 2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send to a full port: %v", err)
	}
	b.Close()
	if err := a.Send(ctx, frame(1, 3)); err != nil {
		t.Fatalf("send after the receiver left: %v", err)
	}
	if err := b.Send(ctx, frame(1, 4)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send on a closed port: %v", err)
	}
	if _, err := b.Receive(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatalf("receive on a closed port: %v", err)
	}
}
