package swdbg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The text forms of pin settings and DAP telegrams, as engineers write
// them on a command line or in a test script.

// ParsePinControl parses PIN=STATE for DBG_HWIO_CONTROL: STATE is low,
// high, tristate or clock:HZ (1..65535 Hz); PIN is decimal or 0x hex.
func ParsePinControl(s string) (PinControl, error) {
	pin, st, ok := strings.Cut(s, "=")
	idx, err := strconv.ParseUint(pin, 0, 8)
	if !ok || err != nil {
		return PinControl{}, errors.New("want PIN=STATE")
	}
	pc := PinControl{Index: uint8(idx)}
	state, freq, _ := strings.Cut(st, ":")
	switch state {
	case "low":
		pc.State = StateLow
	case "high":
		pc.State = StateHigh
	case "tristate":
		pc.State = StateTristate
	case "clock":
		hz, err := strconv.ParseUint(freq, 0, 16)
		if err != nil || hz == 0 {
			return PinControl{}, errors.New("clock needs a frequency 1..65535 Hz (clock:HZ)")
		}
		pc.State, pc.Freq = StateClock, uint16(hz)
	default:
		return PinControl{}, fmt.Errorf("state %q is not low, high, tristate or clock:HZ", state)
	}
	return pc, nil
}

// ParsePinEvent parses PIN=TRIGGER for DBG_SET_HWIO_EVENT: TRIGGER is
// low, high, change or off (TriggerDisable).
func ParsePinEvent(s string) (pin uint8, t Trigger, err error) {
	p, tr, ok := strings.Cut(s, "=")
	idx, err := strconv.ParseUint(p, 0, 8)
	if !ok || err != nil {
		return 0, 0, errors.New("want PIN=TRIGGER")
	}
	t, ok = map[string]Trigger{"low": TriggerLow, "high": TriggerHigh, "change": TriggerChange, "off": TriggerDisable}[tr]
	if !ok {
		return 0, 0, fmt.Errorf("trigger %q is not low, high, change or off", tr)
	}
	return uint8(idx), t, nil
}

// ParseTelegram parses a DBG_LLT telegram CMD:BITS:VALUE[:RESPBITS]
// (numbers decimal or 0x hex, underscores allowed): at most 64 data bits
// given as VALUE, RESPBITS the expected response length in bits.
func ParseTelegram(s string) (Telegram, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 3 || len(parts) > 4 {
		return Telegram{}, errors.New("want CMD:BITS:VALUE[:RESPBITS]")
	}
	num := func(what string, i, bits int) (uint64, error) {
		v, err := strconv.ParseUint(strings.ReplaceAll(parts[i], "_", ""), 0, bits)
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s %q: out of range (at most %d bits)", what, parts[i], bits)
		}
		if err != nil {
			return 0, fmt.Errorf("%s %q: not a number (decimal or 0x hex)", what, parts[i])
		}
		return v, nil
	}
	cmd, err := num("CMD", 0, 8)
	if err != nil {
		return Telegram{}, err
	}
	bits, err := num("BITS", 1, 8)
	if err != nil {
		return Telegram{}, err
	}
	if bits > 64 {
		return Telegram{}, errors.New("at most 64 data bits in the text form")
	}
	val, err := num("VALUE", 2, 64)
	if err != nil {
		return Telegram{}, err
	}
	if bits < 64 && val>>bits != 0 {
		return Telegram{}, fmt.Errorf("VALUE does not fit into %d bits", bits)
	}
	var resp uint64
	if len(parts) == 4 {
		if resp, err = num("RESPBITS", 3, 8); err != nil {
			return Telegram{}, err
		}
	}
	return NewTelegram(uint8(cmd), uint8(bits), val, uint8(resp)), nil
}

// ModeText names the directions of a pin's Mode: "in", "out" and
// "event", separated by blanks ("" for none).
func (p PinInfo) ModeText() string {
	var parts []string
	if p.Mode&PinInput != 0 {
		parts = append(parts, "in")
	}
	if p.Mode&PinOutput != 0 {
		parts = append(parts, "out")
	}
	if p.Mode&PinEvent != 0 {
		parts = append(parts, "event")
	}
	return strings.Join(parts, " ")
}
