package master_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/goxcp/goxcp/internal/cmdcheck"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
)

// The tests of the reader token (reader.go) over XCP on Ethernet, where a
// command's caller receives its own answer: what the receive goroutine
// did before must still happen.

// linger is longer than the master's readerLinger: after it the receive
// goroutine reads again.
const linger = 8 * time.Millisecond

// recvWithin waits for a notice; the bound only turns a hang into a
// failure.
func recvWithin(t *testing.T, ch <-chan master.Notice, what string) master.Notice {
	t.Helper()
	select {
	case n, ok := <-ch:
		if !ok {
			t.Fatalf("%s: subscription closed", what)
		}
		return n
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no notice within 10 s", what)
	}
	return master.Notice{}
}

// TestReaderEventsWhileIdle: events and service requests that arrive after
// a command, while no command runs, reach the subscribers without another
// command — right after the command (the token is free) and after the
// receive goroutine took it back.
func TestReaderEventsWhileIdle(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{}, master.Config{})
			ctx := context.Background()
			notices, unsubscribe := m.Subscribe(16)
			defer unsubscribe()
			for i := range 20 {
				if _, err := m.GetStatus(ctx); err != nil {
					t.Fatal(err)
				}
				if i%2 == 1 {
					time.Sleep(linger)
				}
				text := fmt.Sprintf("idle %d", i)
				if err := s.ServText(ctx, text); err != nil {
					t.Fatal(err)
				}
				n := recvWithin(t, notices, text)
				if n.Kind != xcp.KindServ || n.Serv != xcp.ServText || string(n.Data) != text {
					t.Fatalf("notice %v, want SERV_TEXT %q", n, text)
				}
				if err := s.Event(ctx, xcp.EvSleep, nil); err != nil {
					t.Fatal(err)
				}
				if n := recvWithin(t, notices, "EV_SLEEP"); n.Kind != xcp.KindEv || n.Event != xcp.EvSleep {
					t.Fatalf("notice %v, want EV_SLEEP", n)
				}
			}
		})
	}
}

// TestReaderEventsDuringCommand: notices arriving while a caller waits for
// its (slow) answer are delivered by that caller, and EV_CMD_PENDING still
// extends the command.
func TestReaderEventsDuringCommand(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{},
				master.Config{Timeouts: master.Timeouts{T1: 250 * time.Millisecond}})
			ctx := context.Background()
			notices, unsubscribe := m.Subscribe(64)
			defer unsubscribe()
			s.SlowCommands(1, 750*time.Millisecond, 40*time.Millisecond)
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatalf("GET_STATUS kept pending for 3 t1 with EV_CMD_PENDING: %v", err)
			}
			if n := recvWithin(t, notices, "EV_CMD_PENDING"); n.Event != xcp.EvCmdPending {
				t.Fatalf("notice %v, want EV_CMD_PENDING", n)
			}
		})
	}
}

// TestReaderConcurrentCallers: callers on several goroutines, commands back
// to back and after pauses longer than the linger (the token handed over
// both ways), every read right.
func TestReaderConcurrentCallers(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{}, master.Config{})
			ctx := context.Background()
			const base = sim.ScratchBase
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 1))
					addr := base + uint32(64*g)
					for i := range 60 {
						want := []byte{byte(g), byte(i), byte(i * 3), 0x5A}
						if err := m.Write(ctx, addr, 0, want); err != nil {
							errs <- err
							return
						}
						if rng.IntN(4) == 0 {
							time.Sleep(time.Duration(rng.IntN(int(2 * linger))))
						}
						got, err := m.Read(ctx, addr, 0, len(want))
						if err != nil {
							errs <- err
							return
						}
						if !bytes.Equal(got, want) {
							errs <- fmt.Errorf("caller %d read % X, wrote % X", g, got, want)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			for g := range 4 {
				b, err := s.ReadMemory(base+uint32(64*g), 0, 4)
				if err != nil || b[0] != byte(g) || b[1] != 59 {
					t.Errorf("slave memory of caller %d: % X, %v", g, b, err)
				}
			}
		})
	}
}

// TestReaderTimeoutCancelClose: a caller receiving its own answer still
// times out, is cancelled and sees Close and a lost connection.
func TestReaderTimeoutCancelClose(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			// t1 well above the scheduling delays of a loaded machine: the
			// SYNCH after the timeout must be answered within it.
			const t1 = 300 * time.Millisecond
			s, m := simtest.Start(t, network, sim.Config{},
				master.Config{Timeouts: master.Timeouts{T1: t1}, MaxRetries: -1})
			ctx := context.Background()

			// Timeout: the answer never comes.
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatal(err)
			}
			s.DropResponses(1)
			var te *xcp.TimeoutError
			if _, err := m.GetStatus(ctx); !errors.As(err, &te) {
				t.Fatalf("dropped answer: %v, want a timeout", err)
			}
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatalf("after the timeout: %v", err)
			}

			// Cancellation while waiting for a late answer.
			s.DelayResponses(1, 5*time.Second)
			cctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(20*time.Millisecond, cancel)
			start := time.Now()
			if _, err := m.GetStatus(cctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled: %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Fatalf("cancellation took %v", d)
			}
			s.ClearFaults()

			// Close while a caller waits (a fresh session: no
			// resynchronisation before the command).
			s, m = simtest.Start(t, network, sim.Config{}, master.Config{})
			if _, err := m.GetStatus(ctx); err != nil {
				t.Fatal(err)
			}
			s.DelayResponses(1, 5*time.Second)
			time.AfterFunc(20*time.Millisecond, func() { m.Close() })
			if _, err := m.GetStatus(ctx); !errors.Is(err, master.ErrClosed) {
				t.Fatalf("closed while waiting: %v, want ErrClosed", err)
			}
			select {
			case <-m.Lost():
			default:
				t.Fatal("Lost not closed after Close")
			}
		})
	}
}

// TestReaderLostWhileIdle: a TCP slave that goes away after a command,
// while no command runs, is seen (Lost) without another command.
func TestReaderLostWhileIdle(t *testing.T) {
	s, m := simtest.Start(t, "tcp", sim.Config{}, master.Config{})
	if _, err := m.GetStatus(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Disconnect()
	select {
	case <-m.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("Lost not closed 10 s after the slave closed the connection")
	}
	if err := m.Err(); !errors.Is(err, transport.ErrConnectionLost) {
		t.Fatalf("Err = %v, want ErrConnectionLost", err)
	}
	if _, err := m.GetStatus(context.Background()); !errors.Is(err, transport.ErrConnectionLost) {
		t.Fatalf("command after the loss: %v, want ErrConnectionLost", err)
	}
}

// TestReaderLostDuringCommand: the connection breaks while the caller
// itself waits for its answer.
func TestReaderLostDuringCommand(t *testing.T) {
	s, m := simtest.Start(t, "tcp", sim.Config{}, master.Config{})
	if _, err := m.GetStatus(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.DelayResponses(1, 5*time.Second)
	time.AfterFunc(20*time.Millisecond, s.Disconnect)
	if _, err := m.GetStatus(context.Background()); !errors.Is(err, transport.ErrConnectionLost) {
		t.Fatalf("GET_STATUS while the connection broke: %v, want ErrConnectionLost", err)
	}
	<-m.Lost()
	if err := m.Err(); !errors.Is(err, transport.ErrConnectionLost) {
		t.Fatalf("Err = %v, want ErrConnectionLost", err)
	}
}

// TestReaderBackgroundPathNeverWrong is the property of
// TestCommandPathNeverWrong with a DTO handler installed: every answer is
// then handed over by the receive goroutine, the path of a running
// measurement.
func TestReaderBackgroundPathNeverWrong(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		f.Value.Set("6")
		defer f.Value.Set("100")
	}
	const t1 = 30 * time.Millisecond
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{},
				master.Config{Timeouts: master.Timeouts{T1: t1, T7: 2 * time.Millisecond}})
			m.SetDTOHandler(func(transport.Packet) {})
			ctx := context.Background()
			rapid.Check(t, func(rt *rapid.T) {
				init := make([]byte, cmdcheck.Size)
				for i := range init {
					init[i] = byte(rapid.IntRange(1, 255).Draw(rt, "init"))
				}
				c, err := cmdcheck.New(ctx, s, m, t1, init) // waits out late answers of the last check
				if err != nil {
					rt.Fatal(err)
				}
				c.Wrong = func(msg string) { rt.Fatalf("wrong value without an error: %s", msg) }
				for range rapid.IntRange(5, 25).Draw(rt, "steps") {
					if err := c.Step(ctx, rapidSource{rt}); err != nil {
						rt.Fatal(err)
					}
				}
				s.ClearFaults()
			})
		})
	}
}

// TestReaderContextDeadline: a context deadline that ends a caller's own
// read (the transport may see it pass an instant before the context
// reports it) is the context's error, never a lost connection.
func TestReaderContextDeadline(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := simtest.Start(t, network, sim.Config{},
				master.Config{Timeouts: master.Timeouts{T1: 2 * time.Second}})
			for range 8 {
				s.DelayResponses(1, 50*time.Millisecond)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
				_, err := m.GetStatus(ctx)
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("GET_STATUS past its context's deadline: %v, want context.DeadlineExceeded", err)
				}
				if err := m.Err(); err != nil {
					t.Fatalf("connection taken for lost after a context deadline: %v", err)
				}
				s.ClearFaults()
				if _, err := m.GetStatus(context.Background()); err != nil {
					t.Fatalf("GET_STATUS after the deadline: %v", err)
				}
			}
		})
	}
}
