// Package udpbus is a virtual CAN bus over UDP multicast: every process
// that joins the same group on the same interface sees the frames the
// others send, as on a real bus. On the loopback interface (the default)
// it lets a master and a simulator run as separate processes on one
// machine without CAN hardware or kernel support. The receiving socket
// is bound to the group address itself (on Linux): a datagram sent
// unicast to the bus port, from this host or a peer, is never received.
//
// Each frame travels in one datagram:
//
//	0  4 bytes  magic "XCAN"
//	4  1 byte   version (1)
//	5  1 byte   flags: bit 0 extended id, bit 1 CAN FD, bit 2 bit rate switch,
//	            bit 3 error frame (identifier = CAN error class bits)
//	6  1 byte   data length (0..8, or a CAN FD length up to 64)
//	7  1 byte   reserved (0)
//	8  4 bytes  identifier, big endian
//	12 8 bytes  sender identifier (random per port; a port ignores its own frames)
//	20 n bytes  data
package udpbus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/goxcp/goxcp/internal/mcast"
	"github.com/goxcp/goxcp/transport/can"
)

// DefaultGroup is the multicast group used when none is configured.
const DefaultGroup = "239.74.67.1:43210"

const (
	headerLen = 20
	version   = 1
)

// ErrDatagram is matched by errors reporting a datagram that is not a frame.
var ErrDatagram = errors.New("udpbus: malformed datagram")

// Encode appends the datagram for f.
func Encode(dst []byte, f can.Frame, sender uint64) []byte {
	var flags byte
	if f.Extended {
		flags |= 1
	}
	if f.FD {
		flags |= 2
	}
	if f.BRS {
		flags |= 4
	}
	if f.Error {
		flags |= 8
	}
	dst = append(dst, 'X', 'C', 'A', 'N', version, flags, f.Len, 0)
	dst = binary.BigEndian.AppendUint32(dst, f.ID)
	dst = binary.BigEndian.AppendUint64(dst, sender)
	return append(dst, f.Payload()...)
}

// Decode parses a datagram.
func Decode(b []byte) (can.Frame, uint64, error) {
	var f can.Frame
	if len(b) < headerLen {
		return f, 0, fmt.Errorf("%w: %d bytes, header needs %d", ErrDatagram, len(b), headerLen)
	}
	if string(b[:4]) != "XCAN" {
		return f, 0, fmt.Errorf("%w: bad magic % X", ErrDatagram, b[:4])
	}
	if b[4] != version {
		return f, 0, fmt.Errorf("%w: version %d, want %d", ErrDatagram, b[4], version)
	}
	flags := b[5]
	if flags&^15 != 0 {
		return f, 0, fmt.Errorf("%w: unknown flags 0x%02X", ErrDatagram, flags)
	}
	if b[7] != 0 {
		return f, 0, fmt.Errorf("%w: reserved byte 0x%02X is not 0", ErrDatagram, b[7])
	}
	f.Extended, f.FD, f.BRS, f.Error = flags&1 != 0, flags&2 != 0, flags&4 != 0, flags&8 != 0
	f.Len = b[6]
	f.ID = binary.BigEndian.Uint32(b[8:])
	sender := binary.BigEndian.Uint64(b[12:])
	if int(f.Len) != len(b)-headerLen {
		return f, 0, fmt.Errorf("%w: length field %d but %d data bytes", ErrDatagram, f.Len, len(b)-headerLen)
	}
	if err := f.Validate(); err != nil {
		return f, 0, fmt.Errorf("%w: %v", ErrDatagram, err)
	}
	copy(f.Data[:], b[headerLen:])
	return f, sender, nil
}

// Port is one process's attachment to the multicast bus. It implements
// can.Bus, can.Filterer and can.Describer.
type Port struct {
	group  *net.UDPAddr
	ifname string
	log    *slog.Logger
	rx     *net.UDPConn
	tx     *net.UDPConn
	sender uint64

	wmu  sync.Mutex
	wbuf []byte
	rbuf []byte

	fmu    sync.RWMutex
	filter map[can.ID]bool

	mu      sync.Mutex
	lastCtx context.Context
	stop    func() bool
	garbage uint64
	closed  chan struct{}
	once    sync.Once
}

// Config says which multicast bus to join.
type Config struct {
	// Group is the multicast group, host:port ("" = DefaultGroup).
	Group string
	// Interface is the network interface to join it on ("" = the
	// loopback interface).
	Interface string
	// Logger receives reports about skipped datagrams; nil = silent.
	Logger *slog.Logger
}

// Open joins the group of cfg on its interface.
func Open(ctx context.Context, cfg Config) (*Port, error) {
	group, ifname := cfg.Group, cfg.Interface
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if group == "" {
		group = DefaultGroup
	}
	ga, err := net.ResolveUDPAddr("udp4", group)
	if err != nil {
		return nil, fmt.Errorf("udpbus: group %q: %w", group, err)
	}
	if !ga.IP.IsMulticast() {
		return nil, fmt.Errorf("udpbus: %s is not a multicast address", ga.IP)
	}
	ifi, err := loopbackOr(ifname)
	if err != nil {
		return nil, err
	}
	rx, err := mcast.Listen(ifi, ga)
	if err != nil {
		return nil, fmt.Errorf("udpbus: join %s on %s: %w", ga, ifi.Name, err)
	}
	var local *net.UDPAddr
	if ifi.Flags&net.FlagLoopback != 0 {
		local = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	} else if addrs, _ := ifi.Addrs(); len(addrs) > 0 {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				local = &net.UDPAddr{IP: ipn.IP}
				break
			}
		}
	}
	tx, err := net.DialUDP("udp4", local, ga)
	if err != nil {
		rx.Close()
		return nil, fmt.Errorf("udpbus: sender socket: %w", err)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &Port{group: ga, ifname: ifi.Name, rx: rx, tx: tx, sender: binary.BigEndian.Uint64(id[:]), log: log,
		rbuf: make([]byte, 2048), closed: make(chan struct{})}, nil
}

func loopbackOr(name string) (*net.Interface, error) {
	if name != "" {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return nil, fmt.Errorf("udpbus: interface %q: %w", name, err)
		}
		return ifi, nil
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("udpbus: list interfaces: %w", err)
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 && ifs[i].Flags&net.FlagUp != 0 {
			return &ifs[i], nil
		}
	}
	return nil, errors.New("udpbus: no loopback interface is up")
}

// Send implements can.Bus.
func (p *Port) Send(ctx context.Context, f can.Frame) error {
	if err := f.Validate(); err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.wbuf = Encode(p.wbuf[:0], f, p.sender)
	if d, ok := ctx.Deadline(); ok {
		p.tx.SetWriteDeadline(d)
	} else {
		p.tx.SetWriteDeadline(time.Time{})
	}
	if _, err := p.tx.Write(p.wbuf); err != nil {
		select {
		case <-p.closed:
			return net.ErrClosed
		default:
		}
		return fmt.Errorf("udpbus: send: %w", err)
	}
	return nil
}

// Receive implements can.Bus. Malformed datagrams and frames from this port
// itself are skipped; the former are counted (Garbage).
func (p *Port) Receive(ctx context.Context) (can.Frame, error) {
	if err := ctx.Err(); err != nil {
		return can.Frame{}, err // (its watch may have fired during an earlier call already)
	}
	p.watch(ctx)
	for {
		n, err := p.rx.Read(p.rbuf)
		if err != nil {
			select {
			case <-p.closed:
				return can.Frame{}, net.ErrClosed
			default:
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				p.rx.SetReadDeadline(time.Time{})
				if ctx.Err() != nil {
					return can.Frame{}, ctx.Err()
				}
				// An earlier context was cancelled after its Receive
				// returned: its deadline was stale, not ours.
				continue
			}
			return can.Frame{}, fmt.Errorf("udpbus: receive: %w", err)
		}
		f, sender, err := Decode(p.rbuf[:n])
		if err != nil {
			p.mu.Lock()
			p.garbage++
			p.mu.Unlock()
			p.log.Debug("udpbus: datagram skipped", "group", p.group.String(), "err", err)
			continue
		}
		if sender == p.sender {
			continue
		}
		p.fmu.RLock()
		ok := f.Error || p.filter == nil || p.filter[f.Key()] // error frames pass every filter, as on SocketCAN
		p.fmu.RUnlock()
		if ok {
			return f, nil
		}
	}
}

// watch makes cancellation of ctx interrupt a blocked read (registered once
// per distinct context, so steady-state receives do not allocate).
func (p *Port) watch(ctx context.Context) {
	if ctx.Done() == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastCtx == ctx {
		return
	}
	if p.stop != nil {
		p.stop()
	}
	p.lastCtx = ctx
	rx := p.rx
	p.stop = context.AfterFunc(ctx, func() { rx.SetReadDeadline(time.Unix(1, 0)) })
}

// SetFilter implements can.Filterer (in software).
func (p *Port) SetFilter(ids []can.ID) error {
	m := make(map[can.ID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	p.fmu.Lock()
	p.filter = m
	p.fmu.Unlock()
	return nil
}

// Garbage returns the number of malformed datagrams skipped.
func (p *Port) Garbage() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.garbage
}

// Describe implements can.Describer.
func (p *Port) Describe() string { return fmt.Sprintf("udp multicast %s on %s", p.group, p.ifname) }

// Close implements can.Bus.
func (p *Port) Close() error {
	p.once.Do(func() {
		close(p.closed)
		p.mu.Lock()
		if p.stop != nil {
			p.stop()
		}
		p.mu.Unlock()
		p.rx.Close()
		p.tx.Close()
	})
	return nil
}
