// Package gdbrsp is a server for the GDB Remote Serial Protocol (the
// protocol of `target remote`): packet framing with checksums and
// acknowledgements, no-ack mode, and the queries and memory packets GDB
// needs to inspect and patch the memory of a target whose CPU registers are
// not reachable — the situation of a debugger working through XCP
// (goxcp/dbg), where memory is reachable but the core is not controlled.
//
// Memory reads and writes (m, M, X) go to a Target. The registers are not
// reachable: g answers "unavailable" (the RSP's "xx" bytes) and p — which
// GDB uses for the PC it needs to build a frame — answers zero; register
// writes are refused, breakpoints unsupported, and execution control is
// answered with an immediate stop reply, so a stock GDB connects, reads and
// writes memory, detaches and kills cleanly.
package gdbrsp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
)

// Target is the memory a Server exposes. Calls come from one connection at
// a time.
type Target interface {
	ReadMemory(ctx context.Context, addr uint64, n int) ([]byte, error)
	WriteMemory(ctx context.Context, addr uint64, data []byte) error
}

// MaxPacket is the largest packet payload the server accepts and
// announces (PacketSize in qSupported).
const MaxPacket = 4096

// Server serves GDB connections.
type Server struct {
	Target Target
	// Logger receives connection and protocol logs (nil = silent).
	Logger *slog.Logger
	// RegisterBytes is the register size of the architecture GDB uses:
	// 4 (the default, for 32-bit ECU cores and GDB's own default i386) or
	// 8 for 64-bit architectures. It must not exceed the size of GDB's PC
	// register: GDB does not bound the register reply it copies.
	RegisterBytes int
}

func (s *Server) regBytes() int {
	if s.RegisterBytes <= 0 {
		return 4
	}
	return s.RegisterBytes
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Serve accepts connections on l and serves them one after the other until
// ctx is done (which closes l) or l fails.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("gdbrsp: accept: %w", err)
		}
		s.log().Info("gdb connected", "remote", c.RemoteAddr().String())
		err = s.ServeConn(ctx, c)
		s.log().Info("gdb disconnected", "remote", c.RemoteAddr().String(), "err", err)
	}
}

// ErrKilled is returned by ServeConn when GDB sent k (kill).
var ErrKilled = errors.New("gdbrsp: killed by the debugger")

// ServeConn serves one GDB connection until it detaches, kills, closes
// the connection or ctx is done. A detach or a closed connection is not an
// error.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) error {
	var once sync.Once
	closeConn := func() { once.Do(func() { c.Close() }) }
	defer closeConn()
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	cs := &conn{srv: s, r: bufio.NewReader(c), w: c, ack: true}
	for {
		pkt, err := cs.readPacket()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("gdbrsp: read: %w", err)
		}
		if pkt == nil {
			continue // interrupt or a packet with a bad checksum (nak sent)
		}
		reply, end := cs.handle(ctx, string(pkt))
		if reply != nil {
			if err := cs.writePacket(reply); err != nil {
				// GDB may hang up before acknowledging the last reply.
				if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("gdbrsp: reply: %w", err)
			}
		}
		switch end {
		case endDetach:
			return nil
		case endKill:
			return ErrKilled
		}
	}
}

type conn struct {
	srv *Server
	r   *bufio.Reader
	w   io.Writer
	ack bool
}

type ending int

const (
	endNone ending = iota
	endDetach
	endKill
)

// readPacket reads the next packet, acknowledging it (unless in no-ack
// mode). It returns nil for an interrupt (0x03) or a corrupt packet.
func (c *conn) readPacket() ([]byte, error) {
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return nil, err
		}
		switch b {
		case '$':
		case 0x03:
			return []byte{0x03}, nil
		default:
			continue // '+', '-' acknowledgements and noise
		}
		var data []byte
		var sum byte
		for {
			b, err := c.r.ReadByte()
			if err != nil {
				return nil, err
			}
			if b == '#' {
				break
			}
			sum += b
			data = append(data, b)
			if len(data) > 2*MaxPacket {
				return nil, fmt.Errorf("packet longer than %d bytes", 2*MaxPacket)
			}
		}
		var cs [2]byte
		if _, err := io.ReadFull(c.r, cs[:]); err != nil {
			return nil, err
		}
		want, perr := strconv.ParseUint(string(cs[:]), 16, 8)
		if c.ack {
			if perr != nil || byte(want) != sum {
				c.srv.log().Warn("gdb packet with a bad checksum", "packet", string(data))
				if _, err := c.w.Write([]byte{'-'}); err != nil {
					return nil, err
				}
				return nil, nil
			}
			if _, err := c.w.Write([]byte{'+'}); err != nil {
				return nil, err
			}
		}
		return unescape(data), nil
	}
}

// unescape removes the binary escapes ('}' then byte^0x20).
func unescape(d []byte) []byte {
	out := d[:0]
	for i := 0; i < len(d); i++ {
		if d[i] == '}' && i+1 < len(d) {
			i++
			out = append(out, d[i]^0x20)
			continue
		}
		out = append(out, d[i])
	}
	return out
}

// writePacket frames and sends a reply; with acks it waits for '+'
// (resending on '-', at most 3 times).
func (c *conn) writePacket(data []byte) error {
	var b strings.Builder
	b.WriteByte('$')
	var sum byte
	for _, x := range data {
		if x == '$' || x == '#' || x == '}' || x == '*' {
			b.WriteByte('}')
			sum += '}'
			x ^= 0x20
		}
		b.WriteByte(x)
		sum += x
	}
	fmt.Fprintf(&b, "#%02x", sum)
	for try := 0; ; try++ {
		if _, err := io.WriteString(c.w, b.String()); err != nil {
			return err
		}
		if !c.ack {
			return nil
		}
		a, err := c.r.ReadByte()
		if err != nil {
			return err
		}
		if a == '+' || try >= 3 {
			return nil
		}
		if a != '-' {
			_ = c.r.UnreadByte()
			return nil
		}
	}
}

// handle answers one packet. A nil reply sends nothing.
func (c *conn) handle(ctx context.Context, p string) ([]byte, ending) {
	if p == "\x03" {
		return []byte("S02"), endNone // interrupted: report SIGINT
	}
	if p == "" {
		return []byte{}, endNone
	}
	switch {
	case strings.HasPrefix(p, "qSupported"):
		return fmt.Appendf(nil, "PacketSize=%x;QStartNoAckMode+", MaxPacket), endNone
	case p == "QStartNoAckMode":
		if err := c.writePacket([]byte("OK")); err != nil {
			return nil, endDetach
		}
		c.ack = false
		return nil, endNone
	case p == "?":
		return []byte("S05"), endNone // halted (SIGTRAP) as far as GDB is concerned
	case p == "g":
		return []byte(strings.Repeat("xx", c.srv.regBytes())), endNone // registers unavailable
	case strings.HasPrefix(p, "p"):
		return []byte(strings.Repeat("00", c.srv.regBytes())), endNone // the PC reads as 0
	case strings.HasPrefix(p, "P"), strings.HasPrefix(p, "G"):
		return []byte("E01"), endNone // registers cannot be written through XCP
	case strings.HasPrefix(p, "m"):
		return c.readMem(ctx, p[1:]), endNone
	case strings.HasPrefix(p, "M"):
		return c.writeMem(ctx, p[1:], true), endNone
	case strings.HasPrefix(p, "X"):
		return c.writeMem(ctx, p[1:], false), endNone
	case p == "qAttached":
		return []byte("1"), endNone
	case p == "qC":
		return []byte("QC1"), endNone
	case p == "qfThreadInfo":
		return []byte("m1"), endNone
	case p == "qsThreadInfo":
		return []byte("l"), endNone
	case strings.HasPrefix(p, "H"), strings.HasPrefix(p, "qSymbol"):
		return []byte("OK"), endNone
	case strings.HasPrefix(p, "T"):
		return []byte("OK"), endNone // thread 1 is alive
	case p == "c" || p == "s" || ((p[0] == 'c' || p[0] == 's') && isHex(p[1:])):
		return []byte("S05"), endNone // the core is not under our control: stopped again at once
	case strings.HasPrefix(p, "D"):
		if err := c.writePacket([]byte("OK")); err != nil {
			return nil, endDetach
		}
		return nil, endDetach
	case p == "k" || strings.HasPrefix(p, "vKill"):
		if strings.HasPrefix(p, "vKill") {
			_ = c.writePacket([]byte("OK"))
		}
		return nil, endKill
	}
	return []byte{}, endNone // the empty reply: not supported
}

// parseAddrLen parses "addr,length".
func parseAddrLen(s string) (uint64, int, error) {
	a, l, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("no ','")
	}
	addr, err := strconv.ParseUint(a, 16, 64)
	if err != nil {
		return 0, 0, err
	}
	n, err := strconv.ParseUint(l, 16, 31)
	if err != nil {
		return 0, 0, err
	}
	if addr+n < addr {
		return 0, 0, fmt.Errorf("range wraps around")
	}
	return addr, int(n), nil
}

func (c *conn) readMem(ctx context.Context, args string) []byte {
	addr, n, err := parseAddrLen(args)
	if err != nil || n > MaxPacket/2 {
		return []byte("E16") // EINVAL
	}
	data, err := c.srv.Target.ReadMemory(ctx, addr, n)
	if err != nil {
		c.srv.log().Info("gdb memory read failed", "addr", fmt.Sprintf("0x%X", addr), "len", n, "err", err)
		return []byte("E0E") // EFAULT
	}
	return fmt.Appendf(nil, "%x", data)
}

func (c *conn) writeMem(ctx context.Context, args string, hexData bool) []byte {
	head, body, ok := strings.Cut(args, ":")
	if !ok {
		return []byte("E16")
	}
	addr, n, err := parseAddrLen(head)
	if err != nil {
		return []byte("E16")
	}
	data := []byte(body)
	if hexData {
		if data, err = decodeHex(body); err != nil {
			return []byte("E16")
		}
	}
	if len(data) != n {
		return []byte("E16")
	}
	if n == 0 {
		return []byte("OK") // GDB probes X support with a zero-length write
	}
	if err := c.srv.Target.WriteMemory(ctx, addr, data); err != nil {
		c.srv.log().Info("gdb memory write failed", "addr", fmt.Sprintf("0x%X", addr), "len", n, "err", err)
		return []byte("E0E")
	}
	return []byte("OK")
}

func decodeHex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd hex length")
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		out[i] = byte(v)
	}
	return out, nil
}

func isHex(s string) bool {
	_, err := strconv.ParseUint(s, 16, 64)
	return err == nil
}
