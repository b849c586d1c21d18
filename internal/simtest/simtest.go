// Package simtest starts the simulator (goxcp/sim) for the tests of the
// packages above the master: a slave served over XCP on Ethernet on
// 127.0.0.1 port 0, and a master connected to it. Only tests import it.
package simtest

import (
	"context"
	"net"
	"testing"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

// Serve serves a simulator with cfg on 127.0.0.1 port 0 over network ("tcp"
// or "udp") until the test ends, and returns it with its port. When the test
// ends it stops the simulator and reports an error Serve returned.
func Serve(t testing.TB, network string, cfg sim.Config) (*sim.Slave, int) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, network, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("simulator: %v", err)
		}
	})
	switch a := addr.(type) {
	case *net.TCPAddr:
		return s, a.Port
	case *net.UDPAddr:
		return s, a.Port
	}
	t.Fatalf("simulator listens on %v (%T), want a TCP or UDP address", addr, addr)
	return nil, 0
}

// Start is Serve plus a master with mcfg connected (CONNECT normal) to the
// simulator; the master is closed before the simulator stops.
func Start(t testing.TB, network string, cfg sim.Config, mcfg master.Config) (*sim.Slave, *master.Master) {
	t.Helper()
	s, port := Serve(t, network, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := eth.Dial(ctx, eth.Config{Protocol: network, Host: "127.0.0.1", Port: port})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	m := master.New(conn, mcfg)
	t.Cleanup(func() {
		m.Close()
		cancel()
	})
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	return s, m
}
