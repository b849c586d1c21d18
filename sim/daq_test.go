package sim

import (
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// TestDaqSequenceRules checks the simulator's DAQ command rules with raw
// packets: the dynamic allocation order, limits, and the rejection of a
// second SET_DAQ_LIST_MODE without a new allocation.
func TestDaqSequenceRules(t *testing.T) {
	_, c := start(t, Config{DAQ: DAQConfig{MaxDaq: 4}})
	f := c.f
	c.fail(xcp.AllocDaq{Count: 1}.Append(nil, f), xcp.ErrSequence) // before FREE_DAQ
	c.ok([]byte{byte(xcp.CmdFreeDaq)})
	c.fail(xcp.AllocDaq{Count: 5}.Append(nil, f), xcp.ErrMemoryOverflow) // oversized
	c.ok(xcp.AllocDaq{Count: 2}.Append(nil, f))
	c.fail(xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f), xcp.ErrOutOfRange) // no ODT yet
	c.ok(xcp.AllocOdt{List: 0, Count: 1}.Append(nil, f))
	c.fail(xcp.AllocOdt{List: 2, Count: 1}.Append(nil, f), xcp.ErrOutOfRange)
	c.ok(xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 2}.Append(nil, f))
	c.fail(xcp.AllocOdt{List: 1, Count: 1}.Append(nil, f), xcp.ErrSequence) // ALLOC_ODT after ALLOC_ODT_ENTRY
	c.fail(xcp.WriteDaq{}.Append(nil, f), xcp.ErrSequence)                  // no DAQ pointer
	c.ok(xcp.SetDaqPtr{List: 0, ODT: 0, Entry: 0}.Append(nil, f))
	c.fail(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: 0xFF, Size: 4, Addr: 0x7000_0000}}.Append(nil, f), xcp.ErrAccessDenied)
	c.ok(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: 0xFF, Size: 4, Addr: RAMBase}}.Append(nil, f))
	c.ok(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: 1, Size: 1, Addr: RAMBase + 7}}.Append(nil, f))                   // one bit of status
	c.fail(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: 0xFF, Size: 1, Addr: RAMBase}}.Append(nil, f), xcp.ErrSequence) // past the ODT
	c.ok(xcp.SetDaqPtr{List: 0, ODT: 0, Entry: 0}.Append(nil, f))
	p := c.ok([]byte{byte(xcp.CmdReadDaq)})
	var rd xcp.ReadDaqResponse
	if err := rd.Decode(p, f); err != nil || rd.Addr != RAMBase || rd.Size != 4 {
		t.Fatalf("READ_DAQ: %+v %v", rd, err)
	}
	mode := xcp.SetDaqListMode{Mode: xcp.ModeTimestamp, List: 0, Event: 1, Prescaler: 1}
	c.fail(xcp.SetDaqListMode{List: 0, Event: 99}.Append(nil, f), xcp.ErrOutOfRange)
	c.ok(mode.Append(nil, f))
	c.fail(mode.Append(nil, f), xcp.ErrSequence) // second SET_DAQ_LIST_MODE
	p = c.ok(xcp.GetDaqListMode{List: 0}.Append(nil, f))
	var gm xcp.GetDaqListModeResponse
	if err := gm.Decode(p, f); err != nil || gm.Event != 1 || gm.Mode&xcp.ModeTimestamp == 0 || gm.Mode&xcp.ModeRunning != 0 {
		t.Fatalf("GET_DAQ_LIST_MODE: %+v %v", gm, err)
	}
	// Start list 0 alone: DTOs arrive with the bit entry as 0 or 1.
	p = c.ok(xcp.StartStopDaqList{Mode: xcp.DaqListStart, List: 0}.Append(nil, f))
	var ss xcp.StartStopDaqListResponse
	if err := ss.Decode(p, f); err != nil || ss.FirstPID != 0 {
		t.Fatalf("START_STOP_DAQ_LIST: %+v %v", ss, err)
	}
	dto := c.recv()
	if len(dto) != 1+4+4+1 || dto[0] != 0 || dto[9] > 1 {
		t.Fatalf("DTO % X: want PID 0, timestamp, counter, one bit", dto)
	}
	c.send(xcp.StartStopSynch{Mode: xcp.SynchStopAll}.Append(nil, f))
	for { // DTOs queued before the response
		p := c.recv()
		if p[0] == xcp.PIDRes {
			break
		}
	}
	c.silent()
	// After FREE_DAQ and a new allocation the mode may be set again.
	c.ok([]byte{byte(xcp.CmdFreeDaq)})
	c.ok(xcp.AllocDaq{Count: 1}.Append(nil, f))
	c.ok(xcp.AllocOdt{List: 0, Count: 1}.Append(nil, f))
	c.ok(xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f))
	c.ok(mode.Append(nil, f))
}

func TestDaqInfoCommands(t *testing.T) {
	ev := uint16(2)
	_, c := start(t, Config{Order: xcp.Motorola, DAQ: DAQConfig{IDField: xcp.IDRelODTAbsDAQWordAl, TimestampSize: 2,
		TimestampUnit: xcp.Unit10us, TimestampTicks: 3, OverloadEvent: true,
		Predefined: []PredefinedList{{ODTs: [][]xcp.DaqElement{{{BitOffset: 0xFF, Size: 4, Addr: RAMBase}}}, FixedEvent: &ev}}}})
	f := c.f
	var pi xcp.GetDaqProcessorInfoResponse
	if err := pi.Decode(c.ok([]byte{byte(xcp.CmdGetDaqProcessorInfo)}), f); err != nil {
		t.Fatal(err)
	}
	if pi.Key.IDField() != xcp.IDRelODTAbsDAQWordAl || pi.Properties&xcp.DaqOverloadEvent == 0 || pi.MinDaq != 1 || pi.MaxEvent != 4 {
		t.Errorf("processor info %+v", pi)
	}
	var ri xcp.GetDaqResolutionInfoResponse
	if err := ri.Decode(c.ok([]byte{byte(xcp.CmdGetDaqResolutionInfo)}), f); err != nil {
		t.Fatal(err)
	}
	if ri.TimestampMode.Size() != 2 || ri.TimestampMode.Unit() != xcp.Unit10us || ri.TimestampTicks != 3 {
		t.Errorf("resolution %+v", ri)
	}
	var ei xcp.GetDaqEventInfoResponse
	if err := ei.Decode(c.ok(xcp.GetDaqEventInfo{Event: 1}.Append(nil, f)), f); err != nil {
		t.Fatal(err)
	}
	if ei.CycleNanos() != 10e6 || ei.NameLength != 4 {
		t.Errorf("event info %+v", ei)
	}
	if name := c.read(InfoBase, 4); string(name) != "10ms" {
		t.Errorf("event name %q", name)
	}
	var li xcp.GetDaqListInfoResponse
	if err := li.Decode(c.ok(xcp.GetDaqListInfo{List: 0}.Append(nil, f)), f); err != nil {
		t.Fatal(err)
	}
	if li.Properties&(xcp.ListPredefined|xcp.ListEventFixed) != xcp.ListPredefined|xcp.ListEventFixed || li.FixedEvent != 2 {
		t.Errorf("list info %+v", li)
	}
	c.fail(xcp.ClearDaqList{List: 0}.Append(nil, f), xcp.ErrAccessDenied) // predefined
	c.fail(xcp.SetDaqListMode{List: 0, Event: 1}.Append(nil, f), xcp.ErrOutOfRange)
	var clk xcp.GetDaqClockResponse
	if err := clk.Decode(c.ok([]byte{byte(xcp.CmdGetDaqClock)}), f); err != nil {
		t.Fatal(err)
	}
	c.ok(xcp.GetDaqPackedMode{List: 0}.Append(nil, f))
	c.fail(xcp.SetDaqPackedMode{List: 0, Mode: xcp.ElementGrouped, SampleCount: 2}.Append(nil, f), xcp.ErrModeNotValid)
}

// TestDaqProtected: DAQ commands need the DAQ resource unlocked.
func TestDaqProtected(t *testing.T) {
	_, c := start(t, Config{Protect: xcp.ResDaq})
	c.fail([]byte{byte(xcp.CmdGetDaqProcessorInfo)}, xcp.ErrAccessLocked)
}
