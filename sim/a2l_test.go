package sim_test

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// TestA2LParses cross-checks the A2L the simulator serves with goxcp's
// A2L parser: it must parse strictly and describe exactly the simulator's
// variables, parameters, memory and protocol settings.
func TestA2LParses(t *testing.T) {
	for _, cfg := range []sim.Config{{}, {Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 64, MaxDTO: 512, NoSlaveBlockMode: true}} {
		s, err := sim.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan net.Addr, 1)
		done := make(chan error, 1)
		go func() { done <- s.ListenAndServe(ctx, "udp4", "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
		addr := <-ready
		text := s.A2L()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		f, err := a2l.ParseString("sim.a2l", text, a2l.Options{})
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		if len(f.Modules) != 1 {
			t.Fatalf("%d modules", len(f.Modules))
		}
		m := f.Modules[0]
		wantOrder := a2l.MSBLast
		if cfg.Order == xcp.Motorola {
			wantOrder = a2l.MSBFirst
		}
		if m.ModCommon.ByteOrder != wantOrder {
			t.Errorf("MOD_COMMON byte order %s, want %s", m.ModCommon.ByteOrder, wantOrder)
		}
		if m.ModPar.EPK != sim.EPK {
			t.Errorf("EPK %q", m.ModPar.EPK)
		}
		for _, v := range sim.Variables() {
			me := m.Measurement(v.Name)
			if me == nil {
				t.Errorf("no MEASUREMENT %s", v.Name)
				continue
			}
			if me.Address != v.Addr || me.DataType.String() != v.Type.String() || me.DataType.Size() != v.Type.Size() {
				t.Errorf("%s: 0x%X %s, want 0x%X %s", v.Name, me.Address, me.DataType, v.Addr, v.Type)
			}
		}
		for _, p := range sim.Parameters() {
			c := m.Characteristic(p.Name)
			if c == nil || c.Address != p.Addr {
				t.Errorf("CHARACTERISTIC %s: %+v", p.Name, c)
			}
		}
		segs := map[string]*a2l.MemorySegment{}
		for _, ms := range m.ModPar.MemorySegments {
			segs[ms.Name] = ms
		}
		if ms := segs["cal"]; ms == nil || ms.Address != sim.CalBase || ms.Size != sim.CalSize {
			t.Errorf("cal segment %+v", ms)
		} else {
			seg, err := ifxcp.DecodeSegment(ms)
			if err != nil || seg == nil || seg.NumPages != 2 || len(seg.Pages) != 2 {
				t.Errorf("SEGMENT %+v %v", seg, err)
			}
		}
		x, err := ifxcp.Decode(m)
		if err != nil {
			t.Fatal(err)
		}
		pl := x.Protocol
		c := s.Config()
		if pl == nil || pl.MaxCTO != c.MaxCTO || pl.MaxDTO != c.MaxDTO || pl.AddressGranularity != c.AG.Size() {
			t.Fatalf("PROTOCOL_LAYER %+v", pl)
		}
		if pl.ByteOrder != wantOrder {
			t.Errorf("PROTOCOL_LAYER byte order %s, want %s", pl.ByteOrder, wantOrder)
		}
		if pl.MaxBS != int(c.MaxBS) || len(pl.OptionalCmds) < 30 {
			t.Errorf("PROTOCOL_LAYER MAX_BS %d, %d optional commands", pl.MaxBS, len(pl.OptionalCmds))
		}
		if x.PAG == nil || x.PAG.MaxSegments != 1 || x.PGM == nil || x.PGM.MaxSectors != sim.FlashSectors {
			t.Errorf("PAG %+v PGM %+v", x.PAG, x.PGM)
		}
		_, port, _ := net.SplitHostPort(addr.String())
		found := false
		for _, tr := range x.Transports {
			if tr.Kind == "UDP_IP" && strconv.Itoa(tr.Port) == port {
				found = true
			}
		}
		if !found {
			t.Errorf("no XCP_ON_UDP_IP with port %s: %+v", port, x.Transports)
		}
	}
}

// TestA2LQuotesName: the configured name is text in the A2L; quotes and
// backslashes in it must not break the file.
func TestA2LQuotesName(t *testing.T) {
	name := `bench "B" \ 2`
	s, err := sim.New(sim.Config{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	f, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Modules[0].LongID; got != name {
		t.Fatalf("MODULE long identifier %q, want %q", got, name)
	}
}
