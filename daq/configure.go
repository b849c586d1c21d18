package daq

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// configure writes the configuration and the list modes to the slave. If a
// command fails in a way the error-handling matrix cures with PreReinitDaq,
// the recovery (s.recover) writes the whole configuration again, nested
// inside the failing command; the interrupted sequence is then complete.
func (s *Session) configure(ctx context.Context, x Exchanger) error {
	gen := s.reinits.Load()
	err := s.configureOnce(ctx, &watch{x: x, s: s, gen: gen})
	if errors.Is(err, errReinitialised) {
		return nil
	}
	return err
}

var errReinitialised = errors.New("daq: configuration re-initialised by the recovery")

// watch is an Exchanger that ends a configuration sequence once a recovery
// has completed the configuration.
type watch struct {
	x   Exchanger
	s   *Session
	gen uint64
}

func (w *watch) Do(ctx context.Context, req []byte) ([]byte, error) {
	w.s.mu.Lock()
	w.s.pending = req
	w.s.mu.Unlock()
	p, err := w.x.Do(ctx, req)
	w.s.mu.Lock()
	w.s.pending = nil
	w.s.mu.Unlock()
	if w.s.reinits.Load() != w.gen {
		return nil, errReinitialised
	}
	return p, err
}

var errStopHere = errors.New("daq: recovery reached the failing command")

// stopper is an Exchanger that replays a configuration sequence up to (not
// including) the command that failed.
type stopper struct {
	x      Exchanger
	stopAt []byte
}

func (s *stopper) Do(ctx context.Context, req []byte) ([]byte, error) {
	if bytes.Equal(req, s.stopAt) {
		return nil, errStopHere
	}
	return s.x.Do(ctx, req)
}

func (s *Session) configureOnce(ctx context.Context, x Exchanger) error {
	f := s.f
	if !s.static {
		if _, err := s.do(ctx, x, "FREE_DAQ", []byte{byte(xcp.CmdFreeDaq)}); err != nil {
			return err
		}
		count := 0
		for _, l := range s.lay.Lists {
			if !l.Predefined {
				count++
			}
		}
		if p := s.info.Processor; count > maxConfigurable(p) {
			return fmt.Errorf("daq: ALLOC_DAQ %d exceeds what the slave offers (MAX_DAQ %d, MIN_DAQ %d)", count, p.MaxDaq, p.MinDaq)
		}
		if count > 0 {
			if _, err := s.do(ctx, x, "ALLOC_DAQ", xcp.AllocDaq{Count: uint16(count)}.Append(nil, f)); err != nil {
				return err
			}
		}
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			if _, err := s.do(ctx, x, fmt.Sprintf("ALLOC_ODT (list %q)", l.Name), xcp.AllocOdt{List: l.Number, Count: uint8(len(l.ODTs))}.Append(nil, f)); err != nil {
				return err
			}
		}
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			for o, odt := range l.ODTs {
				req := xcp.AllocOdtEntry{List: l.Number, ODT: uint8(o), Count: uint8(len(odt.Entries))}.Append(nil, f)
				if _, err := s.do(ctx, x, fmt.Sprintf("ALLOC_ODT_ENTRY (list %q ODT %d)", l.Name, o), req); err != nil {
					return err
				}
			}
		}
	} else {
		for _, l := range s.lay.Lists {
			if l.Predefined {
				continue
			}
			if _, err := s.do(ctx, x, fmt.Sprintf("CLEAR_DAQ_LIST (list %q)", l.Name), xcp.ClearDaqList{List: l.Number}.Append(nil, f)); err != nil {
				return err
			}
		}
	}
	for _, l := range s.lay.Lists {
		if l.Predefined {
			continue
		}
		for o, odt := range l.ODTs {
			if err := s.writeODT(ctx, x, &l, o, odt); err != nil {
				return err
			}
		}
	}
	for _, l := range s.lay.Lists {
		if l.Predefined && s.static && s.predefMode {
			// Without FREE_DAQ nothing re-initialises a predefined list:
			// its mode is set once per session.
			continue
		}
		mode := xcp.DaqListMode(0)
		if l.Timestamps {
			mode |= xcp.ModeTimestamp
		}
		if l.Stim {
			mode |= xcp.ModeDirection
		}
		req := xcp.SetDaqListMode{Mode: mode, List: l.Number, Event: l.Event, Prescaler: max(l.Prescaler, 1), Priority: l.Priority}.Append(nil, f)
		if _, err := s.do(ctx, x, fmt.Sprintf("SET_DAQ_LIST_MODE (list %q)", l.Name), req); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.configured, s.predefMode = true, true
	s.mu.Unlock()
	return nil
}

func (s *Session) writeODT(ctx context.Context, x Exchanger, l *dto.List, o int, odt dto.ODT) error {
	f := s.f
	what := fmt.Sprintf("list %q ODT %d", l.Name, o)
	if _, err := s.do(ctx, x, "SET_DAQ_PTR ("+what+")", xcp.SetDaqPtr{List: l.Number, ODT: uint8(o)}.Append(nil, f)); err != nil {
		return err
	}
	els := make([]xcp.DaqElement, len(odt.Entries))
	for i, e := range odt.Entries {
		// Entry sizes are bytes (multiples of the AG, see LimitsFromInfo);
		// WRITE_DAQ counts AG elements.
		els[i] = xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: e.Size / uint8(f.AG.Size()), Ext: e.Extension, Addr: e.Address}
	}
	if !s.opts.NoWriteMultiple && len(els) > 1 && f.MaxWriteDaqMultiple() > 1 {
		per := f.MaxWriteDaqMultiple()
		done := 0
		for done < len(els) {
			n := min(per, len(els)-done)
			_, err := x.Do(ctx, xcp.WriteDaqMultiple{Elements: els[done : done+n]}.Append(nil, f))
			if err != nil {
				if unsupported(err) && done == 0 {
					break // fall back to WRITE_DAQ
				}
				return fmt.Errorf("daq: WRITE_DAQ_MULTIPLE (%s): %w", what, err)
			}
			done += n
		}
		if done == len(els) {
			return nil
		}
	}
	for i, e := range els {
		if _, err := s.do(ctx, x, fmt.Sprintf("WRITE_DAQ (%s entry %d)", what, i), xcp.WriteDaq{DaqElement: e}.Append(nil, f)); err != nil {
			return err
		}
	}
	return nil
}
