package daq_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// TestAddressGranularity measures and stimulates a WORD and a DWORD slave:
// ODT entries are whole AG elements at aligned addresses (WRITE_DAQ sizes
// in elements), values decode correctly, STIM writes them.
func TestAddressGranularity(t *testing.T) {
	for _, ag := range []xcp.Granularity{xcp.Word, xcp.DWord} {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			t.Run(fmt.Sprintf("%s/%s", ag, order), func(t *testing.T) {
				cfg := sim.Config{AG: ag, Order: order, MaxDTO: 24, DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQWordAl, TimestampSize: 4}}
				m, s, stop := pair(t, cfg)
				defer stop()
				ctx := context.Background()
				ses, err := daq.Setup(ctx, m, testLists(t), daq.Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range ses.Layout().Lists {
					for _, o := range l.ODTs {
						for _, e := range o.Entries {
							if int(e.Size)%ag.Size() != 0 || int(e.Address)%ag.Size() != 0 {
								t.Fatalf("entry %+v not aligned to %s", e, ag)
							}
						}
					}
				}
				c, st := measure(t, ses, 150*time.Millisecond)
				checkSamples(t, c, st)
				if s.DAQStats().DTOs == 0 {
					t.Fatal("simulator sent no DTOs")
				}

				// STIM on the same slave: a ramp written and read back.
				ses, err = daq.Setup(ctx, m, stimLists()[:1], daq.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := ses.Start(ctx); err != nil {
					t.Fatal(err)
				}
				stim, err := ses.Stimulator(ctx, "stim")
				if err != nil {
					t.Fatal(err)
				}
				for k := 1; k <= 10; k++ {
					if err := stim.Set("u32", float64(k)); err != nil {
						t.Fatal(err)
					}
					if err := stim.Set("i16", float64(-k)); err != nil {
						t.Fatal(err)
					}
					if err := stim.Send(ctx); err != nil {
						t.Fatal(err)
					}
					for start := time.Now(); ; time.Sleep(time.Millisecond) {
						b, err := m.Read(ctx, stimBase, 0, 12)
						if err != nil {
							t.Fatal(err)
						}
						if order.Uint32(b) == uint32(k) && int16(order.Uint16(b[10:])) == int16(-k) {
							break
						}
						if time.Since(start) > 5*time.Second {
							t.Fatalf("step %d: memory % X", k, b)
						}
					}
				}
				if _, err := ses.Stop(ctx); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestAddressGranularityAlignment: a WORD slave whose identification field
// or timestamp would misalign the DTO data is refused with a clear error.
func TestAddressGranularityAlignment(t *testing.T) {
	for _, c := range []struct {
		idf  xcp.IDField
		ts   int
		want string
	}{
		{xcp.IDAbsODT, 4, "identification field"},
		{xcp.IDRelODTAbsDAQWord, 4, "identification field"},
		{xcp.IDRelODTAbsDAQByte, 1, "timestamps have 1 bytes"},
	} {
		m, _, stop := pair(t, sim.Config{AG: xcp.Word, DAQ: sim.DAQConfig{IDField: c.idf, TimestampSize: c.ts, Misaligned: true}})
		_, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
		stop()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "WORD") {
			t.Errorf("%s ts %d: %v", c.idf, c.ts, err)
		}
	}
	// Without timestamps the byte-sized identification field works.
	m, _, stop := pair(t, sim.Config{AG: xcp.Word, DAQ: sim.DAQConfig{IDField: xcp.IDRelODTAbsDAQByte, TimestampSize: 1}})
	defer stop()
	lists := testLists(t)
	for i := range lists {
		lists[i].Timestamps = false
	}
	ses, err := daq.Setup(context.Background(), m, lists, daq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, st := measure(t, ses, 100*time.Millisecond)
	if len(c.byList[0]) < 3 || st.Lost() != 0 {
		t.Fatalf("%d samples, stats %+v", len(c.byList[0]), st)
	}
}
