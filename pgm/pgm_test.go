package pgm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/pgm"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startSim serves a simulator with cfg on 127.0.0.1 port 0 (TCP) and
// returns it with a connected master.
func startSim(t testing.TB, cfg sim.Config) (*sim.Slave, *master.Master) {
	t.Helper()
	return simtest.Start(t, "tcp", cfg, master.Config{Timeouts: master.Timeouts{T1: time.Second, T7: 5 * time.Millisecond},
		Unlock: seedkey.Func(sim.DemoKey)})
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

func TestFlashSimulator(t *testing.T) {
	ctx := context.Background()
	sec := uint32(sim.SectorSize)
	base := uint32(sim.FlashBase)
	for _, tc := range []struct {
		name   string
		cfg    sim.Config
		verify pgm.Verify
		mode   pgm.ClearMode
		segs   []pgm.Segment
	}{
		{"checksum two sectors + one", sim.Config{}, pgm.VerifyChecksum, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: base + 0x100, Data: pattern(int(sec), 1)}, {Addr: base + 3*sec + 8, Data: pattern(100, 9)}}},
		{"upload, small CTO, no block mode", sim.Config{MaxCTO: 8, NoMasterBlockMode: true}, pgm.VerifyUpload, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: base + 2*sec, Data: pattern(300, 3)}}},
		{"internal verify, functional clear", sim.Config{}, pgm.VerifyInternal, pgm.ClearFunctional,
			[]pgm.Segment{{Addr: base, Data: pattern(50, 5)}}},
		{"DWORD granularity, unaligned segments", sim.Config{AG: xcp.DWord, Order: xcp.Motorola}, pgm.VerifyChecksum, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: base + 1, Data: pattern(10, 2)}, {Addr: base + 13, Data: pattern(5, 4)}}},
		{"locked PGM unlocked by seed & key", sim.Config{Protect: xcp.ResPgm}, pgm.VerifyNone, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: base + sec - 4, Data: pattern(8, 6)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := startSim(t, tc.cfg)
			before, err := s.ReadMemory(base, 0, 4*int(sec))
			if err != nil {
				t.Fatal(err)
			}
			img, err := pgm.NewImage(tc.segs)
			if err != nil {
				t.Fatal(err)
			}
			layout, err := pgm.ReadLayout(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if len(layout.Sectors) != sim.FlashSectors || layout.Sectors[1].Start != base+sec || layout.Sectors[1].Length != sec ||
				layout.Sectors[1].Name != sim.SectorName(1) {
				t.Fatalf("layout %+v", layout)
			}
			plan, err := pgm.NewPlan(img, layout, tc.mode, 0x02)
			if err != nil {
				t.Fatal(err)
			}
			var last pgm.Progress
			err = pgm.Run(ctx, m, plan, pgm.Options{Verify: tc.verify, Chunk: 256, Progress: func(p pgm.Progress) {
				if p.Phase == last.Phase && p.Done < last.Done {
					t.Errorf("progress went back: %+v after %+v", p, last)
				}
				last = p
			}})
			if err != nil {
				t.Fatal(err)
			}
			if last != (pgm.Progress{Phase: pgm.PhaseReset, Done: 1, Total: 1}) {
				t.Errorf("last progress %+v", last)
			}
			// Expected flash: erased touched sectors, image bytes on top,
			// untouched sectors as before.
			want := bytes.Clone(before)
			touched := map[int]bool{}
			for _, w := range plan.Writes {
				touched[int((w.Addr-base)/sec)] = true
			}
			for i := range sim.FlashSectors {
				if touched[i] || tc.mode == pgm.ClearFunctional {
					copy(want[i*int(sec):(i+1)*int(sec)], bytes.Repeat([]byte{0xFF}, int(sec)))
				}
			}
			for _, g := range tc.segs {
				copy(want[g.Addr-base:], g.Data)
			}
			got, err := s.ReadMemory(base, 0, 4*int(sec))
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("flash at 0x%X: got 0x%02X, want 0x%02X", base+uint32(i), got[i], want[i])
			}
			if m.Connected() {
				t.Error("master still connected after PROGRAM_RESET")
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// A plan without clearing programs over old data: flash only clears bits,
// so both verifications must see the difference.
func TestVerifyDetectsUnclearedFlash(t *testing.T) {
	ctx := context.Background()
	for _, v := range []pgm.Verify{pgm.VerifyChecksum, pgm.VerifyUpload} {
		t.Run(v.String(), func(t *testing.T) {
			_, m := startSim(t, sim.Config{})
			layout, err := pgm.ReadLayout(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			img, _ := pgm.NewImage([]pgm.Segment{{Addr: sim.FlashBase, Data: bytes.Repeat([]byte{0xFF}, 64)}})
			plan, err := pgm.NewPlan(img, layout, pgm.ClearAbsolute, 0)
			if err != nil {
				t.Fatal(err)
			}
			plan.Clear = nil
			err = pgm.Run(ctx, m, plan, pgm.Options{Verify: v, NoReset: true})
			var se *pgm.StepError
			if !errors.As(err, &se) && v == pgm.VerifyChecksum {
				t.Fatalf("got %v, want a verify StepError", err)
			}
			switch v {
			case pgm.VerifyChecksum:
				if se.Phase != pgm.PhaseVerify || !errors.Is(err, master.ErrMismatch) {
					t.Fatalf("got %v", err)
				}
			case pgm.VerifyUpload:
				var me *pgm.MismatchError
				if !errors.As(err, &me) || me.Addr != sim.FlashBase || me.Got != 0xA5 || me.Want != 0xFF {
					t.Fatalf("got %v, want a mismatch at 0x%X", err, sim.FlashBase)
				}
			}
			if !m.Connected() {
				t.Error("NoReset: the session ended")
			}
		})
	}
}

func TestProgramOutsideSectorRefusedBySlave(t *testing.T) {
	// A plan forged to write outside flash is refused by the slave, and
	// the error names the phase and address.
	ctx := context.Background()
	_, m := startSim(t, sim.Config{})
	layout, err := pgm.ReadLayout(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	plan := &pgm.Plan{Layout: layout, Writes: []pgm.Write{{Segment: pgm.Segment{Addr: 0x100, Data: []byte{1, 2}}}}}
	err = pgm.Run(ctx, m, plan, pgm.Options{})
	var se *pgm.StepError
	if !errors.As(err, &se) || se.Phase != pgm.PhaseProgram || se.Addr != 0x100 || !errors.Is(err, xcp.ErrAccessDenied) {
		t.Fatalf("got %v", err)
	}
}

func layout4() pgm.Layout {
	l := pgm.Layout{Properties: pgm.PropAbsolute | pgm.PropFunctional, AG: 1}
	for i := range 4 {
		l.Sectors = append(l.Sectors, pgm.Sector{Index: uint8(i), Start: 0x1000 * uint32(i+1), Length: 0x1000,
			ClearSeq: uint8(3 - i), ProgramSeq: uint8(i)})
	}
	return l
}

func TestNewPlan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout func(*pgm.Layout)
		mode   pgm.ClearMode
		segs   []pgm.Segment
		want   string // Plan.String(), or the error
	}{
		{"one sector", nil, pgm.ClearAbsolute, []pgm.Segment{{Addr: 0x1010, Data: make([]byte, 16)}},
			"clear   sector 0 0x00001000..0x00001FFF (4096 bytes, clear seq 3)\nprogram sector 0 0x00001010..0x0000101F (16 bytes, program seq 0)\n"},
		{"split at a sector border, clear in sequence order", nil, pgm.ClearAbsolute, []pgm.Segment{{Addr: 0x2FF0, Data: make([]byte, 0x20)}},
			"clear   sector 2 0x00003000..0x00003FFF (4096 bytes, clear seq 1)\nclear   sector 1 0x00002000..0x00002FFF (4096 bytes, clear seq 2)\n" +
				"program sector 1 0x00002FF0..0x00002FFF (16 bytes, program seq 1)\nprogram sector 2 0x00003000..0x0000300F (16 bytes, program seq 2)\n"},
		{"program sequence orders writes", func(l *pgm.Layout) { l.Sectors[0].ProgramSeq = 9 }, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}, {Addr: 0x4000, Data: make([]byte, 1)}},
			"clear   sector 3 0x00004000..0x00004FFF (4096 bytes, clear seq 0)\nclear   sector 0 0x00001000..0x00001FFF (4096 bytes, clear seq 3)\n" +
				"program sector 3 0x00004000..0x00004000 (1 bytes, program seq 3)\nprogram sector 0 0x00001000..0x00001000 (1 bytes, program seq 9)\n"},
		{"AG 4 pads with 0xFF and merges", func(l *pgm.Layout) { l.AG = 4 }, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: 0x1001, Data: make([]byte, 2)}, {Addr: 0x1003, Data: nil}, {Addr: 0x1006, Data: make([]byte, 1)}},
			"clear   sector 0 0x00001000..0x00001FFF (4096 bytes, clear seq 3)\nprogram sector 0 0x00001000..0x00001007 (8 bytes, program seq 0)\n"},
		{"functional", nil, pgm.ClearFunctional, []pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}},
			"clear functional range mask 0x00000002\nprogram sector 0 0x00001000..0x00001000 (1 bytes, program seq 0)\n"},
		{"below every sector", nil, pgm.ClearAbsolute, []pgm.Segment{{Addr: 0x0FF0, Data: make([]byte, 0x20)}},
			"pgm: image data at 0x00000FF0..0x00000FFF is outside every flash sector of the slave"},
		{"past the last sector", nil, pgm.ClearAbsolute, []pgm.Segment{{Addr: 0x4FFF, Data: make([]byte, 2)}},
			"pgm: image data at 0x00005000..0x00005000 is outside every flash sector of the slave"},
		{"in a gap", func(l *pgm.Layout) {
			l.Sectors = l.Sectors[:1:1]
			l.Sectors = append(l.Sectors, pgm.Sector{Index: 1, Start: 0x3000, Length: 0x1000})
		},
			pgm.ClearAbsolute, []pgm.Segment{{Addr: 0x1FFF, Data: make([]byte, 0x1002)}},
			"pgm: image data at 0x00002000..0x00002FFF is outside every flash sector of the slave"},
		{"no absolute mode", func(l *pgm.Layout) { l.Properties = pgm.PropFunctional }, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}}, "pgm: not supported by the slave: PROGRAM_CLEAR absolute mode (PGM_PROPERTIES 0x02)"},
		{"no functional mode", func(l *pgm.Layout) { l.Properties = pgm.PropAbsolute }, pgm.ClearFunctional,
			[]pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}}, "pgm: not supported by the slave: PROGRAM_CLEAR functional mode (PGM_PROPERTIES 0x01)"},
		{"programming method", func(l *pgm.Layout) { l.Sectors[0].Method = 0x81 }, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}}, "pgm: not supported by the slave: sector 0 programming method 0x81 (only 0, sequential)"},
		{"no sectors", func(l *pgm.Layout) { l.Sectors = nil }, pgm.ClearAbsolute,
			[]pgm.Segment{{Addr: 0x1000, Data: make([]byte, 1)}}, "pgm: not supported by the slave: the slave reports no flash sectors (GET_PGM_PROCESSOR_INFO MAX_SECTOR 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := layout4()
			if tc.layout != nil {
				tc.layout(&l)
			}
			img, err := pgm.NewImage(tc.segs)
			if err != nil {
				t.Fatal(err)
			}
			p, err := pgm.NewPlan(img, l, tc.mode, 2)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = p.String()
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestPlanPadding(t *testing.T) {
	l := layout4()
	l.AG = 4
	img, _ := pgm.NewImage([]pgm.Segment{{Addr: 0x1001, Data: []byte{1, 2}}, {Addr: 0x1006, Data: []byte{3}}})
	p, err := pgm.NewPlan(img, l, pgm.ClearAbsolute, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xFF, 1, 2, 0xFF, 0xFF, 0xFF, 3, 0xFF}
	if len(p.Writes) != 1 || !bytes.Equal(p.Writes[0].Data, want) {
		t.Fatalf("writes %+v, want one with % X", p.Writes, want)
	}
}

func TestNewImage(t *testing.T) {
	img, err := pgm.NewImage([]pgm.Segment{{Addr: 10, Data: []byte{3}}, {Addr: 8, Data: []byte{1, 2}}, {Addr: 20, Data: []byte{4}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(img.Segments); got != "[{8 [1 2 3]} {20 [4]}]" {
		t.Errorf("segments %s", got)
	}
	_, err = pgm.NewImage([]pgm.Segment{{Addr: 8, Data: []byte{1, 2}}, {Addr: 9, Data: []byte{3}}})
	var oe *pgm.OverlapError
	if !errors.As(err, &oe) || oe.B.Addr != 9 {
		t.Errorf("overlap: got %v", err)
	}
	if _, err := pgm.NewImage(nil); err == nil {
		t.Error("empty image accepted")
	}
	if _, err := pgm.Load(pgm.FormatBinary, []byte{1, 2}, 0xFFFFFFFF); err == nil || !strings.Contains(err.Error(), "32-bit") {
		t.Errorf("binary past 4 GiB: %v", err)
	}
}

func TestPropertiesString(t *testing.T) {
	for _, tc := range []struct {
		p    uint8
		want string
	}{
		{0, "none"},
		{0x43, "absolute mode, functional mode, non-sequential supported"},
		{0xFF, "absolute mode, functional mode, compression supported, compression required, encryption supported, encryption required, non-sequential supported, non-sequential required"},
	} {
		if got := pgm.PropertiesString(tc.p); got != tc.want {
			t.Errorf("PropertiesString(0x%02X) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
