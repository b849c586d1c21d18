package slcan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.bug.st/serial"

	"github.com/goxcp/goxcp/transport/can"
)

// Config configures an slcan adapter.
type Config struct {
	Port        string // serial device, e.g. /dev/ttyACM0
	Baud        int    // serial line speed (0 = 115200; USB adapters ignore it)
	Bitrate     int    // CAN nominal bitrate (0 = 500000)
	DataBitrate int    // CAN FD data bitrate (0 = classic CAN only)
	Logger      *slog.Logger
}

// Bus is an slcan adapter used as a can.Bus.
type Bus struct {
	rwc    io.ReadWriteCloser
	name   string
	log    *slog.Logger
	frames chan can.Frame
	acks   chan bool
	done   chan struct{}
	rerr   error
	wmu    sync.Mutex
	wbuf   []byte
	once   sync.Once
	closed atomic.Bool
	bad    atomic.Uint64
}

// Open opens the serial port of cfg, configures the adapter and opens the
// CAN channel.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.Port == "" {
		return nil, errors.New("slcan: no serial port given (channel)")
	}
	baud := cfg.Baud
	if baud == 0 {
		baud = 115200
	}
	p, err := serial.Open(cfg.Port, &serial.Mode{BaudRate: baud})
	if err != nil {
		return nil, fmt.Errorf("slcan: open %s: %w", cfg.Port, err)
	}
	b := NewBus(p, cfg.Port, cfg.Logger)
	if err := b.Setup(ctx, cfg.Bitrate, cfg.DataBitrate); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// NewBus runs the Lawicel protocol over rwc (already opened). Call Setup to
// open the CAN channel. It starts one reader goroutine, ended by Close.
func NewBus(rwc io.ReadWriteCloser, name string, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bus{rwc: rwc, name: name, log: log, frames: make(chan can.Frame, 4096),
		acks: make(chan bool, 16), done: make(chan struct{})}
	go b.reader()
	return b
}

// Setup closes the channel, sets the bitrates and opens it, checking each
// acknowledgement.
func (b *Bus) Setup(ctx context.Context, bitrate, dataBitrate int) error {
	if bitrate == 0 {
		bitrate = 500000
	}
	s, err := BitrateCode(bitrate)
	if err != nil {
		return err
	}
	cmds := []string{"C", "S" + string(s)}
	if dataBitrate != 0 {
		y, err := DataBitrateCode(dataBitrate)
		if err != nil {
			return err
		}
		cmds = append(cmds, "Y"+string(y))
	}
	cmds = append(cmds, "O")
	for i, c := range cmds {
		if err := b.command(ctx, c, i > 0); err != nil {
			return err
		}
	}
	return nil
}

// command sends a setup command and waits for its acknowledgement. The
// first "C" may be refused by an adapter that is already closed.
func (b *Bus) command(ctx context.Context, c string, mustAck bool) error {
	if err := b.write([]byte(c + "\r")); err != nil {
		return err
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case ok := <-b.acks:
		if !ok && mustAck {
			return fmt.Errorf("slcan: adapter %s refused %q", b.name, c)
		}
		return nil
	case <-t.C:
		return fmt.Errorf("slcan: adapter %s did not acknowledge %q within 1s", b.name, c)
	case <-b.done:
		return fmt.Errorf("slcan: adapter %s: %w", b.name, b.rerr)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Bus) reader() {
	defer close(b.done)
	r := bufio.NewReaderSize(b.rwc, 4096)
	var line []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			if b.closed.Load() {
				b.rerr = net.ErrClosed
			} else {
				b.rerr = fmt.Errorf("slcan: read %s: %w", b.name, err)
			}
			return
		}
		switch c {
		case '\r':
			b.handleLine(line)
			line = line[:0]
		case 0x07: // BEL: error acknowledgement
			line = line[:0]
			b.ack(false)
		case '\n':
		default:
			if len(line) < 200 {
				line = append(line, c)
			}
		}
	}
}

func (b *Bus) ack(ok bool) {
	select {
	case b.acks <- ok:
	default:
	}
}

func (b *Bus) handleLine(line []byte) {
	switch {
	case len(line) == 0:
		b.ack(true)
	case IsFrameLine(line):
		f, err := ParseFrame(line)
		if err != nil {
			b.bad.Add(1)
			b.log.Warn("slcan: malformed frame line skipped", "err", err)
			return
		}
		select {
		case b.frames <- f:
		default:
			b.bad.Add(1)
			b.log.Warn("slcan: receive queue full, frame dropped")
		}
	case (line[0] == 'z' || line[0] == 'Z') && len(line) == 1:
		// transmit acknowledgement of some adapters
	default:
		b.ack(true) // answers to V, N, F ... count as positive acknowledgements
	}
}

func (b *Bus) write(p []byte) error {
	if b.closed.Load() {
		return net.ErrClosed
	}
	if _, err := b.rwc.Write(p); err != nil {
		if b.closed.Load() {
			return net.ErrClosed
		}
		return fmt.Errorf("slcan: write %s: %w", b.name, err)
	}
	return nil
}

// Send implements can.Bus.
func (b *Bus) Send(ctx context.Context, f can.Frame) error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	line, err := AppendFrame(b.wbuf[:0], f)
	if err != nil {
		return err
	}
	b.wbuf = append(line, '\r')
	return b.write(b.wbuf)
}

// Receive implements can.Bus.
func (b *Bus) Receive(ctx context.Context) (can.Frame, error) {
	select {
	case f := <-b.frames:
		return f, nil
	case <-b.done:
		return can.Frame{}, b.rerr
	case <-ctx.Done():
		return can.Frame{}, ctx.Err()
	}
}

// Malformed returns the number of frame lines that could not be decoded.
func (b *Bus) Malformed() uint64 { return b.bad.Load() }

// Describe implements can.Describer.
func (b *Bus) Describe() string { return "slcan " + b.name }

// Close closes the CAN channel ("C") and the serial line.
func (b *Bus) Close() error {
	var err error
	b.once.Do(func() {
		_ = b.write([]byte("C\r"))
		b.closed.Store(true)
		err = b.rwc.Close()
		<-b.done
	})
	return err
}
