package record_test

import (
	"bytes"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestDecodeAllIdentificationFields(t *testing.T) {
	for _, idf := range []xcp.IDField{xcp.IDAbsODT, xcp.IDRelODTAbsDAQByte, xcp.IDRelODTAbsDAQWord, xcp.IDRelODTAbsDAQWordAl} {
		for _, ts := range []int{0, 1, 2, 4} {
			for _, order := range []string{"intel", "motorola"} {
				t.Run(fmt.Sprintf("%s/ts%d/%s", idf, ts, order), func(t *testing.T) {
					testDecodeRoundTrip(t, recordtest.MixedMeta(idf, ts, order), 3000)
				})
			}
		}
	}
}

func testDecodeRoundTrip(t *testing.T, meta *record.Meta, n int) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, meta, record.Options{ChunkSize: 4096, Buffers: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := recordtest.Write(w, meta, n); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := record.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		t.Fatal(err)
	}
	nl := len(meta.DAQ.Lists)
	counts := make([]int, nl)
	i := 0
	for d.Next() {
		s := d.Sample()
		// Samples come out in write order: sample i belongs to list i%nl.
		l, k := i%nl, i/nl
		if s.List != l || counts[l] != k {
			t.Fatalf("sample %d: list %d (want %d), k %d (want %d)", i, s.List, l, counts[l], k)
		}
		if s.HostNS != int64(i)*1000 {
			t.Fatalf("sample %d: host time %d", i, s.HostNS)
		}
		li := &meta.DAQ.Lists[l]
		if s.HasSlave != (li.Timestamps && meta.DAQ.TimestampSize > 0) {
			t.Fatalf("sample %d: HasSlave %v", i, s.HasSlave)
		}
		if s.HasSlave {
			want := int64(float64(recordtest.SlaveTicks(l, k)-recordtest.SlaveTicks(0, 0)) * meta.DAQ.TimestampTickNS)
			if s.SlaveNS != want {
				t.Fatalf("sample %d (list %d k %d): slave time %d, want %d", i, l, k, s.SlaveNS, want)
			}
		}
		for j, v := range s.Values {
			want := recordtest.Value(meta, l, j, k)
			if v != want {
				t.Fatalf("sample %d list %d %s: got %v (%v), want %v", i, l, li.Measurements[j].Name, v, v.Type, want)
			}
		}
		counts[l]++
		i++
	}
	if i != n {
		t.Fatalf("decoded %d samples, want %d", i, n)
	}
	st := d.Stats()
	if st.Samples() != uint64(n) || st.Unknown != 0 || st.Other != 0 {
		t.Fatalf("stats %+v", st)
	}
	for _, ls := range st.Lists {
		if ls.MissingODT+ls.OutOfOrder != 0 || ls.Malformed != 0 || ls.Overload != 0 {
			t.Fatalf("stats %+v", st)
		}
	}
}

func TestDecodeLossAndOverload(t *testing.T) {
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 2, "intel")
	d := frameDecoder(t, meta)
	e, err := recordtest.NewEncoder(meta)
	if err != nil {
		t.Fatal(err)
	}
	var odts [][]byte
	e.Frames(0, 1, func(p []byte) { odts = append(odts, bytes.Clone(p)) })
	if len(odts) != 2 {
		t.Fatalf("%d ODTs", len(odts))
	}
	steps := []struct {
		frame  []byte
		sample bool
	}{
		{odts[1], false},                              // ODT 1 without ODT 0: missing 1
		{odts[0], false},                              //
		{odts[0], false},                              // ODT 0 again: ODT 1 of the previous sample missing
		{odts[1], true},                               // complete
		{odts[1][:5], false},                          // ODT 1 when ODT 0 is expected: missing
		{odts[0][:3], false},                          // too short for timestamp: malformed
		{[]byte{0xFC, 1}, false},                      // SERV: other
		{[]byte{0x7F, 1, 2}, false},                   // unknown PID
		{[]byte{}, false},                             // empty: unknown
		{append([]byte{0x80}, odts[0][1:]...), false}, // overload bit, ODT 0
		{odts[1][:10], false},                         // ODT 1 too short: malformed
	}
	for i, s := range steps {
		if got := d.Decode(int64(i), s.frame) != nil; got != s.sample {
			t.Fatalf("step %d: sample %v", i, got)
		}
	}
	st := d.Stats()
	if l := st.Lists[0]; l.Samples != 1 || l.MissingODT+l.OutOfOrder != 3 || l.Overload != 1 || l.Malformed != 2 || st.Other != 1 || st.Unknown != 2 {
		t.Fatalf("stats %+v, want list 0 with 1 sample, 3 ODTs missing or out of order, 1 overload, 2 malformed", st)
	}
}

func TestSlaveTimestampWrapAround(t *testing.T) {
	meta := recordtest.NarrowMeta()
	meta.DAQ.TimestampSize = 1
	meta.DAQ.TimestampTickNS = 2.5
	meta.DAQ.Lists[0].Measurements[0].Offset = 2
	d := frameDecoder(t, meta)
	raw := []byte{250, 255, 3, 100, 200, 10}
	want := []int64{0, 5, 9, 106, 206, 272}
	for i, r := range raw {
		x := d.Decode(0, []byte{0, r, 0, 0})
		if x == nil {
			t.Fatal("no sample")
		}
		if got := x.SlaveNS; got != int64(float64(want[i])*2.5) {
			t.Fatalf("step %d: %d, want %v", i, got, float64(want[i])*2.5)
		}
	}
}

// frameDecoder returns a decoder for the layout of meta, fed frame by
// frame.
func frameDecoder(t *testing.T, meta *record.Meta) *dto.Decoder {
	t.Helper()
	l, err := meta.DTOLayout()
	if err != nil {
		t.Fatal(err)
	}
	d, err := dto.NewDecoder(l)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValueText(t *testing.T) {
	for _, c := range []struct {
		v    dto.Value
		want string
	}{
		{dto.IntValue(dto.I16, -3), "-3"},
		{dto.UintValue(dto.U64, math.MaxUint64), "18446744073709551615"},
		{dto.FloatValue(dto.F32, float64(float32(0.1))), "0.1"},
		{dto.FloatValue(dto.F64, 0.1), "0.1"},
		{dto.FloatValue(dto.F16, -1.5), "-1.5"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.v.Type, got, c.want)
		}
	}
}

func TestLayoutValidate(t *testing.T) {
	bad := []func(m *record.Meta){
		func(m *record.Meta) { m.DAQ.IDField = 7 },
		func(m *record.Meta) { m.DAQ.TimestampSize = 3 },
		func(m *record.Meta) { m.DAQ.Lists[0].ODTs = 0 },
		func(m *record.Meta) { m.DAQ.Lists[1].Number = 0 },
		func(m *record.Meta) { m.DAQ.Lists[1].FirstPID = 1 },
		func(m *record.Meta) { m.DAQ.Lists[0].Measurements[0].ODT = 5 },
		func(m *record.Meta) { m.DAQ.Lists[0].Measurements[0].Offset = 2 },
		func(m *record.Meta) { m.DAQ.Lists[0].Measurements[0].Type = 0 },
		func(m *record.Meta) { m.DAQ.Lists[0].FirstPID = 0x7F },
	}
	for i, f := range bad {
		m := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
		f(m)
		if err := m.DAQ.Validate(); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
	if err := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel").DAQ.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want dto.Type
	}{{"u8", dto.U8}, {"SWORD", dto.I16}, {"FLOAT32_IEEE", dto.F32}, {"bf16", dto.BF16}, {"A_UINT64", dto.U64}} {
		if got, err := dto.ParseType(c.in); err != nil || got != c.want {
			t.Errorf("%s: %v %v", c.in, got, err)
		}
	}
	if _, err := dto.ParseType("u24"); err == nil {
		t.Error("u24 accepted")
	}
}

func TestIterators(t *testing.T) {
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, meta, record.Options{Buffers: 64})
	if err != nil {
		t.Fatal(err)
	}
	if err := recordtest.Write(w, meta, 300); err != nil {
		t.Fatal(err)
	}
	w.Close()
	data := buf.Bytes()
	r, _ := record.NewReader(bytes.NewReader(data))
	n := 0
	for f := range r.All() {
		if len(f.Data) == 0 {
			t.Fatal("empty frame")
		}
		n++
	}
	if n != 400 { // list "ints" has two ODTs
		t.Fatalf("%d frames", n)
	}
	r, _ = record.NewReader(bytes.NewReader(data))
	d, _ := record.NewDecoder(r)
	k := 0
	for s := range d.List(1) {
		if s.List != 1 || s.Values[3] != recordtest.Value(meta, 1, 3, k) {
			t.Fatalf("sample %d: %+v", k, s)
		}
		if k++; k == 50 {
			break
		}
	}
	rest := 0
	for range d.All() {
		rest++
	}
	if k != 50 || rest != 300-(50*3-1) {
		t.Fatalf("k %d rest %d", k, rest)
	}
}
