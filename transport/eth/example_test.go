package eth_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/goxcp/goxcp/transport/eth"
)

// A slave-side listener and a master connected to it over TCP on the
// loopback interface: the master sends CONNECT, the slave answers.
func Example() {
	ctx := context.Background()
	l, err := eth.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	go func() {
		s, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer s.Close()
		p, err := s.Recv(ctx)
		if err != nil {
			return
		}
		if p.Data[0] == 0xFF { // CONNECT
			s.Send(ctx, []byte{0xFF, 0x15, 0x00, 0xFF, 0x00, 0x01, 0x01, 0x01})
		}
		s.Recv(ctx) // until the master closes
	}()

	port := netip.MustParseAddrPort(l.Addr().String()).Port()
	m, err := eth.Dial(ctx, eth.Config{Protocol: "tcp", Host: "127.0.0.1", Port: int(port)})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if err := m.Send(ctx, []byte{0xFF, 0x00}); err != nil {
		log.Fatal(err)
	}
	p, err := m.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: % X (CTR %d)\n", m.Info().Kind, p.Data, p.Ctr)
	// Output: tcp: FF 15 00 FF 00 01 01 01 (CTR 0)
}
