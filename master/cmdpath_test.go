package master_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// Two memory areas with different contents but reads of the same shape:
// a late answer to a read of one would look right for the other.
const (
	areaA = sim.RAMBase + 0x1000
	areaB = sim.RAMBase + 0x1100
)

var (
	patA = []byte{0xA1, 0xA2, 0xA3, 0xA4}
	patB = []byte{0xB1, 0xB2, 0xB3, 0xB4}
)

func startPair(t *testing.T, network string, mcfg master.Config) (*sim.Slave, *master.Master) {
	t.Helper()
	s, m := simtest.Start(t, network, sim.Config{}, mcfg)
	ctx := context.Background()
	if err := m.Write(ctx, areaA, 0, patA); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(ctx, areaB, 0, patB); err != nil {
		t.Fatal(err)
	}
	return s, m
}

// readCheck reads n bytes at addr: a result must be want; an error is fine.
func readCheck(t *testing.T, m *master.Master, addr uint32, want []byte) error {
	t.Helper()
	got, err := m.Read(context.Background(), addr, 0, len(want))
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read 0x%X: % X without an error, want % X", addr, got, want)
	}
	return nil
}

// An answer delayed around and beyond t1 (also beyond the SYNCH that
// follows the timeout) never becomes the answer of a later command.
func TestLateAnswerNeverAnswersALaterCommand(t *testing.T) {
	const t1 = 60 * time.Millisecond
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := startPair(t, network, master.Config{Timeouts: master.Timeouts{T1: t1, T7: time.Millisecond}})
			for _, k := range []float64{0.5, 0.9, 1, 1.1, 1.5, 2, 2.5, 3.5} {
				d := time.Duration(k * float64(t1))
				s.DelayResponses(1, d)
				readCheck(t, m, areaA, patA)
				for range 3 {
					readCheck(t, m, areaB, patB)
					readCheck(t, m, areaA, patA)
				}
				s.ClearFaults()
			}
			// And afterwards everything works again.
			if err := readCheck(t, m, areaB, patB); err != nil {
				t.Fatalf("after the faults: %v", err)
			}
		})
	}
}

// A response packet that arrives twice is used once.
func TestDuplicatedAnswerUsedOnce(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			s, m := startPair(t, network, master.Config{Timeouts: master.Timeouts{T1: 200 * time.Millisecond}})
			for range 20 {
				s.DuplicateResponses(1)
				if err := readCheck(t, m, areaA, patA); err != nil {
					t.Fatal(err)
				}
				if err := readCheck(t, m, areaB, patB); err != nil {
					t.Fatal(err)
				}
			}
			if st := m.Conn().Stats(); st.Repeated == 0 {
				t.Fatalf("no repeated frame discarded by the transport: %+v", st)
			}
		})
	}
}

// A positive response longer (or shorter) than the command's is not
// believed: the master resynchronises and repeats; if it persists, the
// error names the lengths.
func TestMisfitResponseRejected(t *testing.T) {
	s, m := startPair(t, "tcp", master.Config{Timeouts: master.Timeouts{T1: 200 * time.Millisecond}})
	ctx := context.Background()
	longer := func(p []byte) []byte { return append(p, 0xEE, 0xEE) }
	s.CorruptResponses(1, longer)
	if err := readCheck(t, m, areaA, patA); err != nil {
		t.Fatalf("one long answer: %v", err)
	}
	s.CorruptResponses(1000, longer)
	_, err := m.GetStatus(ctx)
	s.ClearFaults()
	var re *master.ResponseError
	if !errors.As(err, &re) || re.Cmd != xcp.CmdGetStatus || re.Got != 8 || re.Want != 6 {
		t.Fatalf("err = %v", err)
	}
	if err := readCheck(t, m, areaB, patB); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
}

// A slave that answers EV_CMD_PENDING for ever does not keep a command
// waiting for ever: it fails at the command deadline, which bounds the
// whole command — also when the events come less often than t1, so that
// each attempt times out, is resynchronised and repeated.
func TestPendingForeverEndsAtTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every time.Duration // EV_CMD_PENDING interval
	}{
		{"events within t1", 30 * time.Millisecond},
		{"events after t1: timeouts and repetitions", 150 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := startPair(t, "tcp", master.Config{
				Timeouts:        master.Timeouts{T1: 100 * time.Millisecond, T7: time.Millisecond},
				CommandDeadline: 400 * time.Millisecond,
			})
			s.SlowCommands(1000, time.Hour, tc.every)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := m.GetStatus(ctx)
			el := time.Since(start)
			if !errors.Is(err, master.ErrCommandDeadline) || !strings.Contains(err.Error(), "GET_STATUS: no answer within the command deadline of 400ms") {
				t.Fatalf("err = %v after %v", err, el)
			}
			// The deadline is exact up to scheduling: well under the
			// attempts, SYNCHs and repetitions that would follow.
			if el < 400*time.Millisecond || el > 2*time.Second {
				t.Fatalf("failed after %v, want the 400 ms deadline", el)
			}
			s.Disconnect() // end the slave's endless wait
		})
	}
}

// logBuf collects log output for checks.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The frame trace never shows a seed or a key; timeouts are logged as
// timeouts, not as an error code 0xFF.
func TestTraceMasksSeedAndKeyAndNamesTimeouts(t *testing.T) {
	var logs logBuf
	var seeds, keys [][]byte
	var mu sync.Mutex
	cfg := master.Config{
		Timeouts: master.Timeouts{T1: 100 * time.Millisecond},
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Unlock: func(_ context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
			k := sim.DemoKey(res, seed)
			mu.Lock()
			seeds, keys = append(seeds, append([]byte(nil), seed...)), append(keys, k)
			mu.Unlock()
			return k, nil
		},
	}
	s, m := simtest.Start(t, "tcp", sim.Config{Protect: xcp.ResCalPag, SeedLen: 12}, cfg)
	ctx := context.Background()
	if err := m.Write(ctx, areaA, 0, patA); err != nil {
		t.Fatal(err)
	}
	s.DropResponses(1)
	if err := readCheck(t, m, areaA, patA); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if len(seeds) == 0 {
		t.Fatal("no seed was asked for")
	}
	for i := range seeds {
		for _, secret := range [][]byte{seeds[i], keys[i]} {
			for _, n := range []int{4, len(secret)} { // any run of 4 bytes of it
				for j := 0; j+n <= len(secret); j++ {
					if h := fmt.Sprintf("% X", secret[j:j+n]); strings.Contains(out, h) {
						t.Fatalf("log shows secret bytes %s:\n%s", h, out)
					}
				}
			}
		}
	}
	if !strings.Contains(out, "bytes masked") {
		t.Fatalf("no masked trace line:\n%s", out)
	}
	if strings.Contains(out, "ERR_0xFF") || !strings.Contains(out, "error=timeout") {
		t.Fatalf("timeouts not named as such:\n%s", out)
	}
}

// The command deadline also bounds the pre-actions that run code of the
// program's: a key function that does not return in time is cancelled
// and the command fails at its deadline, naming it.
func TestDeadlineBoundsTheKeyFunction(t *testing.T) {
	cfg := master.Config{
		Timeouts:        master.Timeouts{T1: 100 * time.Millisecond},
		CommandDeadline: 300 * time.Millisecond,
		Unlock: func(ctx context.Context, _ xcp.Resource, _ []byte) ([]byte, error) {
			<-ctx.Done() // a key program that hangs
			return nil, ctx.Err()
		},
	}
	_, m := simtest.Start(t, "tcp", sim.Config{Protect: xcp.ResCalPag}, cfg)
	start := time.Now()
	err := m.Write(context.Background(), areaA, 0, patA)
	el := time.Since(start)
	if !errors.Is(err, master.ErrCommandDeadline) || !strings.Contains(err.Error(), "command deadline of 300ms") {
		t.Fatalf("err = %v after %v", err, el)
	}
	if el < 300*time.Millisecond || el > 3*time.Second {
		t.Fatalf("failed after %v, want the 300 ms deadline", el)
	}
}
