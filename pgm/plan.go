package pgm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// PGM_PROPERTIES bits (GET_PGM_PROCESSOR_INFO).
const (
	PropAbsolute      = 0x01 // PROGRAM_CLEAR absolute mode supported
	PropFunctional    = 0x02 // PROGRAM_CLEAR functional mode supported
	PropNonSeqSupport = 0x40 // non-sequential programming supported
	PropNonSeqRequire = 0x80 // non-sequential programming required
)

// PropertiesString names the set bits of PGM_PROPERTIES, e.g. "absolute
// mode, functional mode, non-sequential supported"; "none" for 0.
func PropertiesString(p uint8) string {
	names := [8]string{"absolute mode", "functional mode", "compression supported", "compression required",
		"encryption supported", "encryption required", "non-sequential supported", "non-sequential required"}
	var out []string
	for i, n := range names {
		if p&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// Sector is one flash sector as the slave describes it (GET_SECTOR_INFO).
type Sector struct {
	Index      uint8
	Name       string // "" if the slave gives none
	Start      uint32
	Length     uint32 // bytes
	ClearSeq   uint8  // clear sequence number: sectors are cleared in ascending order
	ProgramSeq uint8  // program sequence number: sectors are programmed in ascending order
	Method     uint8  // programming method (0 = sequential)
}

// End is the first address after the sector.
func (s Sector) End() uint64 { return uint64(s.Start) + uint64(s.Length) }

// Layout is the slave's PGM description.
type Layout struct {
	Properties uint8 // PGM_PROPERTIES
	Sectors    []Sector
	AG         int // address granularity in bytes
}

// ReadLayout asks the slave for its PGM properties and every sector's
// start, length, sequence numbers and name.
func ReadLayout(ctx context.Context, m *master.Master) (Layout, error) {
	info, err := m.GetPgmProcessorInfo(ctx)
	if err != nil {
		return Layout{}, fmt.Errorf("pgm: %w", err)
	}
	ag := m.Format().AG.Size()
	l := Layout{Properties: info.Properties, AG: ag}
	for i := range int(info.MaxSector) {
		start, err := m.GetSectorInfo(ctx, xcp.SectorInfoStart, uint8(i))
		if err != nil {
			return Layout{}, fmt.Errorf("pgm: sector %d: %w", i, err)
		}
		length, err := m.GetSectorInfo(ctx, xcp.SectorInfoLength, uint8(i))
		if err != nil {
			return Layout{}, fmt.Errorf("pgm: sector %d: %w", i, err)
		}
		name, err := m.SectorName(ctx, uint8(i))
		var xe *xcp.Error
		if errors.As(err, &xe) {
			name = "" // the name is optional
		} else if err != nil {
			return Layout{}, fmt.Errorf("pgm: sector %d name: %w", i, err)
		}
		l.Sectors = append(l.Sectors, Sector{Index: uint8(i), Name: name, Start: start.Info,
			Length: length.Info * uint32(ag), ClearSeq: start.ClearSequence,
			ProgramSeq: start.ProgramSequence, Method: start.Method})
	}
	return l, nil
}

// ClearMode selects how PROGRAM_CLEAR is sent.
type ClearMode uint8

// The clear modes.
const (
	// ClearAbsolute clears every sector the image touches, one
	// PROGRAM_CLEAR (absolute access mode) per sector, from its start.
	ClearAbsolute ClearMode = iota
	// ClearFunctional sends one PROGRAM_CLEAR in functional access mode
	// with Options.ClearMask.
	ClearFunctional
)

func (c ClearMode) String() string {
	if c == ClearFunctional {
		return "functional"
	}
	return "absolute"
}

// Write is the part of an image segment that lies in one sector.
type Write struct {
	Sector int // index into Plan.Layout.Sectors
	Segment
}

// Plan is what Run sends: the sectors to clear in clear-sequence order and
// the writes in program-sequence order.
type Plan struct {
	Layout Layout
	Clear  []Sector // in clear sequence order (absolute mode)
	Writes []Write  // in program sequence order, then by address
	Mode   ClearMode
	Mask   uint32 // functional clear range mask
}

// Bytes returns the number of bytes the plan programs.
func (p *Plan) Bytes() int {
	n := 0
	for _, w := range p.Writes {
		n += len(w.Data)
	}
	return n
}

// OutsideError reports image data that lies in no sector.
type OutsideError struct {
	Addr, End uint64 // [Addr, End)
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("pgm: image data at 0x%08X..0x%08X is outside every flash sector of the slave", e.Addr, e.End-1)
}

// ErrUnsupported is matched by errors for a clear mode or programming
// method the slave does not offer.
var ErrUnsupported = errors.New("pgm: not supported by the slave")

// NewPlan maps img onto the layout's sectors. Each segment is split at
// sector borders and padded with 0xFF (the erased value) to whole address
// granularity units. It fails with *OutsideError for data in no sector
// and ErrUnsupported for a clear mode the slave does not have or a sector
// with a programming method other than 0 (sequential).
func NewPlan(img *Image, l Layout, mode ClearMode, mask uint32) (*Plan, error) {
	if len(l.Sectors) == 0 {
		return nil, fmt.Errorf("%w: the slave reports no flash sectors (GET_PGM_PROCESSOR_INFO MAX_SECTOR 0)", ErrUnsupported)
	}
	switch mode {
	case ClearAbsolute:
		if l.Properties&PropAbsolute == 0 {
			return nil, fmt.Errorf("%w: PROGRAM_CLEAR absolute mode (PGM_PROPERTIES 0x%02X)", ErrUnsupported, l.Properties)
		}
	case ClearFunctional:
		if l.Properties&PropFunctional == 0 {
			return nil, fmt.Errorf("%w: PROGRAM_CLEAR functional mode (PGM_PROPERTIES 0x%02X)", ErrUnsupported, l.Properties)
		}
		if mask == 0 {
			return nil, errors.New("pgm: functional clear needs a non-zero range mask")
		}
	default:
		return nil, fmt.Errorf("%w: clear mode %d", ErrUnsupported, mode)
	}
	ag := max(l.AG, 1)
	secs := slices.Clone(l.Sectors)
	slices.SortFunc(secs, func(a, b Sector) int { return cmpU(a.Start, b.Start) })
	p := &Plan{Layout: l, Mode: mode, Mask: mask}
	used := map[int]bool{}
	for _, seg := range img.Segments {
		at := uint64(seg.Addr)
		for at < seg.End() {
			i := slices.IndexFunc(secs, func(s Sector) bool { return at >= uint64(s.Start) && at < s.End() })
			if i < 0 {
				end := seg.End()
				if j := slices.IndexFunc(secs, func(s Sector) bool { return uint64(s.Start) > at && uint64(s.Start) < end }); j >= 0 {
					end = uint64(secs[j].Start)
				}
				return nil, &OutsideError{Addr: at, End: end}
			}
			s := secs[i]
			if s.Method != 0 {
				return nil, fmt.Errorf("%w: sector %d programming method 0x%02X (only 0, sequential)", ErrUnsupported, s.Index, s.Method)
			}
			end := min(seg.End(), s.End())
			data := seg.Data[at-uint64(seg.Addr) : end-uint64(seg.Addr)]
			w, err := align(Segment{Addr: uint32(at), Data: data}, ag, s)
			if err != nil {
				return nil, err
			}
			idx := slices.IndexFunc(l.Sectors, func(x Sector) bool { return x.Index == s.Index })
			if n := len(p.Writes); n > 0 && p.Writes[n-1].Sector == idx && uint64(w.Addr) <= p.Writes[n-1].End() {
				// Padding made two segments meet or share an AG unit: merge.
				prev := &p.Writes[n-1]
				off := w.Addr - prev.Addr
				merged := append(slices.Clone(prev.Data[:off]), w.Data...)
				for k, b := range prev.Data[off:] {
					merged[int(off)+k] &= b
				}
				prev.Data = merged
			} else {
				p.Writes = append(p.Writes, Write{Sector: idx, Segment: w})
			}
			used[idx] = true
			at = end
		}
	}
	for i := range l.Sectors {
		if used[i] {
			p.Clear = append(p.Clear, l.Sectors[i])
		}
	}
	slices.SortStableFunc(p.Clear, func(a, b Sector) int { return int(a.ClearSeq) - int(b.ClearSeq) })
	slices.SortStableFunc(p.Writes, func(a, b Write) int {
		if d := int(l.Sectors[a.Sector].ProgramSeq) - int(l.Sectors[b.Sector].ProgramSeq); d != 0 {
			return d
		}
		return cmpU(a.Addr, b.Addr)
	})
	return p, nil
}

func cmpU(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// align pads w with 0xFF to whole AG units within sector s.
func align(w Segment, ag int, s Sector) (Segment, error) {
	if ag == 1 {
		return w, nil
	}
	start := uint64(w.Addr) &^ uint64(ag-1)
	end := (w.End() + uint64(ag-1)) &^ uint64(ag-1)
	if start < uint64(s.Start) || end > s.End() {
		return Segment{}, fmt.Errorf("pgm: data at 0x%08X..0x%08X cannot be aligned to %d bytes inside sector %d", w.Addr, w.End()-1, ag, s.Index)
	}
	d := make([]byte, end-start)
	for i := range d {
		d[i] = 0xFF
	}
	copy(d[uint64(w.Addr)-start:], w.Data)
	return Segment{Addr: uint32(start), Data: d}, nil
}

// String describes the plan, one line per step.
func (p *Plan) String() string {
	var b strings.Builder
	name := func(s Sector) string {
		if s.Name != "" {
			return fmt.Sprintf("sector %d %q", s.Index, s.Name)
		}
		return fmt.Sprintf("sector %d", s.Index)
	}
	if p.Mode == ClearFunctional {
		fmt.Fprintf(&b, "clear functional range mask 0x%08X\n", p.Mask)
	} else {
		for _, s := range p.Clear {
			fmt.Fprintf(&b, "clear   %s 0x%08X..0x%08X (%d bytes, clear seq %d)\n", name(s), s.Start, s.End()-1, s.Length, s.ClearSeq)
		}
	}
	for _, w := range p.Writes {
		s := p.Layout.Sectors[w.Sector]
		fmt.Fprintf(&b, "program %s 0x%08X..0x%08X (%d bytes, program seq %d)\n", name(s), w.Addr, w.End()-1, len(w.Data), s.ProgramSeq)
	}
	return b.String()
}
