package main

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// reorderRelay is a UDP relay on 127.0.0.1 between the master and the
// simulator that reorders the simulator's datagrams as a datagram network
// may: pct percent of them are held back and sent after the next one (or
// after hold, if none follows). Commands pass unchanged. The slave still
// answers in order; only the network reorders — what the master can
// recognise by the Ethernet CTR (master/stale.go).
type reorderRelay struct {
	down *net.UDPConn // the master's side
	up   *net.UDPConn // the simulator's side
	wg   sync.WaitGroup

	mu       sync.Mutex
	master   *net.UDPAddr
	held     []byte
	timer    *time.Timer
	reorders uint64
}

// startReorderRelay relays to the simulator at sim and returns the port
// the master dials. It stops when ctx ends.
func startReorderRelay(ctx context.Context, sim string, pct int, hold time.Duration, seed uint64) (*reorderRelay, int, error) {
	sa, err := net.ResolveUDPAddr("udp4", sim)
	if err != nil {
		return nil, 0, err
	}
	down, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, 0, err
	}
	up, err := net.DialUDP("udp4", nil, sa)
	if err != nil {
		down.Close()
		return nil, 0, err
	}
	r := &reorderRelay{down: down, up: up}
	r.timer = time.AfterFunc(time.Hour, r.flush)
	r.timer.Stop()
	rnd := rand.New(rand.NewPCG(seed, 0x5EED))
	r.wg.Add(3)
	go func() {
		defer r.wg.Done()
		<-ctx.Done()
		down.Close()
		up.Close()
		r.timer.Stop()
	}()
	go func() { // master → simulator
		defer r.wg.Done()
		b := make([]byte, 65536)
		for {
			n, from, err := down.ReadFromUDP(b)
			if err != nil {
				return
			}
			r.mu.Lock()
			r.master = from
			r.mu.Unlock()
			up.Write(b[:n])
		}
	}()
	go func() { // simulator → master, reordered
		defer r.wg.Done()
		b := make([]byte, 65536)
		for {
			n, err := up.Read(b)
			if err != nil {
				return
			}
			p := append([]byte(nil), b[:n]...)
			r.mu.Lock()
			switch {
			case r.held != nil: // the held one goes after this one
				r.send(p)
				r.timer.Stop()
				r.send(r.held)
				r.held = nil
				r.reorders++
			case rnd.IntN(100) < pct:
				r.held = p
				r.timer.Reset(hold)
			default:
				r.send(p)
			}
			r.mu.Unlock()
		}
	}()
	return r, down.LocalAddr().(*net.UDPAddr).Port, nil
}

// send passes p to the master. Callers hold r.mu.
func (r *reorderRelay) send(p []byte) {
	if r.master != nil {
		r.down.WriteToUDP(p, r.master)
	}
}

// flush sends a held datagram that no other followed in time.
func (r *reorderRelay) flush() {
	r.mu.Lock()
	if r.held != nil {
		r.send(r.held)
		r.held = nil
	}
	r.mu.Unlock()
}

// count returns how many datagrams were sent behind a later one.
func (r *reorderRelay) count() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reorders
}

// wait waits for the relay's goroutines after ctx ended.
func (r *reorderRelay) wait() { r.wg.Wait() }
