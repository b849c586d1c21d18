package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/goxcp/goxcp/transport/eth"
)

// DefaultAddr is the address the simulator listens on by default.
const DefaultAddr = "127.0.0.1:5555"

// ListenAndServe serves the slave over XCP on Ethernet until ctx is done.
// network is "tcp", "tcp4", "tcp6", "udp", "udp4" or "udp6"; addr is
// host:port ("" = DefaultAddr; port 0 picks a free port). ready, if not
// nil, is called once with the bound address as soon as the listener is
// open, so callers can use port 0. It returns nil when ctx ends the
// serving, or the error that stopped it.
func (s *Slave) ListenAndServe(ctx context.Context, network, addr string, ready func(net.Addr)) error {
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := eth.ListenConfig{Logger: s.log}.Listen(network, addr)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	ep := s.addEndpoint(l.Addr()) // declared in the A2L before ready is called
	if ready != nil {
		ready(l.Addr())
	}
	return s.serveListener(ctx, l, ep)
}

// ServeListener accepts masters on l and serves each on its own goroutine
// (TCP: one per connection, UDP: one per remote peer) until ctx is done or
// l is closed. It closes l and waits for every connection before it
// returns; the end by ctx or Close is not an error. While serving, the
// listener's address is declared in the A2L (XCP_ON_TCP_IP/XCP_ON_UDP_IP).
func (s *Slave) ServeListener(ctx context.Context, l *eth.Listener) error {
	return s.serveListener(ctx, l, s.addEndpoint(l.Addr()))
}

func (s *Slave) serveListener(ctx context.Context, l *eth.Listener, ep *endpoint) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		l.Close()
		wg.Wait()
		s.removeEndpoint(ep)
	}()
	for {
		c, err := l.Accept(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("sim: accept on %s: %w", l.Addr(), err)
		}
		info := c.Info()
		s.log.Info("sim: master connected", "kind", info.Kind, "remote", info.Remote)
		wg.Go(func() {
			if err := s.Serve(ctx, c); err != nil {
				s.log.Warn("sim: connection ended", "remote", info.Remote, "err", err)
			}
		})
	}
}

func (s *Slave) addEndpoint(a net.Addr) *endpoint {
	e := &endpoint{}
	switch a := a.(type) {
	case *net.TCPAddr:
		e.proto, e.host, e.port = "TCP", a.IP.String(), a.Port
	case *net.UDPAddr:
		e.proto, e.host, e.port = "UDP", a.IP.String(), a.Port
	default:
		e.proto = strings.ToUpper(a.Network())
		e.host = a.String()
	}
	s.mu.Lock()
	s.endpoints = append(s.endpoints, e)
	s.mu.Unlock()
	return e
}

func (s *Slave) removeEndpoint(e *endpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.endpoints {
		if x == e {
			s.endpoints = append(s.endpoints[:i], s.endpoints[i+1:]...)
			return
		}
	}
}
