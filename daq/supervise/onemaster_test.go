package supervise_test

import (
	"errors"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/daq/supervise"
	"github.com/goxcp/goxcp/master"
)

// TestSecondMasterRefused: while a recording runs, a second master on the
// same port is refused with a clear error, and the recording goes on
// untouched (no interruption, samples all along).
func TestSecondMasterRefused(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			sl := startSlave(t, proto, 0)
			connect := dial(proto, sl.port)
			m, closeM, err := connect(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			sink := &memSink{}
			rec := supervise.Recorder{Lists: counterList(), Options: daq.Options{Sink: sink}, Duration: 1200 * time.Millisecond}
			ch := make(chan error, 1)
			var res supervise.Result
			go func() {
				var err error
				res, err = rec.Run(t.Context(), m)
				ch <- err
			}()
			time.Sleep(300 * time.Millisecond)
			m2, close2, err := connect(t.Context())
			if err == nil {
				close2()
				t.Fatalf("a second master connected while the first records (%v)", m2.ConnectInfo())
			}
			if !errors.Is(err, master.ErrConnectRefused) {
				t.Errorf("second master: %v, want master.ErrConnectRefused", err)
			}
			if err := <-ch; err != nil {
				t.Fatalf("the first recording failed: %v", err)
			}
			if len(res.Interruptions) != 0 {
				t.Errorf("interruptions %+v", res.Interruptions)
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			n := len(sink.frames)
			if n < 500 {
				t.Fatalf("%d frames in 1.2 s of a 1 ms event", n)
			}
			if last := time.Duration(sink.frames[n-1].Time - sink.frames[0].Time); last < time.Second {
				t.Errorf("frames span only %v of 1.2 s: the recording stopped", last)
			}
			// Once the first master disconnected, the second one may connect.
			closeM()
			_, close2, err = connect(t.Context())
			if err != nil {
				t.Fatalf("after the first master left: %v", err)
			}
			close2()
		})
	}
}
