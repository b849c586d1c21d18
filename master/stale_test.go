package master

import (
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// The counter rule across wraps, DTO floods, gaps and restarts.
func TestCtrSeqStale(t *testing.T) {
	type pkt struct {
		ctr  uint16
		resp bool
		cmd  xcp.Command
		want bool // stale
	}
	const gs = xcp.CmdGetStatus
	for _, tc := range []struct {
		name string
		bits int
		pkts []pkt
	}{
		{"in order", 16, []pkt{{1, true, gs, false}, {2, true, gs, false}, {3, true, gs, false}}},
		{"reordered behind a newer response", 16, []pkt{{5, true, gs, false}, {4, true, gs, true}, {6, true, gs, false}}},
		{"repeat", 16, []pkt{{5, true, gs, false}, {5, true, gs, true}}},
		{"across the wrap", 16, []pkt{{0xFFFE, true, gs, false}, {0x0001, true, gs, false}, {0xFFFF, true, gs, true}}},
		{"DTOs between responses wrap the counter", 16, func() []pkt {
			p := []pkt{{10, true, gs, false}}
			for c := uint32(11); c < 11+70000; c += 1000 { // 70 000 DTOs, seen every 1000th
				p = append(p, pkt{ctr: uint16(c)})
			}
			end, before := uint32(11+70000), uint32(11+69990)
			return append(p, pkt{uint16(end), true, gs, false}, pkt{uint16(before), true, gs, true})
		}()},
		{"far behind: the sequence broke, start again", 16, []pkt{{40000, true, gs, false}, {5, true, gs, false}, {6, true, gs, false}}},
		{"CONNECT starts again", 16, []pkt{{500, true, gs, false}, {0, true, xcp.CmdConnect, false}, {1, true, gs, false}}},
		{"8-bit counter wraps", 8, []pkt{{250, true, gs, false}, {3, true, gs, false}, {252, true, gs, true}}},
		{"no counter", 0, []pkt{{5, true, gs, false}, {4, true, gs, false}, {4, true, gs, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCtrSeq(transport.Info{CounterBits: tc.bits})
			for i, p := range tc.pkts {
				c.packet(p.ctr)
				if !p.resp {
					continue
				}
				if got := c.stale(p.cmd); got != p.want {
					t.Fatalf("packet %d (ctr %d): stale = %v, want %v", i, p.ctr, got, p.want)
				}
			}
		})
	}
}
