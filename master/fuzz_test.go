package master

import (
	"context"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// FuzzResponses lets a slave answer every command after CONNECT with the
// fuzzed packet and runs the command methods over it: whatever the slave
// sends, the master must return (an error or a result), never panic or
// hang.
func FuzzResponses(f *testing.F) {
	for _, p := range [][]byte{
		{0xFF}, {0xFE, 0x22, 0, 0, 0, 1, 0, 0}, {0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF},
		{0xFF, 1, 0, 0, 0xFF, 0, 0, 0, 'a'}, {0xFF, 0x09, 0, 0, 1, 2, 3, 4}, {0xFD, 0x05}, {0xFC, 0x01, 'h', 'i'},
		{0x00, 1, 2}, {0xFF, 0x41, 0x11, 3, 0x34, 0x12}, {0xFE},
	} {
		f.Add(byte(0x00), p)
		f.Add(byte(0x06), p)
	}
	f.Fuzz(func(t *testing.T, sel byte, resp []byte) {
		format := xcp.Format{Order: xcp.ByteOrder(sel & 1), AG: []xcp.Granularity{xcp.Byte, xcp.Word, xcp.DWord, xcp.Byte}[(sel>>1)&3], MaxCTO: 16, MaxDTO: 16}
		reply := func(req []byte) [][]byte {
			if xcp.Command(req[0]) == xcp.CmdConnect {
				basic := byte(format.Order) | format.AG.Bits()<<1 | xcp.CommModeOptional | xcp.CommModeSlaveBlockMode
				return [][]byte{xcp.ConnectResponse{CommModeBasic: basic, MaxCTO: 16, MaxDTO: 16}.Append(nil, format)}
			}
			if len(resp) == 0 {
				return nil
			}
			return [][]byte{resp}
		}
		m, stop := fakeSlaveCfg(t, reply, Config{MaxRetries: -1, Timeouts: Timeouts{T1: 2 * time.Millisecond,
			T2: 2 * time.Millisecond, T3: 2 * time.Millisecond, T4: 2 * time.Millisecond, T5: 2 * time.Millisecond,
			T6: 2 * time.Millisecond, T7: time.Millisecond}})
		defer stop()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
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
	})
}
