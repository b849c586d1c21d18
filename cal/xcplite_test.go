package cal_test

import (
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
	"github.com/goxcp/goxcp/cal"
)

func TestDescribeXCPlite(t *testing.T) {
	f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), "c_demo.a2l"), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	tests := []struct {
		name string
		addr uint32
		ext  uint8
		size int
	}{
		{"params.curve", 0x8001004C, 0, 8 * 4},
		{"params.map", 0x8001000A, 0, 8 * 8},
		{"params.delay_us", 0x80010004, 0, 4},
		{"matrix_f32", 0xFF40, 2, 8 * 4 * 4},
		{"g_counter64", 0x28060, 1, 8},
		{"params_copy.test_byte2", 0x2A279, 1, 1},
	}
	for _, tc := range tests {
		d, err := cal.Describe(m, tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Address != tc.addr || d.Ext != tc.ext || d.Size != tc.size {
			t.Errorf("%s: 0x%X ext %d size %d, want 0x%X ext %d size %d", tc.name, d.Address, d.Ext, d.Size, tc.addr, tc.ext, tc.size)
		}
	}
}

func TestResolveSignalXCPlite(t *testing.T) {
	f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), "struct_demo.a2l"), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	s, err := cal.ResolveSignal(m, "heap_struct1.word_field")
	if err != nil {
		t.Fatal(err)
	}
	if s.Address != 0x400002 || s.Ext != 3 || s.Type != a2l.SWord || s.Count != 1 || s.Event != 1 {
		t.Errorf("signal %+v", s)
	}
	if v, err := s.Phys([]byte{0xFE, 0xFF}, 0); err != nil || v != -2 {
		t.Errorf("phys = %v %v", v, err)
	}
	if ch, err := cal.ResolveEvent(m, "struct_demo.event2"); err != nil || ch != 1 {
		t.Errorf("event = %d %v", ch, err)
	}
	if ch, err := cal.ResolveEvent(m, "event"); err != nil || ch != 0 {
		t.Errorf("event by short name = %d %v", ch, err)
	}
	if _, err := cal.ResolveEvent(m, "nope"); err == nil {
		t.Error("unknown event resolved")
	}
	if s, err := cal.ResolveSignal(m, "static_struct1.array_field"); err != nil || s.Count != 256 || s.Event != 0 {
		t.Errorf("array signal %+v %v", s, err)
	}
}
