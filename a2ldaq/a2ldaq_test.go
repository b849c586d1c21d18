package a2ldaq_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/sim"
)

func TestListFromSimA2L(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	l, err := a2ldaq.List(m, "fast", "0", []string{"counter", "waves.sine", "enabled", "curve"}, true)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(l.Event, len(l.Measurements), l.Measurements[0], l.Measurements[1], l.Measurements[2], l.Measurements[10])
	want := fmt.Sprint(uint16(0), 11,
		dto.Measurement{Name: "counter", Address: sim.RAMBase, Type: dto.U32},
		dto.Measurement{Name: "waves.sine", Address: sim.RAMBase + 8, Type: dto.F32},
		dto.Measurement{Name: "enabled", Address: sim.RAMBase + 7, Type: dto.U8, BitMask: 2},
		dto.Measurement{Name: "curve[7]", Address: sim.CalBase + 0x20 + 14, Type: dto.U16})
	if got != want {
		t.Errorf("list\n got %s\nwant %s", got, want)
	}
	if _, err := a2ldaq.List(m, "x", "", []string{"counter"}, false); err == nil || !strings.Contains(err.Error(), "no event given") {
		t.Errorf("missing event: %v", err)
	}
	if _, err := a2ldaq.List(m, "x", "0", []string{"idle_curve"}, false); err == nil {
		t.Error("a CURVE accepted as a DAQ signal")
	}
}

func TestListFromXCPliteEvents(t *testing.T) {
	f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), "struct_demo.a2l"), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	// event from the signals' DAQ_EVENT, and by its A2L name
	l, err := a2ldaq.List(m, "heap", "", []string{"heap_struct1.word_field", "heap_struct1.struct_field.byte_field"}, false)
	if err != nil || l.Event != 1 || l.Measurements[0].Address != 0x400002 || l.Measurements[0].Extension != 3 || l.Measurements[1].Address != 0x400106 {
		t.Errorf("list %+v %v", l, err)
	}
	l, err = a2ldaq.List(m, "ev", "struct_demo.event2", []string{"counter"}, false)
	if err != nil || l.Event != 1 {
		t.Errorf("event by name: %+v %v", l, err)
	}
}

// TestResolve: signals and A2L event names of list files resolve, mixed
// with address-based measurements; a list without an event takes its
// signals' DAQ_EVENT.
func TestResolve(t *testing.T) {
	f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), "struct_demo.a2l"), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	lists := []daq.List{
		{Name: "a", EventName: "struct_demo.event2", Signals: []string{"heap_struct1.byte_field"},
			Measurements: []dto.Measurement{{Name: "raw", Address: 0x10, Type: dto.U8}}},
		{Name: "b", Signals: []string{"heap_struct1.word_field"}, EventFromSignals: true},
	}
	res, err := a2ldaq.Resolve(m, lists)
	if err != nil {
		t.Fatal(err)
	}
	if l := lists[0]; l.Event != 1 || l.EventName != "" || len(l.Measurements) != 2 || l.Measurements[1].Name != "heap_struct1.byte_field" || res[0]["heap_struct1.byte_field"] == nil || res[0]["raw"] != nil {
		t.Errorf("list a: %+v %v", l, res[0])
	}
	if l := lists[1]; l.Event != 1 || l.EventFromSignals || l.Signals != nil || l.Measurements[0].Address != 0x400002 {
		t.Errorf("list b: %+v", l)
	}
	if err := daq.ValidateLists(lists); err != nil {
		t.Error(err)
	}
	_, err = a2ldaq.Resolve(m, []daq.List{{Name: "c", Signals: []string{"countr"}}})
	if err == nil || !strings.Contains(err.Error(), `did you mean "counter"`) {
		t.Errorf("unknown signal: %v", err)
	}
	_, err = a2ldaq.Resolve(nil, []daq.List{{Name: "c", Signals: []string{"counter"}}})
	if err == nil || !strings.Contains(err.Error(), "--a2l") {
		t.Errorf("no A2L: %v", err)
	}
}
