package can_test

import (
	"context"
	"net"
	"testing"

	"github.com/goxcp/goxcp/transport/can"
)

// listBus is a third-party Bus that delivers a fixed list of frames, then
// reports closed.
type listBus struct{ frames []can.Frame }

func (b *listBus) Send(context.Context, can.Frame) error { return nil }
func (b *listBus) Close() error                          { return nil }
func (b *listBus) Receive(context.Context) (can.Frame, error) {
	if len(b.frames) == 0 {
		return can.Frame{}, net.ErrClosed
	}
	f := b.frames[0]
	b.frames = b.frames[1:]
	return f, nil
}

// A Bus outside goxcp may hand Conn frames that break Frame's invariants
// (Len beyond the 64 data bytes, a classic frame longer than 8): Conn skips
// and counts them instead of panicking, and Payload never panics.
func TestConnSkipsInvalidFrames(t *testing.T) {
	good := can.Frame{ID: 0x7E1, Len: 2, Data: [64]byte{0xFF, 0x00}}
	bus := &listBus{frames: []can.Frame{
		{ID: 0x7E1, Len: 200},          // Len beyond Data
		{ID: 0x7E1, Len: 12},           // classic frame longer than 8
		{ID: 0x7E1, FD: true, Len: 13}, // not a CAN FD length
		good,
	}}
	c, err := can.NewConn(bus, can.Config{CanIDMaster: 0x7E0, CanIDSlave: 0x7E1}, can.Master)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.Recv(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Data) != "\xFF\x00" || c.Ignored() != 3 {
		t.Fatalf("got % X with %d ignored, want FF 00 with 3 ignored", p.Data, c.Ignored())
	}
	bad := can.Frame{ID: 1, Len: 255}
	if n := len(bad.Payload()); n != 64 {
		t.Fatalf("Payload of Len 255 has %d bytes, want 64", n)
	}
	_ = bad.String()
}
