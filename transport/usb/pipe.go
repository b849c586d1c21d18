package usb

import (
	"context"
	"net"
	"sync"
)

// Pipe returns two connected in-memory Endpoints: what one side writes
// (one bulk transfer per Write) the other reads. It lets a program run XCP
// on USB framing against the simulator without a device (`xcp --sim -t
// usb`) and is the fake endpoint pair of tests. Closing either side closes
// both.
func Pipe() (Endpoints, Endpoints) {
	a2b, b2a := make(chan []byte, 256), make(chan []byte, 256)
	done := make(chan struct{})
	once := &sync.Once{}
	return &pipeEP{in: b2a, out: a2b, done: done, once: once}, &pipeEP{in: a2b, out: b2a, done: done, once: once}
}

type pipeEP struct {
	in, out chan []byte
	done    chan struct{}
	once    *sync.Once
}

func (e *pipeEP) Read(ctx context.Context, p []byte) (int, error) {
	select {
	case t := <-e.in:
		return copy(p, t), nil
	case <-e.done:
		return 0, net.ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (e *pipeEP) Write(ctx context.Context, p []byte) (int, error) {
	select {
	case e.out <- append([]byte(nil), p...):
		return len(p), nil
	case <-e.done:
		return 0, net.ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (e *pipeEP) Close() error { e.once.Do(func() { close(e.done) }); return nil }
