package eth_test

import (
	"context"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport/eth"
)

// A frame that arrives twice (same CTR) is delivered once, over TCP and
// UDP, in both directions, and counted as repeated.
func TestRepeatedFrameDiscarded(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			m, s, l, err := openPair(proto, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			defer s.Close()
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			send := []struct {
				p    []byte
				twic bool
			}{{[]byte{0xFF, 1}, false}, {[]byte{0xFF, 2}, false}, {[]byte{0xFF, 3}, true}, {[]byte{0xFF, 4}, true}, {[]byte{0xFF, 5}, false}}
			for _, x := range send {
				var err error
				if x.twic {
					err = s.(eth.Duplicator).SendTwice(ctx, x.p)
				} else {
					err = s.Send(ctx, x.p)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i <= 5; i++ {
				p, err := m.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Data) != 2 || p.Data[1] != byte(i) {
					t.Fatalf("packet %d: % X (a repeat was delivered)", i, p.Data)
				}
			}
			if st := m.Stats(); st.Repeated != 2 || st.Lost != 0 || st.PacketsReceived != 5 {
				t.Fatalf("stats %+v, want 2 repeated, 0 lost, 5 received", st)
			}
			// And the other way: the slave side discards a repeated command
			// (once it has seen the master count: over TCP this is the
			// first frame of the connection).
			if proto == "tcp" {
				if err := m.Send(ctx, []byte{0xF5, 6}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Recv(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range []byte{7, 8} {
				if err := m.(eth.Duplicator).SendTwice(ctx, []byte{0xF5, b}); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.Send(ctx, []byte{0xF5, 9}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []byte{7, 8, 9} {
				p, err := s.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if p.Data[1] != want {
					t.Fatalf("slave got % X, want F5 %02X", p.Data, want)
				}
			}
		})
	}
}
