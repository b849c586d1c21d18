package master

import (
	"context"
	"sync"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

// simRig is a master connected to the simulator (package sim: the slave
// the project ships, not a second one written for these tests) over an
// in-process pipe. Every command the master sends is logged; answer, if
// set, sees each command first and may answer it instead of the simulator
// (for slave behaviour the simulator does not have, and for faults).
type simRig struct {
	slave *sim.Slave
	m     *Master
	f     xcp.Format // the slave's packet format

	mu  sync.Mutex
	log [][]byte
}

// ram is where the rig's tests keep their data: scratch RAM of the
// simulator, preloaded with byte i = i*7 (mod 256) for 64 KiB.
const ram = sim.ScratchBase

// answerFunc answers a command in place of the simulator when handled;
// nil packets send nothing.
type answerFunc func(req []byte) (packets [][]byte, handled bool)

// newSimRig serves a simulator with cfg behind a master with mcfg and
// connects.
func newSimRig(t testing.TB, cfg sim.Config, mcfg Config, answer answerFunc) *simRig {
	t.Helper()
	slave, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := slave.Config()
	r := &simRig{slave: slave, f: xcp.Format{Order: c.Order, AG: c.AG, MaxCTO: c.MaxCTO, MaxDTO: c.MaxDTO}}
	pattern := make([]byte, 64<<10)
	for i := range pattern {
		pattern[i] = byte(i * 7)
	}
	if err := slave.WriteMemory(ram, 0, pattern); err != nil {
		t.Fatal(err)
	}
	a, b := memconn.Pipe(64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- slave.Serve(ctx, &rigConn{Conn: b, rig: r, answer: answer}) }()
	r.m = New(a, mcfg)
	t.Cleanup(func() {
		r.m.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("simulator: %v", err)
		}
	})
	if _, err := r.m.Connect(t.Context(), xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	return r
}

// mem returns n bytes of the slave's memory at addr.
func (r *simRig) mem(t testing.TB, addr uint32, n int) []byte {
	t.Helper()
	b, err := r.slave.ReadMemory(addr, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// requests returns the commands the master sent so far.
func (r *simRig) requests() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.log...)
}

// rigConn is the simulator's end of the pipe: it logs every command and
// lets the rig's answer function take it.
type rigConn struct {
	*memconn.Conn
	rig    *simRig
	answer answerFunc
}

func (c *rigConn) Recv(ctx context.Context) (transport.Packet, error) {
	for {
		p, err := c.Conn.Recv(ctx)
		if err != nil {
			return p, err
		}
		req := append([]byte(nil), p.Data...)
		c.rig.mu.Lock()
		c.rig.log = append(c.rig.log, req)
		c.rig.mu.Unlock()
		if c.answer == nil {
			return p, nil
		}
		out, handled := c.answer(req)
		if !handled {
			return p, nil
		}
		for _, q := range out {
			if err := c.Conn.Send(ctx, q); err != nil {
				return transport.Packet{}, err
			}
		}
	}
}
