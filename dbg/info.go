package dbg

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/protocol/swdbg"
)

// VendorInfo sends DBG_GET_VENDOR_INFO.
func (s *Session) VendorInfo(ctx context.Context) (swdbg.GetVendorInfoResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r swdbg.GetVendorInfoResponse
	p, err := s.exec(ctx, swdbg.CmdGetVendorInfo, swdbg.GetVendorInfo{}.Append(nil, s.f))
	if err == nil {
		err = r.Decode(p, s.f)
	}
	if err != nil {
		return r, fmt.Errorf("dbg: DBG_GET_VENDOR_INFO: %w", err)
	}
	r.Info = append([]byte(nil), r.Info...)
	return r, nil
}

// ReadModeInfo sends DBG_GET_MODE_INFO again (and updates the service level).
func (s *Session) ReadModeInfo(ctx context.Context) (swdbg.GetModeInfoResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r swdbg.GetModeInfoResponse
	p, err := s.exec(ctx, swdbg.CmdGetModeInfo, swdbg.GetModeInfo{}.Append(nil, s.f))
	if err == nil {
		err = r.Decode(p, s.f)
	}
	if err != nil {
		return r, fmt.Errorf("dbg: DBG_GET_MODE_INFO: %w", err)
	}
	s.mode = r
	s.setLevel(r.ServiceLevel)
	return r, nil
}

// JTAGID sends DBG_GET_JTAG_ID.
func (s *Session) JTAGID(ctx context.Context) (uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r swdbg.GetJTAGIDResponse
	p, err := s.exec(ctx, swdbg.CmdGetJTAGID, swdbg.GetJTAGID{}.Append(nil, s.f))
	if err == nil {
		err = r.Decode(p, s.f)
	}
	if err != nil {
		return 0, fmt.Errorf("dbg: DBG_GET_JTAG_ID: %w", err)
	}
	return r.ID, nil
}

// HaltAfterReset sends DBG_HALT_AFTER_RESET.
func (s *Session) HaltAfterReset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.exec(ctx, swdbg.CmdHaltAfterReset, swdbg.HaltAfterReset{}.Append(nil, s.f))
	return err
}

// ExclusiveAccess requests or releases exclusive access to the target
// interface (DBG_EXCLUSIVE_TARGET_ACCESS).
func (s *Session) ExclusiveAccess(ctx context.Context, mode swdbg.ExclusiveMode, c swdbg.ExclusiveContext) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.exec(ctx, swdbg.CmdExclusiveAccess, swdbg.ExclusiveAccess{Mode: mode, Context: c}.Append(nil, s.f))
	return err
}

// HWIOInfo returns all HW-IO pins, paging DBG_GET_HWIO_INFO by index until
// MAX_HW_IO_PINS are known.
func (s *Session) HWIOInfo(ctx context.Context) ([]swdbg.PinInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pins = nil
	p, err := s.hwioInfo(ctx)
	return append([]swdbg.PinInfo(nil), p...), err
}

func (s *Session) hwioInfo(ctx context.Context) ([]swdbg.PinInfo, error) {
	if s.pins != nil {
		return s.pins, nil
	}
	want := int(s.mode.MaxHWIOPins)
	pins := []swdbg.PinInfo{}
	for idx := 0; len(pins) < want && idx < 256; {
		p, err := s.exec(ctx, swdbg.CmdGetHWIOInfo, swdbg.GetHWIOInfo{Index: uint8(idx)}.Append(nil, s.f))
		if err != nil {
			return nil, fmt.Errorf("dbg: DBG_GET_HWIO_INFO index %d: %w", idx, err)
		}
		var r swdbg.GetHWIOInfoResponse
		if err := r.Decode(p, s.f); err != nil {
			return nil, fmt.Errorf("dbg: DBG_GET_HWIO_INFO index %d: %w", idx, err)
		}
		if len(r.Pins) == 0 {
			return nil, fmt.Errorf("dbg: DBG_GET_HWIO_INFO index %d: no pins returned, %d of %d known", idx, len(pins), want)
		}
		pins = append(pins, r.Pins...)
		idx = int(r.Pins[len(r.Pins)-1].Index) + 1
	}
	s.pins = pins
	return pins, nil
}

// SetHWIOEvent sends DBG_SET_HWIO_EVENT.
func (s *Session) SetHWIOEvent(ctx context.Context, pin uint8, t swdbg.Trigger) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.exec(ctx, swdbg.CmdSetHWIOEvent, swdbg.SetHWIOEvent{Pin: pin, Trigger: t}.Append(nil, s.f))
	return err
}

// HWIOControl sets and reads pins (DBG_HWIO_CONTROL) and returns the
// resulting state per requested pin. Requests longer than MAX_CTO_DBG are
// sent as several commands.
func (s *Session) HWIOControl(ctx context.Context, pins []swdbg.PinControl) ([]swdbg.PinState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwioControl(ctx, pins)
}

func (s *Session) hwioControl(ctx context.Context, pins []swdbg.PinControl) ([]swdbg.PinState, error) {
	per := min((int(s.info.MaxCTODbg)-4)/4, int(s.info.MaxCTODbg)-1, 255)
	if per < 1 {
		return nil, fmt.Errorf("dbg: DBG_HWIO_CONTROL: MAX_CTO_DBG %d is too small", s.info.MaxCTODbg)
	}
	var out []swdbg.PinState
	for len(pins) > 0 {
		n := min(per, len(pins))
		p, err := s.exec(ctx, swdbg.CmdHWIOControl, swdbg.HWIOControl{Pins: pins[:n]}.Append(nil, s.f))
		if err != nil {
			return nil, err
		}
		var r swdbg.HWIOControlResponse
		if err := r.Decode(p, s.f); err != nil {
			return nil, fmt.Errorf("dbg: DBG_HWIO_CONTROL: %w", err)
		}
		if len(r.States) < n {
			return nil, fmt.Errorf("dbg: DBG_HWIO_CONTROL: %d states for %d pins", len(r.States), n)
		}
		out = append(out, r.States[:n]...)
		pins = pins[n:]
	}
	return out, nil
}
