package daq

import (
	"github.com/goxcp/goxcp/protocol/dto"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

func twoODTLayout(t testing.TB, idf xcp.IDField, tsSize int) *dto.Layout {
	t.Helper()
	l := List{Name: "l", Timestamps: true, Measurements: []dto.Measurement{
		{Name: "a", Address: 0x100, Type: dto.U32}, {Name: "b", Address: 0x200, Type: dto.U32}, {Name: "c", Address: 0x300, Type: dto.U32}}}
	lay, err := Allocate([]List{l}, Limits{MaxDTO: 8 + tsSize, IDField: idf, TimestampSize: tsSize, TimestampUnit: xcp.Unit1us,
		TimestampTick: 2, OverloadMSB: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lay.Lists[0].ODTs); n < 2 || (tsSize == 0 && n != 3) {
		t.Fatalf("%d ODTs", n)
	}
	return lay
}

func TestDecoderTimestampWrap(t *testing.T) {
	for _, size := range []int{1, 2, 4} {
		lay := twoODTLayout(t, xcp.IDAbsODT, size)
		dec, err := newDecoder(lay)
		if err != nil {
			t.Fatal(err)
		}
		sample := sampleFor(&lay.Lists[0])
		mask := uint64(1)<<(8*size) - 1
		step := mask/3 + 1 // three samples per wrap
		var got []int64
		raw := mask - 5
		for i := range 10 {
			_, err := lay.EncodeSample(nil, 0, sample, raw&mask, func(p []byte) {
				dec.decode(dto.Frame{Time: 1000 + int64(i), Data: p}, func(s *dto.Sample) {
					if !s.HasSlave {
						t.Fatal("no slave timestamp")
					}
					got = append(got, s.SlaveNS)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			raw += step
		}
		for i, v := range got {
			// ticks of 2 µs each
			if want := int64(uint64(i)*step) * 2000; v != want {
				t.Errorf("size %d sample %d: slave %d ns, want %d", size, i, v, want)
			}
		}
	}
}

func TestDecoderLoss(t *testing.T) {
	for idf := xcp.IDAbsODT; idf <= xcp.IDRelODTAbsDAQWordAl; idf++ {
		lay := twoODTLayout(t, idf, 0)
		dec, err := newDecoder(lay)
		if err != nil {
			t.Fatal(err)
		}
		var dtos [][]byte
		lay.EncodeSample(nil, 0, sampleFor(&lay.Lists[0]), 0, func(d []byte) { dtos = append(dtos, append([]byte(nil), d...)) })
		n := len(dtos)
		samples := 0
		feed := func(ds ...[]byte) {
			for _, d := range ds {
				dec.decode(dto.Frame{Data: d}, func(*dto.Sample) { samples++ })
			}
		}
		feed(dtos...)                   // complete
		feed(dtos[1:]...)               // first ODT missing
		feed(dtos[0])                   // ODT 0 ...
		feed(dtos...)                   // ... then a new sample: the previous is incomplete
		feed(dtos[0], dtos[n-1])        // ODT(s) in between missing
		feed(dtos[0], dtos[1], dtos[1]) // duplicate
		over := append([]byte(nil), dtos[0]...)
		over[0] |= 0x80
		feed(over)
		feed(dtos[1:]...) // completes the overloaded sample
		feed([]byte{0x7B})
		feed(dtos[0][:len(dtos[0])-1]) // short
		st := dec.stats()
		ls := st.Lists[0]
		if samples != 3 || ls.Samples != 3 {
			t.Errorf("%s: %d samples", idf, samples)
		}
		if ls.Overload != 1 {
			t.Errorf("%s: overload %d", idf, ls.Overload)
		}
		if ls.Incomplete < 4 || ls.OutOfOrder < 1 || ls.Malformed != 1 {
			t.Errorf("%s: stats %+v", idf, ls)
		}
		if st.UnknownPID == 0 && idf == xcp.IDAbsODT {
			t.Errorf("%s: unknown PID not counted", idf)
		}
		if st.Lost() == 0 {
			t.Error("loss not reported")
		}
	}
}

// FuzzDecoder feeds arbitrary frames to decoders of every identification
// field type: no panic, and the counters stay consistent.
func FuzzDecoder(f *testing.F) {
	lay := twoODTLayout(f, xcp.IDRelODTAbsDAQWord, 2)
	lay.EncodeSample(nil, 0, sampleFor(&lay.Lists[0]), 7, func(d []byte) { f.Add(d) })
	f.Add([]byte{0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		for idf := xcp.IDAbsODT; idf <= xcp.IDRelODTAbsDAQWordAl; idf++ {
			lay := twoODTLayout(t, idf, 4)
			dec, err := newDecoder(lay)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				dec.decode(dto.Frame{Data: p}, func(s *dto.Sample) {
					if len(s.Values) != 3 {
						t.Fatal("values")
					}
				})
			}
			st := dec.stats()
			if st.Lists[0].Samples > 3 {
				t.Fatal("more samples than frames")
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	l := List{Name: "l", Timestamps: true}
	for i := range 4 {
		l.Measurements = append(l.Measurements, dto.Measurement{Name: string(rune('a' + i)), Address: uint32(0x100 + 4*i), Type: dto.U32})
	}
	lay, err := Allocate([]List{l}, Limits{MaxDTO: 64, IDField: xcp.IDRelODTAbsDAQWord, TimestampSize: 4, TimestampUnit: xcp.Unit1us, TimestampTick: 1})
	if err != nil {
		b.Fatal(err)
	}
	var frames [][]byte
	sample := sampleFor(&lay.Lists[0])
	for i := range 1024 {
		lay.EncodeSample(nil, 0, sample, uint64(i*10), func(d []byte) { frames = append(frames, append([]byte(nil), d...)) })
	}
	dec, _ := newDecoder(lay)
	var sum float64
	emit := func(s *dto.Sample) { sum += s.Values[0].Float64() }
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		dec.decode(dto.Frame{Time: int64(i), Data: frames[i&1023]}, emit)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Msamples/s")
}

// TestDecoderMultiWrap: a 1-byte timestamp wraps about four times between
// samples; the host clock tells how many times.
func TestDecoderMultiWrap(t *testing.T) {
	lay := twoODTLayout(t, xcp.IDRelODTAbsDAQByte, 1)
	lay.TickPS = 1e6
	dec, err := newDecoder(lay)
	if err != nil {
		t.Fatal(err)
	}
	sample := sampleFor(&lay.Lists[0])
	for i := range 50 {
		jitter := int64(i%3-1) * 50_000 // ±50 µs of host jitter
		raw := uint64(i * 1000)
		n := 0
		lay.EncodeSample(nil, 0, sample, raw, func(p []byte) {
			dec.decode(dto.Frame{Time: int64(i)*1_000_000 + jitter, Data: p}, func(s *dto.Sample) {
				n++
				if want := int64(i) * 1_000_000; s.SlaveNS != want {
					t.Fatalf("sample %d: slave %d, want %d", i, s.SlaveNS, want)
				}
			})
		})
		if n != 1 {
			t.Fatalf("sample %d not decoded", i)
		}
	}
}

func TestParseType(t *testing.T) {
	for _, s := range []string{"U8", "i8", "U16", "I16", "U32", "I32", "U64", "I64", "F16", "BF16", "F32", "F64", "float64", "SWORD"} {
		if _, err := dto.ParseType(s); err != nil {
			t.Error(s, err)
		}
	}
	if ty, _ := dto.ParseType("bf16"); ty.Size() != 2 || !ty.Float() {
		t.Error("bf16")
	}
}
