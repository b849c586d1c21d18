package eth_test

import (
	"context"
	"testing"

	"github.com/goxcp/goxcp/transport"
)

// TestSteadyStateAllocations checks that Recv and Send allocate nothing
// once the connection is running, with a cancellable context reused from
// call to call (the context's AfterFunc is registered once).
func TestSteadyStateAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	const runs = 200
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m, s, l, err := openPair(proto, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			defer s.Close()
			defer m.Close()
			pkt := []byte{0xFF, 1, 2, 3, 4, 5, 6, 7}
			// Queue everything first (batches of 50 per datagram), so
			// that Recv measures only itself.
			batch := make([][]byte, 50)
			for i := range batch {
				batch[i] = pkt
			}
			for range (runs + 2) / len(batch) * 2 {
				if err := transport.SendAll(ctx, s, batch); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := m.Recv(ctx); err != nil { // warm up
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(runs, func() {
				if _, err := m.Recv(ctx); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("Recv: %v allocations per call, want 0", a)
			}
			if a := testing.AllocsPerRun(runs, func() {
				if err := m.Send(ctx, pkt); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("Send: %v allocations per call, want 0", a)
			}
			// The slave side (over UDP the listener's connection).
			for range runs + 2 {
				if err := m.Send(ctx, pkt); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Recv(ctx); err != nil {
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(runs, func() {
				if _, err := s.Recv(ctx); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("slave Recv: %v allocations per call, want 0", a)
			}
		})
	}
}
