package master

import (
	"context"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// TestFloodDuringResyncNeverHangs: a slave that answers SYNCH with its
// ERR_CMD_SYNCH followed by a flood of packets (more than the hand-off
// channel holds) must not hang the master: the receiver must never block
// on the hand-off while holding the lock the command needs to finish.
func TestFloodDuringResyncNeverHangs(t *testing.T) {
	format := xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 8, MaxDTO: 8}
	for i := range 20 {
		reply := func(req []byte) [][]byte {
			switch xcp.Command(req[0]) {
			case xcp.CmdConnect:
				return [][]byte{xcp.ConnectResponse{CommModeBasic: xcp.CommModeOptional, MaxCTO: 8, MaxDTO: 8}.Append(nil, format)}
			case xcp.CmdSynch:
				out := [][]byte{{xcp.PIDErr, byte(xcp.ErrCmdSynch)}}
				for range 2000 {
					out = append(out, []byte{xcp.PIDRes})
				}
				return out
			}
			return [][]byte{{xcp.PIDRes}} // too short for GET_STATUS: the master resynchronises
		}
		m := New(newScriptConn(reply), Config{MaxRetries: -1, Timeouts: Timeouts{T1: 50 * time.Millisecond, T7: time.Millisecond}})
		done := make(chan struct{})
		go func() {
			defer close(done)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
				t.Error(err)
				return
			}
			for range 3 {
				m.GetStatus(ctx)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("run %d: the master hangs after a flood during its resynchronisation", i)
		}
		m.Close()
	}
}
