package master

import (
	"bytes"
	"testing"
)

// progressLog records the calls of a progress callback.
type progressLog struct{ done, total []int64 }

func (p *progressLog) fn(done, total int64) {
	p.done = append(p.done, done)
	p.total = append(p.total, total)
}

// check fails t unless the calls were at least min, every total was
// want, done never went down and the last call had done == want.
func (p *progressLog) check(t *testing.T, what string, want int64, minCalls int) {
	t.Helper()
	if len(p.done) < minCalls {
		t.Fatalf("%s: %d progress calls, want at least %d", what, len(p.done), minCalls)
	}
	for i := range p.done {
		if p.total[i] != want {
			t.Fatalf("%s: call %d total %d, want %d", what, i, p.total[i], want)
		}
		if i > 0 && p.done[i] < p.done[i-1] {
			t.Fatalf("%s: done went down: %v", what, p.done)
		}
		if p.done[i] < 0 || p.done[i] > want {
			t.Fatalf("%s: done %d outside 0..%d", what, p.done[i], want)
		}
	}
	if last := p.done[len(p.done)-1]; last != want {
		t.Fatalf("%s: last done %d, want %d (%v)", what, last, want, p.done)
	}
}

func TestReadWithProgress(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := newVariant(t, v, nil)
			ctx := t.Context()
			ag := v.f.AG.Size()
			for _, tc := range []struct {
				name     string
				addr     uint32
				n        int
				minCalls int
			}{
				{"one packet", ram + 0x100, ag, 1},
				{"many UPLOADs", ram + 0x200, 1500 * ag, 2},
				{"unaligned", ram + 0x301, 1 + 300*ag, 2},
			} {
				var p progressLog
				got, err := r.m.ReadWith(ctx, tc.addr, 0, tc.n, ReadOptions{Progress: p.fn})
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if !bytes.Equal(got, r.mem(t, tc.addr, tc.n)) {
					t.Fatalf("%s: data differs", tc.name)
				}
				p.check(t, tc.name, int64(tc.n), tc.minCalls)
			}
			var p progressLog
			a2l, err := r.m.FetchA2LWith(ctx, ReadOptions{Progress: p.fn})
			if err != nil || string(a2l) != r.slave.A2L() {
				t.Fatalf("FetchA2LWith: %d bytes, %v", len(a2l), err)
			}
			p.check(t, "FetchA2LWith", int64(len(a2l)), 2)
			// Without a callback: the same bytes.
			if b, err := r.m.ReadWith(ctx, ram+0x200, 0, 64*ag, ReadOptions{}); err != nil || !bytes.Equal(b, r.mem(t, ram+0x200, 64*ag)) {
				t.Fatalf("ReadWith without progress: %v", err)
			}
		})
	}
}
