package eth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"goxcp/transport"
)

// Listener is the slave side of XCP on Ethernet. Over TCP every accepted
// connection is a master; over UDP the listener owns one socket and every
// remote address that sends a first datagram is a master, served by its own
// Conn whose Send answers that address.
type Listener struct {
	tcp *net.TCPListener
	tmu sync.Mutex // serialises TCP Accept (its deadline is shared)
	td  *deadliner

	udp    *net.UDPConn
	log    *slog.Logger
	start  chan struct{}
	newc   chan *udpPeer
	closed chan struct{}
	done   chan struct{} // closed when the UDP reader ends
	pool   sync.Pool     // *[]byte datagram copies
	mu     sync.Mutex    // guards peers
	peers  map[netip.AddrPort]*udpPeer

	closeOnce sync.Once
	closeErr  error
}

// peerQueue is the number of datagrams queued per UDP peer before the
// listener stops reading (and the socket buffer takes over).
const peerQueue = 256

// Listen opens a slave-side listener. network is "tcp", "tcp4", "tcp6",
// "udp", "udp4" or "udp6"; addr is host:port (port 0 picks a free port, see
// Addr).
func Listen(network, addr string) (*Listener, error) {
	return ListenConfig{}.Listen(network, addr)
}

// ListenConfig holds options for a Listener.
type ListenConfig struct {
	// RecvBuffer is the UDP socket receive buffer in bytes (0 = 4 MiB).
	RecvBuffer int
	// Logger receives warnings about skipped datagrams (nil = silent).
	Logger *slog.Logger
}

// Listen opens a slave-side listener; see the package function Listen.
func (lc ListenConfig) Listen(network, addr string) (*Listener, error) {
	l := &Listener{closed: make(chan struct{}), log: lc.Logger}
	switch network {
	case "tcp", "tcp4", "tcp6":
		la, err := net.ResolveTCPAddr(network, addr)
		if err != nil {
			return nil, fmt.Errorf("eth: listen %s %s: %w", network, addr, err)
		}
		tl, err := net.ListenTCP(network, la)
		if err != nil {
			return nil, fmt.Errorf("eth: listen %s %s: %w", network, addr, err)
		}
		l.tcp = tl
		l.td = newDeadliner(tl.SetDeadline)
		return l, nil
	case "udp", "udp4", "udp6":
		la, err := net.ResolveUDPAddr(network, addr)
		if err != nil {
			return nil, fmt.Errorf("eth: listen %s %s: %w", network, addr, err)
		}
		uc, err := net.ListenUDP(network, la)
		if err != nil {
			return nil, fmt.Errorf("eth: listen %s %s: %w", network, addr, err)
		}
		rb := lc.RecvBuffer
		if rb == 0 {
			rb = defaultUDPBuffer
		}
		_ = uc.SetReadBuffer(rb)
		l.udp = uc
		l.newc = make(chan *udpPeer, 16)
		l.done = make(chan struct{})
		l.peers = map[netip.AddrPort]*udpPeer{}
		l.pool.New = func() any { b := make([]byte, 0, 2048); return &b }
		go l.readUDP()
		return l, nil
	}
	return nil, fmt.Errorf("eth: listen: network %q: want tcp, tcp4, tcp6, udp, udp4 or udp6", network)
}

// Addr returns the listener's local address.
func (l *Listener) Addr() net.Addr {
	if l.tcp != nil {
		return l.tcp.Addr()
	}
	return l.udp.LocalAddr()
}

// Accept waits for the next master and returns the slave side of its
// connection. It returns ctx.Err() when ctx is done and an error matching
// net.ErrClosed after Close.
func (l *Listener) Accept(ctx context.Context) (transport.Conn, error) {
	if l.tcp != nil {
		return l.acceptTCP(ctx)
	}
	select {
	case p := <-l.newc:
		return p, nil
	case <-l.closed:
		return nil, fmt.Errorf("eth: accept: %w", net.ErrClosed)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *Listener) acceptTCP(ctx context.Context) (transport.Conn, error) {
	l.tmu.Lock()
	defer l.tmu.Unlock()
	if err := l.td.arm(ctx); err != nil {
		return nil, err
	}
	nc, err := l.tcp.AcceptTCP()
	if err != nil {
		if e, ok := ctxErr(ctx, err); ok {
			return nil, e
		}
		return nil, fmt.Errorf("eth: accept: %w", err)
	}
	return newTCPConn(nc), nil
}

// Close stops listening. Accepted TCP connections stay open; UDP
// connections share the listener's socket and are closed with it.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.closed)
		if l.tcp != nil {
			l.closeErr = l.tcp.Close()
			l.td.release()
			return
		}
		l.closeErr = l.udp.Close()
		<-l.done
		l.mu.Lock()
		peers := l.peers
		l.peers = nil
		l.mu.Unlock()
		for _, p := range peers {
			p.Close()
		}
	})
	return l.closeErr
}

// readUDP reads the listener's socket and hands each datagram to the
// connection of its sender, creating it on a first datagram.
func (l *Listener) readUDP() {
	defer close(l.done)
	buf := make([]byte, datagramBuf)
	for {
		n, from, err := l.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP errors reported on the socket
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		l.mu.Lock()
		p := l.peers[from]
		if p == nil && l.peers != nil {
			p = newUDPPeer(l, from)
			select {
			case l.newc <- p:
				l.peers[from] = p
			default:
				p = nil // nobody accepts: drop the datagram
			}
		}
		l.mu.Unlock()
		if p == nil {
			continue
		}
		t := p.clk.now()
		bp := l.pool.Get().(*[]byte)
		*bp = append((*bp)[:0], buf[:n]...)
		select {
		case p.in <- dgram{b: bp, t: t}:
		case <-p.closed:
			l.pool.Put(bp)
		case <-l.closed:
			l.pool.Put(bp)
			return
		}
	}
}

func (l *Listener) forget(p *udpPeer) {
	l.mu.Lock()
	if l.peers != nil && l.peers[p.addr] == p {
		delete(l.peers, p.addr)
	}
	l.mu.Unlock()
}

type dgram struct {
	b *[]byte
	t int64
}

// udpPeer is the slave side of XCP on UDP for one master address.
type udpPeer struct {
	l    *Listener
	addr netip.AddrPort
	info transport.Info
	clk  clock
	st   stats
	in   chan dgram

	// receive side, used by one goroutine at a time
	cur *[]byte
	r   udpRecv

	snd sender

	closed    chan struct{}
	isClosed  atomic.Bool
	closeOnce sync.Once
}

func newUDPPeer(l *Listener, addr netip.AddrPort) *udpPeer {
	remote := net.UDPAddrFromAddrPort(addr)
	max := maxUDPFor(remote)
	p := &udpPeer{l: l, addr: addr, in: make(chan dgram, peerQueue), closed: make(chan struct{}),
		info: newInfo("udp", l.udp.LocalAddr(), remote, max)}
	p.clk = clock{start: p.info.Start}
	p.r = udpRecv{log: l.log, st: &p.st, from: p.info.Remote}
	p.snd.max = max
	p.snd.buf = make([]byte, 0, 1024)
	return p
}

// Recv implements transport.Conn.
func (p *udpPeer) Recv(ctx context.Context) (transport.Packet, error) {
	for {
		if pk, ok := p.r.take(); ok {
			return pk, nil
		}
		if p.cur != nil {
			p.l.pool.Put(p.cur)
			p.cur = nil
		}
		if p.isClosed.Load() {
			return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
		}
		select {
		case d := <-p.in:
			p.cur = d.b
			p.r.load(*d.b, d.t)
		case <-p.closed:
			return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
		case <-ctx.Done():
			return transport.Packet{}, ctx.Err()
		}
	}
}

// Send implements transport.Conn: one datagram per packet to the master.
// UDP sends do not block for long, so ctx is only checked before sending.
func (p *udpPeer) Send(ctx context.Context, packet []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.isClosed.Load() {
		return fmt.Errorf("eth: udp send: %w", net.ErrClosed)
	}
	p.snd.mu.Lock()
	defer p.snd.mu.Unlock()
	f, err := p.snd.frame(packet)
	if err != nil {
		return err
	}
	return p.write(f, 1)
}

// SendBatch sends several packets, each in its own frame with its own CTR,
// packed into as few datagrams as fit.
func (p *udpPeer) SendBatch(ctx context.Context, packets [][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.isClosed.Load() {
		return fmt.Errorf("eth: udp send: %w", net.ErrClosed)
	}
	p.snd.mu.Lock()
	defer p.snd.mu.Unlock()
	if err := p.snd.check(packets); err != nil {
		return err
	}
	for len(packets) > 0 {
		n := p.snd.frames(packets, p.snd.max+HeaderLen)
		if err := p.write(p.snd.buf, n); err != nil {
			return err
		}
		packets = packets[n:]
	}
	return nil
}

func (p *udpPeer) write(f []byte, n int) error {
	w, err := p.l.udp.WriteToUDPAddrPort(f, p.addr)
	if err != nil {
		p.snd.ctr -= uint16(n)
		return fmt.Errorf("eth: udp send to %s: %w", p.addr, err)
	}
	p.st.ps.Add(uint64(n))
	p.st.bs.Add(uint64(w))
	return nil
}

// Close implements transport.Conn. A later datagram from the same address
// is a new master for Accept.
func (p *udpPeer) Close() error {
	p.closeOnce.Do(func() {
		p.isClosed.Store(true)
		close(p.closed)
		p.l.forget(p)
	})
	return nil
}

// Info implements transport.Conn.
func (p *udpPeer) Info() transport.Info { return p.info }

// Stats implements transport.Conn.
func (p *udpPeer) Stats() transport.Stats { return p.st.snapshot() }
