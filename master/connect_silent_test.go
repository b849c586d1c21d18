package master

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// CONNECT to a slave that never answers is repeated once by default (4 s
// with the default t1 of 2 s), and as configured.
func TestConnectToSilentSlaveIsBounded(t *testing.T) {
	for _, tc := range []struct {
		retries, want int
	}{{0, 2}, {-1, 1}, {3, 4}} {
		var sent atomic.Int32
		m, stop := fakeSlaveCfg(t, func(req []byte) [][]byte {
			if req[0] == byte(xcp.CmdConnect) {
				sent.Add(1)
			}
			return nil
		}, Config{Timeouts: Timeouts{T1: 20 * time.Millisecond}, ConnectRetries: tc.retries})
		_, err := m.Connect(context.Background(), xcp.ConnectNormal)
		stop()
		if !errors.Is(err, xcp.ErrTimeout) || int(sent.Load()) != tc.want {
			t.Errorf("ConnectRetries %d: %d CONNECT sent (%v), want %d", tc.retries, sent.Load(), err, tc.want)
		}
	}
}
