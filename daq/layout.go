package daq

import (
	"fmt"
	"sort"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Limits are the slave's constraints for allocating ODTs.
type Limits struct {
	Order         xcp.ByteOrder
	IDField       xcp.IDField
	MaxDTO        int
	TimestampSize int               // size of the DAQ timestamp (0 = slave has none)
	TimestampUnit xcp.TimestampUnit // with TimestampTick: the layout's TickPS
	TimestampTick uint16
	Granularity   int // GRANULARITY_ODT_ENTRY_SIZE_DAQ (0 = 1)
	MaxEntrySize  int // MAX_ODT_ENTRY_SIZE_DAQ (0 = 255)
	// GranularityStim and MaxEntrySizeStim are the same limits for STIM
	// lists (GRANULARITY_ODT_ENTRY_SIZE_STIM, MAX_ODT_ENTRY_SIZE_STIM;
	// 0 = as for DAQ).
	GranularityStim  int
	MaxEntrySizeStim int
	AddrExt          xcp.AddrExtRule
	OverloadMSB      bool
	MaxODT           int    // per list (0 = as many as PIDs allow)
	MaxEntries       int    // per ODT (0 = 255)
	FirstList        uint16 // number of the first list (after predefined ones)
}

// LimitsFromInfo derives allocation limits from the slave's DAQ info and
// its MAX_DTO.
func LimitsFromInfo(info *Info, f xcp.Format) Limits {
	p, r := info.Processor, info.Resolution
	lim := Limits{
		Order:            f.Order,
		IDField:          p.Key.IDField(),
		MaxDTO:           f.DTO(),
		TimestampSize:    r.TimestampMode.Size(),
		TimestampUnit:    r.TimestampMode.Unit(),
		TimestampTick:    r.TimestampTicks,
		Granularity:      int(r.GranularityDaq),
		MaxEntrySize:     int(r.MaxEntrySizeDaq),
		GranularityStim:  int(r.GranularityStim),
		MaxEntrySizeStim: int(r.MaxEntrySizeSt),
		AddrExt:          p.Key.AddrExt(),
		OverloadMSB:      p.Properties&xcp.DaqOverloadMSB != 0,
		FirstList:        uint16(p.MinDaq),
	}
	if p.Properties&xcp.DaqTimestampSupported == 0 {
		lim.TimestampSize = 0
	}
	if ag := f.AG.Size(); ag > 1 {
		// ODT entries of WORD and DWORD slaves are whole AG elements at
		// AG-aligned addresses; MAX_ODT_ENTRY_SIZE counts elements (as
		// WRITE_DAQ does). Layout entries count bytes (at most 255).
		lim.Granularity = max(lim.Granularity, ag)
		lim.GranularityStim = max(lim.GranularityStim, ag)
		if lim.MaxEntrySize > 0 {
			lim.MaxEntrySize = min(lim.MaxEntrySize*ag, 255)
		}
		if lim.MaxEntrySizeStim > 0 {
			lim.MaxEntrySizeStim = min(lim.MaxEntrySizeStim*ag, 255)
		}
	}
	return lim
}

// layout returns an empty layout with the DTO format of lim.
func (lim Limits) layout() *dto.Layout {
	lay := &dto.Layout{Order: lim.Order, IDField: lim.IDField, TimestampSize: lim.TimestampSize, OverloadMSB: lim.OverloadMSB}
	if lim.TimestampSize > 0 {
		lay.TickPS = lim.TimestampUnit.Picoseconds() * uint64(max(lim.TimestampTick, 1))
	}
	return lay
}

// pidSpace is the number of PIDs available for DTOs.
func (lim Limits) pidSpace() int {
	if lim.OverloadMSB {
		return 0x80
	}
	return 0xFC
}

type block struct {
	ext        uint8
	start, end uint32 // aligned to the granularity
	meas       []int  // indices into List.Measurements
}

type piece struct {
	ext        uint8
	start, end uint32
	filler     bool // re-reads bytes placed elsewhere; no measurement is decoded from it
}

type bin struct {
	cap, used, entries int
	ext                int // -1 = any
	closed             bool
	pieces             []piece
}

// Allocate distributes the measurements of lists over ODTs: adjacent and
// overlapping measurements are merged into contiguous blocks (aligned to
// the ODT entry granularity), blocks are bin-packed into ODTs (first fit,
// largest first) honouring MAX_DTO, the identification field, the
// timestamp in the first ODT, the maximum entry size and entries per ODT
// and the address extension rule. A block larger than an ODT is split,
// at a measurement boundary where possible.
func Allocate(lists []List, lim Limits) (*dto.Layout, error) {
	if err := ValidateLists(lists); err != nil {
		return nil, fmt.Errorf("daq: %w", err)
	}
	lay := lim.layout()
	totalODT := 0
	for li := range lists {
		l := &lists[li]
		g, maxEntry, maxEntries, err := lim.entryLimits(l.Stim)
		if err != nil {
			return nil, err
		}
		ll, err := allocList(l, lim, g, maxEntry, maxEntries)
		if err != nil {
			return nil, err
		}
		ll.Number = lim.FirstList + uint16(li)
		maxODT := lim.pidSpace()
		if lim.MaxODT > 0 {
			maxODT = min(maxODT, lim.MaxODT)
		}
		if len(ll.ODTs) > maxODT {
			return nil, fmt.Errorf("daq: DAQ list %q needs %d ODTs, the slave allows %d", l.Name, len(ll.ODTs), maxODT)
		}
		if lim.IDField == xcp.IDAbsODT {
			ll.FirstPID = uint8(totalODT)
		}
		if l.Stim && int(ll.FirstPID)+len(ll.ODTs) > maxStimPID+1 {
			return nil, fmt.Errorf("daq: STIM list %q would use PIDs up to 0x%02X; STIM DTOs have PIDs 0x00-0x%02X (the rest are commands)", l.Name, int(ll.FirstPID)+len(ll.ODTs)-1, maxStimPID)
		}
		if lim.IDField == xcp.IDRelODTAbsDAQByte && ll.Number > 0xFF {
			return nil, fmt.Errorf("daq: DAQ list %q gets number %d, which does not fit the byte-sized identification field", l.Name, ll.Number)
		}
		totalODT += len(ll.ODTs)
		lay.Lists = append(lay.Lists, *ll)
	}
	if lim.IDField == xcp.IDAbsODT && totalODT > lim.pidSpace() {
		return nil, fmt.Errorf("daq: the DAQ lists need %d ODTs, absolute ODT numbering allows %d in all", totalODT, lim.pidSpace())
	}
	return lay, nil
}

// entryLimits returns the ODT entry granularity, the maximum entry size
// (a multiple of the granularity) and the maximum entries per ODT for DAQ
// or STIM lists.
func (lim Limits) entryLimits(stim bool) (g, maxEntry, maxEntries int, err error) {
	gran, size, what := lim.Granularity, lim.MaxEntrySize, "DAQ"
	if stim {
		what = "STIM"
		if lim.GranularityStim > 0 {
			gran = lim.GranularityStim
		}
		if lim.MaxEntrySizeStim > 0 {
			size = lim.MaxEntrySizeStim
		}
	}
	g = max(gran, 1)
	if g != 1 && g != 2 && g != 4 && g != 8 {
		return 0, 0, 0, fmt.Errorf("daq: ODT entry granularity %d (%s) is not 1, 2, 4 or 8", g, what)
	}
	maxEntry = size
	if maxEntry <= 0 || maxEntry > 255 {
		maxEntry = 255
	}
	maxEntry -= maxEntry % g
	if maxEntry == 0 {
		return 0, 0, 0, fmt.Errorf("daq: MAX_ODT_ENTRY_SIZE_%s %d is below the granularity %d", what, size, g)
	}
	maxEntries = lim.MaxEntries
	if maxEntries <= 0 || maxEntries > 255 {
		maxEntries = 255
	}
	return g, maxEntry, maxEntries, nil
}

func allocList(l *List, lim Limits, g, maxEntry, maxEntries int) (*dto.List, error) {
	ms := l.Measurements
	if lim.AddrExt == xcp.AESameDaqLst || lim.AddrExt == xcp.AEReserved {
		for i, m := range ms {
			if m.Extension != ms[0].Extension {
				return nil, fmt.Errorf("daq: DAQ list %q: measurement %q (#%d) has address extension %d but %q has %d; the slave requires one extension per DAQ list",
					l.Name, m.Name, i+1, m.Extension, ms[0].Name, ms[0].Extension)
			}
		}
	}
	hdr := lim.IDField.Len()
	capFirst := lim.MaxDTO - hdr
	if l.Timestamps {
		capFirst -= lim.TimestampSize
	}
	capOther := lim.MaxDTO - hdr
	capFirst -= capFirst % g
	capOther -= capOther % g
	if capFirst < g || capOther < g {
		return nil, fmt.Errorf("daq: DAQ list %q: MAX_DTO %d leaves no room for data after the %d-byte identification field and the timestamp", l.Name, lim.MaxDTO, hdr)
	}
	blocks := makeBlocks(ms, uint32(g))
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].end-blocks[i].start > blocks[j].end-blocks[j].start })
	bins := pack(ms, blocks, lim, g, maxEntry, maxEntries, capFirst, capOther, false)
	if len(bins[0].pieces) == 0 {
		// Nothing went into the first ODT (it is smaller by the timestamp):
		// move a small ODT there, or pack again filling the first ODT first.
		moved := false
		for k := 1; k < len(bins); k++ {
			if b := bins[k]; b.used <= capFirst && !b.closed && !bins[k-1].closed {
				b.cap = capFirst
				bins[0] = b
				bins = append(bins[:k], bins[k+1:]...)
				moved = true
				break
			}
		}
		if !moved {
			refill := pack(ms, blocks, lim, g, maxEntry, maxEntries, capFirst, capOther, true)
			if splits(refill) && !splits(bins) {
				// Filling the first ODT would cut a value in two (e.g. a
				// 4-byte value behind a 4-byte timestamp on classic CAN).
				// Keep every value whole instead: the first ODT, which must
				// carry the timestamp, samples one granule that is already
				// measured elsewhere.
				bl := blocks[0]
				bins[0].pieces = []piece{{ext: bl.ext, start: bl.start, end: bl.start + uint32(g), filler: true}}
				bins[0].used, bins[0].entries = g, 1
			} else {
				bins = refill
			}
		}
	}
	ll := l.placed()
	// Sample buffer positions of every byte range placed.
	type placedPiece struct {
		piece
		off int
	}
	var placedAll []placedPiece
	off := 0
	for _, b := range bins {
		var odt dto.ODT
		for _, p := range b.pieces {
			placedAll = append(placedAll, placedPiece{p, off})
			off += int(p.end - p.start)
			for a := p.start; a < p.end; {
				n := min(uint32(maxEntry), p.end-a)
				odt.Entries = append(odt.Entries, dto.Entry{Address: a, Extension: p.ext, Size: uint8(n)})
				a += n
			}
		}
		ll.ODTs = append(ll.ODTs, dto.NewODT(odt.Entries...))
	}
	for i, m := range ms {
		found := false
		for _, p := range placedAll {
			if p.filler {
				continue
			}
			if p.ext == m.Extension && m.Address >= p.start && m.Address < p.end {
				ll.Offsets[i] = p.off + int(m.Address-p.start)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("daq: internal error: measurement %q of list %q was not placed", m.Name, l.Name)
		}
	}
	return ll, nil
}

// pack bin-packs the blocks (largest first) into ODTs: the first ODT has
// capFirst bytes, the others capOther. Unless fillFirst is set, a block
// too big for the first ODT but not for another leaves the first ODT for
// smaller blocks.
func pack(ms []dto.Measurement, blocks []block, lim Limits, g, maxEntry, maxEntries, capFirst, capOther int, fillFirst bool) []*bin {
	var bins []*bin
	newBin := func() *bin {
		c := capOther
		if len(bins) == 0 {
			c = capFirst
		}
		b := &bin{cap: c, ext: -1}
		bins = append(bins, b)
		return b
	}
	entriesOf := func(n int) int { return (n + maxEntry - 1) / maxEntry }
	fits := func(b *bin, p piece) bool {
		n := int(p.end - p.start)
		return !b.closed && b.cap-b.used >= n && b.entries+entriesOf(n) <= maxEntries &&
			(lim.AddrExt != xcp.AESameODT || b.ext < 0 || b.ext == int(p.ext))
	}
	place := func(b *bin, p piece) {
		b.pieces = append(b.pieces, p)
		b.used += int(p.end - p.start)
		b.entries += entriesOf(int(p.end - p.start))
		b.ext = int(p.ext)
	}
	for _, bl := range blocks {
		rest := piece{ext: bl.ext, start: bl.start, end: bl.end}
		mustNew := false // after splitting a measurement it continues in a fresh ODT
		for rest.end > rest.start {
			placed := false
			for _, b := range bins {
				if !mustNew && fits(b, rest) {
					place(b, rest)
					placed = true
					break
				}
			}
			if placed {
				break
			}
			b := newBin()
			if fits(b, rest) {
				place(b, rest)
				break
			}
			if len(bins) == 1 && !fillFirst && int(rest.end-rest.start) <= capOther &&
				entriesOf(int(rest.end-rest.start)) <= maxEntries {
				continue // keep the first ODT for smaller blocks
			}
			// Too big for a whole ODT: cut, at a measurement boundary if possible.
			room := min(b.cap, maxEntries*maxEntry)
			cut := cutPoint(ms, bl, rest.start, rest.start+uint32(room), uint32(g))
			if cut == 0 {
				cut = rest.start + uint32(room-room%g)
				place(b, piece{ext: rest.ext, start: rest.start, end: cut})
				b.closed = true // a measurement continues at the start of the next ODT
				mustNew = true
			} else {
				place(b, piece{ext: rest.ext, start: rest.start, end: cut})
				mustNew = false
			}
			rest.start = cut
		}
	}
	return bins
}

// splits reports whether a packing cut a measurement across two ODTs.
func splits(bins []*bin) bool {
	for _, b := range bins {
		if b.closed {
			return true
		}
	}
	return false
}

// makeBlocks merges measurements (by extension and address) into
// contiguous blocks aligned to g.
func makeBlocks(ms []dto.Measurement, g uint32) []block {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := ms[idx[a]], ms[idx[b]]
		if x.Extension != y.Extension {
			return x.Extension < y.Extension
		}
		return x.Address < y.Address
	})
	var blocks []block
	for _, i := range idx {
		m := ms[i]
		s := m.Address - m.Address%g
		e := uint64(m.Address) + uint64(m.Type.Size())
		e = (e + uint64(g) - 1) / uint64(g) * uint64(g)
		if n := len(blocks); n > 0 && blocks[n-1].ext == m.Extension && s <= blocks[n-1].end {
			b := &blocks[n-1]
			b.end = max(b.end, uint32(min(e, 1<<32-1)))
			b.meas = append(b.meas, i)
			continue
		}
		blocks = append(blocks, block{ext: m.Extension, start: s, end: uint32(min(e, 1<<32-1)), meas: []int{i}})
	}
	return blocks
}

// cutPoint returns the largest address c with from < c <= limit, c a
// multiple of g, inside bl, that no measurement of bl spans; 0 if none.
func cutPoint(ms []dto.Measurement, bl block, from, limit, g uint32) uint32 {
	limit = min(limit, bl.end)
	for c := limit - limit%g; c > from; c -= g {
		ok := true
		for _, i := range bl.meas {
			m := ms[i]
			s := m.Address - m.Address%g
			e := m.Address + uint32(m.Type.Size())
			if s < c && c < e {
				ok = false
				break
			}
		}
		if ok {
			return c
		}
	}
	return 0
}
