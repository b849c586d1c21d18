package paramset_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal/paramset"
)

const selectA2L = `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin RECORD_LAYOUT RL FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin CHARACTERISTIC idle_a "" VALUE 0x100 RL 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC idle_b "" VALUE 0x101 RL 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC boost "" VALUE 0x102 RL 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC knock "" VALUE 0x103 RL 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin MEASUREMENT speed "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x200 /end MEASUREMENT
/begin FUNCTION F_Idle "" /begin DEF_CHARACTERISTIC idle_a idle_b /end DEF_CHARACTERISTIC /begin SUB_FUNCTION F_Boost /end SUB_FUNCTION /end FUNCTION
/begin FUNCTION F_Boost "" /begin REF_CHARACTERISTIC boost /end REF_CHARACTERISTIC /end FUNCTION
/begin GROUP G_Knock "" /begin REF_CHARACTERISTIC knock /end REF_CHARACTERISTIC /begin REF_MEASUREMENT speed /end REF_MEASUREMENT /end GROUP
/end MODULE
/end PROJECT`

func TestSelect(t *testing.T) {
	f, err := a2l.ParseString("select.a2l", selectA2L, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	tests := []struct {
		sel  []string
		want string
		err  error
	}{
		{nil, "boost idle_a idle_b knock", nil},
		{[]string{"idle_*"}, "idle_a idle_b", nil},
		{[]string{"F_Idle"}, "boost idle_a idle_b", nil}, // with its SUB_FUNCTION
		{[]string{"G_Knock"}, "knock", nil},              // the measurement is not a calibration object
		{[]string{"knock", "boost"}, "boost knock", nil},
		{[]string{"speed"}, "", paramset.ErrNoMatch},
		{[]string{"nothing*"}, "", paramset.ErrNoMatch},
	}
	for _, tt := range tests {
		got, err := paramset.Select(mod, tt.sel...)
		if !errors.Is(err, tt.err) || strings.Join(got, " ") != tt.want {
			t.Errorf("Select(%v) = %v, %v; want %q, %v", tt.sel, got, err, tt.want, tt.err)
		}
	}
	if _, err := paramset.Select(mod, "[x"); err == nil {
		t.Error("bad pattern: no error")
	}
}
