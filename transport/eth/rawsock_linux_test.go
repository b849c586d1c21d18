package eth

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// TestDialReadsLikeACClient: on Linux a master's socket leaves Go's
// netpoller (rawSock) — so the conformance suite, which dials, tests that
// path — and Close frees the socket and its eventfds: many connections
// opened and closed, with a Recv blocked in each when it closes, leave no
// descriptor behind.
func TestDialReadsLikeACClient(t *testing.T) {
	if !readRaw() {
		t.Skip("GOMAXPROCS 1: the socket stays with Go's netpoller")
	}
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			l, err := Listen(proto+"4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ap := netip.MustParseAddrPort(l.Addr().String())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			before := openFDs(t)
			for range 20 {
				c, err := Dial(ctx, Config{Protocol: proto, Host: "127.0.0.1", Port: int(ap.Port())})
				if err != nil {
					t.Fatal(err)
				}
				var raw bool
				if c.tcp != nil {
					_, raw = c.tcp.io.(*rawSock)
				} else {
					_, raw = c.udp.io.(*rawSock)
				}
				if !raw {
					t.Fatalf("the %s connection does not read through a rawSock", c.Info().Kind)
				}
				done := make(chan error, 1)
				go func() {
					_, err := c.Recv(ctx)
					done <- err
				}()
				time.Sleep(time.Millisecond)
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				if err := <-done; !errors.Is(err, net.ErrClosed) {
					t.Fatalf("Recv blocked at Close returned %v, want net.ErrClosed", err)
				}
				if proto == "tcp" {
					s, err := l.Accept(ctx)
					if err != nil {
						t.Fatal(err)
					}
					s.Close()
				}
			}
			if after := openFDs(t); after > before {
				t.Fatalf("%d descriptors open before, %d after 20 connections", before, after)
			}
		})
	}
}
