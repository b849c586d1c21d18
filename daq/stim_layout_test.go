package daq

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// TestStimPackingProperties: for every identification field type, STIM
// granularity, MAX_ODT_ENTRY_SIZE_STIM and MAX_DTO, STIM lists are packed
// within the STIM limits, and the DTOs built from values set per
// measurement, written into memory entry by entry the way a slave does,
// leave every measurement with the value set.
func TestStimPackingProperties(t *testing.T) {
	checked := 0
	defer func() {
		if checked == 0 {
			t.Error("no STIM list was packed and checked")
		}
		t.Logf("%d STIM lists checked", checked)
	}()
	rapid.Check(t, func(t *rapid.T) {
		lim := genLimits(t)
		lim.GranularityStim = rapid.SampledFrom([]int{0, 1, 2, 4, 8}).Draw(t, "granStim")
		lim.MaxEntrySizeStim = rapid.SampledFrom([]int{0, 255, 8, 16, 12, 64}).Draw(t, "maxentryStim")
		lists := genLists(t, lim)
		for i := range lists {
			lists[i].Stim = rapid.Bool().Draw(t, "stim")
			for j := range lists[i].Measurements {
				if lists[i].Stim {
					lists[i].Measurements[j].BitMask = 0
				}
			}
		}
		lay, err := Allocate(lists, lim)
		if err != nil {
			t.Skip(err)
		}
		for li := range lay.Lists {
			ll := &lay.Lists[li]
			if !ll.Stim {
				continue
			}
			g, maxEntry := max(lim.Granularity, 1), lim.MaxEntrySize
			if lim.GranularityStim > 0 {
				g = lim.GranularityStim
			}
			if lim.MaxEntrySizeStim > 0 {
				maxEntry = lim.MaxEntrySizeStim
			}
			for _, odt := range ll.ODTs {
				for _, e := range odt.Entries {
					if int(e.Size)%g != 0 || int(e.Address)%g != 0 || int(e.Size) > maxEntry {
						t.Fatalf("STIM entry %+v violates granularity %d / max size %d", e, g, maxEntry)
					}
				}
			}
			// Values per measurement into a sample that starts from memory.
			sample := sampleFor(ll)
			want := map[int]uint64{}
			for i, m := range ll.Measurements {
				v := float64(rapid.IntRange(-100, 100).Draw(t, "v"))
				if !m.Type.Signed() && !m.Type.Float() {
					v = math.Abs(v)
				}
				raw, err := EncodeValue(m.Type, v)
				if err != nil {
					t.Fatal(err)
				}
				putRaw(sample[ll.Offsets[i]:], m.Type.Size(), raw, lim.Order)
				want[i] = raw
			}
			mem := map[[2]uint32]byte{}
			f := xcp.Format{Order: lim.Order}
			_, err := lay.EncodeSample(nil, li, sample, 7, func(dto []byte) {
				if len(dto) > lim.MaxDTO {
					t.Fatalf("STIM DTO of %d bytes exceeds MAX_DTO %d", len(dto), lim.MaxDTO)
				}
				odt, list, n, ok := lim.IDField.ParseDTOHeader(dto, f)
				if !ok {
					t.Fatal("short DTO")
				}
				o := int(odt)
				if lim.IDField == xcp.IDAbsODT {
					o -= int(ll.FirstPID)
				} else if list != ll.Number {
					t.Fatalf("DTO for list %d, want %d", list, ll.Number)
				}
				if o == 0 && ll.Timestamps {
					n += lim.TimestampSize
				}
				p := dto[n:]
				for _, e := range ll.ODTs[o].Entries {
					for k := range uint32(e.Size) {
						mem[[2]uint32{uint32(e.Extension), e.Address + k}] = p[k]
					}
					p = p[e.Size:]
				}
				if len(p) != 0 {
					t.Fatalf("%d bytes left in the DTO", len(p))
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for i, m := range ll.Measurements {
				overlapped := false
				for j, o := range ll.Measurements {
					if j != i && o.Extension == m.Extension && o.Address < m.Address+uint32(m.Type.Size()) && m.Address < o.Address+uint32(o.Type.Size()) {
						overlapped = true
					}
				}
				if overlapped {
					continue
				}
				b := make([]byte, 8)
				for k := range m.Type.Size() {
					v, ok := mem[[2]uint32{uint32(m.Extension), m.Address + uint32(k)}]
					if !ok {
						t.Fatalf("measurement %q byte %d not written by any entry", m.Name, k)
					}
					b[k] = v
				}
				var got uint64
				for k := range m.Type.Size() {
					idx := k
					if lim.Order == xcp.Motorola {
						idx = m.Type.Size() - 1 - k
					}
					got |= uint64(b[idx]) << (8 * k)
				}
				w := want[i]
				if n := m.Type.Size(); n < 8 {
					w &= 1<<(8*n) - 1
				}
				if got != w {
					t.Fatalf("measurement %q (%s at 0x%X): memory holds 0x%X, want 0x%X", m.Name, m.Type, m.Address, got, w)
				}
			}
		}
	})
}

func TestEncodeValue(t *testing.T) {
	for _, c := range []struct {
		t    dto.Type
		v    float64
		want uint64
	}{
		{dto.U8, 255, 0xFF}, {dto.I8, -1, math.MaxUint64}, {dto.U16, 65535, 0xFFFF}, {dto.I32, -2, math.MaxUint64 - 1},
		{dto.F32, 1.5, uint64(math.Float32bits(1.5))}, {dto.F64, -0.25, math.Float64bits(-0.25)},
		{dto.F16, 1, 0x3C00}, {dto.F16, -2, 0xC000}, {dto.F16, 65504, 0x7BFF}, {dto.F16, 1e6, 0x7C00}, {dto.F16, 5.960464477539063e-08, 1},
		{dto.BF16, 1, 0x3F80}, {dto.U64, 1 << 53, 1 << 53},
	} {
		got, err := EncodeValue(c.t, c.v)
		if err != nil || got != c.want {
			t.Errorf("EncodeValue(%s, %v) = 0x%X, %v; want 0x%X", c.t, c.v, got, err, c.want)
		}
		if err == nil && c.t.Float() {
			if back := (dto.Measurement{Type: c.t}).FromRaw(got).Float64(); back != c.v && !math.IsInf(back, 0) {
				t.Errorf("%s %v decodes back to %v", c.t, c.v, back)
			}
		}
	}
	for _, c := range []struct {
		t dto.Type
		v float64
	}{{dto.U8, 256}, {dto.U8, -1}, {dto.I8, 128}, {dto.I16, 0.5}, {dto.U64, 1 << 64}, {dto.I64, 1 << 63}, {dto.U32, math.NaN()}, {dto.Type(0), 1}} {
		if _, err := EncodeValue(c.t, c.v); err == nil {
			t.Errorf("EncodeValue(%s, %v) accepted", c.t, c.v)
		}
	}
}

// TestStimPIDRange: STIM DTOs must have PIDs below 0xC0 (the command codes).
func TestStimPIDRange(t *testing.T) {
	var daqList, stimList List
	daqList = List{Name: "d", Measurements: []dto.Measurement{{Name: "a", Address: 0x1000, Type: dto.U8}}}
	for i := range 191 { // 192 ODTs: the STIM list would get PID 0xC0
		daqList.Measurements = append(daqList.Measurements, dto.Measurement{Name: fmt.Sprint("m", i), Address: 0x2000 + uint32(16*i), Type: dto.U32})
	}
	stimList = List{Name: "s", Stim: true, Event: 1, Measurements: []dto.Measurement{{Name: "x", Address: 0x1000, Type: dto.U32}}}
	lim := Limits{Order: xcp.Intel, IDField: xcp.IDAbsODT, MaxDTO: 8, MaxEntries: 1}
	lay, err := Allocate([]List{daqList, stimList}, lim)
	if err == nil {
		t.Fatalf("STIM list at PID %d accepted", lay.Lists[1].FirstPID)
	}
	if !strings.Contains(err.Error(), "0xBF") {
		t.Fatal(err)
	}
	if _, err := Allocate([]List{stimList, daqList}, lim); err != nil {
		t.Fatalf("STIM list first: %v", err)
	}
}
