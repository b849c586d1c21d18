package values_test

import (
	"path/filepath"
	"testing"

	"goxcp/a2l"
	"goxcp/a2l/internal/testfiles"
	"goxcp/a2l/values"
)

func TestDescribeXCPlite(t *testing.T) {
	f, err := a2l.ParseFile(filepath.Join(testfiles.XCPlite(t), "c_demo.a2l"), a2l.Options{})
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
		d, err := values.Describe(m, tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Address != tc.addr || d.Ext != tc.ext || d.Size != tc.size {
			t.Errorf("%s: 0x%X ext %d size %d, want 0x%X ext %d size %d", tc.name, d.Address, d.Ext, d.Size, tc.addr, tc.ext, tc.size)
		}
	}
}
