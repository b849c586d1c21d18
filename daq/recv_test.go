package daq

import (
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport"
)

// TestReceivePathAllocs: the DTO handler that runs on the master's receive
// goroutine allocates nothing, also when it hands chunks over and when every
// buffer is full (then it counts drops).
func TestReceivePathAllocs(t *testing.T) {
	r := &receiver{free: make(chan *chunk, 2), full: make(chan *chunk, 2), flush: 1 << 62, stallMax: -1}
	for range 2 {
		r.free <- &chunk{buf: make([]byte, 0, 128<<10)}
	}
	p := transport.Packet{Data: make([]byte, 60)}
	n := 0
	allocs := testing.AllocsPerRun(20000, func() {
		p.Time = int64(n)
		n++
		r.onDTO(p)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per DTO", allocs)
	}
	if r.frames != 20001 || r.dropped == 0 {
		t.Errorf("frames %d dropped %d: the buffers should have run full", r.frames, r.dropped)
	}
	// Every frame that was not dropped is in the chunks, in order.
	got := uint64(0)
	check := func(c *chunk) {
		b := c.buf
		for len(b) >= recHdr {
			b = b[recHdr+60:]
			got++
		}
	}
	for len(r.full) > 0 {
		check(<-r.full)
	}
	if r.cur != nil {
		check(r.cur)
	}
	if got+r.dropped != r.frames {
		t.Errorf("%d frames kept + %d dropped != %d received", got, r.dropped, r.frames)
	}
}

// TestReceivePathWaits: with every buffer taken, onDTO waits for the
// consumer to free one instead of dropping the frame.
func TestReceivePathWaits(t *testing.T) {
	r := &receiver{free: make(chan *chunk, 1), full: make(chan *chunk, 1), flush: 1 << 62,
		stallMax: 5 * time.Second, timer: time.NewTimer(time.Hour)}
	r.free <- &chunk{buf: make([]byte, 0, 64)}
	p := transport.Packet{Data: make([]byte, 40)}
	r.onDTO(p) // fills the only chunk
	go func() {
		time.Sleep(20 * time.Millisecond)
		c := <-r.full
		r.free <- c
	}()
	r.onDTO(p) // must wait for the chunk to come back
	if r.dropped != 0 || r.stalls.Load() != 1 || r.cur == nil || len(r.cur.buf) != recHdr+40 {
		t.Errorf("dropped %d stalls %d", r.dropped, r.stalls.Load())
	}
	r.stallMax = time.Millisecond
	r.cur.buf = r.cur.buf[:cap(r.cur.buf)]
	r.onDTO(p) // the full chunk goes to the consumer, nobody frees one: dropped
	if r.dropped != 1 {
		t.Errorf("dropped %d, want 1 after the stall limit", r.dropped)
	}
}

func BenchmarkReceivePath(b *testing.B) {
	r := &receiver{free: make(chan *chunk, 4), full: make(chan *chunk, 4), flush: 1 << 62, stallMax: -1}
	for range 4 {
		r.free <- &chunk{buf: make([]byte, 0, 1<<20)}
	}
	p := transport.Packet{Data: make([]byte, 12)}
	b.ReportAllocs()
	for i := range b.N {
		p.Time = int64(i)
		r.onDTO(p)
		if len(r.full) == 4 {
			for range 4 {
				c := <-r.full
				r.free <- c
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "MDTO/s")
}
