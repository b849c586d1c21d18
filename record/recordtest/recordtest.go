// Package recordtest builds synthetic DAQ layouts and the DTO frames that
// match them, for tests and benchmarks of the recording format and its
// converters. The frames are encoded independently of record.Decoder (from
// the layout alone), so decoding them is a real cross-check.
package recordtest

import (
	"encoding/binary"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"
	"time"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// Start returns the fixed start time of synthetic recordings.
func Start() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

// NarrowMeta is one DAQ list "narrow" with a 4-byte timestamp and one U16
// value: the narrow table of the conversion benchmarks.
func NarrowMeta() *record.Meta {
	return &record.Meta{
		Start: Start(),
		Slave: record.Slave{ByteOrder: "intel", MaxDTO: 8, Transport: "tcp"},
		DAQ: record.Layout{
			IDField: xcp.IDAbsODT, TimestampSize: 4, TimestampTickNS: 1000,
			Lists: []record.List{{
				Name: "narrow", Number: 0, Event: 0, EventName: "1ms", Timestamps: true, ODTs: 1,
				Measurements: []record.Measurement{{Measurement: dto.Measurement{Name: "counter", Type: dto.U16}, ODT: 0, Offset: 5}},
			}},
		},
	}
}

// WideMeta is one DAQ list "wide" with a 4-byte timestamp and n values of
// mixed types (U16, I32, F32, U8, F64, repeating) in as many ODTs as a
// 255-byte DTO needs: the wide table of the conversion benchmarks.
func WideMeta(n int) *record.Meta {
	m := NarrowMeta()
	m.Slave.MaxDTO = 255
	l := &m.DAQ.Lists[0]
	l.Name, l.Measurements = "wide", nil
	types := []dto.Type{dto.U16, dto.I32, dto.F32, dto.U8, dto.F64}
	odt, off := 0, 5 // PID and timestamp
	for j := range n {
		t := types[j%len(types)]
		if off+t.Size() > 255 {
			odt, off = odt+1, 1
		}
		l.Measurements = append(l.Measurements, record.Measurement{Measurement: dto.Measurement{Name: fmt.Sprintf("v%d", j), Type: t}, ODT: odt, Offset: off})
		off += t.Size()
	}
	l.ODTs = odt + 1
	return m
}

// MixedMeta has three lists using every type, several ODTs and a bit
// mask, with the given identification field type and timestamp size, in
// the given byte order ("intel" or "motorola").
func MixedMeta(idField xcp.IDField, tsSize int, order string) *record.Meta {
	hdr := idField.Len()
	o0 := hdr + tsSize // data start in ODT 0
	m := &record.Meta{
		Start: Start(),
		Slave: record.Slave{ByteOrder: order, MaxDTO: 64, Transport: "udp"},
		DAQ: record.Layout{
			IDField: idField, TimestampSize: tsSize, TimestampTickNS: 10000, OverloadMSB: true,
			Lists: []record.List{
				{Name: "ints", Number: 0, Event: 1, Timestamps: tsSize > 0, FirstPID: 0, ODTs: 2, Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "u8", Type: dto.U8}, ODT: 0, Offset: o0},
					{Measurement: dto.Measurement{Name: "i8", Type: dto.I8}, ODT: 0, Offset: o0 + 1},
					{Measurement: dto.Measurement{Name: "u16", Type: dto.U16}, ODT: 0, Offset: o0 + 2},
					{Measurement: dto.Measurement{Name: "i16", Type: dto.I16}, ODT: 0, Offset: o0 + 4},
					{Measurement: dto.Measurement{Name: "u32", Type: dto.U32}, ODT: 1, Offset: hdr},
					{Measurement: dto.Measurement{Name: "i32", Type: dto.I32}, ODT: 1, Offset: hdr + 4},
					{Measurement: dto.Measurement{Name: "u64", Type: dto.U64}, ODT: 1, Offset: hdr + 8},
					{Measurement: dto.Measurement{Name: "i64", Type: dto.I64}, ODT: 1, Offset: hdr + 16},
					{Measurement: dto.Measurement{Name: "bits", Type: dto.U8, BitMask: 0x38}, ODT: 1, Offset: hdr + 24},
				}},
				{Name: "floats", Number: 1, Event: 2, EventName: "10ms", Timestamps: tsSize > 0, FirstPID: 2, ODTs: 1, Measurements: []record.Measurement{
					{Measurement: dto.Measurement{Name: "f16", Type: dto.F16}, ODT: 0, Offset: o0},
					{Measurement: dto.Measurement{Name: "bf16", Type: dto.BF16}, ODT: 0, Offset: o0 + 2},
					{Measurement: dto.Measurement{Name: "f32", Type: dto.F32}, ODT: 0, Offset: o0 + 4},
					{Measurement: dto.Measurement{Name: "f64", Type: dto.F64}, ODT: 0, Offset: o0 + 8, Unit: "V"},
				}},
				{Name: "empty", Number: 2, Event: 3, Timestamps: false, FirstPID: 3, ODTs: 1},
			},
		},
	}
	return m
}

// Value returns the synthetic value of measurement j of list l in sample k,
// already reduced to what the type can hold.
func Value(m *record.Meta, l, j, k int) dto.Value {
	ms := m.DAQ.Lists[l].Measurements[j]
	base := int64(k)*7919 + int64(j)*104729 - 50000
	if ms.BitMask != 0 {
		return dto.UintValue(ms.Type, uint64(k+j)&(ms.BitMask>>trailing(ms.BitMask)))
	}
	switch ms.Type {
	case dto.U8, dto.U16, dto.U32, dto.U64:
		return dto.UintValue(ms.Type, uint64(base)&mask(ms.Type.Size()))
	case dto.I8:
		return dto.IntValue(ms.Type, int64(int8(base)))
	case dto.I16:
		return dto.IntValue(ms.Type, int64(int16(base)))
	case dto.I32:
		return dto.IntValue(ms.Type, int64(int32(base)))
	case dto.I64:
		return dto.IntValue(ms.Type, base*1000003)
	case dto.F16, dto.BF16:
		return dto.FloatValue(ms.Type, float64(k%256)-128) // exact in both
	case dto.F32:
		return dto.FloatValue(ms.Type, float64(float32(float64(k)*0.25+float64(j))))
	default:
		return dto.FloatValue(ms.Type, float64(k)*1e-3+float64(j))
	}
}

// SlaveTicks is the synthetic raw slave timestamp of sample k of list l.
func SlaveTicks(l, k int) uint64 { return uint64(k)*100 + uint64(l) }

func mask(size int) uint64 {
	if size == 8 {
		return math.MaxUint64
	}
	return 1<<(8*size) - 1
}

func trailing(m uint64) uint {
	n := uint(0)
	for m&1 == 0 && n < 64 {
		m >>= 1
		n++
	}
	return n
}

// Encoder builds the frames of synthetic samples.
type Encoder struct {
	m     *record.Meta
	order binary.ByteOrder
	hdr   int
	bufs  [][][]byte // per list, per ODT
}

// NewEncoder returns an Encoder for m.
func NewEncoder(m *record.Meta) (*Encoder, error) {
	if err := m.DAQ.Validate(); err != nil {
		return nil, err
	}
	e := &Encoder{m: m, order: binary.LittleEndian}
	if m.Slave.ByteOrder == "motorola" {
		e.order = binary.BigEndian
	}
	e.hdr = m.DAQ.IDField.Len()
	for _, l := range m.DAQ.Lists {
		odts := make([][]byte, l.ODTs)
		for o := range odts {
			n := e.hdr
			if o == 0 && l.Timestamps {
				n += m.DAQ.TimestampSize
			}
			for _, ms := range l.Measurements {
				if ms.ODT == o && ms.Offset+ms.Type.Size() > n {
					n = ms.Offset + ms.Type.Size()
				}
			}
			odts[o] = make([]byte, n)
		}
		e.bufs = append(e.bufs, odts)
	}
	return e, nil
}

// Frames calls emit with each DTO of sample k of list l, in ODT order. The
// frame is reused after emit returns.
func (e *Encoder) Frames(l, k int, emit func(frame []byte)) {
	li := &e.m.DAQ.Lists[l]
	for o, p := range e.bufs[l] {
		clear(p)
		switch e.m.DAQ.IDField {
		case xcp.IDAbsODT:
			p[0] = li.FirstPID + byte(o)
		case xcp.IDRelODTAbsDAQByte:
			p[0], p[1] = byte(o), byte(li.Number)
		case xcp.IDRelODTAbsDAQWord:
			p[0] = byte(o)
			e.order.PutUint16(p[1:], uint16(li.Number))
		case xcp.IDRelODTAbsDAQWordAl:
			p[0] = byte(o)
			e.order.PutUint16(p[2:], uint16(li.Number))
		}
		if o == 0 && li.Timestamps {
			t := SlaveTicks(l, k)
			switch e.m.DAQ.TimestampSize {
			case 1:
				p[e.hdr] = byte(t)
			case 2:
				e.order.PutUint16(p[e.hdr:], uint16(t))
			case 4:
				e.order.PutUint32(p[e.hdr:], uint32(t))
			}
		}
		for j, ms := range li.Measurements {
			if ms.ODT != o {
				continue
			}
			v := Value(e.m, l, j, k)
			var u uint64
			switch ms.Type {
			case dto.F16:
				u = uint64(float32ToHalf(float32(v.Float64())))
			case dto.BF16:
				u = uint64(math.Float32bits(float32(v.Float64())) >> 16)
			case dto.F32:
				u = uint64(math.Float32bits(float32(v.Float64())))
			case dto.F64:
				u = math.Float64bits(v.Float64())
			default:
				u = v.Uint64()
			}
			if ms.BitMask != 0 {
				u = (u << trailing(ms.BitMask)) & ms.BitMask
			}
			put(e.order, p[ms.Offset:], ms.Type.Size(), u)
		}
		emit(p)
	}
}

func put(o binary.ByteOrder, p []byte, size int, u uint64) {
	switch size {
	case 1:
		p[0] = byte(u)
	case 2:
		o.PutUint16(p, uint16(u))
	case 4:
		o.PutUint32(p, uint32(u))
	default:
		o.PutUint64(p, u)
	}
}

// float32ToHalf converts f (which must be exactly representable as a
// normal binary16 value or zero) to binary16.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	if b&0x7FFFFFFF == 0 {
		return sign
	}
	exp := int(b>>23&0xFF) - 127 + 15
	if exp <= 0 || exp >= 31 {
		panic(fmt.Sprintf("recordtest: %v not representable as a normal half", f))
	}
	return sign | uint16(exp)<<10 | uint16(b>>13&0x3FF)
}

// Write writes n samples round-robin over the lists of m (list l gets
// samples with k = i/len(lists)) to w, with host times 1 µs apart.
func Write(w *record.Writer, m *record.Meta, n int) error {
	e, err := NewEncoder(m)
	if err != nil {
		return err
	}
	nl := len(m.DAQ.Lists)
	var werr error
	for i := 0; i < n && werr == nil; i++ {
		l, k := i%nl, i/nl
		t := int64(i) * 1000
		e.Frames(l, k, func(p []byte) {
			if err := w.Write(t, p); err != nil && werr == nil {
				werr = err
			}
		})
	}
	return werr
}

// WriteFile creates a recording at path with n synthetic samples (see
// Write).
func WriteFile(path string, m *record.Meta, n int) error {
	w, err := record.Create(path, m, record.Options{ChunkSize: 1 << 20, Buffers: 6})
	if err != nil {
		return err
	}
	// The writer drops frames when the disk lags; a test file must be
	// complete, so pace the producer instead.
	e, err := NewEncoder(m)
	if err != nil {
		w.Close()
		return err
	}
	nl := len(m.DAQ.Lists)
	var werr error
	for i := 0; i < n && werr == nil; i++ {
		l, k := i%nl, i/nl
		t := int64(i) * 1000
		e.Frames(l, k, func(p []byte) {
			if werr == nil {
				werr = w.Write(t, p)
			}
		})
		for w.Backlog() >= w.Buffers()-2 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	cerr := w.Close()
	if werr != nil {
		return werr
	}
	if cerr != nil {
		return cerr
	}
	if d := w.Stats().Dropped; d != 0 {
		return fmt.Errorf("recordtest: writer dropped %d frames", d)
	}
	return nil
}
