package dto_test

import (
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// layout: list 0 with two ODTs (a U16 split across them, then a masked U8)
// and 2-byte timestamps of 1 µs.
func layout(idf xcp.IDField) *dto.Layout {
	return &dto.Layout{IDField: idf, Order: xcp.Intel, TimestampSize: 2, TickPS: 1e6, Lists: []dto.List{{
		Name: "l", Number: 3, FirstPID: 4, Timestamps: true, ODTs: []dto.ODT{{Size: 3}, {Size: 2}},
		Measurements: []dto.Measurement{{Name: "a", Type: dto.U16}, {Name: "b", Type: dto.U16}, {Name: "c", Type: dto.U8, BitMask: 0x0C}},
		Offsets:      []int{0, 2, 4},
	}}}
}

func header(idf xcp.IDField, odt byte) []byte {
	switch idf {
	case xcp.IDAbsODT:
		return []byte{4 + odt}
	case xcp.IDRelODTAbsDAQByte:
		return []byte{odt, 3}
	case xcp.IDRelODTAbsDAQWord:
		return []byte{odt, 3, 0}
	}
	return []byte{odt, 0, 3, 0}
}

func TestDecode(t *testing.T) {
	for idf := xcp.IDAbsODT; idf <= xcp.IDRelODTAbsDAQWordAl; idf++ {
		d, err := dto.NewDecoder(layout(idf))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for k, ts := range []uint16{0xFFF0, 0x0010} { // wraps: +32 ticks
			p0 := append(append(header(idf, 0), byte(ts), byte(ts>>8)), 0x34, 0x12, 0xCD)
			p1 := append(header(idf, 1), 0xAB, 0xFB)
			if s := d.Decode(int64(k)*32_000, p0); s != nil {
				t.Fatal("sample after ODT 0")
			}
			s := d.Decode(int64(k)*32_000+5, p1)
			if s == nil {
				t.Fatalf("%v: no sample", idf)
			}
			got = append(got, fmt.Sprint(s.HostNS, s.SlaveNS, s.Values))
		}
		// ODT 1 without ODT 0, and an unknown PID
		d.Decode(0, append(header(idf, 1), 1, 2))
		d.Decode(0, []byte{0x30, 9, 9, 9})
		d.Decode(0, []byte{0xFF, 0})
		st := d.Stats()
		want := "[0 0 [4660 43981 2] 32000 32000 [4660 43981 2]]"
		if fmt.Sprint(got) != want || st.Lists[0].Samples != 2 || st.Other != 1 || st.Unknown+st.Lists[0].Incomplete == 0 {
			t.Errorf("%v: %v %+v, want %s", idf, got, st, want)
		}
	}
}

func TestNewDecoderErrors(t *testing.T) {
	for name, f := range map[string]func(*dto.Layout){
		"timestamp size": func(l *dto.Layout) { l.TimestampSize = 3 },
		"no tick":        func(l *dto.Layout) { l.TickPS = 0 },
		"no ODTs":        func(l *dto.Layout) { l.Lists[0].ODTs = nil },
		"outside":        func(l *dto.Layout) { l.Lists[0].Offsets[2] = 5 },
		"offsets":        func(l *dto.Layout) { l.Lists[0].Offsets = l.Lists[0].Offsets[:2] },
		"entries":        func(l *dto.Layout) { l.Lists[0].ODTs[1].Entries = []dto.Entry{{Size: 3}} },
		"pid range":      func(l *dto.Layout) { l.Lists[0].FirstPID = 0xFB },
		"pid twice":      func(l *dto.Layout) { l.Lists = append(l.Lists, l.Lists[0]) },
	} {
		l := layout(xcp.IDAbsODT)
		f(l)
		if _, err := dto.NewDecoder(l); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	l := layout(xcp.IDRelODTAbsDAQByte)
	l.Lists = append(l.Lists, l.Lists[0])
	if _, err := dto.NewDecoder(l); err == nil {
		t.Error("list number twice accepted")
	}
}

// FuzzDecode: arbitrary packets never panic any identification type.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{4, 0xF0, 0xFF, 0x34, 0x12, 0xCD})
	f.Add([]byte{1, 3, 0, 0xAB, 0xFB})
	f.Add([]byte{})
	f.Add([]byte{0x84})
	f.Fuzz(func(t *testing.T, p []byte) {
		for idf := xcp.IDAbsODT; idf <= xcp.IDRelODTAbsDAQWordAl; idf++ {
			l := layout(idf)
			l.OverloadMSB = len(p)%2 == 0
			d, err := dto.NewDecoder(l)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				d.Decode(int64(i), p)
			}
		}
	})
}

// Example decodes a DAQ list of one ODT with absolute ODT numbers.
func Example() {
	d, err := dto.NewDecoder(&dto.Layout{IDField: xcp.IDAbsODT, Order: xcp.Intel, Lists: []dto.List{{
		Name: "fast", ODTs: []dto.ODT{{Size: 6}},
		Measurements: []dto.Measurement{{Name: "counter", Type: dto.U32}, {Name: "delta", Type: dto.I16}},
		Offsets:      []int{0, 4},
	}}})
	if err != nil {
		panic(err)
	}
	s := d.Decode(1000, []byte{0x00, 0x2A, 0, 0, 0, 0xFE, 0xFF})
	fmt.Println(s.HostNS, s.Values[0], s.Values[1])
	// Output: 1000 42 -2
}
