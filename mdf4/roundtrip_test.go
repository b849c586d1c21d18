package mdf4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testGroup is a group with every data type, both byte orders, a masked
// integer, conversions of each kind and an invalidation bit.
func testGroup(src *Source) ChannelGroup {
	u8 := func(v uint8) *uint8 { return &v }
	chans := []*Channel{
		{Name: "time", Unit: "s", Type: ChannelMaster, Sync: SyncTime, DataType: FloatLE, ByteOffset: 0, BitCount: 64},
		{Name: "u8", DataType: UintLE, ByteOffset: 8, BitCount: 8, Comment: "unsigned byte",
			Conversion: &Conversion{Type: ConvValueText, Params: []float64{0, 1}, Texts: []string{"off", "on", "?"}}},
		{Name: "i16be", Unit: "degC", DataType: IntBE, ByteOffset: 9, BitCount: 16, Limits: &Range{-40, 150},
			Conversion: &Conversion{Type: ConvLinear, Params: []float64{-40, 0.5}, Name: "CM_TEMP", Precision: u8(1)}},
		{Name: "u32le", DataType: UintLE, ByteOffset: 11, BitCount: 32,
			Conversion: &Conversion{Type: ConvRational, Params: []float64{0, 2, 1, 0, 0, 4}}},
		{Name: "i64be", DataType: IntBE, ByteOffset: 15, BitCount: 64},
		{Name: "f32be", DataType: FloatBE, ByteOffset: 23, BitCount: 32,
			Conversion: &Conversion{Type: ConvAlgebraic, Formula: "sqrt(abs(X))*2 + X^2"}},
		{Name: "f64le", DataType: FloatLE, ByteOffset: 27, BitCount: 64, ValueRange: &Range{-1, 1}, ExtLimits: &Range{-2, 2}},
		{Name: "nibble", DataType: UintLE, ByteOffset: 35, BitOffset: 4, BitCount: 4, // mask 0x00F0 of a u16
			Conversion: &Conversion{Type: ConvTabInterp, Params: []float64{0, 0, 15, 150}}},
		{Name: "hi", DataType: IntBE, ByteOffset: 37, BitOffset: 2, BitCount: 5, // bits 10..14 of a BE u16 at 37
			Conversion: &Conversion{Type: ConvTab, Params: []float64{-16, -1, 0, 0, 15, 1}}},
		{Name: "range", DataType: UintLE, ByteOffset: 39, BitCount: 16, Flags: FlagInvalBit, InvalBit: 3,
			Conversion: &Conversion{Type: ConvRangeText, Params: []float64{0, 99, 100, 999}, Texts: []string{"low", "high", ""}}},
		{Name: "f16", DataType: FloatLE, ByteOffset: 41, BitCount: 16,
			Conversion: &Conversion{Type: ConvRangeValue, Params: []float64{0, 1, 10, 1, 2, 20, -1}}},
	}
	return ChannelGroup{Name: "fast list", Comment: "event 10ms", Source: src, Channels: chans, DataBytes: 43, InvalBytes: 1}
}

// testRecord builds record i of testGroup.
func testRecord(i int) []byte {
	b := make([]byte, 44)
	le, be := binary.LittleEndian, binary.BigEndian
	le.PutUint64(b[0:], math.Float64bits(float64(i)*0.01))
	b[8] = uint8(i)
	be.PutUint16(b[9:], uint16(int16(i*7-300)))
	le.PutUint32(b[11:], uint32(i*100000))
	be.PutUint64(b[15:], uint64(int64(i)*-123456789))
	be.PutUint32(b[23:], math.Float32bits(float32(i)/3))
	le.PutUint64(b[27:], math.Float64bits(math.Sin(float64(i))))
	le.PutUint16(b[35:], uint16(i%16)<<4)
	be.PutUint16(b[37:], uint16(int16(i%32-16))<<10)
	le.PutUint16(b[39:], uint16(i*3))
	le.PutUint16(b[41:], 0x3c00) // 1.0 in half precision
	if i%5 == 0 {
		b[43] = 1 << 3
	}
	return b
}

type memFile struct {
	b   []byte
	pos int64
}

func (m *memFile) Write(p []byte) (int, error) {
	if need := int(m.pos) + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += int64(len(p))
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case 0:
		m.pos = off
	case 1:
		m.pos += off
	case 2:
		m.pos = int64(len(m.b)) + off
	}
	return m.pos, nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(m.b)) {
		return 0, errors.New("EOF")
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, errors.New("EOF")
	}
	return n, nil
}

func writeTestFile(t testing.TB, o Options, n int) []byte {
	t.Helper()
	var m memFile
	w, err := NewWriter(&m, o)
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{Name: "ECU1", Path: "XCP on UDP 127.0.0.1:5555", Type: SourceECU, Bus: BusEthernet,
		Properties: []Property{{"EPK", "EPK_1.0"}}}
	g1, err := w.AddGroup(testGroup(src))
	if err != nil {
		t.Fatal(err)
	}
	g2, err := w.AddGroup(ChannelGroup{Name: "slow", Source: src, DataBytes: 10, Channels: []*Channel{
		{Name: "t", Unit: "s", Type: ChannelMaster, Sync: SyncTime, DataType: FloatLE, BitCount: 64},
		{Name: "x", DataType: IntLE, ByteOffset: 8, BitCount: 16},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := g1.Write(testRecord(i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			r := make([]byte, 10)
			binary.LittleEndian.PutUint64(r, math.Float64bits(float64(i)*0.01))
			binary.LittleEndian.PutUint16(r[8:], uint16(int16(-i)))
			if err := g2.Write(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range []Event{
		{Name: "lost", Comment: "3 ODTs missing", Type: EventAcquisitionInterrup, Range: RangeBegin, Cause: CauseError, Time: 0.5, Groups: []int{0}},
		{Name: "lost", Type: EventAcquisitionInterrup, Range: RangeEnd, Cause: CauseError, Time: 0.75, Groups: []int{0}, Begin: 0},
		{Name: "mark", Type: EventMarker, Time: 1, Begin: -1},
	} {
		if _, err := w.AddEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return m.b
}

var testStart = time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.FixedZone("", 3600))

func TestRoundTrip(t *testing.T) {
	const n = 1000
	for _, o := range []Options{
		{Compression: NoCompression},
		{Compression: NoCompression, BlockSize: 1000},
		{},
		{BlockSize: 4096},
		{Version: Version420, BlockSize: 4096},
		{Version: Version420, BlockSize: 1000},
	} {
		o.Header = Header{Start: testStart, Comment: "demo", Properties: []Property{{"ECU", "sim"}}}
		o.History = []History{{Time: testStart, Tool: "goxcp", Vendor: "goxcp", Version: "test", Comment: "converted"}}
		b := writeTestFile(t, o, n)
		f, err := Read(&memFile{b: b}, int64(len(b)))
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		wantV := 410
		if o.Version == Version420 {
			wantV = 420
		}
		if f.Version != wantV || f.Program != "goxcp" {
			t.Errorf("version %d program %q", f.Version, f.Program)
		}
		if !f.Header.Start.Equal(testStart) {
			t.Errorf("start %v", f.Header.Start)
		}
		if _, off := f.Header.Start.Zone(); off != 3600 {
			t.Errorf("zone offset %d", off)
		}
		if f.Header.Comment != "demo" || !cmp.Equal(f.Header.Properties, o.Header.Properties) {
			t.Errorf("header %+v", f.Header)
		}
		if len(f.History) != 1 || f.History[0].Tool != "goxcp" || f.History[0].Version != "test" || f.History[0].Comment != "converted" {
			t.Errorf("history %+v", f.History)
		}
		if len(f.Groups) != 2 {
			t.Fatalf("%d groups", len(f.Groups))
		}
		g := f.Groups[0]
		want := testGroup(nil)
		if g.Name != want.Name || g.Comment != want.Comment || g.Samples != n || g.Master != g.Channels[0] {
			t.Errorf("group %q %q %d", g.Name, g.Comment, g.Samples)
		}
		if g.Source == nil || g.Source.Name != "ECU1" || g.Source.Type != SourceECU || g.Source.Bus != BusEthernet ||
			g.Source.Path != "XCP on UDP 127.0.0.1:5555" || len(g.Source.Properties) != 1 || f.Groups[1].Source != g.Source {
			t.Errorf("source %+v", g.Source)
		}
		checkGroup(&want)
		opts := []cmp.Option{cmpopts.IgnoreUnexported(Channel{}, Conversion{}), cmpopts.EquateEmpty()}
		for i, c := range g.Channels {
			if d := cmp.Diff(want.Channels[i], c, opts...); d != "" {
				t.Errorf("channel %d: %s", i, d)
			}
		}
		i := 0
		for r := f.Records(g); r.Next(); i++ {
			if want := testRecord(i); !bytes.Equal(want, r.Record()) {
				t.Fatalf("%+v: record %d: %s", o, i, cmp.Diff(want, r.Record()))
			}
		}
		if i != n {
			t.Errorf("%d records", i)
		}
		i = 0
		for r := f.Records(f.Groups[1]); r.Next(); i++ {
			if x := f.Groups[1].Channels[1].Int(r.Record()); x != int64(-10*i) {
				t.Fatalf("slow %d: %d", i, x)
			}
		}
		if i != n/10 {
			t.Errorf("slow: %d records", i)
		}
		if len(f.Events) != 3 || f.Events[1].Begin != 0 || f.Events[0].Time != 0.5 || f.Events[0].Comment != "3 ODTs missing" ||
			!cmp.Equal(f.Events[0].Groups, []int{0}) || f.Events[2].Groups != nil || f.Events[2].Type != EventMarker {
			t.Errorf("events %+v", f.Events)
		}
	}
}

// TestValues checks the decoded and converted values of testGroup.
func TestValues(t *testing.T) {
	b := writeTestFile(t, Options{Version: Version420, BlockSize: 333}, 64)
	f, err := Read(&memFile{b: b}, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Groups[0]
	c := func(name string) *Channel {
		for _, c := range g.Channels {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	i := 0
	for r := f.Records(g); r.Next(); i++ {
		rec := r.Record()
		near := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("record %d: %s = %v, want %v", i, what, got, want)
			}
		}
		_, txt, _ := c("u8").Conversion.Apply(c("u8").Float(rec))
		if want := map[int]string{0: "off", 1: "on"}[i]; (i < 2 && txt != want) || (i >= 2 && txt != "?") {
			t.Fatalf("record %d: u8 text %q", i, txt)
		}
		near("i16be", c("i16be").Conversion.Phys(float64(c("i16be").Int(rec))), 0.5*float64(i*7-300)-40)
		near("u32le", c("u32le").Conversion.Phys(c("u32le").Float(rec)), float64(2*i*100000+1)/4)
		if v := c("i64be").Int(rec); v != int64(i)*-123456789 {
			t.Fatalf("i64be %d", v)
		}
		x := float64(float32(i) / 3)
		near("f32be", c("f32be").Conversion.Phys(c("f32be").Float(rec)), math.Sqrt(x)*2+x*x)
		near("nibble", c("nibble").Conversion.Phys(c("nibble").Float(rec)), float64(i%16)*10)
		hi := float64(i%32 - 16)
		if v := c("hi").Int(rec); float64(v) != hi {
			t.Fatalf("hi %d, want %v", v, hi)
		}
		near("hi phys", c("hi").Conversion.Phys(hi), map[bool]float64{true: -1, false: 0}[hi <= -8]+map[bool]float64{true: 1, false: 0}[hi > 7])
		_, txt, isText := c("range").Conversion.Apply(c("range").Float(rec))
		if want := map[bool]string{true: "low", false: "high"}[i*3 <= 99]; !isText || txt != want {
			t.Fatalf("record %d: range %q %v", i, txt, isText)
		}
		if c("range").Invalid(rec) != (i%5 == 0) || c("u8").Invalid(rec) {
			t.Fatalf("record %d: invalidation", i)
		}
		near("f16", c("f16").Conversion.Phys(c("f16").Float(rec)), 10)
	}
}

func TestCreateFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.mf4")
	w, err := Create(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := w.AddGroup(ChannelGroup{DataBytes: 1, Channels: []*Channel{{Name: "b", DataType: UintLE, BitCount: 8}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		g.Write([]byte{byte(i)})
	}
	// Before Close the file is marked unfinalised.
	if _, err := Open(p); !errors.Is(err, ErrUnfinalized) {
		t.Fatalf("open before close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Groups[0].Samples != 10 {
		t.Fatal(f.Groups[0].Samples)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
}

func TestCFormula(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"X*2+1", "((X * 2) + 1)"},
		{"-X^2", "(-pow(X, 2))"},
		{"ln(X)/log10(100)", "(log(X) / log10(100))"},
		{"sqrt(abs(X - 0.5e-3))", "sqrt(abs((X - 0.0005)))"},
	} {
		c := &Conversion{Type: ConvAlgebraic, Formula: tc.in}
		got, err := c.CFormula()
		if err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "X +", "foo(X)", "X ** 2", "(X", "X)"} {
		c := &Conversion{Type: ConvAlgebraic, Formula: bad}
		if err := c.Validate(); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Damaged or unsupported files give errors naming the block and its
// offset.
func TestErrors(t *testing.T) {
	good := writeTestFile(t, Options{BlockSize: 4096}, 200)
	find := func(b []byte, id string) int {
		for i := 0; i+4 <= len(b); i += 8 {
			if string(b[i:i+4]) == id {
				return i
			}
		}
		t.Fatalf("no %s", id)
		return -1
	}
	for _, tc := range []struct {
		name  string
		patch func(b []byte) []byte
		want  error
		text  string
	}{
		{"not MDF", func(b []byte) []byte {
			return []byte("hello world, this is not an MDF file at all, really it is not. ......")
		}, ErrNotMDF, "file identifier"},
		{"version 3", func(b []byte) []byte { binary.LittleEndian.PutUint16(b[28:], 330); return b }, ErrUnsupported, "version 330"},
		{"text to value", func(b []byte) []byte {
			b[find(b, idCC)+headerSize+8*int(binary.LittleEndian.Uint64(b[find(b, idCC)+16:]))] = 9
			return b
		}, ErrUnsupported, "##CC block at offset"},
		{"zip type", func(b []byte) []byte { b[find(b, idDZ)+headerSize+2] = 7; return b }, ErrUnsupported, "zip type 7"},
		{"deflate", func(b []byte) []byte { b[find(b, idDZ)+headerSize+dzHeaderData+3] ^= 0xff; return b }, ErrCorrupt, "##DZ block at offset"},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, ErrCorrupt, "offset"},
		{"link loop", func(b []byte) []byte {
			i := find(b, idCN)
			binary.LittleEndian.PutUint64(b[i+headerSize:], uint64(i))
			return b
		}, ErrCorrupt, "CN chain loops"},
	} {
		b := tc.patch(append([]byte(nil), good...))
		f, err := Read(&memFile{b: b}, int64(len(b)))
		if err == nil {
			// Data errors show when reading the records.
			for _, g := range f.Groups {
				r := f.Records(g)
				for r.Next() {
				}
				if err = r.Err(); err != nil {
					break
				}
			}
		}
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v, want %v with %q", tc.name, err, tc.want, tc.text)
		}
	}
}
