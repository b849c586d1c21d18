package daq

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// layout allocates ODTs for the configurable lists and reads the ODTs of
// the predefined ones, keeping the order of lists.
func (s *Session) layout(ctx context.Context, x Exchanger, lists []List) (*dto.Layout, error) {
	info, f := s.info, s.f
	lim := LimitsFromInfo(info, f)
	var conf []List
	for _, l := range lists {
		if !l.Predefined {
			conf = append(conf, l)
		}
	}
	if s.static && len(conf) > 0 {
		// The lists go into the static lists MIN_DAQ…; each has fixed
		// numbers of ODTs and entries.
		for _, li := range info.Lists {
			if li.Number >= lim.FirstList && int(li.Number) < int(lim.FirstList)+len(conf) {
				if lim.MaxODT == 0 || int(li.MaxODT) < lim.MaxODT {
					lim.MaxODT = int(li.MaxODT)
				}
				if lim.MaxEntries == 0 || int(li.MaxEntries) < lim.MaxEntries {
					lim.MaxEntries = int(li.MaxEntries)
				}
			}
		}
		if lim.MaxODT == 0 || lim.MaxEntries == 0 {
			return nil, fmt.Errorf("daq: static DAQ configuration: GET_DAQ_LIST_INFO gave no ODT/entry limits for lists %d..%d", lim.FirstList, int(lim.FirstList)+len(conf)-1)
		}
	}
	lay := lim.layout()
	var alloc *dto.Layout
	if len(conf) > 0 {
		var err error
		if alloc, err = Allocate(conf, lim); err != nil {
			return nil, err
		}
	}
	ci := 0
	for _, l := range lists {
		if !l.Predefined {
			lay.Lists = append(lay.Lists, alloc.Lists[ci])
			ci++
			continue
		}
		ll, err := s.readPredefined(ctx, x, l, lim)
		if err != nil {
			return nil, err
		}
		lay.Lists = append(lay.Lists, *ll)
	}
	return lay, nil
}

// readPredefined reads the ODTs of a predefined list (SET_DAQ_PTR and
// READ_DAQ) and places the list's measurements in them.
func (s *Session) readPredefined(ctx context.Context, x Exchanger, l List, lim Limits) (*dto.List, error) {
	maxODT, maxEntries := 0xFC, 0xFF
	for _, li := range s.info.Lists {
		if li.Number == l.Number {
			maxODT, maxEntries = int(li.MaxODT), int(li.MaxEntries)
		}
	}
	f := s.f
	ll := l.placed()
	for o := range maxODT {
		var odt dto.ODT
		for e := range maxEntries {
			if e == 0 {
				_, err := x.Do(ctx, xcp.SetDaqPtr{List: l.Number, ODT: uint8(o)}.Append(nil, f))
				if errors.Is(err, xcp.ErrOutOfRange) && o > 0 {
					break // no more ODTs
				}
				if err != nil {
					return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): SET_DAQ_PTR ODT %d: %w", l.Name, l.Number, o, err)
				}
			}
			p, err := x.Do(ctx, []byte{byte(xcp.CmdReadDaq)})
			if err != nil {
				if errors.Is(err, xcp.ErrSequence) || errors.Is(err, xcp.ErrOutOfRange) {
					break // past the last entry
				}
				return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): READ_DAQ: %w", l.Name, l.Number, err)
			}
			var r xcp.ReadDaqResponse
			if err := r.Decode(p, f); err != nil {
				return nil, fmt.Errorf("daq: predefined DAQ list %q: %w", l.Name, err)
			}
			if r.Size == 0 {
				break
			}
			if r.BitOffset != xcp.NoBitOffset {
				return nil, fmt.Errorf("daq: predefined DAQ list %q: ODT %d entry %d is a single bit, which is not supported", l.Name, o, e)
			}
			bytes := int(r.Size) * f.AG.Size() // READ_DAQ sizes count AG elements
			if bytes > 255 {
				return nil, fmt.Errorf("daq: predefined DAQ list %q: ODT %d entry %d has %d bytes (%d elements of %s), more than 255", l.Name, o, e, bytes, r.Size, f.AG)
			}
			odt.Entries = append(odt.Entries, dto.Entry{Address: r.Addr, Extension: r.Ext, Size: uint8(bytes)})
		}
		if len(odt.Entries) == 0 {
			break
		}
		ll.ODTs = append(ll.ODTs, dto.NewODT(odt.Entries...))
	}
	if len(ll.ODTs) == 0 {
		return nil, fmt.Errorf("daq: predefined DAQ list %q (%d) has no ODT entries", l.Name, l.Number)
	}
	for i, m := range l.Measurements {
		off, found := 0, false
		for _, o := range ll.ODTs {
			for _, e := range o.Entries {
				if e.Extension == m.Extension && m.Address >= e.Address && uint64(m.Address)+uint64(m.Type.Size()) <= uint64(e.Address)+uint64(e.Size) {
					ll.Offsets[i], found = off+int(m.Address-e.Address), true
				}
				off += int(e.Size)
			}
			if found {
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("daq: predefined DAQ list %q (%d): measurement %q (0x%X, %s) is not in any of its ODT entries", l.Name, l.Number, m.Name, m.Address, m.Type)
		}
	}
	return ll, nil
}
