package sim

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// captureConn is a transport.Conn that records what the slave sends.
type captureConn struct {
	mu   sync.Mutex // DAQ event channels send from their goroutines
	sent [][]byte
}

func (c *captureConn) Send(_ context.Context, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, append([]byte(nil), p...))
	return nil
}
func (c *captureConn) Recv(context.Context) (transport.Packet, error) {
	return transport.Packet{}, net.ErrClosed
}
func (c *captureConn) Close() error           { return nil }
func (c *captureConn) Info() transport.Info   { return transport.Info{Kind: "capture"} }
func (c *captureConn) Stats() transport.Stats { return transport.Stats{} }

// FuzzCommands feeds arbitrary command packets to a connected, unlocked
// session (the input is split into packets at 0x00 0x00 pairs) and checks
// that the slave never panics and only ever sends well-formed packets:
// RES/ERR/EV/SERV within MAX_CTO, DTOs of lists it started within MAX_DTO.
// The session is driven directly (no connection, no goroutine) and ends
// like a connection, stopping what the input started.
func FuzzCommands(f *testing.F) {
	fm := xcp.Format{MaxCTO: 16}
	seeds := [][]byte{
		xcp.SetMTA{Addr: ScratchBase}.Append(nil, fm),
		xcp.Upload{N: 200}.Append(nil, fm),
		xcp.Download{N: 30, Data: make([]byte, 14)}.Append(nil, fm),
		xcp.DownloadNext{N: 16, Data: make([]byte, 14)}.Append(nil, fm),
		xcp.GetID{Type: xcp.IDFile}.Append(nil, fm),
		xcp.GetSeed{Resource: xcp.ResPgm}.Append(nil, fm),
		xcp.Unlock{Remaining: 9, Key: []byte{1, 2, 3}}.Append(nil, fm),
		xcp.BuildChecksum{BlockSize: 0xFFFFFFFF}.Append(nil, fm),
		xcp.ProgramStart{}.Append(nil, fm),
		xcp.ProgramClear{Mode: xcp.ClearFunctional, Range: 2}.Append(nil, fm),
		xcp.SetCalPage{Mode: xcp.CalPageAll | xcp.CalPageXCP, Page: 1}.Append(nil, fm),
		xcp.UserCmd{Sub: UserServText, Params: make([]byte, 14)}.Append(nil, fm),
		xcp.ShortDownload{Addr: CalBase, Data: make([]byte, 8)}.Append(nil, fm),
		{byte(xcp.CmdLevel1)}, {byte(xcp.CmdModifyBits), 40}, {0xFF}, {0x00},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(append(append(xcp.SetMTA{Addr: FlashBase}.Append(nil, fm), 0, 0), xcp.ProgramStart{}.Append(nil, fm)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cfg := range []Config{{MaxCTO: 16, SeedLen: 20}, {MaxCTO: 16, AG: xcp.Word, Order: xcp.Motorola},
			{MaxCTO: 16, AG: xcp.DWord, NoSlaveBlockMode: true, NoMasterBlockMode: true}} {
			fuzzSession(t, cfg, data)
		}
	})
}

// fuzzConfig makes a slave small enough to create for every input: 4 KiB
// of RAM and one 4 KiB region of SW-DBG target memory.
func fuzzConfig(cfg Config) Config {
	cfg.RAMSize = 4096
	cfg.Dbg.Regions = []DbgRegion{{TRI: 0, Base: 0x70000000, Size: 4096, Init: []byte{1, 2, 3, 4}}}
	return cfg
}

func fuzzSession(t *testing.T, cfg Config, data []byte) {
	fm := xcp.Format{MaxCTO: 16}
	s, err := New(fuzzConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	conn := &captureConn{}
	ctx, cancel := context.WithCancel(context.Background())
	ss := &session{slave: s, conn: conn, ctx: ctx, cancel: cancel, out: make([]byte, 0, 64)}
	defer func() {
		// End the connection as Serve does: DAQ event channels and a
		// delayed STORE_CAL stop, and are waited for.
		cancel()
		ss.wg.Wait()
	}()
	check := func(req []byte) {
		if len(req) > 1 && xcp.Command(req[0]) == xcp.CmdUserCmd && req[1] == UserSlow {
			return // sleeps up to a minute by design
		}
		conn.mu.Lock()
		conn.sent = conn.sent[:0]
		conn.mu.Unlock()
		if err := ss.handle(req); err != nil {
			t.Fatalf("handle % X: %v", req, err)
		}
		conn.mu.Lock()
		defer conn.mu.Unlock()
		for _, p := range conn.sent {
			switch {
			case len(p) == 0:
				t.Fatalf("command % X: empty packet", req)
			case p[0] >= xcp.PIDServ && len(p) > 16:
				t.Fatalf("command % X: packet of %d bytes exceeds MAX_CTO: % X", req, len(p), p)
			case p[0] < xcp.PIDServ && len(p) > s.cfg.MaxDTO: // a DTO of a running DAQ list
				t.Fatalf("command % X: DTO of %d bytes exceeds MAX_DTO: % X", req, len(p), p)
			}
		}
	}
	check(xcp.Connect{}.Append(nil, fm))
	start := 0
	for i := 0; i <= len(data); i++ {
		if i == len(data) || (i+1 < len(data) && data[i] == 0 && data[i+1] == 0) {
			if i > start {
				check(data[start:i])
			}
			start = i + 2
			i++
		}
	}
}
