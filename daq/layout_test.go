package daq

import (
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"math"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"pgregory.net/rapid"
)

// memory is a deterministic memory image per address extension.
func memByte(ext uint8, addr uint32) byte { return byte(addr*7 + uint32(ext)*13 + addr>>8) }

// sampleFor fills a list's sample buffer from memory as the slave would.
func sampleFor(ll *dto.List) []byte {
	var s []byte
	for _, o := range ll.ODTs {
		for _, e := range o.Entries {
			for a := e.Address; a < e.Address+uint32(e.Size); a++ {
				s = append(s, memByte(e.Extension, a))
			}
		}
	}
	return s
}

// expected decodes measurement m straight from memory.
func expected(m dto.Measurement, order xcp.ByteOrder) dto.Value {
	b := make([]byte, m.Type.Size())
	for i := range b {
		b[i] = memByte(m.Extension, m.Address+uint32(i))
	}
	var raw uint64
	switch len(b) {
	case 1:
		raw = uint64(b[0])
	case 2:
		raw = uint64(order.Uint16(b))
	case 4:
		raw = uint64(order.Uint32(b))
	default:
		raw = order.Uint64(b)
	}
	return m.FromRaw(raw)
}

func genLimits(t *rapid.T) Limits {
	return Limits{
		Order:         xcp.ByteOrder(rapid.IntRange(0, 1).Draw(t, "order")),
		IDField:       xcp.IDField(rapid.IntRange(0, 3).Draw(t, "idf")),
		MaxDTO:        rapid.IntRange(8, 300).Draw(t, "maxdto"),
		TimestampSize: rapid.SampledFrom([]int{0, 1, 2, 4}).Draw(t, "ts"),
		TimestampUnit: xcp.Unit1us,
		TimestampTick: 1,
		Granularity:   rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "gran"),
		MaxEntrySize:  rapid.SampledFrom([]int{255, 248, 8, 16, 7, 64}).Draw(t, "maxentry"),
		AddrExt:       rapid.SampledFrom([]xcp.AddrExtRule{xcp.AEFree, xcp.AESameODT, xcp.AESameDaqLst}).Draw(t, "ae"),
		OverloadMSB:   rapid.Bool().Draw(t, "msb"),
		MaxEntries:    rapid.IntRange(0, 20).Draw(t, "maxentries"),
		FirstList:     uint16(rapid.IntRange(0, 3).Draw(t, "first")),
	}
}

func genLists(t *rapid.T, lim Limits) []List {
	n := rapid.IntRange(1, 4).Draw(t, "lists")
	exts := 2
	if lim.AddrExt == xcp.AESameDaqLst {
		exts = 1
	}
	lists := make([]List, n)
	for i := range lists {
		l := &lists[i]
		l.Name = fmt.Sprintf("list%d", i)
		l.Timestamps = rapid.Bool().Draw(t, "timestamps")
		l.Event = uint16(i)
		k := rapid.IntRange(1, 30).Draw(t, "meas")
		for j := range k {
			typ := dto.Type(rapid.IntRange(1, 12).Draw(t, "type"))
			m := dto.Measurement{Name: fmt.Sprintf("m%d", j), Type: typ,
				Address:   uint32(rapid.IntRange(0, 300).Draw(t, "addr")) + 0x1000,
				Extension: uint8(rapid.IntRange(0, exts-1).Draw(t, "ext"))}
			if !typ.Float() && rapid.Bool().Draw(t, "masked") {
				m.BitMask = uint64(rapid.Uint64Range(1, math.MaxUint64).Draw(t, "mask"))
				if bitsN := 8 * typ.Size(); bitsN < 64 {
					m.BitMask &= 1<<bitsN - 1
				}
				if m.BitMask == 0 {
					m.BitMask = 1
				}
			}
			l.Measurements = append(l.Measurements, m)
		}
	}
	return lists
}

// TestAllocateProperties checks for every identification field type,
// granularity and MAX_DTO that the allocation respects the slave's limits
// and that DTOs built from it decode to the values in memory.
var skips int

func TestAllocateProperties(t *testing.T) {
	defer func() { t.Logf("%d infeasible cases", skips) }()
	rapid.Check(t, func(t *rapid.T) {
		lim := genLimits(t)
		lists := genLists(t, lim)
		lay, err := Allocate(lists, lim)
		if err != nil {
			skips++
			if testing.Verbose() && skips%50 == 0 {
				fmt.Println(err)
			}
			t.Skip(err) // infeasible combinations must fail with an error, never panic
		}
		g := max(lim.Granularity, 1)
		maxEntries := lim.MaxEntries
		if maxEntries == 0 {
			maxEntries = 255
		}
		totalODT := 0
		for li, ll := range lay.Lists {
			totalODT += len(ll.ODTs)
			for o, odt := range ll.ODTs {
				size := lim.IDField.Len() + odt.Size
				if o == 0 && ll.Timestamps {
					size += lim.TimestampSize
				}
				if size > lim.MaxDTO {
					t.Fatalf("list %d ODT %d: DTO of %d bytes exceeds MAX_DTO %d", li, o, size, lim.MaxDTO)
				}
				if len(odt.Entries) > maxEntries || len(odt.Entries) == 0 {
					t.Fatalf("list %d ODT %d: %d entries (max %d)", li, o, len(odt.Entries), maxEntries)
				}
				for _, e := range odt.Entries {
					if int(e.Size)%g != 0 || int(e.Address)%g != 0 || int(e.Size) > lim.MaxEntrySize || e.Size == 0 {
						t.Fatalf("entry %+v violates granularity %d / max size %d", e, g, lim.MaxEntrySize)
					}
					if lim.AddrExt == xcp.AESameODT && e.Extension != odt.Entries[0].Extension {
						t.Fatalf("ODT mixes address extensions")
					}
					if lim.AddrExt == xcp.AESameDaqLst && e.Extension != ll.ODTs[0].Entries[0].Extension {
						t.Fatalf("DAQ list mixes address extensions")
					}
				}
			}
		}
		if lim.IDField == xcp.IDAbsODT && totalODT > lim.pidSpace() {
			t.Fatalf("%d ODTs exceed the PID space", totalODT)
		}
		// Round trip through DTOs and the decoder.
		dec, err := newDecoder(lay)
		if err != nil {
			t.Fatal(err)
		}
		for li := range lay.Lists {
			ll := &lay.Lists[li]
			got := 0
			_, err := lay.EncodeSample(nil, li, sampleFor(ll), 5, func(p []byte) {
				if len(p) > lim.MaxDTO {
					t.Fatalf("encoded DTO of %d bytes", len(p))
				}
				dec.decode(dto.Frame{Time: 1, Data: p}, func(s *dto.Sample) {
					got++
					if s.List != li {
						t.Fatalf("sample for list %d, want %d", s.List, li)
					}
					for i, m := range ll.Measurements {
						if want := expected(m, lim.Order); s.Values[i] != want {
							t.Fatalf("list %d %s %s@%X mask %X: got %v want %v", li, m.Name, m.Type, m.Address, m.BitMask, s.Values[i], want)
						}
					}
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != 1 {
				t.Fatalf("list %d: %d samples, want 1", li, got)
			}
		}
		if st := dec.stats(); st.Lost() != 0 {
			t.Fatalf("losses in a clean round trip: %+v", st)
		}
	})
}

func TestAllocateMerges(t *testing.T) {
	l := List{Name: "a", Measurements: []dto.Measurement{
		{Name: "a", Address: 0x100, Type: dto.U32}, {Name: "b", Address: 0x104, Type: dto.U16},
		{Name: "c", Address: 0x106, Type: dto.U8}, {Name: "bit", Address: 0x106, Type: dto.U8, BitMask: 0x80},
		{Name: "far", Address: 0x200, Type: dto.F64},
	}}
	lay, err := Allocate([]List{l}, Limits{MaxDTO: 64})
	if err != nil {
		t.Fatal(err)
	}
	odts := lay.Lists[0].ODTs
	if len(odts) != 1 || len(odts[0].Entries) != 2 {
		t.Fatalf("ODTs = %+v, want one ODT with two merged entries", odts)
	}
	if e := odts[0].Entries; e[0].Size+e[1].Size != 15 {
		t.Errorf("entries %+v", e)
	}
}

func TestAllocateErrors(t *testing.T) {
	mixed := List{Name: "mixed", Measurements: []dto.Measurement{{Name: "a", Address: 1, Type: dto.U8}, {Name: "b", Address: 2, Extension: 1, Type: dto.U8}}}
	if _, err := Allocate([]List{mixed}, Limits{MaxDTO: 8, AddrExt: xcp.AESameDaqLst}); err == nil {
		t.Error("mixed extensions accepted")
	} else if want := `DAQ list "mixed": measurement "b" (#2) has address extension 1`; !contains(err.Error(), want) {
		t.Errorf("err = %v", err)
	}
	big := List{Name: "big", Timestamps: true}
	for i := range 300 {
		big.Measurements = append(big.Measurements, dto.Measurement{Name: fmt.Sprint(i), Address: uint32(i * 16), Type: dto.U64})
	}
	if _, err := Allocate([]List{big}, Limits{MaxDTO: 8, IDField: xcp.IDRelODTAbsDAQWordAl, TimestampSize: 4}); err == nil {
		t.Error("no room after header and timestamp accepted")
	}
	if _, err := Allocate([]List{big}, Limits{MaxDTO: 8}); err == nil || !contains(err.Error(), "ODTs") {
		t.Errorf("too many ODTs: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// TestAllocateKeepsValuesWholeBehindTimestamp: on classic CAN (MAX_DTO 8)
// with a 4-byte timestamp the first ODT has 3 data bytes; 4-byte values
// must not be cut in two. The first ODT then samples a filler granule.
func TestAllocateKeepsValuesWholeBehindTimestamp(t *testing.T) {
	l := List{Name: "can", Event: 1, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "a", Address: 0x1000, Type: dto.U32},
		{Name: "b", Address: 0x2000, Type: dto.F32},
		{Name: "c", Address: 0x3000, Type: dto.I32},
	}}
	lay, err := Allocate([]List{l}, Limits{MaxDTO: 8, TimestampSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	ll := lay.Lists[0]
	// ODT payload boundaries in the sample buffer.
	var bounds []int
	off := 0
	for _, o := range ll.ODTs {
		bounds = append(bounds, off)
		off += o.Size
	}
	if p := ll.ODTs[0].Size; p > 3 {
		t.Fatalf("first ODT carries %d bytes behind the timestamp, max 3", p)
	}
	for i, m := range ll.Measurements {
		start, end := ll.Offsets[i], ll.Offsets[i]+m.Type.Size()
		for _, b := range bounds[1:] {
			if start < b && b < end {
				t.Fatalf("%s (offsets %d..%d) is cut at ODT boundary %d; ODTs %+v", m.Name, start, end, b, ll.ODTs)
			}
		}
		if start < ll.ODTs[0].Size {
			t.Fatalf("%s is decoded from the filler of the first ODT", m.Name)
		}
	}
	// The filler ODT, then one 4-byte value in each 7-byte ODT.
	if len(ll.ODTs) != 4 || len(ll.ODTs[0].Entries) != 1 || ll.ODTs[0].Entries[0].Size != 1 {
		t.Fatalf("%d ODTs: %+v", len(ll.ODTs), ll.ODTs)
	}
	// Where filling the first ODT splits nothing, it is still filled.
	small := List{Name: "s", Event: 1, Timestamps: true, Measurements: []dto.Measurement{
		{Name: "x", Address: 0x10, Type: dto.U16}, {Name: "y", Address: 0x20, Type: dto.U32},
	}}
	lay, err = Allocate([]List{small}, Limits{MaxDTO: 8, TimestampSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if o := lay.Lists[0].ODTs[0]; len(o.Entries) != 1 || o.Entries[0].Address != 0x10 {
		t.Fatalf("first ODT %+v, want the U16", o)
	}
}
