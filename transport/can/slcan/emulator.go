package slcan

import (
	"bufio"
	"context"
	"io"
	"sync"

	"github.com/goxcp/goxcp/transport/can"
)

// Emulator is a software slcan adapter: it answers the Lawicel protocol on
// a byte stream (for example the controlling side of a pseudo-terminal)
// and bridges frames between it and a can.Bus.
type Emulator struct {
	rwc io.ReadWriteCloser
	bus can.Bus
	wmu sync.Mutex
	mu  sync.Mutex
	opn bool
	fd  bool
}

// NewEmulator returns an emulator for rwc and bus. Serve runs it.
func NewEmulator(rwc io.ReadWriteCloser, bus can.Bus) *Emulator {
	return &Emulator{rwc: rwc, bus: bus}
}

// Serve runs the emulator until ctx is done or the stream fails; it then
// closes the stream and returns.
func (e *Emulator) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var buf []byte
		for {
			f, err := e.bus.Receive(ctx)
			if err != nil {
				return
			}
			e.mu.Lock()
			open := e.opn
			e.mu.Unlock()
			if !open {
				continue
			}
			if buf, err = AppendFrame(buf[:0], f); err != nil {
				continue
			}
			buf = append(buf, '\r')
			e.wmu.Lock()
			_, err = e.rwc.Write(buf)
			e.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	stop := context.AfterFunc(ctx, func() { e.rwc.Close() })
	defer stop()
	err := e.readLoop(ctx)
	cancel()
	e.rwc.Close()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (e *Emulator) reply(s string) {
	e.wmu.Lock()
	e.rwc.Write([]byte(s))
	e.wmu.Unlock()
}

func (e *Emulator) readLoop(ctx context.Context) error {
	r := bufio.NewReader(e.rwc)
	var line []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return err
		}
		if c == '\n' {
			continue
		}
		if c != '\r' {
			if len(line) < 200 {
				line = append(line, c)
			}
			continue
		}
		e.handle(ctx, line)
		line = line[:0]
	}
}

func (e *Emulator) handle(ctx context.Context, line []byte) {
	if len(line) == 0 {
		e.reply("\r")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch line[0] {
	case 'O':
		e.opn = true
		e.reply("\r")
	case 'C':
		e.opn = false
		e.reply("\r")
	case 'S':
		if len(line) == 2 && line[1] >= '0' && line[1] <= '8' && !e.opn {
			e.reply("\r")
		} else {
			e.reply("\a")
		}
	case 'Y':
		if len(line) == 2 && !e.opn {
			e.fd = true
			e.reply("\r")
		} else {
			e.reply("\a")
		}
	case 'V':
		e.reply("V1013\r")
	case 'N':
		e.reply("NGOXC\r")
	default:
		f, err := ParseFrame(line)
		if err != nil || !e.opn || (f.FD && !e.fd) {
			e.reply("\a")
			return
		}
		if e.bus.Send(ctx, f) != nil {
			e.reply("\a")
			return
		}
		if f.Extended {
			e.reply("Z\r")
		} else {
			e.reply("z\r")
		}
	}
}
