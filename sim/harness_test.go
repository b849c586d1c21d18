package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// client is a raw XCP master for tests: it encodes commands with the xcp
// codecs and reads packets one by one (the simulator never imports the
// master package, and these tests do not either).
type client struct {
	t    testing.TB
	conn transport.Conn
	f    xcp.Format
	ctx  context.Context
}

// start serves a new slave with cfg over a memconn pipe and returns the
// slave and a client connected to it (CONNECT already done).
func start(t testing.TB, cfg Config) (*Slave, *client) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, s)
	c.connect(xcp.ConnectNormal)
	return s, c
}

// serve starts s on a new pipe and returns an unconnected client.
func serve(t testing.TB, s *Slave) *client {
	t.Helper()
	a, b := memconn.Pipe(64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, b) }()
	t.Cleanup(func() {
		cancel()
		a.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &client{t: t, conn: a, ctx: ctx}
}

func (c *client) connect(mode xcp.ConnectMode) xcp.ConnectResponse {
	c.t.Helper()
	p := c.do(xcp.Connect{Mode: mode}.Append(nil, xcp.Format{}))
	var r xcp.ConnectResponse
	if err := r.Decode(p, xcp.Format{}); err != nil {
		c.t.Fatalf("CONNECT: %v (% X)", err, p)
	}
	f, err := r.Format()
	if err != nil {
		c.t.Fatal(err)
	}
	c.f = f
	return r
}

// send sends one packet.
func (c *client) send(p []byte) {
	c.t.Helper()
	if err := c.conn.Send(c.ctx, p); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// recv returns the next packet (a copy), failing after 5 s.
func (c *client) recv() []byte {
	c.t.Helper()
	p, err := c.recvWithin(5 * time.Second)
	if err != nil {
		c.t.Fatalf("recv: %v", err)
	}
	return p
}

func (c *client) recvWithin(d time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(c.ctx, d)
	defer cancel()
	p, err := c.conn.Recv(ctx)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), p.Data...), nil
}

// silent asserts that nothing arrives within a short time.
func (c *client) silent() {
	c.t.Helper()
	if p, err := c.recvWithin(50 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		c.t.Fatalf("expected no packet, got % X (%v)", p, err)
	}
}

// do sends a command and returns the next packet.
func (c *client) do(req []byte) []byte {
	c.t.Helper()
	c.send(req)
	return c.recv()
}

// ok sends a command that must succeed and returns its response.
func (c *client) ok(req []byte) []byte {
	c.t.Helper()
	p := c.do(req)
	if len(p) == 0 || p[0] != xcp.PIDRes {
		c.t.Fatalf("% X: expected RES, got % X", req, p)
	}
	return p
}

// fail sends a command that must fail with code.
func (c *client) fail(req []byte, code xcp.ErrorCode) []byte {
	c.t.Helper()
	p := c.do(req)
	if len(p) < 2 || p[0] != xcp.PIDErr || xcp.ErrorCode(p[1]) != code {
		c.t.Fatalf("% X: expected %s, got % X", req, code, p)
	}
	return p
}

func (c *client) setMTA(addr uint32, ext uint8) {
	c.t.Helper()
	c.ok(xcp.SetMTA{Addr: addr, Ext: ext}.Append(nil, c.f))
}

// read uploads n bytes from addr with SHORT_UPLOAD/UPLOAD as needed.
func (c *client) read(addr uint32, n int) []byte {
	c.t.Helper()
	c.setMTA(addr, 0)
	ag := c.f.AG.Size()
	var out []byte
	for n > 0 {
		elems := min(n/ag, 255)
		c.send(xcp.Upload{N: uint8(elems)}.Append(nil, c.f))
		for range c.f.UploadPackets(elems) {
			p := c.recv()
			var r xcp.UploadResponse
			if err := r.Decode(p, c.f); err != nil {
				c.t.Fatalf("UPLOAD: %v (% X)", err, p)
			}
			out = append(out, r.Data...)
		}
		n -= elems * ag
	}
	return out
}

// write downloads data at addr with single-packet DOWNLOADs.
func (c *client) write(addr uint32, data []byte) {
	c.t.Helper()
	c.setMTA(addr, 0)
	per := c.f.MaxDownloadElements() * c.f.AG.Size()
	for len(data) > 0 {
		n := min(per, len(data))
		c.ok(xcp.NewDownload(data[:n], c.f).Append(nil, c.f))
		data = data[n:]
	}
}

// unlock runs GET_SEED/UNLOCK with DemoKey.
func (c *client) unlock(res xcp.Resource) xcp.Resource {
	c.t.Helper()
	var seed []byte
	for mode := uint8(0); ; mode = 1 {
		p := c.ok(xcp.GetSeed{Mode: mode, Resource: res}.Append(nil, c.f))
		var r xcp.GetSeedResponse
		if err := r.Decode(p, c.f); err != nil {
			c.t.Fatal(err)
		}
		if r.Remaining == 0 {
			return 0
		}
		seed = append(seed, r.Seed...)
		if int(r.Remaining) == len(r.Seed) {
			break
		}
	}
	key := DemoKey(res, seed)
	var prot xcp.Resource
	for sent := 0; sent < len(key); {
		n := min(c.f.CTO()-2, len(key)-sent)
		p := c.ok(xcp.Unlock{Remaining: uint8(len(key) - sent), Key: key[sent : sent+n]}.Append(nil, c.f))
		var r xcp.UnlockResponse
		if err := r.Decode(p, c.f); err != nil {
			c.t.Fatal(err)
		}
		prot = r.Protection
		sent += n
	}
	return prot
}
