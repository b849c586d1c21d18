package socketcan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goxcp/goxcp/transport/can"
)

// Bus is a raw CAN socket bound to one interface. It implements can.Bus,
// can.Filterer and can.Describer.
type Bus struct {
	ifname string
	fd     bool
	f      *os.File
	rc     syscall.RawConn
	rbuf   [FDSize]byte
	oob    [64]byte
	// dropped is the socket's SO_RXQ_OVFL counter (cumulative).
	dropped atomic.Uint32
	wmu     sync.Mutex
	wbuf    []byte

	mu      sync.Mutex
	lastCtx context.Context
	stop    func() bool
	once    sync.Once
	closed  chan struct{}
}

// Open binds a raw CAN socket to cfg.Interface (e.g. "can0").
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	ifname, fd := cfg.Interface, cfg.FD
	if ifname == "" {
		return nil, errors.New("socketcan: no interface given (e.g. can0)")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("socketcan: interface %q: %w", ifname, err)
	}
	s, err := unix.Socket(unix.AF_CAN, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.CAN_RAW)
	if err != nil {
		return nil, fmt.Errorf("socketcan: socket: %w (is the can/can_raw kernel module available?)", err)
	}
	if fd {
		if err := unix.SetsockoptInt(s, unix.SOL_CAN_RAW, unix.CAN_RAW_FD_FRAMES, 1); err != nil {
			unix.Close(s)
			return nil, fmt.Errorf("socketcan: enable CAN FD on %s: %w", ifname, err)
		}
	}
	// Error frames (bus errors, controller states) are delivered for the
	// bus-health counters; the receive queue reports what it dropped
	// (SO_RXQ_OVFL) and is made large enough for DAQ bursts.
	if err := unix.SetsockoptInt(s, unix.SOL_CAN_RAW, unix.CAN_RAW_ERR_FILTER, errMask); err != nil {
		unix.Close(s)
		return nil, fmt.Errorf("socketcan: error frame filter on %s: %w", ifname, err)
	}
	if err := unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil {
		unix.Close(s)
		return nil, fmt.Errorf("socketcan: SO_RXQ_OVFL on %s: %w", ifname, err)
	}
	rb := cfg.RecvBuffer
	if rb <= 0 {
		rb = recvBuffer
	}
	if unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rb) != nil {
		_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, rb) // capped by net.core.rmem_max
	}
	if err := unix.Bind(s, &unix.SockaddrCAN{Ifindex: ifi.Index}); err != nil {
		unix.Close(s)
		return nil, fmt.Errorf("socketcan: bind %s: %w", ifname, err)
	}
	f := os.NewFile(uintptr(s), "can:"+ifname)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("socketcan: %s: %w", ifname, err)
	}
	return &Bus{ifname: ifname, fd: fd, f: f, rc: rc, closed: make(chan struct{})}, nil
}

// recvBuffer is the default socket receive buffer asked for: about 4000 frames of
// headroom for a DAQ burst while the reader is descheduled.
const recvBuffer = 4 << 20

// Dropped implements can.DropCounter: frames the kernel dropped because
// the socket's receive queue was full.
func (b *Bus) Dropped() uint64 { return uint64(b.dropped.Load()) }

// Send implements can.Bus.
func (b *Bus) Send(ctx context.Context, f can.Frame) error {
	if f.FD && !b.fd {
		return fmt.Errorf("socketcan: CAN FD frame on %s opened without fd", b.ifname)
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	var err error
	if b.wbuf, err = Encode(b.wbuf[:0], f); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok {
		b.f.SetWriteDeadline(d)
	} else {
		b.f.SetWriteDeadline(time.Time{})
	}
	// A full transmit queue (txqueuelen frames waiting for the bus) makes
	// the kernel refuse the frame with ENOBUFS instead of blocking: wait
	// for the controller to drain it, within ctx and at most
	// maxQueueWait without a deadline (a bus without ACKs never drains).
	var waited time.Duration
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, 5*time.Millisecond) {
		_, err := b.f.Write(b.wbuf)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.ENOBUFS) {
			return b.ioErr("write", err)
		}
		if _, ok := ctx.Deadline(); !ok && waited >= maxQueueWait {
			return b.ioErr("write", fmt.Errorf("transmit queue still full after %v (no ACK on the bus, bus-off, or txqueuelen too small): %w", waited, err))
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
			waited += pause
		case <-ctx.Done():
			t.Stop()
			return b.ioErr("write", fmt.Errorf("transmit queue full: %w", ctx.Err()))
		case <-b.closed:
			t.Stop()
			return net.ErrClosed
		}
	}
}

// maxQueueWait bounds the wait for room in a full transmit queue when the
// context has no deadline.
const maxQueueWait = 2 * time.Second

func (b *Bus) ioErr(op string, err error) error {
	select {
	case <-b.closed:
		return net.ErrClosed
	default:
	}
	return fmt.Errorf("socketcan: %s %s: %w", op, b.ifname, err)
}

// Receive implements can.Bus; remote frames are skipped, error frames
// (bus errors, controller state changes) are returned with Error set.
func (b *Bus) Receive(ctx context.Context) (can.Frame, error) {
	if err := ctx.Err(); err != nil {
		return can.Frame{}, err // (its watch may have fired during an earlier call already)
	}
	b.watch(ctx)
	for {
		n, err := b.read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				b.f.SetReadDeadline(time.Time{})
				if ctx.Err() != nil {
					return can.Frame{}, ctx.Err()
				}
				continue // the stale deadline of an earlier, cancelled context
			}
			return can.Frame{}, b.ioErr("read", err)
		}
		f, ok, err := Decode(b.rbuf[:n])
		if err != nil {
			return can.Frame{}, err
		}
		if ok {
			return f, nil
		}
	}
}

// read receives one frame with recvmsg, keeping the drop counter the
// kernel attaches (SO_RXQ_OVFL). It honours the read deadline.
func (b *Bus) read() (int, error) {
	var n, oobn int
	var rerr error
	err := b.rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), b.rbuf[:], b.oob[:], 0)
		return rerr != unix.EAGAIN && rerr != unix.EWOULDBLOCK
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if oobn > 0 {
		if msgs, err := unix.ParseSocketControlMessage(b.oob[:oobn]); err == nil {
			for _, m := range msgs {
				if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_RXQ_OVFL && len(m.Data) >= 4 {
					b.dropped.Store(binary.NativeEndian.Uint32(m.Data))
				}
			}
		}
	}
	return n, nil
}

func (b *Bus) watch(ctx context.Context) {
	if ctx.Done() == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lastCtx == ctx {
		return
	}
	if b.stop != nil {
		b.stop()
	}
	b.lastCtx = ctx
	f := b.f
	b.stop = context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
}

// SetFilter implements can.Filterer with a kernel filter (CAN_RAW_FILTER).
func (b *Bus) SetFilter(ids []can.ID) error {
	filters := make([]unix.CanFilter, 0, len(ids))
	for _, id := range ids {
		if id.Extended {
			filters = append(filters, unix.CanFilter{Id: id.Value | unix.CAN_EFF_FLAG, Mask: unix.CAN_EFF_MASK | unix.CAN_EFF_FLAG | unix.CAN_RTR_FLAG})
		} else {
			filters = append(filters, unix.CanFilter{Id: id.Value, Mask: unix.CAN_SFF_MASK | unix.CAN_EFF_FLAG | unix.CAN_RTR_FLAG})
		}
	}
	sc, err := b.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := sc.Control(func(fd uintptr) {
		serr = unix.SetsockoptCanRawFilter(int(fd), unix.SOL_CAN_RAW, unix.CAN_RAW_FILTER, filters)
	}); err != nil {
		return err
	}
	return serr
}

// Describe implements can.Describer.
func (b *Bus) Describe() string { return "socketcan " + b.ifname }

// Close implements can.Bus.
func (b *Bus) Close() error {
	var err error
	b.once.Do(func() {
		close(b.closed)
		b.mu.Lock()
		if b.stop != nil {
			b.stop()
		}
		b.mu.Unlock()
		err = b.f.Close()
	})
	return err
}

// Interfaces lists the network interfaces of type CAN (ARPHRD_CAN).
func Interfaces() []string {
	var out []string
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		t, err := os.ReadFile("/sys/class/net/" + ifi.Name + "/type")
		if err == nil && strings.TrimSpace(string(t)) == "280" {
			out = append(out, ifi.Name)
		}
	}
	return out
}

// Available reports whether raw CAN sockets can be created here, and why
// not (or which interfaces exist).
func Available() (bool, string) {
	s, err := unix.Socket(unix.AF_CAN, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.CAN_RAW)
	if err != nil {
		return false, fmt.Sprintf("cannot create a raw CAN socket: %v (kernel without can/can_raw?)", err)
	}
	unix.Close(s)
	ifs := Interfaces()
	if len(ifs) == 0 {
		return false, "raw CAN sockets work, but no CAN interface exists (ip link add dev vcan0 type vcan needs the vcan module)"
	}
	return true, "interfaces: " + strings.Join(ifs, ", ")
}
