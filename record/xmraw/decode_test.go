package xmraw

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goxcp/goxcp/protocol/dto"
)

// twoLists: list 0 with timestamps over two ODTs, list 1 without
// timestamps (selectable timestamps, not enabled) in one ODT.
func twoLists(id int, big bool) *Params {
	return &Params{BigEndian: big, IDFieldSize: id, TimestampsSupported: true, SelectableTimestamps: true, TimestampScale: 1000,
		TimestampSize: 2, StartNS: 1_700_000_000_000_000_000, TimeZone: "UTC", FirstPIDs: []uint16{0, 5},
		Lists: []List{
			{Name: "fast", Event: 0, Timestamps: true, Prescaler: 1, PackedSamples: 1, ODTs: [][]dto.Measurement{
				{{Name: "a", Type: dto.U32}, {Name: "b", Type: dto.I16}},
				{{Name: "c", Type: dto.F32}, {Name: "d", Type: dto.I8}},
			}, Headers: []string{"a", "b", "c", "d"}},
			{Name: "slow", Event: 1, Predefined: true, Prescaler: 1, PackedSamples: 1, ODTs: [][]dto.Measurement{{{Name: "e", Type: dto.F64}}}, Headers: []string{"e"}},
		}}
}

// dtoFrame builds a DAQ frame for ODT odt of list list.
func dtoFrame(p *Params, list, odt int, ts uint64, payload ...any) Frame {
	var o interface {
		binary.ByteOrder
		binary.AppendByteOrder
	} = binary.LittleEndian
	if p.BigEndian {
		o = binary.BigEndian
	}
	var b []byte
	switch p.IDFieldSize {
	case 1:
		b = append(b, byte(int(p.FirstPIDs[list])+odt))
	case 2:
		b = append(b, byte(odt), byte(list))
	case 3:
		b = o.AppendUint16(append(b, byte(odt)), uint16(list))
	case 4:
		b = o.AppendUint16(append(b, byte(odt), 0), uint16(list))
	}
	for _, v := range payload {
		b, _ = binary.Append(b, o, v)
	}
	return Frame{Category: CatDAQ, Timestamp: ts, Data: b}
}

type row struct {
	List     int
	T0, T1   uint64
	Values   []string
	Finished bool
}

func decodeAll(t *testing.T, p *Params, frames []Frame) ([]row, dto.Stats) {
	t.Helper()
	b := buildFile(t, p, [][]Frame{frames[:len(frames)/2], frames[len(frames)/2:]})
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, r.Params()); diff != "" {
		t.Fatalf("params read back (-want +got):\n%s", diff)
	}
	d, err := NewDecoder(r.Params())
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for r.Next() {
		if d.Decode(r.Frame()) {
			s := d.Sample()
			x := row{List: s.List, T0: s.Timestamp0, T1: s.Timestamp1}
			for _, v := range s.Values {
				x.Values = append(x.Values, v.String())
			}
			rows = append(rows, x)
		}
	}
	if r.Err() != nil || len(r.Damage()) > 0 {
		t.Fatalf("err %v damage %v", r.Err(), r.Damage())
	}
	return rows, d.Stats()
}

// TestDecoderRules checks pyXCP's decoding rules for each identification
// field and byte order: ODT sequencing, timestamps from ODT 0 scaled and
// continued across the 16-bit wrap, host time of the last ODT, relative
// times per list.
func TestDecoderRules(t *testing.T) {
	for _, id := range []int{1, 2, 3, 4} {
		for _, big := range []bool{false, true} {
			p := twoLists(id, big)
			frames := []Frame{
				dtoFrame(p, 0, 1, 5, float32(9), int8(9)), // ODT 1 outside a sample: ignored
				dtoFrame(p, 0, 0, 100, uint16(65000), uint32(1), int16(-2)),
				dtoFrame(p, 1, 0, 105, 0.5),
				dtoFrame(p, 0, 1, 110, float32(1.5), int8(-3)),
				dtoFrame(p, 0, 0, 200, uint16(100), uint32(2), int16(-4)), // wrapped: 65536+100
				dtoFrame(p, 0, 0, 210, uint16(200), uint32(3), int16(-5)), // restart: the previous sample is dropped (counted)
				dtoFrame(p, 0, 1, 220, float32(2.5), int8(7)),
				dtoFrame(p, 0, 0, 300, uint16(300), uint32(4), int16(0)),
				dtoFrame(p, 1, 0, 305, -1.25),
				dtoFrame(p, 0, 0, 310, uint16(400), uint32(5), int16(0)), // ODT 1 missing, ODT 0 again
				{Category: CatEv, Data: []byte{0xFD, 0}},
				dtoFrame(p, 0, 0, 400, uint16(500), uint32(6), int16(1)),
				dtoFrame(p, 0, 2, 410), // no ODT 2: unknown
				dtoFrame(p, 0, 1, 420, float32(3), int8(1)),
				dtoFrame(p, 0, 1, 430, float32(4), int8(1)), // outside a sample: ignored
				dtoFrame(p, 1, 0, 440, uint16(1)),           // too short
			}
			rows, st := decodeAll(t, p, frames)
			want := []row{
				{List: 1, T0: 0, T1: 0, Values: []string{"0.5"}},
				{List: 0, T0: 0, T1: 0, Values: []string{"1", "-2", "1.5", "-3"}},
				{List: 0, T0: 110, T1: (65536 + 200 - 65000) * 1000, Values: []string{"3", "-5", "2.5", "7"}},
				{List: 1, T0: 200, T1: 0, Values: []string{"-1.25"}},
				{List: 0, T0: 310, T1: (65536 + 500 - 65000) * 1000, Values: []string{"6", "1", "3", "1"}},
			}
			if diff := cmp.Diff(want, rows); diff != "" {
				t.Fatalf("id %d big %v (-want +got):\n%s", id, big, diff)
			}
			wantSt := dto.Stats{Lists: []dto.ListStats{{Samples: 3, Incomplete: 3}, {Samples: 2, Malformed: 1}}, Unknown: 1, Other: 1}
			if diff := cmp.Diff(wantSt, st); diff != "" {
				t.Errorf("id %d big %v stats (-want +got):\n%s", id, big, diff)
			}
		}
	}
}

func TestParamsErrors(t *testing.T) {
	good := encodeParams(twoLists(4, false))
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"cut", good[:len(good)-1]},
		{"trailing", append(bytes.Clone(good), 0)},
		{"huge count", func() []byte { b := bytes.Clone(good); binary.LittleEndian.PutUint64(b[15:], 1<<40); return b }()},
		{"id size", func() []byte { b := bytes.Clone(good); b[1] = 7; return b }()},
		{"timestamp size", func() []byte { b := bytes.Clone(good); b[14] = 3; return b }()},
	} {
		if _, err := ParseParams(tc.b); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	p := twoLists(4, false)
	p.Lists[0].ODTs[0][0].Type = 0
	if _, err := ParseParams(encodeParams(p)); err == nil {
		t.Error("unknown data type: no error")
	}
	p = twoLists(4, false)
	p.Lists[1].PackedMode = 1
	if _, err := NewDecoder(p); !errors.Is(err, ErrUnsupported) {
		t.Errorf("packed list: %v", err)
	}
}
