package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// setupStim configures list 0 as a STIM list of two ODTs (4 bytes at
// RAMBase+0x100, 2 bytes at RAMBase+0x110) on event 0 and starts it.
func setupStim(c *client) {
	f := c.f
	c.ok([]byte{byte(xcp.CmdFreeDaq)})
	c.ok(xcp.AllocDaq{Count: 1}.Append(nil, f))
	c.ok(xcp.AllocOdt{List: 0, Count: 2}.Append(nil, f))
	c.ok(xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f))
	c.ok(xcp.AllocOdtEntry{List: 0, ODT: 1, Count: 1}.Append(nil, f))
	c.ok(xcp.SetDaqPtr{List: 0, ODT: 0}.Append(nil, f))
	c.ok(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 4, Addr: RAMBase + 0x100}}.Append(nil, f))
	c.ok(xcp.SetDaqPtr{List: 0, ODT: 1}.Append(nil, f))
	c.ok(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 2, Addr: RAMBase + 0x110}}.Append(nil, f))
	c.ok(xcp.SetDaqListMode{Mode: xcp.ModeDirection, List: 0, Event: 0, Prescaler: 1}.Append(nil, f))
	c.ok(xcp.StartStopDaqList{Mode: xcp.DaqListStart, List: 0}.Append(nil, f))
}

func waitMem(t *testing.T, c *client, addr uint32, want []byte) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(2 * time.Millisecond) {
		if got := c.read(addr, len(want)); bytes.Equal(got, want) {
			return
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("memory at 0x%X: % X, want % X", addr, c.read(addr, len(want)), want)
		}
	}
}

func TestStimConsistency(t *testing.T) {
	for _, odt := range []bool{false, true} {
		evs := DefaultEvents()
		evs[0].StimODTConsistency = odt
		s, c := start(t, Config{DAQ: DAQConfig{Events: evs}})
		setupStim(c)
		c.send([]byte{0, 1, 2, 3, 4}) // ODT 0 only
		c.send([]byte{9, 1, 2})       // no such ODT: rejected, not answered
		c.send([]byte{1, 1, 2, 3})    // ODT 1 with a wrong length: rejected
		c.silent()
		// Wait for several event cycles.
		for start := time.Now(); s.StimStats().Timeouts+s.StimStats().Incomplete < 3; time.Sleep(time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatal("no event cycles")
			}
		}
		if odt {
			waitMem(t, c, RAMBase+0x100, []byte{1, 2, 3, 4})
		} else if got := c.read(RAMBase+0x100, 4); !bytes.Equal(got, make([]byte, 4)) {
			t.Fatalf("DAQ consistency: incomplete list written: % X", got)
		}
		c.send([]byte{1, 7, 8}) // completes the list
		waitMem(t, c, RAMBase+0x110, []byte{7, 8})
		waitMem(t, c, RAMBase+0x100, []byte{1, 2, 3, 4})
		st := s.StimStats()
		if st.Rejected != 2 || st.DTOs != 2 {
			t.Fatalf("ODT consistency %v: stats %+v", odt, st)
		}
		if !odt && st.Incomplete == 0 {
			t.Fatalf("DAQ consistency: no incomplete cycle counted: %+v", st)
		}
	}
}

func TestStimModeChecks(t *testing.T) {
	evs := DefaultEvents()
	evs[1].NoStim = true
	_, c := start(t, Config{DAQ: DAQConfig{Events: evs}})
	f := c.f
	var ei xcp.GetDaqEventInfoResponse
	if err := ei.Decode(c.ok(xcp.GetDaqEventInfo{Event: 1}.Append(nil, f)), f); err != nil || ei.Properties&xcp.EventSTIM != 0 {
		t.Fatalf("DAQ-only event: %+v %v", ei, err)
	}
	if err := ei.Decode(c.ok(xcp.GetDaqEventInfo{Event: 0}.Append(nil, f)), f); err != nil || ei.Properties&xcp.EventSTIM == 0 || ei.Properties.Consistency() != "DAQ" {
		t.Fatalf("event 0: %+v %v", ei, err)
	}
	c.ok([]byte{byte(xcp.CmdFreeDaq)})
	c.ok(xcp.AllocDaq{Count: 1}.Append(nil, f))
	c.fail(xcp.SetDaqListMode{Mode: xcp.ModeDirection, List: 0, Event: 1, Prescaler: 1}.Append(nil, f), xcp.ErrModeNotValid)
}
