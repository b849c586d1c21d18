package memconn_test

import (
	"errors"
	"net"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
	"github.com/goxcp/goxcp/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
		a, b := memconn.Pipe(16)
		return a, b, nil, nil
	})
}

// TestPeerCloseDeliversQueued: packets sent before the peer closed are
// received in order, then net.ErrClosed (as on a stream socket); after an
// end's own Close nothing more is received.
func TestPeerCloseDeliversQueued(t *testing.T) {
	for range 50 { // Recv's select is random: repeat to cover its orders
		a, b := memconn.Pipe(8)
		for i := range 3 {
			if err := a.Send(t.Context(), []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		a.Close()
		for i := range 3 {
			p, err := b.Recv(t.Context())
			if err != nil || len(p.Data) != 1 || p.Data[0] != byte(i) {
				t.Fatalf("packet %d after the peer closed: % X, %v", i, p.Data, err)
			}
		}
		if _, err := b.Recv(t.Context()); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Recv after the queue drained: %v, want net.ErrClosed", err)
		}

		c, d := memconn.Pipe(8)
		if err := c.Send(t.Context(), []byte{1}); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if _, err := d.Recv(t.Context()); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Recv after own Close: %v, want net.ErrClosed", err)
		}
	}
}

func TestNegativeBuffer(t *testing.T) {
	a, b := memconn.Pipe(-1) // treated as unbuffered, not a panic
	errc := make(chan error, 1)
	go func() { errc <- a.Send(t.Context(), []byte{7}) }()
	if p, err := b.Recv(t.Context()); err != nil || p.Data[0] != 7 {
		t.Fatalf("% X, %v", p.Data, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	a.Close()
}
