package master_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/memconn"
)

// serveSim runs a simulator on one end of an in-process pipe; a real
// program dials the slave with transport/eth instead.
func serveSim(ctx context.Context, cfg sim.Config) (*memconn.Conn, func()) {
	s, err := sim.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	a, b := memconn.Pipe(64)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ctx, b) }()
	return a, func() { cancel(); a.Close(); <-done }
}

// Write and read back memory of any length, then let the slave's
// BUILD_CHECKSUM confirm it.
func ExampleMaster_Read() {
	ctx := context.Background()
	conn, stop := serveSim(ctx, sim.Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16})
	defer stop()
	m := master.New(conn, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i)
	}
	if err := m.Write(ctx, sim.RAMBase+0x100, 0, data); err != nil {
		log.Fatal(err)
	}
	got, err := m.Read(ctx, sim.RAMBase+0x100, 0, len(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(got), got[999], m.Verify(ctx, sim.RAMBase+0x100, 0, data))
	// Output: 1000 231 <nil>
}

// Unlock protected resources with a key function, only where needed.
func ExampleMaster_UnlockIfLocked() {
	ctx := context.Background()
	conn, stop := serveSim(ctx, sim.Config{Protect: xcp.ResCalPag | xcp.ResPgm})
	defer stop()
	m := master.New(conn, master.Config{Unlock: seedkey.Func(sim.DemoKey)})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}
	left, err := m.UnlockIfLocked(ctx, xcp.ResCalPag)
	fmt.Println("still locked:", left, err)
	// Output: still locked: PGM <nil>
}

// Fetch the A2L description the slave serves with GET_ID type 4.
func ExampleMaster_FetchA2L() {
	ctx := context.Background()
	conn, stop := serveSim(ctx, sim.Config{})
	defer stop()
	m := master.New(conn, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}
	a2l, err := m.FetchA2L(ctx)
	fmt.Println(len(a2l) > 1000, err)
	// Output: true <nil>
}

// Follow a long read with a progress callback (bytes done of the total).
func ExampleMaster_ReadWith() {
	ctx := context.Background()
	conn, stop := serveSim(ctx, sim.Config{MaxCTO: 8, NoSlaveBlockMode: true})
	defer stop()
	m := master.New(conn, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}
	calls, last := 0, int64(0)
	data, err := m.ReadWith(ctx, sim.RAMBase, 0, 64<<10, master.ReadOptions{Progress: func(done, total int64) {
		calls++
		if done == total {
			last = done
		}
	}})
	fmt.Println(len(data), last, calls > 100, err)
	// Output: 65536 65536 true <nil>
}
