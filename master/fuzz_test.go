package master

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// FuzzResponses lets a slave answer every command after CONNECT with the
// fuzzed packet resp and runs the command methods over it: whatever the
// slave sends, the master must return (an error or a result), never panic
// or hang.
//
// The slave never leaves the master waiting, so that an input takes
// microseconds rather than timeouts: when resp does not end the command
// (an EV, SERV or DTO packet, ERR_CMD_SYNCH, or nothing), a final RES or
// ERR packet made of tail follows (a bare RES if that would be
// ERR_CMD_SYNCH too); a slave-block UPLOAD gets as many packets as it asks
// for; SYNCH is answered with ERR_CMD_SYNCH (after resp when sel bit 3 is
// set, to exercise the discarding of packets up to it). The timeouts and
// the resynchronisation after a silent slave have tests of their own.
//
// sel: bit 0 byte order, bits 1-2 address granularity, bit 3 garbage
// before ERR_CMD_SYNCH, bit 4 slave block mode, bit 5 the final packet is
// ERR rather than RES.
func FuzzResponses(f *testing.F) {
	for _, p := range [][]byte{
		{0xFF}, {0xFE, 0x22, 0, 0, 0, 1, 0, 0}, {0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF},
		{0xFF, 1, 0, 0, 0xFF, 0, 0, 0, 'a'}, {0xFF, 0x09, 0, 0, 1, 2, 3, 4}, {0xFD, 0x05}, {0xFC, 0x01, 'h', 'i'},
		{0x00, 1, 2}, {0xFF, 0x41, 0x11, 3, 0x34, 0x12}, {0xFE}, {},
	} {
		f.Add(byte(0x00), p, []byte{})
		f.Add(byte(0x16), p, []byte{0x22})
		f.Add(byte(0x29), p, []byte{1, 2, 3, 4})
	}
	f.Fuzz(runResponses)
}

// runResponses is one input of FuzzResponses.
func runResponses(t *testing.T, sel byte, resp, tail []byte) {
	format := xcp.Format{Order: xcp.ByteOrder(sel & 1), AG: []xcp.Granularity{xcp.Byte, xcp.Word, xcp.DWord, xcp.Byte}[(sel>>1)&3], MaxCTO: 16, MaxDTO: 16}
	final := append([]byte{xcp.PIDRes}, tail...)
	if sel&0x20 != 0 {
		final[0] = xcp.PIDErr
	}
	// ends reports whether p ends a command: RES, or ERR other than
	// ERR_CMD_SYNCH (which the master takes for a late SYNCH answer and
	// drops, waiting on).
	ends := func(p []byte) bool {
		return len(p) > 0 && (p[0] == xcp.PIDRes || p[0] == xcp.PIDErr && (len(p) < 2 || p[1] != byte(xcp.ErrCmdSynch)))
	}
	if !ends(final) {
		final = []byte{xcp.PIDRes} // the tail said ERR_CMD_SYNCH: a short RES ends the command
	}
	terminal := ends(resp)
	// answer is what the slave sends for a command that wants parts
	// response packets.
	answer := func(parts int) [][]byte {
		out := make([][]byte, 0, parts+1)
		end := resp
		if !terminal {
			out = append(out, resp)
			end = final
		}
		for range parts {
			out = append(out, end)
		}
		return out
	}
	reply := func(req []byte) [][]byte {
		switch xcp.Command(req[0]) {
		case xcp.CmdConnect:
			basic := byte(format.Order) | format.AG.Bits()<<1 | xcp.CommModeOptional
			if sel&0x10 != 0 {
				basic |= xcp.CommModeSlaveBlockMode
			}
			return [][]byte{xcp.ConnectResponse{CommModeBasic: basic, MaxCTO: 16, MaxDTO: 16}.Append(nil, format)}
		case xcp.CmdSynch:
			synch := []byte{xcp.PIDErr, byte(xcp.ErrCmdSynch)}
			if sel&0x08 != 0 {
				return [][]byte{resp, synch}
			}
			return [][]byte{synch}
		case xcp.CmdUpload:
			var c xcp.Upload
			if c.Decode(req, format) == nil && sel&0x10 != 0 {
				per := format.MaxUploadElements()
				return answer(max(1, (int(c.N)+per-1)/per)) // one packet per block-mode part
			}
		}
		return answer(1)
	}
	// Short timeouts: the few inputs that still leave the master
	// waiting (a master block answered early, a misfit answer during
	// the resynchronisation) cost milliseconds, not tenths of seconds.
	const to = 5 * time.Millisecond
	m := New(newScriptConn(reply), Config{MaxRetries: -1, ConnectRetries: -1, Timeouts: Timeouts{T1: to,
		T2: to, T3: to, T4: to, T5: to, T6: to, T7: time.Millisecond}})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// CONNECT's short timeout can expire on a loaded machine: retry.
	var err error
	for range 20 {
		if _, err = m.Connect(ctx, xcp.ConnectNormal); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	ag := format.AG.Size()
	m.GetStatus(ctx)
	m.Synch(ctx)
	m.GetCommModeInfo(ctx)
	m.GetID(ctx, xcp.IDFile)
	m.GetVersion(ctx)
	m.Read(ctx, 0x100, 0, 40*ag)
	m.Write(ctx, 0x100, 0, make([]byte, 40*ag))
	m.Verify(ctx, 0x100, 0, make([]byte, 8*ag))
	m.UserCmd(ctx, 1, nil)
	m.SegmentInfo(ctx, 0)
	m.GetCalPage(ctx, xcp.CalPageXCP, 0)
	m.ProgramStart(ctx)
	m.GetSectorInfo(ctx, 0, 0)
	m.SectorName(ctx, 0)
	if ctx.Err() != nil {
		t.Fatal("commands did not finish in time")
	}
}

// scriptConn is a slave scripted by reply, answering in Send itself: no
// goroutine, socket or pipe between the master and the slave, so that a
// fuzz input costs microseconds.
type scriptConn struct {
	reply  func(req []byte) [][]byte
	mu     sync.Mutex
	queue  [][]byte
	ready  chan struct{} // a token while queue is not empty
	closed chan struct{}
	once   sync.Once
	info   transport.Info
}

func newScriptConn(reply func(req []byte) [][]byte) *scriptConn {
	return &scriptConn{reply: reply, ready: make(chan struct{}, 1), closed: make(chan struct{}),
		info: transport.Info{Kind: "script", Start: time.Now()}}
}

func (c *scriptConn) Send(_ context.Context, p []byte) error {
	select {
	case <-c.closed:
		return net.ErrClosed
	default:
	}
	out := c.reply(append([]byte(nil), p...))
	c.mu.Lock()
	for _, r := range out {
		c.queue = append(c.queue, append([]byte(nil), r...))
	}
	n := len(c.queue)
	c.mu.Unlock()
	if n > 0 {
		select {
		case c.ready <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *scriptConn) Recv(ctx context.Context) (transport.Packet, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			p := c.queue[0]
			c.queue = c.queue[1:]
			if len(c.queue) > 0 {
				select {
				case c.ready <- struct{}{}:
				default:
				}
			}
			c.mu.Unlock()
			return transport.Packet{Data: p, Time: int64(time.Since(c.info.Start))}, nil
		}
		c.mu.Unlock()
		select {
		case <-c.ready:
		case <-c.closed:
			return transport.Packet{}, net.ErrClosed
		case <-ctx.Done():
			return transport.Packet{}, ctx.Err()
		}
	}
}

func (c *scriptConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *scriptConn) Info() transport.Info   { return c.info }
func (c *scriptConn) Stats() transport.Stats { return transport.Stats{} }
