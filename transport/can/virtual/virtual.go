// Package virtual is an in-process CAN bus: every port opened on a Bus
// receives the frames the other ports send, in order, as on a real bus
// (a port does not receive its own frames). It is how goxcp tests XCP on
// CAN and CAN FD without hardware or kernel support.
package virtual

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/goxcp/goxcp/transport/can"
)

// Bus is a virtual CAN bus. The zero value is not usable; use New.
type Bus struct {
	name  string
	queue int
	mu    sync.Mutex
	ports map[*Port]struct{}
}

// Config describes a virtual bus.
type Config struct {
	// Name describes the bus in Info ("" = "virtual").
	Name string
	// Queue is the number of frames each port buffers (0 = 4096); a
	// sender blocks while a receiving port's buffer is full (there is no
	// loss on a virtual bus).
	Queue int
}

// New returns an empty bus; ports attach to it with Open.
func New(cfg Config) *Bus {
	name, queue := cfg.Name, cfg.Queue
	if name == "" {
		name = "virtual"
	}
	if queue <= 0 {
		queue = 4096
	}
	return &Bus{name: name, queue: queue, ports: map[*Port]struct{}{}}
}

// Open attaches a new port (a CAN controller) to the bus.
func (b *Bus) Open() *Port {
	p := &Port{bus: b, in: make(chan can.Frame, b.queue), done: make(chan struct{})}
	b.mu.Lock()
	b.ports[p] = struct{}{}
	b.mu.Unlock()
	return p
}

// Port is one controller on a virtual bus. It implements can.Bus and
// can.Filterer.
type Port struct {
	bus    *Bus
	in     chan can.Frame
	done   chan struct{}
	once   sync.Once
	fmu    sync.RWMutex
	filter map[can.ID]bool // nil = accept everything
}

// Send implements can.Bus: the frame reaches every other port whose filter
// accepts it.
func (p *Port) Send(ctx context.Context, f can.Frame) error {
	if err := f.Validate(); err != nil {
		return err
	}
	select {
	case <-p.done:
		return net.ErrClosed
	default:
	}
	p.bus.mu.Lock()
	targets := make([]*Port, 0, len(p.bus.ports))
	for q := range p.bus.ports {
		if q != p && (f.Error || q.accepts(f.Key())) { // error frames pass every filter, as on SocketCAN
			targets = append(targets, q)
		}
	}
	p.bus.mu.Unlock()
	for _, q := range targets {
		select {
		case q.in <- f:
		case <-q.done: // a port closed meanwhile: it simply misses the frame
		case <-p.done:
			return net.ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (p *Port) accepts(id can.ID) bool {
	p.fmu.RLock()
	defer p.fmu.RUnlock()
	return p.filter == nil || p.filter[id]
}

// SetFilter implements can.Filterer.
func (p *Port) SetFilter(ids []can.ID) error {
	m := make(map[can.ID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	p.fmu.Lock()
	p.filter = m
	p.fmu.Unlock()
	return nil
}

// Receive implements can.Bus.
func (p *Port) Receive(ctx context.Context) (can.Frame, error) {
	select {
	case f := <-p.in:
		return f, nil
	case <-p.done:
		return can.Frame{}, net.ErrClosed
	case <-ctx.Done():
		return can.Frame{}, ctx.Err()
	}
}

// Close implements can.Bus: the port leaves the bus.
func (p *Port) Close() error {
	p.once.Do(func() {
		p.bus.mu.Lock()
		delete(p.bus.ports, p)
		p.bus.mu.Unlock()
		close(p.done)
	})
	return nil
}

// Describe implements can.Describer.
func (p *Port) Describe() string { return fmt.Sprintf("virtual bus %q", p.bus.name) }
