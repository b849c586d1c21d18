package swdbg

import (
	"strings"
	"testing"
)

func TestParsePinControl(t *testing.T) {
	for _, c := range []struct {
		in   string
		want PinControl
		err  string
	}{
		{"0=low", PinControl{0, StateLow, 0}, ""},
		{"0x2=high", PinControl{2, StateHigh, 0}, ""},
		{"3=tristate", PinControl{3, StateTristate, 0}, ""},
		{"2=clock:1000", PinControl{2, StateClock, 1000}, ""},
		{"2=clock", PinControl{}, "needs a frequency"},
		{"2=clock:0", PinControl{}, "needs a frequency"},
		{"2=clock:70000", PinControl{}, "needs a frequency"},
		{"0=sideways", PinControl{}, `state "sideways" is not low, high`},
		{"256=low", PinControl{}, "want PIN=STATE"},
		{"low", PinControl{}, "want PIN=STATE"},
	} {
		got, err := ParsePinControl(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.in, err, c.err)
			}
		} else if err != nil || got != c.want {
			t.Errorf("%q: %+v %v, want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParsePinEvent(t *testing.T) {
	for _, c := range []struct {
		in  string
		pin uint8
		tr  Trigger
		err string
	}{
		{"1=change", 1, TriggerChange, ""},
		{"0=low", 0, TriggerLow, ""},
		{"7=high", 7, TriggerHigh, ""},
		{"7=off", 7, TriggerDisable, ""},
		{"7=rising", 0, 0, `trigger "rising" is not`},
		{"x=low", 0, 0, "want PIN=TRIGGER"},
	} {
		pin, tr, err := ParsePinEvent(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.in, err, c.err)
			}
		} else if err != nil || pin != c.pin || tr != c.tr {
			t.Errorf("%q: %d %v %v", c.in, pin, tr, err)
		}
	}
}

func TestParseTelegram(t *testing.T) {
	tg, err := ParseTelegram("0x1A:7:0x4B:16")
	if err != nil || tg.Cmd != 0x1A || tg.Bits != 7 || len(tg.Data) != 1 || tg.Data[0] != 0x4B || tg.RespBits != 16 {
		t.Fatalf("%+v %v", tg, err)
	}
	tg, err = ParseTelegram("1:64:0xFFFF_FFFF_FFFF_FFFF")
	if err != nil || len(tg.Data) != 8 || tg.RespBits != 0 {
		t.Fatalf("64 bits: %+v %v", tg, err)
	}
	for _, c := range []struct{ in, err string }{
		{"0x1A:3:0x4B", "does not fit into 3 bits"},
		{"1:2", "want CMD:BITS:VALUE"},
		{"1:2:3:4:5", "want CMD:BITS:VALUE"},
		{"0x100:8:1", `CMD "0x100": out of range`},
		{"1:65:1", "at most 64 data bits"},
		{"1:8:z", `VALUE "z": not a number`},
		{"1:8:1:x", `RESPBITS "x": not a number`},
	} {
		if _, err := ParseTelegram(c.in); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.in, err, c.err)
		}
	}
}

func TestPinModeText(t *testing.T) {
	for _, c := range []struct {
		mode uint8
		want string
	}{{0, ""}, {PinInput, "in"}, {PinInput | PinOutput, "in out"}, {PinOutput | PinEvent, "out event"}, {0xFF, "in out event"}} {
		if got := (PinInfo{Mode: c.mode}).ModeText(); got != c.want {
			t.Errorf("mode 0x%02X: %q, want %q", c.mode, got, c.want)
		}
	}
}
