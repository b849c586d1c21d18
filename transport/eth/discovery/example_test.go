package discovery_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth/discovery"
)

// Find a simulated slave that answers slave detection on the loopback
// interface (on a free port of the discovery group, as tests do; real
// slaves listen on 239.255.0.0:5556).
func ExampleDiscover() {
	slave, _ := sim.New(sim.Config{Name: "bench-ecu"})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *net.UDPAddr, 1)
	done := make(chan error, 1)
	go func() {
		done <- slave.ServeDiscovery(ctx, sim.DiscoveryConfig{Group: "239.255.0.0:0",
			Served: netip.MustParseAddrPort("127.0.0.1:5555"), Protocol: "udp", Ready: func(a *net.UDPAddr) { ready <- a }})
	}()
	defer func() { cancel(); <-done }()
	group := (<-ready).String()

	slaves, err := discovery.Discover(context.Background(), discovery.Config{Group: group, Interface: loopbackName(), Wait: 200 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range slaves {
		fmt.Println(s.Addr, s.Port, s.Protocol, s.ID, s.Busy)
	}
	// Output: 127.0.0.1 5555 udp bench-ecu false
}

func loopbackName() string {
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			return ifi.Name
		}
	}
	return "lo"
}
