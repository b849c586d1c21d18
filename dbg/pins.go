package dbg

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/goxcp/goxcp/protocol/swdbg"
)

// ErrNoSuchPin is returned by SetPins for a pin index the slave does not
// have (DBG_GET_HWIO_INFO).
var ErrNoSuchPin = errors.New("dbg: the slave has no such HW-IO pin")

// PinsResult is what SetPins found: every HW-IO pin of the slave and its
// state after the change, in the same order.
type PinsResult struct {
	Pins   []swdbg.PinInfo
	States []swdbg.PinState
}

// SetPins sets the pin events (DBG_SET_HWIO_EVENT, pin index → trigger),
// then drives the pins of sets (DBG_HWIO_CONTROL) and reads the state of
// every pin: pins not in sets are requested as StateUnchanged, so one
// call both changes some pins and shows all of them. A pin index in sets
// that the slave does not list gives an error matching ErrNoSuchPin
// before anything is driven.
func (s *Session) SetPins(ctx context.Context, events map[uint8]swdbg.Trigger, sets []swdbg.PinControl) (PinsResult, error) {
	idx := make([]uint8, 0, len(events))
	for pin := range events {
		idx = append(idx, pin)
	}
	slices.Sort(idx)
	for _, pin := range idx {
		if err := s.SetHWIOEvent(ctx, pin, events[pin]); err != nil {
			return PinsResult{}, err
		}
	}
	pins, err := s.HWIOInfo(ctx)
	if err != nil {
		return PinsResult{}, err
	}
	ctl := make([]swdbg.PinControl, len(pins))
	for i, pin := range pins {
		ctl[i] = swdbg.PinControl{Index: pin.Index, State: swdbg.StateUnchanged}
		for _, set := range sets {
			if set.Index == pin.Index {
				ctl[i] = set
			}
		}
	}
	for _, set := range sets {
		if !slices.ContainsFunc(pins, func(p swdbg.PinInfo) bool { return p.Index == set.Index }) {
			return PinsResult{}, fmt.Errorf("%w: %d", ErrNoSuchPin, set.Index)
		}
	}
	states, err := s.HWIOControl(ctx, ctl)
	if err != nil {
		return PinsResult{}, err
	}
	return PinsResult{Pins: pins, States: states}, nil
}
