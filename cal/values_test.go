package cal_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/compu"
)

// mem is a flat test memory at base 0x1000 (any extension).
type mem struct {
	b      []byte
	writes int
}

const base = 0x1000

func (m *mem) Read(_ context.Context, addr uint32, ext uint8, n int) ([]byte, error) {
	if addr < base || int(addr-base)+n > len(m.b) {
		return nil, fmt.Errorf("read 0x%X+%d out of test memory", addr, n)
	}
	return append([]byte(nil), m.b[addr-base:int(addr-base)+n]...), nil
}

func (m *mem) Write(_ context.Context, addr uint32, ext uint8, data []byte) error {
	if addr < base || int(addr-base)+len(data) > len(m.b) {
		return fmt.Errorf("write 0x%X+%d out of test memory", addr, len(data))
	}
	m.writes++
	copy(m.b[addr-base:], data)
	return nil
}

const src = `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin MOD_COMMON "" BYTE_ORDER MSB_FIRST ALIGNMENT_WORD 2 /end MOD_COMMON
/begin RECORD_LAYOUT RL_U8 FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_U16 FNC_VALUES 1 UWORD ROW_DIR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_CURVE NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UWORD INDEX_INCR DIRECT FNC_VALUES 3 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_MAPCOL FNC_VALUES 1 UBYTE COLUMN_DIR DIRECT /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_AX NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR DIRECT /end RECORD_LAYOUT
/begin COMPU_METHOD lin "" LINEAR "%6.1" "km/h" COEFFS_LINEAR 0.5 0 /end COMPU_METHOD
/begin COMPU_METHOD onoff "" TAB_VERB "%.0" "" COMPU_TAB_REF onoff_t /end COMPU_METHOD
/begin COMPU_VTAB onoff_t "" TAB_VERB 2 0 "off" 1 "on" /end COMPU_VTAB
/begin COMPU_METHOD sq "" FORM "%6.2" "" /begin FORMULA "X1*X1" /end FORMULA /end COMPU_METHOD
/begin COMPU_METHOD half "" FORM "%6.2" "" /begin FORMULA "X1/2" FORMULA_INV "X1*2" /end FORMULA /end COMPU_METHOD
/begin MEASUREMENT speed "" UWORD lin 0 0 0 1000 ECU_ADDRESS 0x1000 READ_WRITE /end MEASUREMENT
/begin MEASUREMENT arr "" SBYTE NO_COMPU_METHOD 0 0 -128 127 ECU_ADDRESS 0x1002 MATRIX_DIM 3 READ_WRITE /end MEASUREMENT
/begin MEASUREMENT flag "" UBYTE onoff 0 0 0 1 ECU_ADDRESS 0x1005 BIT_MASK 0x04 READ_WRITE /end MEASUREMENT
/begin MEASUREMENT ro "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x1006 /end MEASUREMENT
/begin MEASUREMENT le "" ULONG NO_COMPU_METHOD 0 0 0 4294967295 ECU_ADDRESS 0x1008 BYTE_ORDER MSB_LAST READ_WRITE /end MEASUREMENT
/begin CHARACTERISTIC gain "" VALUE 0x1010 RL_U16 0 half 0 100 EXTENDED_LIMITS 0 200 /end CHARACTERISTIC
/begin CHARACTERISTIC sqv "" VALUE 0x1012 RL_U8 0 sq 0 10000 /end CHARACTERISTIC
/begin CHARACTERISTIC blk "" VAL_BLK 0x1014 RL_U8 0 NO_COMPU_METHOD 0 255 MATRIX_DIM 2 2 /end CHARACTERISTIC
/begin CHARACTERISTIC name "" ASCII 0x1018 RL_U8 0 NO_COMPU_METHOD 0 255 NUMBER 6 /end CHARACTERISTIC
/begin CHARACTERISTIC locked "" VALUE 0x1020 RL_U8 0 NO_COMPU_METHOD 0 255 READ_ONLY /end CHARACTERISTIC
/begin CHARACTERISTIC curve "" CURVE 0x1030 RL_CURVE 0 lin 0 100
  /begin AXIS_DESCR STD_AXIS speed lin 4 0 1000 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC mapcol "" MAP 0x1040 RL_MAPCOL 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 2 FIX_AXIS_PAR_DIST 0 1 3 /end AXIS_DESCR
  /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 20 /begin FIX_AXIS_PAR_LIST 10 20 /end FIX_AXIS_PAR_LIST /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC maprow "" MAP 0x1040 RL_U8 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 2 FIX_AXIS_PAR 0 0 3 /end AXIS_DESCR
  /begin AXIS_DESCR COM_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 255 AXIS_PTS_REF ax /end AXIS_DESCR /end CHARACTERISTIC
/begin AXIS_PTS ax "" 0x1050 NO_INPUT_QUANTITY RL_AX 0 NO_COMPU_METHOD 4 0 255 /end AXIS_PTS
/begin CHARACTERISTIC cax "" CURVE 0x1058 RL_U8 0 NO_COMPU_METHOD 0 255
  /begin AXIS_DESCR CURVE_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 2 0 255 CURVE_AXIS_REF curve /end AXIS_DESCR /end CHARACTERISTIC
/end MODULE
/end PROJECT
`

func setup(t testing.TB) (*a2l.Module, *mem) {
	t.Helper()
	f, err := a2l.ParseString("v.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &mem{b: make([]byte, 0x100)}
	copy(m.b[0x00:], []byte{0x01, 0x2C})                         // speed raw 300 (BE) -> 150 km/h
	copy(m.b[0x02:], []byte{0xFF, 0x02, 0x80})                   // arr -1 2 -128
	m.b[0x05] = 0xFB                                             // flag bit 2 clear -> off; other bits set
	copy(m.b[0x08:], []byte{0x78, 0x56, 0x34, 0x12})             // le 0x12345678
	copy(m.b[0x10:], []byte{0x00, 0x14})                         // gain raw 20 -> 10
	m.b[0x12] = 5                                                // sqv raw 5 -> 25
	copy(m.b[0x14:], []byte{1, 2, 3, 4})                         // blk
	copy(m.b[0x18:], "hello\x00")                                // name
	copy(m.b[0x30:], []byte{3, 0, 0, 10, 0, 20, 0, 30, 2, 4, 6}) // curve: n=3, (pad), axis 10 20 30 (BE words), values 2 4 6
	copy(m.b[0x40:], []byte{1, 2, 3, 4, 5, 6})                   // map values
	copy(m.b[0x50:], []byte{2, 7, 9})                            // ax: n=2, 7 9
	copy(m.b[0x58:], []byte{11, 22, 33})                         // cax: 3 values along curve's axis
	return f.Modules[0], m
}

func TestRead(t *testing.T) {
	mod, m := setup(t)
	tests := []struct {
		name string
		want string
	}{
		{"speed", "[150.0] km/h dims=[] axes=[]"},
		{"arr", "[-1 2 -128]  dims=[3] axes=[]"},
		{"flag", "[off]  dims=[] axes=[]"},
		{"le", "[305419896]  dims=[] axes=[]"},
		{"gain", "[10.00]  dims=[] axes=[]"},
		{"sqv", "[25.00]  dims=[] axes=[]"},
		{"blk", "[1 2 3 4]  dims=[2 2] axes=[]"},
		{"name", "[hello]  dims=[] axes=[]"},
		{"curve", "[1.0 2.0 3.0] km/h dims=[3] axes=[[5 10 15]]"},
		// COLUMN_DIR: memory 1..6 holds x0y0 x0y1 x1y0 x1y1 x2y0 x2y1
		{"mapcol", "[1 3 5 2 4 6]  dims=[3 2] axes=[[0 1 2] [10 20]]"},
		{"maprow", "[1 2 3 4 5 6]  dims=[3 2] axes=[[0 1 2] [7 9]]"},
		{"ax", "[7 9]  dims=[2] axes=[]"},
		{"cax", "[11 22 33]  dims=[3] axes=[[1 2 3]]"},
	}
	for _, tc := range tests {
		v, err := cal.Read(context.Background(), mod, m, tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var axes []string
		for _, a := range v.Axes {
			axes = append(axes, fmt.Sprint(a.Phys))
		}
		got := fmt.Sprintf("%v %s dims=%v axes=[%s]", v.Strings(), v.Unit, v.Dims, strings.Join(axes, " "))
		got = strings.Replace(got, "dims=[]", "dims=[]", 1)
		if v.Dims == nil {
			got = fmt.Sprintf("%v %s dims=[] axes=[%s]", v.Strings(), v.Unit, strings.Join(axes, " "))
		}
		if got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name, in string
		off      int
		want     []byte
	}{
		{"speed", "200", 0x00, []byte{0x01, 0x90}},
		{"arr", "[1, -2, 3]", 0x02, []byte{1, 0xFE, 3}},
		{"flag", "on", 0x05, []byte{0xFF}},
		{"le", "0x01020304", 0x08, []byte{4, 3, 2, 1}},
		{"gain", "50", 0x10, []byte{0, 100}},
		{"sqv", "49", 0x12, []byte{7}},
		{"blk", "9 8 7 6", 0x14, []byte{9, 8, 7, 6}},
		{"name", "abc", 0x18, []byte{'a', 'b', 'c', 0, 0, 0}},
		{"curve", "10,20,30", 0x30, []byte{3, 0, 0, 10, 0, 20, 0, 30, 20, 40, 60}},
		{"mapcol", "1 2 3 4 5 6", 0x40, []byte{1, 4, 2, 5, 3, 6}},
		{"ax", "1 2", 0x50, []byte{2, 1, 2}},
	}
	for _, tc := range tests {
		mod, m := setup(t)
		v, err := cal.Write(context.Background(), mod, m, tc.name, tc.in, cal.Options{})
		if err != nil {
			t.Errorf("%s=%s: %v", tc.name, tc.in, err)
			continue
		}
		if got := m.b[tc.off : tc.off+len(tc.want)]; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s=%s: memory % X, want % X (read back %v)", tc.name, tc.in, got, tc.want, v.Strings())
		}
	}
}

func TestWriteAxis(t *testing.T) {
	mod, m := setup(t)
	d, err := cal.Describe(mod, "curve")
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Write(context.Background(), m, cal.Input{Axes: [][]string{{"100", "200", "300"}}}, cal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v.Axes[0].Phys) != "[100 200 300]" || fmt.Sprint(m.b[0x30:0x3B]) != fmt.Sprint([]byte{3, 0, 0, 200, 1, 144, 2, 88, 2, 4, 6}) {
		t.Errorf("axis write: %v, memory % X", v.Axes[0].Phys, m.b[0x30:0x3B])
	}
	if _, err := d.Write(context.Background(), m, cal.Input{Axes: [][]string{{"1", "2"}}}, cal.Options{}); err == nil {
		t.Error("wrong axis count accepted")
	}
	d2, _ := cal.Describe(mod, "maprow")
	if _, err := d2.Write(context.Background(), m, cal.Input{Axes: [][]string{nil, {"1", "2"}}}, cal.Options{}); err == nil || !strings.Contains(err.Error(), "write ax instead") {
		t.Errorf("COM_AXIS write: %v", err)
	}
}

func TestWriteRefused(t *testing.T) {
	tests := []struct {
		name, in string
		opt      cal.Options
		want     string
		is       error
	}{
		{"speed", "600", cal.Options{}, "value 1 = 600 is outside [0, 1000]", nil}, // raw 1200 ok, but...
		{"speed", "1001", cal.Options{}, "is outside [0, 1000]", cal.ErrLimit},
		{"gain", "150", cal.Options{}, "outside [0, 100]; EXTENDED_LIMITS [0, 200] allowed", cal.ErrLimit},
		{"arr", "1 2", cal.Options{}, "expects 3 values, got 2", nil},
		{"flag", "maybe", cal.Options{}, `"maybe" is not one of onoff's values (off, on)`, nil},
		{"ro", "1", cal.Options{}, "without READ_WRITE", cal.ErrReadOnly},
		{"locked", "1", cal.Options{}, "READ_ONLY", cal.ErrReadOnly},
		{"name", "much too long", cal.Options{}, "room for 6", cal.ErrLimit},
		{"sqv", "-5", cal.Options{}, "outside", nil},
		{"speed", "abc", cal.Options{}, `"abc" is not a number`, nil},
	}
	for _, tc := range tests {
		mod, m := setup(t)
		_, err := cal.Write(context.Background(), mod, m, tc.name, tc.in, tc.opt)
		if tc.name == "speed" && tc.in == "600" {
			// 600 km/h is within [0, 1000]: this one must succeed.
			if err != nil {
				t.Errorf("speed=600: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%s=%s: err %v, want %q", tc.name, tc.in, err, tc.want)
		}
		if m.writes != 0 {
			t.Errorf("%s=%s: refused write touched memory", tc.name, tc.in)
		}
	}
	mod, m := setup(t)
	if _, err := cal.Write(context.Background(), mod, m, "gain", "150", cal.Options{ExtendedLimits: true}); err != nil {
		t.Errorf("extended limits: %v", err)
	}
}

// badMem drops writes, so verification must fail.
type badMem struct{ *mem }

func (badMem) Write(context.Context, uint32, uint8, []byte) error { return nil }

func TestVerifyDetectsMismatch(t *testing.T) {
	mod, m := setup(t)
	_, err := cal.Write(context.Background(), mod, badMem{m}, "speed", "10", cal.Options{})
	if err == nil || !strings.Contains(err.Error(), "read-back mismatch") {
		t.Errorf("err = %v", err)
	}
}

func TestDescribeErrors(t *testing.T) {
	mod, _ := setup(t)
	if _, err := cal.Describe(mod, "nothing"); !errors.Is(err, a2l.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}

// TestHugeObjects: dimensions whose product overflows int, or exceeds the
// 32-bit address space, are errors at Describe time, never a wrapped-
// around size that lets a read or write slice out of range.
func TestHugeObjects(t *testing.T) {
	fix := func(n int) string {
		return fmt.Sprintf("/begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD %d 0 1 FIX_AXIS_PAR_DIST 0 1 %d /end AXIS_DESCR\n", n, n)
	}
	body := `/begin RECORD_LAYOUT RL FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/begin MEASUREMENT dims "" ULONG NO_COMPU_METHOD 0 0 0 1 ECU_ADDRESS 0x1000 MATRIX_DIM 2147483647 2147483647 2147483647 /end MEASUREMENT
/begin MEASUREMENT big "" ULONG NO_COMPU_METHOD 0 0 0 1 ECU_ADDRESS 0x1000 MATRIX_DIM 65536 65536 /end MEASUREMENT
/begin CHARACTERISTIC cube "" CUBOID 0x1000 RL 0 NO_COMPU_METHOD 0 255 ` + fix(1<<20) + fix(1<<20) + fix(1<<20) + `/end CHARACTERISTIC
/begin CHARACTERISTIC wide "" CURVE 0x1000 RL 0 NO_COMPU_METHOD 0 255 ` + fix(1<<21) + `/end CHARACTERISTIC
`
	f, err := a2l.ParseString("h.a2l", "ASAP2_VERSION 1 71 /begin PROJECT p \"\" /begin MODULE m \"\"\n"+body+"/end MODULE /end PROJECT", a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	for _, tc := range []struct{ name, want string }{
		{"dims", "larger than the 4 GiB address space"},
		{"big", "larger than the 4 GiB address space"},
		{"cube", "larger than the 4 GiB address space"},
		{"wide", "FIX_AXIS_PAR of 2097152 points"},
	} {
		d, err := cal.Describe(m, tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Describe = %v, %v; want an error containing %q", tc.name, d, err, tc.want)
		}
		if _, err := cal.Read(context.Background(), m, &mem{b: make([]byte, 16)}, tc.name); err == nil {
			t.Errorf("%s: Read succeeded", tc.name)
		}
	}
}

// failAt is a memory whose reads at one address fail with err.
type failAt struct {
	*mem
	addr uint32
	err  error
}

func (f failAt) Read(ctx context.Context, addr uint32, ext uint8, n int) ([]byte, error) {
	if addr == f.addr {
		return nil, f.err
	}
	return f.mem.Read(ctx, addr, ext, n)
}

// TestErrorsWrap: a failing read of a referenced axis and an unusable
// input keep their causes for errors.Is (callers map them to exit codes).
func TestErrorsWrap(t *testing.T) {
	m, mm := setup(t)
	sentinel := errors.New("access locked")
	if _, err := cal.Read(context.Background(), m, failAt{mm, 0x1050, sentinel}, "maprow"); !errors.Is(err, sentinel) {
		t.Errorf("reading maprow with its COM_AXIS unreadable: %v does not wrap the memory error", err)
	}
	if _, err := cal.Write(context.Background(), m, mm, "flag", "maybe", cal.Options{}); !errors.Is(err, compu.ErrNoInverse) {
		t.Errorf("writing flag=maybe: %v does not wrap compu.ErrNoInverse", err)
	}
}
