package cal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// Indirect addressing: the record holds a pointer (PBYTE, PWORD, PLONG,
// PLONGLONG) to the values or axis points.
func TestIndirectAddressing(t *testing.T) {
	src := indSrc
	f, err := a2l.ParseString("ind.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	m := &mem{b: make([]byte, 0x80)}
	copy(m.b[0x00:], []byte{0x00, 0x00, 0x10, 0x40})             // PLONG -> 0x1040
	copy(m.b[0x04:], []byte{3, 0x10, 0x50, 0x10, 0x60})          // 3 points, PWORD -> 0x1050, PWORD -> 0x1060
	m.b[0x09] = 0x60                                             // PBYTE -> 0x60, outside the memory
	copy(m.b[0x10:], []byte{0, 0, 0, 0, 0, 0, 0x10, 0x70})       // PLONGLONG -> 0x1070
	copy(m.b[0x40:], []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}) // 0x0102 0x0304 0x0506
	copy(m.b[0x50:], []byte{10, 20, 30})                         // axis points
	copy(m.b[0x60:], []byte{7, 8, 9})                            // values
	copy(m.b[0x70:], []byte("abcd"))
	v, err := cal.Read(context.Background(), mod, m, "blk")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(v.Raw); got != "[258 772 1286]" {
		t.Errorf("VAL_BLK through PLONG = %s", got)
	}
	if d, err := cal.Describe(mod, "blk"); err != nil || d.Size != 4 {
		t.Errorf("record of a PLONG layout: %v %v", d, err)
	}
	v, err = cal.Read(context.Background(), mod, m, "crv")
	if err != nil || fmt.Sprint(v.Raw, v.Axes[0].Raw) != "[7 8 9] [10 20 30]" {
		t.Errorf("curve through PWORD pointers: %v %v", v, err)
	}
	// A PBYTE pointer (0x60) outside the memory.
	if _, err := cal.Read(context.Background(), mod, m, "far"); err == nil || !strings.Contains(err.Error(), "through the pointer") || !strings.Contains(err.Error(), "0x60") {
		t.Errorf("bad pointer: %v", err)
	}
	v, err = cal.Read(context.Background(), mod, m, "txt")
	if err != nil || *v.String != "abcd" {
		t.Errorf("ASCII through PLONGLONG: %v %v", v, err)
	}
	// Writing goes through the pointer too; the record stays as it is.
	if _, err := cal.Write(context.Background(), mod, m, "blk", "1,2,3", cal.Options{}); err != nil {
		t.Fatalf("write through a pointer: %v", err)
	}
	if got := fmt.Sprint(m.b[0x40:0x46], m.b[0:4]); got != "[0 1 0 2 0 3] [0 0 16 64]" {
		t.Errorf("written through PLONG: %s", got)
	}
	if _, err := cal.Write(context.Background(), mod, m, "crv", "4,5,6", cal.Options{}); err != nil {
		t.Fatalf("write a curve through pointers: %v", err)
	}
	if got := fmt.Sprint(m.b[0x60:0x63]); got != "[4 5 6]" {
		t.Errorf("curve values written as %s", got)
	}
	d, _ := cal.Describe(mod, "blk")
	if _, err := d.Decode(m.b[:4], nil); err == nil || !strings.Contains(err.Error(), "PLONG pointer (0x1040)") {
		t.Errorf("Decode of a pointer record: %v", err)
	}
}

const indSrc = `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin MOD_COMMON "" BYTE_ORDER MSB_FIRST /end MOD_COMMON
/begin RECORD_LAYOUT RL_PLONG FNC_VALUES 1 UWORD ROW_DIR PLONG /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_CURVE NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR PWORD FNC_VALUES 3 UBYTE ROW_DIR PWORD /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_PBYTE FNC_VALUES 1 UBYTE ROW_DIR PBYTE /end RECORD_LAYOUT
/begin RECORD_LAYOUT RL_ASCII FNC_VALUES 1 UBYTE ROW_DIR PLONGLONG /end RECORD_LAYOUT
/begin CHARACTERISTIC blk "" VAL_BLK 0x1000 RL_PLONG 0 NO_COMPU_METHOD 0 65535 NUMBER 3 /end CHARACTERISTIC
/begin CHARACTERISTIC crv "" CURVE 0x1004 RL_CURVE 0 NO_COMPU_METHOD 0 255
 /begin AXIS_DESCR STD_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 8 0 255 /end AXIS_DESCR /end CHARACTERISTIC
/begin CHARACTERISTIC far "" VALUE 0x1009 RL_PBYTE 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC txt "" ASCII 0x1010 RL_ASCII 0 NO_COMPU_METHOD 0 255 NUMBER 4 /end CHARACTERISTIC
/end MODULE /end PROJECT`

// FuzzDecodeLayouts reads every object of the alternating, rescale and
// pointer layouts from arbitrary memory: errors are fine, panics are not.
func FuzzDecodeLayouts(f *testing.F) {
	f.Add(make([]byte, 0x80))
	f.Add([]byte{3, 2, 1, 11, 12, 2, 21, 22, 3, 31, 32, 100, 200})
	f.Add([]byte{0x00, 0x00, 0x10, 0x40, 3, 0x10, 0x50, 0x10, 0x60, 0xFF})
	var mods []*a2l.Module
	for _, src := range []string{altSrc, resSrc, indSrc} {
		file, err := a2l.ParseString("f.a2l", src, a2l.Options{})
		if err != nil {
			f.Fatal(err)
		}
		mods = append(mods, file.Modules[0])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mm := &mem{b: append(b, make([]byte, 0x80)...)[:0x80]}
		for _, mod := range mods {
			for _, name := range mod.Names() {
				v, err := cal.Read(context.Background(), mod, mm, name)
				if err == nil && v == nil {
					t.Fatalf("%s: no value and no error", name)
				}
			}
		}
	})
}

func TestWordSwappedOrderRefused(t *testing.T) {
	f, err := a2l.ParseString("w.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin MEASUREMENT a "" ULONG NO_COMPU_METHOD 0 0 0 1 ECU_ADDRESS 0x1000 BYTE_ORDER MSB_FIRST_MSW_LAST /end MEASUREMENT
/end MODULE /end PROJECT`, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cal.Describe(f.Modules[0], "a"); err == nil || !strings.Contains(err.Error(), "BYTE_ORDER MSB_FIRST_MSW_LAST (word-swapped) is not supported") {
		t.Errorf("Describe: %v", err)
	}
}
