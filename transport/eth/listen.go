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
	"time"

	"github.com/goxcp/goxcp/transport"
)

// Listener is the slave side of XCP on Ethernet. Over TCP every accepted
// connection is a master; over UDP the listener owns one socket and every
// remote address that sends a first datagram is a master, served by its own
// Conn whose Send answers that address.
type Listener struct {
	tcp *net.TCPListener
	tmu sync.Mutex // serialises TCP Accept (its deadline is shared)
	td  *deadliner

	// UDP: there is no reader goroutine. Whoever waits for data (a
	// peer's Recv or Accept) and gets the token reads the socket itself
	// and hands datagrams for others to their queues, so a lone master's
	// packets reach its Recv without a goroutine switch.
	udp    *net.UDPConn
	log    *slog.Logger
	token  chan struct{} // holding it (a value sent in) = reading the socket
	rbuf   []byte        // the token holder's read buffer
	rd     *deadliner    // the socket's read deadline, armed by the holder
	holder atomic.Pointer[udpPeer]
	recvs  atomic.Uint64 // counts peer Recv calls that wait for data
	newc   chan *udpPeer
	closed chan struct{}
	pool   sync.Pool  // *[]byte copies of datagrams queued for a peer
	mu     sync.Mutex // guards peers
	peers  map[netip.AddrPort]*udpPeer

	closeOnce sync.Once
	closeErr  error
}

// acceptIdle is how long UDP connections must have been quiet before
// Accept reads the shared socket itself.
const acceptIdle = 10 * time.Millisecond

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
		l.token = make(chan struct{}, 1)
		l.rbuf = make([]byte, datagramBuf)
		l.rd = newDeadliner(uc.SetReadDeadline)
		l.newc = make(chan *udpPeer, 16)
		l.peers = map[netip.AddrPort]*udpPeer{}
		l.pool.New = func() any { b := make([]byte, 0, 2048); return &b }
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
	var idle *time.Timer
	defer func() {
		if idle != nil {
			idle.Stop()
		}
	}()
	for {
		select {
		case p := <-l.newc:
			return p, nil
		default:
		}
		// While connections are receiving, they read the socket and
		// notice new masters; Accept reads it only once they have been
		// quiet for acceptIdle, so that it does not take the socket
		// away from them (which would cost every datagram a goroutine
		// switch).
		l.mu.Lock()
		npeers := len(l.peers)
		l.mu.Unlock()
		if seen := l.recvs.Load(); npeers > 0 {
			if idle == nil {
				idle = time.NewTimer(acceptIdle)
			} else {
				idle.Reset(acceptIdle)
			}
			select {
			case p := <-l.newc:
				return p, nil
			case <-idle.C:
			case <-l.closed:
				return nil, fmt.Errorf("eth: accept: %w", net.ErrClosed)
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if l.recvs.Load() != seen {
				continue
			}
		}
		select {
		case p := <-l.newc:
			return p, nil
		case l.token <- struct{}{}:
			_, err := l.read(ctx, nil)
			<-l.token
			if err != nil {
				return nil, fmt.Errorf("eth: accept: %w", err)
			}
		case <-l.closed:
			return nil, fmt.Errorf("eth: accept: %w", net.ErrClosed)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
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
		l.rd.release()
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

// read reads one datagram from the socket; the caller holds the token. A
// datagram from self (a peer, or nil for Accept) is returned in l.rbuf;
// one for another peer goes to its queue, one from a new address to the
// accept queue (both dropped when full, as UDP may). It returns
// (nil, nil) when the caller should look at its queues again, ctx.Err()
// when ctx ended, and an error matching net.ErrClosed when the listener or
// self was closed.
func (l *Listener) read(ctx context.Context, self *udpPeer) ([]byte, error) {
	if err := l.rd.arm(ctx); err != nil {
		return nil, err
	}
	if self != nil {
		l.holder.Store(self)
		defer l.holder.Store(nil)
		if self.isClosed.Load() {
			return nil, net.ErrClosed
		}
	}
	n, from, err := l.udp.ReadFromUDPAddrPort(l.rbuf)
	if err != nil {
		if e, ok := ctxErr(ctx, err); ok {
			return nil, e
		}
		if self != nil && self.isClosed.Load() {
			return nil, net.ErrClosed
		}
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		return nil, nil // ICMP errors reported on the socket, an interrupt
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
	switch {
	case p == nil:
	case p == self:
		self.time = self.clk.now()
		return l.rbuf[:n], nil
	default:
		t := p.clk.now()
		bp := l.pool.Get().(*[]byte)
		*bp = append((*bp)[:0], l.rbuf[:n]...)
		select {
		case p.in <- dgram{b: bp, t: t}:
		default:
			l.pool.Put(bp) // the peer is not keeping up: the datagram is lost
		}
	}
	return nil, nil
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
	cur  *[]byte // pooled datagram being split, if any
	own  []byte  // datagram read by this peer itself (swapped with l.rbuf)
	time int64   // receive time of own
	r    udpRecv

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
	p.own = make([]byte, datagramBuf)
	p.r = udpRecv{log: l.log, st: &p.st, from: p.info.Remote}
	p.snd.max, p.snd.limit = max, max+HeaderLen
	p.snd.buf = make([]byte, 0, 1024)
	p.snd.ready, p.snd.write = p.sendReady, p.write
	return p
}

// Recv implements transport.Conn.
func (p *udpPeer) Recv(ctx context.Context) (transport.Packet, error) {
	for {
		if p.isClosed.Load() {
			return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
		}
		if pk, ok := p.r.take(); ok {
			return pk, nil
		}
		if p.cur != nil {
			p.l.pool.Put(p.cur)
			p.cur = nil
		}
		select {
		case d := <-p.in:
			p.cur = d.b
			p.r.load(*d.b, d.t)
			continue
		default:
		}
		p.l.recvs.Add(1)
		select {
		case d := <-p.in:
			p.cur = d.b
			p.r.load(*d.b, d.t)
		case p.l.token <- struct{}{}:
			d, err := p.l.read(ctx, p)
			if d != nil {
				// Keep the datagram: swap buffers with the listener.
				p.own, p.l.rbuf = d, p.own[:cap(p.own)]
			}
			<-p.l.token
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
				}
				return transport.Packet{}, err
			}
			if d != nil {
				p.r.load(p.own, p.time)
			}
		case <-p.closed:
			return transport.Packet{}, fmt.Errorf("eth: udp receive: %w", net.ErrClosed)
		case <-ctx.Done():
			return transport.Packet{}, ctx.Err()
		}
	}
}

// Send implements transport.Conn: one datagram per packet to the master.
// UDP sends do not block for long, so ctx is only checked before sending.
func (p *udpPeer) Send(ctx context.Context, packet []byte) error { return p.snd.send(ctx, packet, 1) }

// SendTwice implements Duplicator.
func (p *udpPeer) SendTwice(ctx context.Context, packet []byte) error {
	return p.snd.send(ctx, packet, 2)
}

// SendBatch sends several packets, each in its own frame with its own CTR,
// packed into as few datagrams as fit.
func (p *udpPeer) SendBatch(ctx context.Context, packets [][]byte) error {
	return p.snd.sendBatch(ctx, packets)
}

// sendReady is the sender's ready: the shared socket has no deadline of
// its own, so ctx is only checked.
func (p *udpPeer) sendReady(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.isClosed.Load() {
		return fmt.Errorf("eth: udp send: %w", net.ErrClosed)
	}
	return nil
}

func (p *udpPeer) write(_ context.Context, f []byte, n int) error {
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
		if p.l.holder.Load() == p {
			p.l.rd.interrupt() // unblock its read of the shared socket
		}
	})
	return nil
}

// Info implements transport.Conn.
func (p *udpPeer) Info() transport.Info { return p.info }

// Stats implements transport.Conn.
func (p *udpPeer) Stats() transport.Stats { return p.st.snapshot() }
