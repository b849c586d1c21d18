package eth

import (
	"context"

	"github.com/goxcp/goxcp/transport"
)

// Conn is the master side of XCP on Ethernet, made by Dial: a TCP
// connection or a connected UDP socket, as the Config says. It implements
// transport.Conn, transport.Waker, transport.BatchSender and Duplicator;
// Recv and one Send may run at the same time, like any transport.Conn.
//
// Each method calls the TCP or UDP implementation directly (a branch on a
// pointer, no interface dispatch): the command path costs what it did when
// Dial returned the implementations themselves. The zero value is not usable: get a Conn from
// Dial.
type Conn struct {
	tcp *tcpConn // exactly one of tcp and udp is set
	udp *udpConn
}

var (
	_ transport.Conn        = (*Conn)(nil)
	_ transport.Waker       = (*Conn)(nil)
	_ transport.BatchSender = (*Conn)(nil)
	_ Duplicator            = (*Conn)(nil)
)

// Recv implements transport.Conn. Packet.Data is valid until the next Recv.
func (c *Conn) Recv(ctx context.Context) (transport.Packet, error) {
	if c.tcp != nil {
		return c.tcp.Recv(ctx)
	}
	return c.udp.Recv(ctx)
}

// Send implements transport.Conn: one frame with the next CTR, in one write
// call (one datagram over UDP).
func (c *Conn) Send(ctx context.Context, packet []byte) error {
	if c.tcp != nil {
		return c.tcp.Send(ctx, packet)
	}
	return c.udp.Send(ctx, packet)
}

// SendBatch implements transport.BatchSender: several packets, each in its
// own frame with its own CTR, in as few write calls (datagrams) as they fit.
func (c *Conn) SendBatch(ctx context.Context, packets [][]byte) error {
	if c.tcp != nil {
		return c.tcp.SendBatch(ctx, packets)
	}
	return c.udp.SendBatch(ctx, packets)
}

// SendTwice implements Duplicator.
func (c *Conn) SendTwice(ctx context.Context, packet []byte) error {
	if c.tcp != nil {
		return c.tcp.SendTwice(ctx, packet)
	}
	return c.udp.SendTwice(ctx, packet)
}

// Wake implements transport.Waker: a blocked (or the next) Recv returns
// transport.ErrWoken.
func (c *Conn) Wake() {
	if c.tcp != nil {
		c.tcp.Wake()
		return
	}
	c.udp.Wake()
}

// Close implements transport.Conn.
func (c *Conn) Close() error {
	if c.tcp != nil {
		return c.tcp.Close()
	}
	return c.udp.Close()
}

// Info implements transport.Conn: Kind is "tcp" or "udp".
func (c *Conn) Info() transport.Info {
	if c.tcp != nil {
		return c.tcp.Info()
	}
	return c.udp.Info()
}

// Stats implements transport.Conn.
func (c *Conn) Stats() transport.Stats {
	if c.tcp != nil {
		return c.tcp.Stats()
	}
	return c.udp.Stats()
}
