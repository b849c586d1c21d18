package a2ldaq_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/daq"
)

// A signal with a FIXED_EVENT_LIST (as XCPlite writes for stack variables)
// is refused on another event with a message naming the right one, instead
// of the slave's bare ERR_DAQ_CONFIG.
func TestResolveFixedEvent(t *testing.T) {
	const src = `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin MEASUREMENT local "" UWORD NO_COMPU_METHOD 0 0 0 65535 ECU_ADDRESS 0xFFCA ECU_ADDRESS_EXTENSION 2
  /begin IF_DATA XCP /begin DAQ_EVENT FIXED_EVENT_LIST EVENT 0x1 /end DAQ_EVENT /end IF_DATA /end MEASUREMENT
/begin MEASUREMENT global "" ULONG NO_COMPU_METHOD 0 0 0 4294967295 ECU_ADDRESS 0x1F270 ECU_ADDRESS_EXTENSION 1 /end MEASUREMENT
/begin MEASUREMENT pref "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x1F245 ECU_ADDRESS_EXTENSION 1
  /begin IF_DATA XCP /begin DAQ_EVENT VARIABLE /begin DEFAULT_EVENT_LIST EVENT 0x1 /end DEFAULT_EVENT_LIST /end DAQ_EVENT /end IF_DATA /end MEASUREMENT
/end MODULE
/end PROJECT
`
	f, err := a2l.ParseString("t.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	tests := []struct {
		event   uint16
		name    string // unresolved event name
		signals []string
		want    string // error substring, "" = no error
	}{
		{1, "", []string{"local", "global", "pref"}, ""},
		{0, "", []string{"global", "pref"}, ""}, // no fixed list, a default one only
		{0, "", []string{"global", "local"}, `signal "local" can only be measured on event 1 (FIXED_EVENT_LIST in its A2L IF_DATA), the list uses event 0; set event = 1`},
		{0, "slave_event", []string{"local"}, ""}, // the slave resolves the name later
	}
	for _, tc := range tests {
		lists := []daq.List{{Name: "l", Event: tc.event, EventName: tc.name, Signals: tc.signals}}
		_, err := a2ldaq.Resolve(m, lists)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("event %d %v: %v", tc.event, tc.signals, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("event %d %v: error %v, want %q", tc.event, tc.signals, err, tc.want)
		}
	}
}
