package master

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport/memconn"
)

// fakeSlave answers each request with reply(req); nil means no answer.
func fakeSlave(t testing.TB, reply func(req []byte) [][]byte) (*Master, func()) {
	t.Helper()
	return fakeSlaveCfg(t, reply, Config{Timeouts: Timeouts{T1: 200 * time.Millisecond, T7: time.Millisecond}})
}

// fakeSlaveCfg is fakeSlave with a master configuration.
func fakeSlaveCfg(t testing.TB, reply func(req []byte) [][]byte, cfg Config) (*Master, func()) {
	t.Helper()
	a, b := memconn.Pipe(64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			p, err := b.Recv(ctx)
			if err != nil {
				return
			}
			for _, r := range reply(append([]byte(nil), p.Data...)) {
				if b.Send(ctx, r) != nil {
					return
				}
			}
		}
	}()
	m := New(a, cfg)
	return m, func() { m.Close(); cancel(); b.Close(); <-done }
}

func TestConnectAdoptsFormat(t *testing.T) {
	m, stop := fakeSlave(t, func(req []byte) [][]byte {
		if req[0] == 0xFF {
			return [][]byte{{0xFF, 0x15, 0x03, 0x20, 0x01, 0x00, 0x01, 0x01}}
		}
		return nil
	})
	defer stop()
	r, err := m.Connect(context.Background(), xcp.ConnectNormal)
	if err != nil {
		t.Fatal(err)
	}
	f := m.Format()
	if f.Order != xcp.Motorola || f.AG != xcp.Word || f.MaxCTO != 0x20 || f.MaxDTO != 0x100 {
		t.Fatalf("format %+v from %+v", f, r)
	}
}

func TestBusyIsRetriedAfterT7(t *testing.T) {
	busy := 2
	m, stop := fakeSlave(t, func(req []byte) [][]byte {
		if req[0] == byte(xcp.CmdGetStatus) {
			if busy > 0 {
				busy--
				return [][]byte{{0xFE, 0x10}}
			}
			return [][]byte{{0xFF, 0, 0, 0, 0, 0}}
		}
		return nil
	})
	defer stop()
	if _, err := m.Do(context.Background(), []byte{byte(xcp.CmdGetStatus)}); err != nil {
		t.Fatal(err)
	}
	if busy != 0 {
		t.Fatalf("busy left %d", busy)
	}
}

func TestSilentSlaveTimesOutBounded(t *testing.T) {
	var sent atomic.Int32
	m, stop := fakeSlave(t, func(req []byte) [][]byte {
		if req[0] == byte(xcp.CmdGetStatus) {
			sent.Add(1)
		}
		return nil
	})
	defer stop()
	_, err := m.Do(context.Background(), []byte{byte(xcp.CmdGetStatus)})
	if !errors.Is(err, xcp.ErrTimeout) {
		t.Fatalf("err = %v, want timeout", err)
	}
	// The SYNCH after the first timeout is not answered either: the master
	// cannot resynchronise, so it does not repeat the command.
	if !errors.Is(err, ErrNotSynchronised) || sent.Load() != 1 {
		t.Fatalf("err = %v after %d GET_STATUS, want ErrNotSynchronised after 1", err, sent.Load())
	}
	// The next command tries SYNCH again first and is not sent without it.
	_, err = m.Do(context.Background(), []byte{byte(xcp.CmdGetStatus)})
	if !errors.Is(err, ErrNotSynchronised) || sent.Load() != 1 {
		t.Fatalf("second call: err = %v after %d GET_STATUS", err, sent.Load())
	}
}

func TestErrorIsTyped(t *testing.T) {
	m, stop := fakeSlave(t, func(req []byte) [][]byte { return [][]byte{{0xFE, 0x22}} })
	defer stop()
	_, err := m.Do(context.Background(), []byte{byte(xcp.CmdShortUpload), 1, 0, 0, 0, 0, 0, 0})
	var xe *xcp.Error
	if !errors.As(err, &xe) || xe.Cmd != xcp.CmdShortUpload || !errors.Is(err, xcp.ErrOutOfRange) {
		t.Fatalf("err = %v", err)
	}
}

// A locked resource without a key function: the command's error still
// says ERR_ACCESS_LOCKED and also why the unlock pre-action failed.
func TestLockedWithoutKeyFuncKeepsBothCauses(t *testing.T) {
	m, stop := fakeSlave(t, func(req []byte) [][]byte {
		switch xcp.Command(req[0]) {
		case xcp.CmdGetSeed:
			return [][]byte{{0xFF, 2, 0xAA, 0xBB}}
		case xcp.CmdDownload, xcp.CmdShortDownload:
			return [][]byte{{0xFE, byte(xcp.ErrAccessLocked)}}
		}
		return [][]byte{{0xFF}}
	})
	defer stop()
	_, err := m.Do(context.Background(), []byte{byte(xcp.CmdDownload), 1, 0xAB})
	if !errors.Is(err, xcp.ErrAccessLocked) || !errors.Is(err, ErrNoKeyFunc) {
		t.Fatalf("err = %v; want both ERR_ACCESS_LOCKED and ErrNoKeyFunc", err)
	}
}
